from odoo import fields, models

# the cashier's payment methods (收银方式), each its own journal so that each method's
# takings reconcile with its own settlement: (key, label, journal type, code)
PAYMENT_METHODS = [
    ("cash", "Cash", "cash", "XJ"),
    ("unionpay", "UnionPay Card", "bank", "YL"),
    ("wechat", "WeChat Pay", "bank", "WX"),
    ("alipay", "Alipay", "bank", "ZFB"),
    ("transfer", "Bank Transfer", "bank", "ZZ"),
]


class AccountJournal(models.Model):
    _inherit = "account.journal"

    autorepair_payment_method = fields.Selection(
        [(key, label) for key, label, _type, _code in PAYMENT_METHODS], string="Cashier Payment Method",
        copy=False, index="btree_not_null",
        help="The cashier takes this method's payments into this journal: its day's takings are closed and "
        "reconciled with its own settlement or deposit.",
    )

    _sql_constraints = [
        ("autorepair_payment_method_unique", "unique(company_id, autorepair_payment_method)",
         "A company has one journal per cashier payment method."),
    ]
