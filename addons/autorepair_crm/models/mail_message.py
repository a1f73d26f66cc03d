from odoo import models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools import mask_phones_in_text
from .base import MASKED_GROUP

# the numbers mask_phones_in_text masks, for PostgreSQL (tools/phone.py)
SQL_PHONE_IN_TEXT = (
    r"(?<![A-Za-z0-9+])("
    r"(\+|00)?(86[ -]?)?1[3-9][0-9]([ -]?[0-9]){8}"
    r"|0[0-9]{2,3}[ -]?[0-9]{3,4}[ -]?[0-9]{4}"
    r"|\+[0-9]([ -]?[0-9]){6,14}"
    r")(?![0-9])"
)
MASKED_TEXT_FIELDS = ("body", "preview", "subject")


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _autorepair_masked_reader(self):
        # the real user, also when the chatter reads the messages as superuser
        return self.env.user.has_group(MASKED_GROUP)

    def _read_format(self, fnames, load="_classic_read"):
        """Workshop staff read the chatter with the phone numbers in it masked
        (a number typed in a note, in a customer's e-mail, in an SMS)."""
        result = super()._read_format(fnames, load=load)
        masked = [fname for fname in MASKED_TEXT_FIELDS if fname in fnames]
        if masked and self._autorepair_masked_reader():
            for row in result:
                for fname in masked:
                    if isinstance(row.get(fname), str):
                        row[fname] = mask_phones_in_text(row[fname])
        return result

    def _condition_to_sql(self, alias, fname, operator, value, query):
        """A search in message bodies by workshop staff matches the text they
        are shown, numbers masked: the digits of a number are not found."""
        if (fname == "body" and isinstance(value, str) and any(ch.isdigit() for ch in value)
                and not self.env.su and self._autorepair_masked_reader()):
            if operator not in ("like", "ilike", "not like", "not ilike"):
                raise AccessError(self.env._(
                    "Workshop staff see customers' phone numbers masked; ask a service advisor for the number."))
            sql_field = self._field_to_sql(alias, fname, query)
            return SQL(
                "(COALESCE(regexp_replace(%s, %s, '****', 'g'), '') %s %s)",
                sql_field, SQL_PHONE_IN_TEXT, SQL(expression.SQL_OPERATORS[operator]), f"%{value}%",
            )
        return super()._condition_to_sql(alias, fname, operator, value, query)
