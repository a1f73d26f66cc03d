from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import add_role_users


@tagged("post_install", "-at_install")
class TestPrivacyLog(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "plog", {
            "user": "autorepair_crm.group_user",
            "manager": "autorepair_crm.group_manager",
        })
        cls.customer = cls.env["res.partner"].create({"name": "王芳", "is_autorepair_customer": True})

    def test_append_only(self):
        entry = self.env["autorepair.privacy.log"].with_user(self.user_user)._log(
            "export", model="res.partner", field_names=["name", "mobile"], record_count=3)
        self.assertEqual(entry.user_id, self.user_user)
        self.assertEqual(entry.field_names, "name, mobile")
        # managers read it, nobody writes, deletes or creates it directly
        log = self.env["autorepair.privacy.log"].with_user(self.user_manager)
        self.assertEqual(log.search([("id", "=", entry.id)]), entry)
        with self.assertRaises(AccessError):
            entry.with_user(self.user_user).read(["event"])
        with self.assertRaises(AccessError):
            log.create({"event": "erasure"})
        with self.assertRaises(UserError):
            entry.with_user(self.user_manager).write({"record_count": 0})
        with self.assertRaises(UserError):
            entry.sudo().write({"record_count": 0})
        with self.assertRaises(UserError):
            entry.sudo().unlink()
        self.assertEqual(entry.record_count, 3)
