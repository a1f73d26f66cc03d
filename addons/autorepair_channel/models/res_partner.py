import base64
import logging
import secrets
import time
from datetime import timedelta

from wechatpy.exceptions import WeChatClientException

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.autorepair_crm.models.res_partner import ResPartner as CustomerFile

_logger = logging.getLogger(__name__)

# A temporary parametric QR code (临时二维码) lives at most 30 days; one with
# less than a day left is replaced before it is shown or printed.
QR_LIFETIME = 2592000
QR_MARGIN = timedelta(days=1)
# WeChat unreachable: for a while pages and PDFs render without the code
# instead of each waiting for the API's timeout (per process, per account)
QR_PAUSE = 300
_QR_PAUSED_UNTIL = {}


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

    autorepair_wechat_qr_url = fields.Char(
        string="WeChat QR Content", copy=False, readonly=True, groups="base.group_system",
        help="What the customer's binding QR code holds (the url WeChat gave for his scene).")
    autorepair_wechat_qr_expires = fields.Datetime(
        string="WeChat QR Valid Until", copy=False, readonly=True, groups="base.group_system")

    # ------------------------------------------------------------------ WeChat binding

    def _autorepair_wechat_qr_image(self):
        """The customer's binding QR code as an image (a data URI, so that the
        PDF reports need no request back to the server), or False when his
        company has no official account, he is bound already, or WeChat cannot
        be reached. Scanning it follows the account and binds him."""
        self.ensure_one()
        url = self._autorepair_wechat_qr_content()
        if not url:
            return False
        image = self.env["ir.actions.report"].barcode("QR", url, width=240, height=240)
        return f"data:image/png;base64,{base64.b64encode(image).decode()}"

    def _autorepair_wechat_qr_content(self):
        partner = self.sudo()
        company = partner.company_id or self.env.company
        if partner.autorepair_wechat_openid or not company.sudo().autorepair_wechat_app_id:
            return False
        now = fields.Datetime.now()
        if (partner.autorepair_wechat_scene and partner.autorepair_wechat_qr_url
                and partner.autorepair_wechat_qr_expires and partner.autorepair_wechat_qr_expires - QR_MARGIN > now):
            return partner.autorepair_wechat_qr_url
        scene = partner.autorepair_wechat_scene or secrets.token_urlsafe(24)
        account = (self.env.cr.dbname, company.id, company.autorepair_wechat_endpoint)
        if _QR_PAUSED_UNTIL.get(account, 0) > time.monotonic():
            return False
        try:
            # 生成带参数的二维码: POST /cgi-bin/qrcode/create, a temporary code with a string
            # scene (QR_STR_SCENE, scene_str of 1 to 64 characters, expire_seconds up to 30 days);
            # the answer's "url" is the content to draw
            # (https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html)
            result = self.env["autorepair.wechat.token"]._autorepair_call(company, lambda client: client.qrcode.create({
                "expire_seconds": QR_LIFETIME, "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene}},
            }))
        except (WeChatClientException, UserError) as error:
            _logger.warning("No WeChat QR code for partner %s: %s", partner.id, error)
            _QR_PAUSED_UNTIL[account] = time.monotonic() + QR_PAUSE
            return False
        partner.write({
            "autorepair_wechat_scene": scene, "autorepair_wechat_qr_url": result["url"],
            "autorepair_wechat_qr_expires": now + timedelta(seconds=int(result.get("expire_seconds") or QR_LIFETIME)),
        })
        return result["url"]

    def _autorepair_wechat_bind(self, openid):
        """Bind the customer to the openid that followed or scanned his code.
        His scene changes: the printed code binds nobody else afterwards."""
        self.ensure_one()
        partner = self.sudo()
        partner.write({
            "autorepair_wechat_openid": openid, "autorepair_wechat_bound_on": fields.Datetime.now(),
            "autorepair_wechat_scene": secrets.token_urlsafe(24), "autorepair_wechat_qr_url": False,
            "autorepair_wechat_qr_expires": False,
        })
        partner.message_post(body=self.env._("Bound to the official account on WeChat: WeChat notices go to him."),
                             subtype_xmlid="mail.mt_note")

    def _autorepair_wechat_unbind(self, reason):
        partners = self.sudo().filtered("autorepair_wechat_openid")
        partners.write({"autorepair_wechat_openid": False, "autorepair_wechat_bound_on": False})
        for partner in partners:
            partner.message_post(body=self.env._("WeChat unbound: %(reason)s. Notices go by SMS.", reason=reason),
                                 subtype_xmlid="mail.mt_note")

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
