from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        info = super().session_info()
        user = self.env.user
        # a Home Action set on the user's own form still wins; a link naming a
        # menu (…?menu_id=) opens that menu when the web client cannot restore
        # the view it names, as in Odoo, instead of falling back to the home
        menu_link = bool(request and request.httprequest.args.get("menu_id"))
        if info.get("uid") and user._is_internal() and not info.get("home_action_id") and not menu_link:
            action = user._autorepair_home()
            if action:
                info["home_action_id"] = action.id
        return info
