from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        # the service order's portal page carries mail's chatter ("The conversation
        # is empty."): its terms are loaded on the portal too, not only in the back end
        return [*super()._get_translation_frontend_modules_name(), "mail"]
