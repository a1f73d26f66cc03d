import hmac
import logging
import threading
import time

from odoo import api, models

from odoo.addons.autorepair_crm.tools import InvalidInput, normalize_phone

_logger = logging.getLogger(__name__)

# When each company's provider may take its next message, per database: the
# SMS queue is sent by one cron process at a time (ir.cron locks the job), so
# pacing within the process keeps the account under its per-second limit.
_NEXT_SLOT = {}
_NEXT_SLOT_LOCK = threading.Lock()


def e164(number):
    """The number in E.164 as the customer file stores numbers
    (+8613800138000), or "" when it is no valid number."""
    try:
        return normalize_phone(number)
    except InvalidInput:
        return ""


class AutorepairSmsProvider(models.AbstractModel):
    """What every domestic SMS provider does for the queue (``sms.sms``).
    Each provider is a model ``autorepair.sms.provider.<code>`` inheriting
    this one and speaking its API through the provider's official SDK."""

    _name = "autorepair.sms.provider"
    _description = "SMS Provider"

    def _autorepair_batch_size(self):
        """The most numbers one API call takes."""
        return 100

    def _autorepair_send(self, company, items):
        """Send one batch through the provider.

        :param company: the sending company (its credentials, read as superuser)
        :param items: ``[{"sms": sms.sms, "number": E.164 number, "code": template
            code, "params": [(name, value), ...], "sign": signature}, ...]``
        :return: one dict per item: ``{"sms": sms.sms, "state": "sent" | "error" |
            "retry", "failure_type": an ``sms.sms`` failure type or False,
            "reason": the provider's words, "ref": the provider's id of the
            message (BizId, SerialNo) for its delivery receipt}``
        """
        raise NotImplementedError()

    def _autorepair_fetch_reports(self, company):
        """Fetch the delivery receipts and the customers' replies the provider
        holds for the company (its pull APIs) and apply them
        (``sms.sms._autorepair_receipts``, ``autorepair.sms.reply._receive``).
        Providers that push them to the callback route need not."""
        return None

    @api.model
    def _autorepair_company_of_token(self, token):
        """The company sending through this provider whose callback token this
        is, compared in constant time, or an empty recordset: the token is
        what authenticates the pushes a provider does not sign."""
        provider = self._name.rsplit(".", 1)[-1]
        companies = self.env["res.company"].sudo().search([("autorepair_sms_provider", "=", provider)])
        token = str(token or "").encode()
        for company in companies:
            expected = (company.autorepair_sms_callback_token or "").encode()
            if expected and token and hmac.compare_digest(expected, token):
                return company
        return companies.browse()

    @api.model
    def _cron_fetch_reports(self):
        """Fetch every domestic provider's delivery receipts and replies, for
        each company that sends through one. A provider that fails for one
        company (unreachable, keys revoked) leaves the others be; what it
        holds is fetched on the next run, and what was applied is not again."""
        companies = self.env["res.company"].sudo().search([("autorepair_sms_provider", "!=", "iap")])
        for company in companies:
            adapter_name = f"autorepair.sms.provider.{company.autorepair_sms_provider}"
            if adapter_name not in self.env:
                continue
            try:
                with self.env.cr.savepoint():
                    self.env[adapter_name]._autorepair_fetch_reports(company)
            except Exception as error:  # noqa: BLE001 - logged; the next run tries again
                _logger.warning("SMS receipts and replies of %s not fetched: %s", company.name, error)

    def _autorepair_wait_turn(self, company, count):
        """Block until ``count`` more messages of the company may go out at its
        provider's rate (``autorepair_sms_rate_limit`` per second)."""
        rate = max(company.autorepair_sms_rate_limit, 1)
        key = (self.env.cr.dbname, company.id)
        with _NEXT_SLOT_LOCK:
            now = time.monotonic()
            start = max(now, _NEXT_SLOT.get(key, now))
            _NEXT_SLOT[key] = start + count / rate
        if start > now:
            time.sleep(start - now)
