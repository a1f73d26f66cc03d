from odoo import models


class Base(models.AbstractModel):
    _inherit = "base"

    # The fields of a model that hold a customer's personal data (PIPL): what
    # an export of personal data is, what an access report lists and what an
    # erasure anonymises. Fields related to one of them count as well. Each
    # model of the suite that holds such data declares its own.
    _autorepair_personal_fields = ()
