from odoo import models
from odoo.exceptions import AccessError


class AutorepairCustomerDataMixin(models.AbstractModel):
    """Customer data leaves the database only through a manager (RULEBOOK §2:
    nothing leaks). Odoo hides the export button from users without
    base.group_allow_export, but the export RPC itself stays open: guard it."""

    _name = "autorepair.customer.data.mixin"
    _description = "Customer data export guard"

    def export_data(self, fields_to_export):
        if not self.env.su and not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may export customer data."))
        return super().export_data(fields_to_export)
