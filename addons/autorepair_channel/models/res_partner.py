from odoo import fields, models

from odoo.addons.autorepair_crm.models.res_partner import ResPartner as CustomerFile


class ResPartner(models.Model):
    """A customer's WeChat binding: the openid of his follow of the company's
    official account, set by WeChat's follow event after he scanned his own
    QR code, cleared when he unfollows."""

    _inherit = "res.partner"
    _autorepair_personal_fields = (*CustomerFile._autorepair_personal_fields, "autorepair_wechat_openid")

    autorepair_wechat_openid = fields.Char(
        string="WeChat OpenID", copy=False, readonly=True, index="btree_not_null",
        help="The customer's id at the official account, set when he follows it through his QR code.")
    autorepair_wechat_bound_on = fields.Datetime(string="WeChat Bound On", copy=False, readonly=True)
    autorepair_wechat_scene = fields.Char(
        string="WeChat QR Scene", copy=False, readonly=True, index="btree_not_null",
        help="The secret scene of the customer's binding QR code, which the follow event returns.")

    def _autorepair_notice_channel(self):
        """How a notice reaches this customer: ``"wechat"`` when he prefers
        WeChat and follows the company's account, else ``"sms"`` when he has
        a number, else False."""
        self.ensure_one()
        partner = self.sudo()
        company = partner.company_id or self.env.company
        if (partner.preferred_channel == "wechat" and partner.autorepair_wechat_openid
                and company.autorepair_wechat_app_id):
            return "wechat"
        return "sms" if partner.phone_sanitized or partner.mobile or partner.phone else False
