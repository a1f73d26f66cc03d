from odoo.tests import HttpCase, tagged

from .common import AutorepairCrmCase, RpcClientMixin


@tagged("post_install", "-at_install")
class TestLoyaltyTypeOverride(AutorepairCrmCase, HttpCase, RpcClientMixin):
    """The loyalty type follows the history (autorepair_care computes it);
    only a service manager overrides it, with a reason, over every path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", "13800138000")

    def _snapshot(self):
        self.env.invalidate_all()
        return self.customer.read(["loyalty_type", "loyalty_type_auto", "loyalty_type_override",
                                   "loyalty_type_reason"])

    def test_only_a_manager_overrides_over_rpc(self):
        for user in (self.user_care_agent, self.user_sales, self.user_advisor):
            self._assert_rpc_refused(user, "res.partner", "write", [self.customer.id],
                                     {"loyalty_type_override": "loyal", "loyalty_type_reason": "老客户"}, xmlrpc=True)
        for user in (self.user_care_agent, self.user_manager):
            for fname in ("loyalty_type", "loyalty_type_auto"):
                self._assert_rpc_refused(user, "res.partner", "write", [self.customer.id], {fname: "loyal"})
        # a reason is required
        self._assert_rpc_refused(self.user_manager, "res.partner", "write", [self.customer.id],
                                 {"loyalty_type_override": "loyal"})
        self._jsonrpc_ok(self.user_manager, "res.partner", "write", [self.customer.id],
                         {"loyalty_type_override": "loyal", "loyalty_type_reason": "十年老客户，车队采购人"})
        self.env.invalidate_all()
        self.assertEqual((self.customer.loyalty_type, self.customer.loyalty_type_reason),
                         ("loyal", "十年老客户，车队采购人"))

    def test_form_edits_the_override_for_managers_only(self):
        form = self.env.ref("base.view_partner_form").id
        arch = self.env["res.partner"].with_user(self.user_manager).get_view(form)["arch"]
        self.assertRegex(arch, r'name="loyalty_type_override"(?![^>]*readonly="1")')
        arch = self.env["res.partner"].with_user(self.user_care_agent).get_view(form)["arch"]
        self.assertRegex(arch, r'name="loyalty_type_override"[^>]*readonly="1"')
        self.assertNotRegex(arch, r'name="loyalty_type_override"(?![^>]*readonly="1")')
