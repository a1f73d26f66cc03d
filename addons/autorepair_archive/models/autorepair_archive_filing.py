import hashlib
import logging
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "To File"),
    ("filed", "Filed"),
    ("refused", "Refused"),
    ("corrected", "Corrected, to Refile"),
]
# who follows the filings: the advisors who settle orders and the service managers
READERS = "autorepair_workshop.group_advisor,autorepair_crm.group_manager"


class AutorepairArchiveFiling(models.Model):
    """The filing of one settled service order with the province's health
    archive (汽车维修电子健康档案, JT/T 1132-2017): queued at settlement, sent by
    the scheduler, filed with the platform's id or refused with its reason,
    and sent again when the order is corrected after filing. Written only by
    the system; staff read it and send a refused one again."""

    _name = "autorepair.archive.filing"
    _description = "Health Archive Filing"
    _order = "id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "autorepair.service.order", string="Service Order", required=True, readonly=True, index=True,
        ondelete="restrict")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    vehicle_id = fields.Many2one(related="order_id.vehicle_id", string="Vehicle")
    license_plate = fields.Char(related="order_id.license_plate")
    settlement_date = fields.Date(readonly=True, index=True, help="The date of the order's invoice.")
    state = fields.Selection(STATES, default="pending", required=True, readonly=True, index=True)
    platform_ref = fields.Char(string="Platform Record", readonly=True, help="The platform's id of the filed record.")
    reason = fields.Char(string="Platform's Reason", readonly=True,
                         help="Why the platform refused the record, or why the last try failed.")
    tries = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True, index="btree_not_null")
    filed_on = fields.Datetime(readonly=True)
    filed_count = fields.Integer(string="Times Filed", readonly=True,
                                 help="More than once: corrections of the order were filed again.")
    filed_hash = fields.Char(readonly=True, groups="base.group_system",
                             help="A digest of the record last filed: a correction that changes nothing is not sent.")
    log_ids = fields.One2many("autorepair.archive.log", "filing_id", string="Exchanges", readonly=True)

    _sql_constraints = [
        ("order_unique", "UNIQUE(order_id)", "A service order is filed with the archive once; corrections refile it."),
    ]

    # ------------------------------------------------------------------ queue

    @api.model
    def _autorepair_queue(self, orders):
        """Orders settled (an invoice posted) or corrected (a credit note, a
        new invoice): a filing to send, once per order. A filed order is sent
        again as a correction; a refused one is tried again."""
        orders = orders.sudo()
        if not orders:
            return self.browse()
        filings = self.sudo().search([("order_id", "in", orders.ids)])
        dates = {order.id: max(order.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice").mapped("invoice_date"),
            default=False) for order in orders}
        # one write per date, not per filing: a month-end batch settles hundreds of orders
        for date, same in filings.filtered(lambda filing: dates[filing.order_id.id]).grouped(
                lambda filing: dates[filing.order_id.id]).items():
            same.settlement_date = date
        filings._autorepair_changed()
        new = orders - filings.order_id
        filings |= self.sudo().create([{"order_id": order.id, "settlement_date": dates[order.id]} for order in new])
        if new:
            self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file").sudo()._trigger()
        return filings

    def _autorepair_changed(self):
        """The order of these filings changed after it was sent: file it again."""
        filed = self.sudo().filtered(lambda filing: filing.state in ("filed", "refused"))
        if not filed:
            return
        for state, same in filed.grouped("state").items():
            same.write({"state": "corrected" if state == "filed" else "pending", "tries": 0, "next_try": False})
        self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file").sudo()._trigger()

    def action_refile(self):
        """Send a refused filing again, once the order or the shop's account is put right."""
        if not self.env.user.has_group("autorepair_workshop.group_advisor") \
                and not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only service advisors and managers send a filing again."))
        self.check_access("read")
        refused = self.filtered(lambda filing: filing.state == "refused")
        refused.sudo().write({"state": "pending", "tries": 0, "next_try": False})
        if refused:
            self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file").sudo()._trigger()
        return True

    # ------------------------------------------------------------------ sender

    @api.model
    def _cron_autorepair_file(self):
        """Send the filings that are due, a batch at a time per company
        through its platform's interface; each batch committed once sent (a
        crash does not send it twice). Companies without a platform account
        keep theirs waiting."""
        now = fields.Datetime.now()
        size = self.env.company._autorepair_archive_setting("batch_size")
        domain = [("state", "in", ("pending", "corrected")), "|", ("next_try", "=", False), ("next_try", "<=", now)]
        ready = self.env["res.company"].sudo().search([]).filtered(
            lambda company: company._autorepair_archive_ready())
        if not ready:
            return
        due = self.sudo().search(domain + [("company_id", "in", ready.ids)], order="id", limit=size + 1)
        auto_commit = not modules.module.current_test
        for company, batch in due[:size].grouped("company_id").items():
            batch._autorepair_send(company)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # a filed record is never sent twice
        if len(due) > size:
            self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file").sudo()._trigger()

    def _autorepair_send(self, company):
        """Send these filings of one company, apply the platform's answers."""
        company = company.sudo()
        adapter = self.env[f"autorepair.archive.adapter.{company.autorepair_archive_platform}"]
        Log = self.env["autorepair.archive.log"].sudo()
        to_send, records = [], {}
        for filing in self.sudo():
            items = adapter._autorepair_items(filing.order_id)
            missing = adapter._autorepair_missing(items)
            if missing:
                reason = self.env._("Not sent: the order lacks %(items)s.", items=", ".join(missing))
                filing.write({"state": "refused", "reason": reason, "next_try": False})
                Log.create({"filing_id": filing.id, "result": "refused", "reason": reason})
                continue
            record = adapter._autorepair_record(items)
            digest = hashlib.sha256(adapter._autorepair_dump(record).encode()).hexdigest()
            if filing.state == "corrected" and digest == filing.filed_hash:
                # corrected back to what the platform holds: nothing to send
                filing.write({"state": "filed", "reason": False})
                continue
            records[filing.id] = (record, digest)
            to_send.append((filing.id, record))
        if not to_send:
            return
        results = adapter._autorepair_file(company, to_send)
        now = fields.Datetime.now()
        retry_at = []
        max_tries = company._autorepair_archive_setting("max_tries")
        for filing in self.sudo().browse([key for key, _record in to_send]):
            result = results[filing.id]
            record, digest = records[filing.id]
            Log.create({
                "filing_id": filing.id, "result": result["state"],
                "kind": "refile" if filing.state == "corrected" else "file",
                "request": adapter._autorepair_dump(record),
                "response": adapter._autorepair_dump(result["response"]) if result.get("response") else False,
                "reason": result.get("reason"),
            })
            if result["state"] == "filed":
                filing.write({"state": "filed", "platform_ref": result.get("ref"), "reason": False,
                              "filed_on": now, "filed_hash": digest, "filed_count": filing.filed_count + 1,
                              "tries": filing.tries + 1, "next_try": False})
            elif result["state"] == "retry" and filing.tries + 1 < max_tries:
                # the platform busy or unreachable: later, waiting longer each time
                minutes = company._autorepair_archive_setting("retry_minutes")
                next_try = now + timedelta(minutes=minutes * 2 ** filing.tries)
                filing.write({"tries": filing.tries + 1, "next_try": next_try, "reason": result.get("reason")})
                retry_at.append(next_try)
            else:
                filing.write({"state": "refused", "tries": filing.tries + 1, "next_try": False,
                              "reason": result.get("reason")})
        if retry_at:
            self.env.ref("autorepair_archive.ir_cron_autorepair_archive_file").sudo()._trigger(min(retry_at))
