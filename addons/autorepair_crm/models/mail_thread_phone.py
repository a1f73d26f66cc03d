from odoo import models


class PhoneMixin(models.AbstractModel):
    _inherit = "mail.thread.phone"

    def _search_phone_mobile_search(self, operator, value):
        # Odoo matches the number in raw SQL, past the groups of the phone
        # fields: whoever may not read them may not search them either
        self.check_field_access_rights("read", [
            fname for fname in ("phone_sanitized", *self._phone_get_number_fields()) if fname in self._fields
        ])
        return super()._search_phone_mobile_search(operator, value)
