from odoo.tests import tagged

from .common import MONTH, KpiCase, at


@tagged("post_install", "-at_install")
class TestKpiRework(KpiCase):
    """The rework rate (返修率): cars back within the guarantee of an earlier
    repair, counted for the advisor and the technician of the first repair."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # C's minor repair, a walk-in clocked by the second technician, delivered on the 11th;
        # C is back on the 15th, within its 10 days and 2,000 km: a rework
        cls.first = cls._order(cls.vehicle_c, at(10), at(11), labour=1, actual=1, clocked_by=cls.user_technician2)
        cls.rework = cls._order(cls.vehicle_c, at(15))
        cls.env["autorepair.kpi.statement"]._close_month(MONTH)

    def assertFigure(self, user, numerator, denominator, value):
        figure = self._figure(self._statement(user), "rework")
        self.assertEqual(len(figure), 1)
        self.assertEqual((figure.numerator, figure.denominator), (numerator, denominator))
        self.assertAlmostEqual(figure.value, value, places=1)
        return figure

    def test_rework_flagged(self):
        self.assertTrue(self.rework.is_rework)
        self.assertEqual(self.rework.rework_of_id, self.first)
        self.assertEqual(self.rework.rework_technician_id, self.user_technician2)
        self.assertEqual(self.rework.rework_advisor_id, self.user_advisor)
        self.assertFalse(self.env["autorepair.service.order"].search_count(
            [("is_rework", "=", True), ("id", "!=", self.rework.id), ("vehicle_id.license_plate", "like", "川A1000")]),
            "the fixture's other returns fall outside their guarantee")

    def test_rework_rate(self):
        # the second technician delivered the walk-in of the 8th and C's repair: 1 rework of 2
        figure = self.assertFigure(self.user_technician2, 1, 2, 50.0)
        self.assertEqual(self.env["autorepair.service.order"].search(figure.action_open_records()["domain"]),
                         self.rework)
        # the advisor delivered order 1, the walk-in, August's order delivered on the 1st and C's repair
        self.assertFigure(self.user_advisor, 1, 4, 25.0)
        # the first technician: order 1 and August's order, no rework
        self.assertFigure(self.user_technician, 0, 2, 0.0)
        definition = self.env.ref("autorepair_kpi.kpi_rework")
        self.assertFalse(definition.higher_is_better)
        self.assertEqual(set(definition.group_ids.mapped(lambda g: g.get_external_id()[g.id])),
                         {"autorepair_workshop.group_technician", "autorepair_workshop.group_advisor"})
