from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        info = super().session_info()
        user = self.env.user
        # a Home Action set on the user's own form still wins
        if info.get("uid") and user._is_internal() and not info.get("home_action_id"):
            action = user._autorepair_home()
            if action:
                info["home_action_id"] = action.id
        return info
