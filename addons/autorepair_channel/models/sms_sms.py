import logging
import re
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from .autorepair_channel_template import KINDS, TEMPLATE_PROVIDERS

_logger = logging.getLogger(__name__)

# a throttled or unreachable provider is tried again later, up to this many times
MAX_TRIES = 6
# Seconds of sending per run of the queue: paced to the provider's rate, a
# broadcast takes longer than a cron may run (Odoo kills it after
# limit_time_real), so the run stops in time and calls itself again at once.
SEND_BUDGET_PARAM = "autorepair_channel.sms_send_budget"
SEND_BUDGET = 60


def number_key(number):
    """What a provider's receipt and the queue's SMS agree on for a number,
    whichever way each writes it (+8613800138000, 13800138000): its last
    11 digits."""
    return re.sub(r"\D", "", number or "")[-11:]


class SmsSms(models.Model):
    """Odoo's SMS queue, sent through the company's domestic provider when it
    has one: every SMS of the suite carries the kind of notice and the values
    its provider template takes, and goes out as that approved template."""

    _inherit = "sms.sms"

    failure_type = fields.Selection(selection_add=[
        ("sms_template", "No Approved Template"),
        ("sms_rejected", "Rejected"),
        ("sms_not_delivered", "Not Delivered"),
    ])
    autorepair_company_id = fields.Many2one("res.company", string="Company", index="btree_not_null", readonly=True)
    autorepair_kind = fields.Selection(KINDS, string="Notice", readonly=True)
    autorepair_values = fields.Json(string="Template Values", readonly=True)
    autorepair_provider = fields.Selection(
        [item for item in TEMPLATE_PROVIDERS if item[0] != "wechat"], string="Sent Through", readonly=True)
    autorepair_provider_ref = fields.Char(
        string="Provider's Message ID", readonly=True, index="btree_not_null",
        help="The id the provider gave the message (BizId, SerialNo), which its delivery receipt names.")
    autorepair_failure_reason = fields.Char(string="Provider's Reason", readonly=True)
    autorepair_tries = fields.Integer(string="Tries", readonly=True)
    autorepair_next_try = fields.Datetime(string="Next Try", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        # the company whose provider sends it (``mail.thread._autorepair_notice_company``)
        messages = self.env["mail.message"].browse(
            [vals["mail_message_id"] for vals in vals_list if vals.get("mail_message_id")]).sudo()
        company_of = {
            message.id: self.env[message.model].sudo().browse(message.res_id)._autorepair_notice_company().id
            for message in messages if message.model and message.res_id
            and hasattr(self.env[message.model], "_autorepair_notice_company")
        }
        for vals in vals_list:
            if not vals.get("autorepair_company_id"):
                vals["autorepair_company_id"] = company_of.get(vals.get("mail_message_id")) or self.env.company.id
        return super().create(vals_list)

    def _autorepair_provider(self):
        self.ensure_one()
        return (self.autorepair_company_id or self.env.company).sudo().autorepair_sms_provider

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        by_provider = self.grouped(lambda sms: (sms.autorepair_company_id or self.env.company,
                                                sms._autorepair_provider()))
        for (company, provider), batch in by_provider.items():
            if provider == "iap":
                super(SmsSms, batch)._send(
                    unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception)
            else:
                batch._autorepair_send_through(company.sudo(), provider, raise_exception=raise_exception)
        return None

    # ------------------------------------------------------------------ provider

    def _autorepair_template_domain(self):
        """Extra conditions on the template of this SMS (a care rule's own)."""
        return []

    def _autorepair_send_through(self, company, provider, raise_exception=False):
        """Send these SMS of one company through its domestic provider, as the
        provider's approved templates, at the provider's rate."""
        now = fields.Datetime.now()
        due = self.filtered(lambda sms: not sms.autorepair_next_try or sms.autorepair_next_try <= now)
        Template = self.env["autorepair.channel.template"]
        items, unsendable = [], self.browse()
        for sms in due:
            template = sms.autorepair_kind and Template._autorepair_find(
                company, provider, sms.autorepair_kind, sms._autorepair_template_domain())
            if not template:
                unsendable |= sms
                continue
            items.append({
                "sms": sms, "number": sms.number, "code": template.code,
                "params": template._autorepair_params(sms.autorepair_values or {}),
                "sign": company.autorepair_sms_sign_name,
            })
        provider_label = dict(self._fields["autorepair_provider"]._description_selection(self.env))[provider]
        for sms in unsendable:
            kind = dict(self._fields["autorepair_kind"]._description_selection(self.env)).get(sms.autorepair_kind)
            sms._autorepair_fail("sms_template", self.env._(
                "Not sent: %(provider)s sends approved templates only, and %(company)s has none approved for "
                "%(kind)s (After-Sales > Configuration > Message Templates).",
                provider=provider_label, company=company.name, kind=kind or self.env._("free text")))
        adapter = self.env[f"autorepair.sms.provider.{provider}"] if items else None
        size = adapter._autorepair_batch_size() if items else 1
        deadline = self._autorepair_send_deadline()
        for start in range(0, len(items), size):
            if time.monotonic() > deadline:
                # the rest stays queued for the run triggered now
                self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()
                break
            chunk = items[start:start + size]
            adapter._autorepair_wait_turn(company, len(chunk))
            try:
                results = adapter._autorepair_send(company, chunk)
            except Exception as error:  # noqa: BLE001 - the provider unreachable: tried again later
                if raise_exception:
                    raise
                _logger.info("%s: %s SMS not sent: %s", provider, len(chunk), error)
                results = [{"sms": item["sms"], "state": "retry", "failure_type": "sms_server",
                            "reason": str(error)} for item in chunk]
            self._autorepair_apply_results(provider, results)
        (due.mail_message_id | unsendable.mail_message_id)._notify_message_notification_update()

    def _autorepair_send_deadline(self):
        """When a run of the queue by the scheduler must stop sending: one
        budget per job run (its own cursor), shared by its batches. Sending
        outside the scheduler (a few SMS at once) has none."""
        if not self.env.context.get("cron_id"):
            return float("inf")
        budget = int(self.env["ir.config_parameter"].sudo().get_param(SEND_BUDGET_PARAM, SEND_BUDGET))
        return self.env.cr.cache.setdefault("autorepair_sms_deadline", time.monotonic() + budget)

    def _autorepair_apply_results(self, provider, results):
        now = fields.Datetime.now()
        retry_at = []
        for result in results:
            sms = result["sms"].sudo().with_context(sms_skip_msg_notification=True)
            if result["state"] == "sent":
                # kept until the delivery receipt says delivered or not
                sms.write({"state": "pending", "failure_type": False, "autorepair_provider": provider,
                           "autorepair_provider_ref": result.get("ref"), "autorepair_failure_reason": False,
                           "autorepair_tries": sms.autorepair_tries + 1})
                sms.sms_tracker_id._action_update_from_sms_state("pending")
            elif result["state"] == "retry" and sms.autorepair_tries + 1 < MAX_TRIES:
                # throttled or unreachable: again later, waiting longer each time
                next_try = now + timedelta(seconds=30 * 2 ** sms.autorepair_tries)
                sms.write({"autorepair_tries": sms.autorepair_tries + 1, "autorepair_next_try": next_try,
                           "autorepair_failure_reason": result.get("reason"), "autorepair_provider": provider})
                retry_at.append(next_try)
            else:
                sms.write({"autorepair_tries": sms.autorepair_tries + 1, "autorepair_provider": provider})
                sms._autorepair_fail(result.get("failure_type") or "unknown", result.get("reason"))
        if retry_at:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger(min(retry_at))

    def _autorepair_fail(self, failure_type, reason):
        self.sudo().write({"state": "error", "failure_type": failure_type, "autorepair_failure_reason": reason})
        self.sms_tracker_id._action_update_from_sms_state("error", failure_type=failure_type, failure_reason=reason)

    @api.model
    def _autorepair_receipts(self, provider, company, receipts):
        """Apply a provider's delivery receipts to the company's SMS still
        waiting for one, each once. A receipt names its SMS by the provider's
        id (BizId, SerialNo) and, for a batch, the number; one the provider
        repeats, or one for another company's SMS, changes nothing.

        :param receipts: ``[{"ref": ..., "number": ..., "delivered": bool,
            "reason": the provider's words when not delivered}, ...]``
        :return: the SMS updated
        """
        refs = list({receipt["ref"] for receipt in receipts if receipt["ref"]})
        if not refs:
            return self.browse()
        waiting = {(sms.autorepair_provider_ref, number_key(sms.number)): sms for sms in self.sudo().search([
            ("autorepair_provider", "=", provider), ("autorepair_company_id", "=", company.id),
            ("state", "=", "pending"), ("autorepair_provider_ref", "in", refs),
        ])}
        delivered, failed = self.sudo().browse(), defaultdict(self.sudo().browse)
        for receipt in receipts:
            sms = waiting.pop((receipt["ref"], number_key(receipt["number"])), None)
            if sms is None:
                continue
            if receipt["delivered"]:
                delivered |= sms
            else:
                failed[receipt["reason"] or False] |= sms
        delivered = delivered.with_context(sms_skip_msg_notification=True)
        delivered.write({"state": "sent", "failure_type": False, "to_delete": True})
        delivered.sms_tracker_id._action_update_from_sms_state("sent")
        updated = delivered
        for reason, sms in failed.items():
            sms.with_context(sms_skip_msg_notification=True)._autorepair_fail("sms_not_delivered", reason)
            sms.to_delete = True
            updated |= sms
        updated.mail_message_id._notify_message_notification_update()
        return updated

    @api.autovacuum
    def _gc_autorepair_unreported(self):
        """SMS a provider accepted but never reported on in a week are done
        with; their notifications keep the 'sent' state."""
        self.sudo().search([
            ("state", "=", "pending"), ("autorepair_provider", "!=", False), ("to_delete", "=", False),
            ("write_date", "<", fields.Datetime.now() - timedelta(days=7)),
        ]).to_delete = True
