from odoo.tests import TransactionCase, tagged

from odoo.addons.autorepair_crm.tests.common import chinese_gaps


@tagged("post_install", "-at_install")
class TestChinese(TransactionCase):
    def test_chinese_complete(self):
        """Every term of the addon's code, views and data has its Chinese."""
        terms, gaps = chinese_gaps(self.env, "autorepair_payment")
        self.assertGreater(len(terms), 20)
        self.assertFalse(gaps, "terms without Chinese")
