from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.autorepair_workshop.models.autorepair_service_order import DELIVERED_STATES, HISTORY_READERS

from .autorepair_care_task import DONE_STATES

CARE_ROLES = "autorepair_care.group_care_agent,autorepair_care.group_insurance"


class ResPartner(models.Model):
    _inherit = "res.partner"

    care_wrong_number = fields.Boolean(
        string="Wrong Number", index=True, tracking=True,
        help="A care agent found the number wrong or empty: on the correction list until it is fixed.",
    )
    # the care department's own records: hidden from the other roles rather
    # than refusing them the whole customer
    care_task_ids = fields.One2many("autorepair.care.task", "partner_id", string="Care Tasks", groups=CARE_ROLES)
    care_task_count = fields.Integer(compute="_compute_care_task_count", string="Care Tasks Count", groups=CARE_ROLES)
    # the agents read the customer's past visits and open recommendations before they call
    service_history_ids = fields.One2many(groups=f"{HISTORY_READERS},{CARE_ROLES}")
    service_recommendation_ids = fields.Many2many(groups=f"{HISTORY_READERS},{CARE_ROLES}")

    @api.model
    def mail_allowed_qweb_expressions(self):
        # placeholders of the broadcasts a care manager writes
        return super().mail_allowed_qweb_expressions() + (
            "object.lang", "object.company_id.name", "object.company_id.phone")

    def _compute_care_task_count(self):
        counts = dict(self.env["autorepair.care.task"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.care_task_count = counts.get(partner, 0)

    # ---------------------------------------------------- who a message may reach

    @api.model
    def _sql_care_blacklisted(self, alias="p", channel=None):
        """The customer's mobile (``sms``), address (``email``) or either
        (None) is on Odoo's blacklist (customer alias ``alias``)."""
        partner = SQL.identifier(alias)
        listed = {
            "sms": SQL("EXISTS (SELECT 1 FROM phone_blacklist b WHERE b.active AND b.number = %s.phone_sanitized)",
                       partner),
            "email": SQL("EXISTS (SELECT 1 FROM mail_blacklist b WHERE b.active AND b.email = %s.email_normalized)",
                         partner),
        }
        return listed[channel] if channel else SQL("(%s OR %s)", listed["sms"], listed["email"])

    @api.model
    def _sql_care_consent(self, alias="p"):
        """The customer consented to marketing and did not opt out."""
        partner = SQL.identifier(alias)
        return SQL("(COALESCE(%s.marketing_consent, FALSE) AND NOT COALESCE(%s.marketing_opt_out, FALSE))",
                   partner, partner)

    @api.model
    def _sql_care_opted_out(self, alias="p", marketing=True):
        """The customer withdrew the consent of the purpose: marketing, or
        service reminders (``marketing`` False). No task, call or message of
        that purpose is made for him."""
        column = "marketing_opt_out" if marketing else "service_opt_out"
        return SQL("COALESCE(%s, FALSE)", SQL.identifier(alias, column))

    @api.model
    def _sql_care_reachable(self, alias="p", channel=None, marketing=True):
        """A care message (by ``channel``, or by any when None) may reach the
        customer (RULEBOOK §2, §4). Marketing: only with the customer's
        marketing consent, and with neither his number nor his address
        blacklisted. A service reminder: unless he opted out of service
        reminders, never on a blacklisted number or address, except when it
        is blacklisted because he opted out of marketing (the suite puts an
        opted-out customer on Odoo's blacklists for Odoo's mass composers; his
        service reminders still go). The one definition: the daily run and the
        broadcasts select with it, and _care_unreachable checks it again when
        the messages leave."""
        if not marketing:
            return SQL("(NOT %s AND (NOT %s OR %s))", self._sql_care_opted_out(alias, marketing=False),
                       self._sql_care_blacklisted(alias, channel), self._sql_care_opted_out(alias))
        return SQL("(%s AND NOT %s)", self._sql_care_consent(alias), self._sql_care_blacklisted(alias))

    def _care_unreachable(self, channel, marketing):
        """The customers of ``self`` a message by ``channel`` may not reach
        (see _sql_care_reachable), each with the reason, in one query.

        :return: {partner id: reason}
        """
        if not self:
            return {}
        self.flush_model(["phone_sanitized", "email_normalized", "marketing_consent", "marketing_opt_out",
                          "service_opt_out"])
        self.env["phone.blacklist"].flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT p.id, %s, %s FROM res_partner p WHERE p.id IN %s AND NOT %s",
            self._sql_care_consent(), self._sql_care_opted_out(marketing=False), tuple(self.ids),
            self._sql_care_reachable(channel=channel, marketing=marketing)))
        reasons = {}
        for partner_id, consent, service_out in self.env.cr.fetchall():
            if marketing:
                reasons[partner_id] = self.env._("Blacklisted") if consent else self.env._("No marketing consent")
            else:
                reasons[partner_id] = (self.env._("Opted out of service reminders") if service_out
                                       else self.env._("Blacklisted"))
        return reasons

    # ------------------------------------------------------------ loyalty types

    @api.model
    def _autorepair_loyalty_types(self, partners):
        """The loyalty type of RULEBOOK §2 from the visits (see
        _care_loyalty_facts) and the lost-customer lists (the lost tasks of
        the care calendar):

        - lost: on a lost-customer list and not back since, or absent longer
          than the company's "lost after" days (a customer who refused
          reminders is never listed, yet is lost all the same);
        - loyal: at least the loyal visits (system parameter
          ``autorepair_care.loyal_visits``) within the value-class window, and
          not found serviced elsewhere in it;
        - switcher: back, but less often, or seen at another shop.
        A lost customer won back is no longer lost: his visits say again what
        he is. A customer never seen here and never listed has no type.
        """
        result = super()._autorepair_loyalty_types(partners)
        if not partners:
            return result
        today = self.env["autorepair.care.rule"]._care_today()
        loyal_visits = self.env.company._autorepair_care_setting("loyal_visits")
        for company, customers in partners.grouped(lambda p: p.company_id or self.env.company).items():
            since = self._value_class_window_start(company)
            lost_days = company._autorepair_care_setting("lost_min_days")
            for partner_id, last_visit, visits, listed_on, elsewhere in self._care_loyalty_facts(customers, since):
                if listed_on and (not last_visit or last_visit < listed_on):
                    result[partner_id] = "lost"
                elif not last_visit:
                    result[partner_id] = False
                elif (today - last_visit).days >= lost_days:
                    result[partner_id] = "lost"
                elif visits >= loyal_visits and not elsewhere:
                    result[partner_id] = "loyal"
                else:
                    result[partner_id] = "switcher"
        return result

    @api.model
    def _care_loyalty_facts(self, partners, since):
        """(partner id, last visit day, visit days since ``since``, last day
        listed as lost, serviced elsewhere since ``since``) per customer, in
        one query. A visit is what the lost-customer lists count as one
        (autorepair.care.rule._due_sql_last_visit): a delivered order (of the
        customer or of one of his contacts), a posted invoice (those of an
        order are its visit already), the delivery of a new car."""
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["autorepair.service.order"].flush_model(["partner_id", "state", "delivered_date"])
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "state", "move_type", "invoice_date", "autorepair_service_order_id"])
        self.env["fleet.vehicle"].flush_model(["owner_id", "delivery_date"])
        self.env["autorepair.care.task"].flush_model(
            ["partner_id", "kind", "state", "due_date", "done_date", "no_return_reason"])
        self.env.cr.execute(SQL(
            """
            WITH visit AS (
                SELECT c.commercial_partner_id AS partner_id,
                       (o.delivered_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
                  FROM autorepair_service_order o
                  JOIN res_partner c ON c.id = o.partner_id
                 WHERE c.commercial_partner_id = ANY(%(ids)s) AND o.state IN %(delivered)s
                   AND o.delivered_date IS NOT NULL
             UNION ALL
                SELECT m.commercial_partner_id, m.invoice_date
                  FROM account_move m
                 WHERE m.commercial_partner_id = ANY(%(ids)s) AND m.state = 'posted' AND m.move_type = 'out_invoice'
                   AND m.autorepair_service_order_id IS NULL AND m.invoice_date IS NOT NULL
             UNION ALL
                SELECT v.owner_id, v.delivery_date
                  FROM fleet_vehicle v
                 WHERE v.owner_id = ANY(%(ids)s) AND v.delivery_date IS NOT NULL
            ), visits AS (
                SELECT partner_id, MAX(day) AS last_visit, COUNT(DISTINCT day) FILTER (WHERE day >= %(since)s) AS visits
                  FROM visit
              GROUP BY partner_id
            ), lists AS (
                SELECT t.partner_id,
                       MAX(t.due_date) FILTER (WHERE t.kind = 'lost' AND t.state != 'cancel') AS listed_on,
                       -- still told when the customer came back after (the task is then returned)
                       BOOL_OR((t.state = 'elsewhere' OR t.no_return_reason = 'elsewhere')
                               AND t.done_date >= %(since)s) AS elsewhere
                  FROM autorepair_care_task t
                 WHERE t.partner_id = ANY(%(ids)s)
              GROUP BY t.partner_id
            )
            SELECT p.id, v.last_visit, COALESCE(v.visits, 0), l.listed_on, COALESCE(l.elsewhere, FALSE)
              FROM res_partner p
         LEFT JOIN visits v ON v.partner_id = p.id
         LEFT JOIN lists l ON l.partner_id = p.id
             WHERE p.id = ANY(%(ids)s)
            """,
            ids=partners.ids, since=since, delivered=DELIVERED_STATES, tz=self.env["autorepair.care.rule"]._care_tz()))
        return self.env.cr.fetchall()

    # ---------------------------------------------------------------------- CRUD

    def write(self, vals):
        corrected = self.browse()
        if ("phone" in vals or "mobile" in vals) and "care_wrong_number" not in vals:
            corrected = self.filtered("care_wrong_number")
            if corrected:
                vals = dict(vals, care_wrong_number=False)
        result = super().write(vals)
        if corrected:
            corrected._care_reopen_corrected()
        return result

    def _care_reopen_corrected(self):
        """The number is fixed: the tasks waiting for it are called again."""
        tasks = self.env["autorepair.care.task"].sudo().search(
            [("partner_id", "in", self.ids), ("state", "=", "correction")])
        if tasks:
            tasks.write({"state": "open", "next_call_date": self.env["autorepair.care.rule"]._care_today()})
            tasks._schedule()

    def action_view_care_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("autorepair_care.autorepair_care_task_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------- data-subject requests (PIPL)
    # Care's part: the care tasks and call attempts about the person. An erasure
    # empties their free notes and cancels the contacts still to make; the tasks
    # stay (without the person's data) for the agents' monthly figures.

    def _autorepair_personal_data(self):
        sections = super()._autorepair_personal_data()
        _ = self.env._
        tasks = self.env["autorepair.care.task"].search([("partner_id", "=", self.id)], order="due_date, id")
        sections.append(tasks._autorepair_report_section("care_tasks", _("Care Reminders"), [
            "kind", "rule_id", "license_plate", "due_date", "state", "done_date", "failure_reason",
            "message_channel", "no_return_reason", "no_return_note", "other_shop_name", "other_shop_place"]))
        attempts = self.env["autorepair.care.attempt"].search([("partner_id", "=", self.id)], order="date, id")
        sections.append(attempts._autorepair_report_section("care_attempts", _("Call Attempts"), [
            "task_id", "date", "channel", "outcome", "note", "appointment_start"]))
        deliveries = self.env["autorepair.sales.delivery"].with_context(active_test=False).search(
            [("partner_id", "=", self.id)], order="delivered_at, id")
        sections.append(deliveries._autorepair_report_section("sales_deliveries", _("New-Car Delivery Follow-Ups"), [
            "license_plate", "delivered_at", "user_id", "call_date", "call_answer", "call_note", "check_date",
            "check_answer", "check_note", "callback_date", "callback_note"]))
        return sections

    def _autorepair_personal_records(self):
        records = super()._autorepair_personal_records()
        partners = records["res.partner"]
        tasks = self.env["autorepair.care.task"].search([("partner_id", "in", partners.ids)])
        records.update({
            "autorepair.care.task": tasks,
            "autorepair.care.attempt": self.env["autorepair.care.attempt"].search([("task_id", "in", tasks.ids)]),
        })
        return records

    def _autorepair_erase_partners(self, partners):
        # nobody calls an erased person: the contacts still to make are cancelled
        self.env["autorepair.care.task"].search(
            [("partner_id", "in", partners.ids), ("state", "not in", DONE_STATES)]).write({"state": "cancel"})
        return super()._autorepair_erase_partners(partners)

    def _autorepair_active_partner_ids(self, since):
        active = super()._autorepair_active_partner_ids(since)
        if not self:
            return active
        # a call or message to the customer is a contact
        self.env.cr.execute(SQL(
            "SELECT partner_id FROM autorepair_care_attempt WHERE partner_id = ANY(%s) AND date >= %s",
            self.ids, since))
        return active | {row[0] for row in self.env.cr.fetchall()}
