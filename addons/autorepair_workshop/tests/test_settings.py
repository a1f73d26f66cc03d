from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWorkshopSettings(TransactionCase):
    """The manager's workshop settings: saved as system parameters, refused
    when they make no sense."""

    def _settings(self, **values):
        form = Form(self.env["res.config.settings"])
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def test_saved(self):
        self._settings(autorepair_labour_rate=180, autorepair_followup_delay_hours=48).save().execute()
        param = self.env["ir.config_parameter"].get_param
        self.assertEqual(param("autorepair_workshop.labour_rate"), "180.0")
        self.assertEqual(param("autorepair_workshop.followup_delay_hours"), "48")

    def test_refused(self):
        before = self.env["ir.config_parameter"].get_param("autorepair_workshop.csi_low_score")
        for values in (
            {"autorepair_labour_rate": -1},
            {"autorepair_csi_low_score": 6},
            {"autorepair_csi_weight_attitude": 0, "autorepair_csi_weight_quality": 0,
             "autorepair_csi_weight_transparency": 0},
            {"autorepair_followup_delay_hours": -1},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self._settings(**values).save()
        self.assertEqual(self.env["ir.config_parameter"].get_param("autorepair_workshop.csi_low_score"), before,
                         "nothing refused is saved")
