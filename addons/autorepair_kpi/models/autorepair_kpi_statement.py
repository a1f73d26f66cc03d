import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, split_every

STATES = [("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"), ("locked", "Locked")]


def dump_domain(domain):
    # dates and datetimes become the strings the web client sends back
    return json.dumps(domain, default=str)


class AutorepairKpiStatement(models.Model):
    """A staff member's monthly statement (考核奖惩单): the month's figures and
    the rewards and penalties the rules propose, reviewed by the manager,
    approved by the general manager and then locked."""

    _name = "autorepair.kpi.statement"
    _description = "Monthly Statement"
    _inherit = ["mail.thread", "autorepair.kpi.approval.mixin"]
    _order = "month desc, user_id"
    # the moves of the monthly close (RULEBOOK §6): the manager proposes, the
    # general manager approves, then the month is closed for good
    _approval_transitions = {
        ("draft", "submitted"): "autorepair_crm.group_manager",
        ("submitted", "draft"): "autorepair_crm.group_manager",
        ("submitted", "approved"): "autorepair_crm.group_general_manager",
        ("approved", "submitted"): "autorepair_crm.group_general_manager",
        ("approved", "locked"): "autorepair_crm.group_general_manager",
    }
    _approval_fields = frozenset({"submitted_by_id", "submitted_date", "locked_date"})

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one("res.users", string="Staff Member", required=True, index=True, ondelete="restrict")
    month = fields.Date(required=True, index=True, help="First day of the month.")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company,
                                 ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATES, default="draft", required=True, index=True, tracking=True, copy=False)
    role_group_ids = fields.Many2many(
        "res.groups", string="Roles",
        help="The roles held during the month: the user's roles when the month is computed, kept when a role "
        "changes; the manager can add a role held earlier in the month.")
    value_ids = fields.One2many("autorepair.kpi.value", "statement_id", string="Figures")
    line_ids = fields.One2many("autorepair.kpi.statement.line", "statement_id", string="Rewards and Penalties")
    penalty_total = fields.Monetary(string="Penalties", compute="_compute_totals", store=True)
    reward_total = fields.Monetary(string="Rewards", compute="_compute_totals", store=True)
    net_amount = fields.Monetary(string="Net", compute="_compute_totals", store=True,
                                 help="Rewards minus penalties.")
    bonus = fields.Monetary(
        string="Month's Bonus",
        help="The staff member's bonus for the month, what a rule forfeiting it takes back; carried over from "
        "his previous statement, the manager corrects it on review.")
    note = fields.Text(string="Review Notes")
    submitted_by_id = fields.Many2one("res.users", string="Submitted By", readonly=True, ondelete="set null")
    submitted_date = fields.Datetime(string="Submitted On", readonly=True)
    locked_date = fields.Datetime(string="Locked On", readonly=True)

    _sql_constraints = [
        ("user_month_uniq", "unique(user_id, month, company_id)", "One statement per staff member and month."),
    ]

    @api.depends("user_id.name", "month")
    def _compute_name(self):
        for statement in self:
            statement.name = self.env._(
                "%(user)s %(month)s", user=statement.user_id.name or "",
                month=format_date(self.env, statement.month, date_format="yyyy-MM") if statement.month else "")

    @api.depends("line_ids.amount", "line_ids.kind")
    def _compute_totals(self):
        for statement in self:
            penalty = sum(statement.line_ids.filtered(lambda line: line.kind == "penalty").mapped("amount"))
            reward = sum(statement.line_ids.filtered(lambda line: line.kind == "reward").mapped("amount"))
            statement.penalty_total, statement.reward_total = penalty, reward
            statement.net_amount = reward - penalty

    # ------------------------------------------------------------------- guards

    def write(self, vals):
        # not even the chatter's fields: a locked month is closed for good
        locked = self.filtered(lambda statement: statement.state == "locked")
        if locked:
            raise UserError(self.env._("%(statement)s is locked: the month is closed.", statement=locked[0].name))
        result = super().write(vals)
        if "bonus" in vals:
            # the lines forfeiting the bonus follow it; the others keep the manager's amounts
            for statement in self:
                statement.line_ids.filtered(lambda line: line.rule_id.amount_is_bonus).amount_unit = statement.bonus
        return result

    # ------------------------------------------------------------------ actions

    def action_recompute(self):
        for (month, company), statements in self.grouped(lambda s: (s.month, s.company_id)).items():
            statements._check_draft()
            self.with_company(company)._close_month(month, statements.user_id)
        return True

    def action_submit(self):
        self.write({"state": "submitted", "submitted_by_id": self.env.uid, "submitted_date": fields.Datetime.now()})
        return True

    def action_reject(self):
        self.write({"state": "submitted"})
        return True

    def action_lock(self):
        self.write({"state": "locked", "locked_date": fields.Datetime.now()})
        return True

    # ---------------------------------------------------------------- the close

    @api.model
    def _role_groups(self):
        Definition, Rule = self.env["autorepair.kpi.definition"], self.env["autorepair.kpi.rule"]
        return Definition.search([]).group_ids | Rule.search([]).group_ids

    @api.model
    def _staff(self, company, role_groups):
        """The company's active internal users holding a rated role. The
        managers who review the statements hold every role through their
        group's implied ones: they are rated only where they have figures."""
        return self.env["res.users"].search([
            ("share", "=", False), ("groups_id", "in", role_groups.ids), ("company_ids", "in", company.id),
            ("groups_id", "not in", self.env.ref("autorepair_crm.group_manager").ids)])

    @api.model
    def _close_month(self, month, users=None):
        """Compute the month of the current company: each figure is one
        grouped query for all the staff, then the draft statements of the
        staff with figures (or of the users given) get their figures and the
        lines the rules propose. Without users given, every staff member
        holding a rated role gets a statement. Submitted and later statements
        are left alone."""
        company = self.env.company
        Definition, Rule = self.env["autorepair.kpi.definition"], self.env["autorepair.kpi.rule"]
        period = Definition._period(month, company)
        definitions = Definition.search([])
        figures = definitions._compute_figures(period)
        rules = Rule.search([("company_id", "in", [False, company.id])])._in_force(period)
        events = {event: Rule._count_events(event, period)
                  for event in set(rules.filtered(lambda r: r.trigger == "event").mapped("event"))}
        role_groups = self._role_groups()
        if users is None:
            user_ids = {uid for rows in figures.values() for uid in rows}
            user_ids |= {uid for rows in events.values() for uid in rows}
            # every staff member rated by a figure or a rule, counted or not: a
            # month without data is a statement that says so, not a missing one
            user_ids |= set(self._staff(company, role_groups).ids)
            users = self.env["res.users"].browse(user_ids).exists()
        existing = self.search([("month", "=", period.date_from), ("company_id", "=", company.id),
                                ("user_id", "in", users.ids)])
        missing = users - existing.user_id
        bonuses = self._previous_bonuses(period.date_from, company, missing)
        created = self.create([{"user_id": user.id, "month": period.date_from, "company_id": company.id,
                                "bonus": bonuses.get(user.id, 0.0)} for user in missing])
        drafts = (existing | created).filtered(lambda s: s.state == "draft")
        for statement in drafts:
            roles = statement.user_id.groups_id & role_groups
            if roles - statement.role_group_ids:
                statement.role_group_ids |= roles
        drafts.value_ids.unlink()
        self.env["autorepair.kpi.value"].create([
            vals for statement in drafts for vals in statement._prepare_value_vals(figures)])
        drafts._sync_lines(figures, events, rules)
        return drafts

    @api.model
    def _previous_bonuses(self, month, company, users):
        """{user_id: bonus} of each user's latest statement before the month."""
        if not users:
            return {}
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """SELECT DISTINCT ON (s.user_id) s.user_id, s.bonus FROM autorepair_kpi_statement s
                WHERE s.user_id IN %s AND s.company_id = %s AND s.month < %s
             ORDER BY s.user_id, s.month DESC""", tuple(users.ids), company.id, month))
        return dict(self.env.cr.fetchall())

    def _prepare_value_vals(self, figures):
        self.ensure_one()
        vals_list = []
        for definition, rows in figures.items():
            numerator, denominator, domain = rows.get(self.user_id.id, (0.0, 0.0, None))
            if not denominator and not definition.group_ids & self.role_group_ids:
                continue
            vals = {
                "statement_id": self.id,
                "definition_id": definition.id,
                "numerator": numerator,
                "denominator": denominator,
                "target": definition.target,
                "drill_model": definition.drill_model if domain is not None else False,
                "drill_domain": dump_domain(domain) if domain is not None else False,
            }
            if denominator:
                # nothing counted: no value and the target not judged (left NULL, see the value model)
                value = definition._ratio(numerator, denominator)
                vals["value"] = value
                target = definition.target
                vals["is_met"] = value >= target if definition.higher_is_better else value <= target
            vals_list.append(vals)
        return vals_list

    def _sync_lines(self, figures, events, rules):
        """Lines proposed by the rules; a line still proposed keeps the
        manager's exemption and amount, a line no longer proposed goes."""
        Rule, Line = self.env["autorepair.kpi.rule"], self.env["autorepair.kpi.statement.line"]
        to_create, to_unlink = [], Line
        for statement in self:
            proposed = {}
            for rule in rules.filtered(lambda r, roles=statement.role_group_ids: r.group_ids & roles):
                if rule.trigger == "kpi":
                    numerator, denominator, domain = figures.get(rule.definition_id, {}).get(
                        statement.user_id.id, (0.0, 0.0, None))
                    value = rule.definition_id._ratio(numerator, denominator)
                    if denominator and rule._fires(value):
                        proposed[rule] = {"quantity": 1, "definition_id": rule.definition_id.id, "value": value,
                                          "drill_model": rule.definition_id.drill_model,
                                          "drill_domain": dump_domain(domain)}
                elif rule.trigger == "event":
                    count, domain = events[rule.event].get(statement.user_id.id, (0, None))
                    if count:
                        proposed[rule] = {"quantity": count, "drill_model": Rule._event_model(rule.event),
                                          "drill_domain": dump_domain(domain)}
            automatic = statement.line_ids.filtered("is_automatic")
            by_rule = defaultdict(lambda: Line)
            for line in automatic:
                by_rule[line.rule_id] |= line
            for rule, vals in proposed.items():
                line = by_rule.pop(rule, Line)
                if line:
                    line[:1].write(vals)
                    to_unlink |= line[1:]
                else:
                    to_create.append({**vals, "statement_id": statement.id, "rule_id": rule.id,
                                      "is_automatic": True, "sequence": rule.sequence})
            for lines in by_rule.values():
                to_unlink |= lines
        to_unlink.unlink()
        Line.create(to_create)

    # ------------------------------------------------------------------- export

    @api.model
    def _write_xlsx(self, output, month_from, month_to=None):
        """Write the statements, figures and lines of the months to an xlsx
        file (a path or a file object). Rows are read by SQL in batches of
        statements and streamed by xlsxwriter in constant-memory mode, so
        that a year of a dealer group stays within a small memory."""
        import xlsxwriter  # noqa: PLC0415 - an external dependency, loaded when exporting only

        if not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only managers export the monthly statements."))
        _ = self.env._
        lang = self.env.lang or "en_US"
        month_to = month_to or month_from
        states = dict(self._fields["state"]._description_selection(self.env))
        kinds = dict(self.env["autorepair.kpi.rule"]._fields["kind"]._description_selection(self.env))
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """SELECT s.id, s.month, u.login, p.name, s.state, s.penalty_total, s.reward_total, s.net_amount
                 FROM autorepair_kpi_statement s
                 JOIN res_users u ON u.id = s.user_id
                 JOIN res_partner p ON p.id = u.partner_id
                WHERE s.month >= %s AND s.month <= %s AND s.company_id IN %s
             ORDER BY s.month, p.name, s.id""",
            fields.Date.to_date(month_from), fields.Date.to_date(month_to), tuple(self.env.companies.ids)))
        statements = self.env.cr.fetchall()

        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                      "valign": "vcenter"})
        month_fmt = workbook.add_format({"num_format": "yyyy-mm"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        number = workbook.add_format({"num_format": "0.0"})

        def sheet(title, columns):
            worksheet = workbook.add_worksheet(title)
            for col, (label, width) in enumerate(columns):
                worksheet.set_column(col, col, width)
                worksheet.write(0, col, label, header)
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, 0, len(columns) - 1)
            return worksheet

        summary = sheet(_("Statements"), [
            (_("Month"), 10), (_("Staff Member"), 18), (_("Login"), 16), (_("State"), 10),
            (_("Penalties"), 12), (_("Rewards"), 12), (_("Net"), 12)])
        for row, (_sid, month, login, name, state, penalty, reward, net) in enumerate(statements, start=1):
            summary.write_datetime(row, 0, fields.Datetime.to_datetime(month), month_fmt)
            summary.write_string(row, 1, name)
            summary.write_string(row, 2, login)
            summary.write_string(row, 3, states[state])
            summary.write_number(row, 4, penalty or 0.0, money)
            summary.write_number(row, 5, reward or 0.0, money)
            summary.write_number(row, 6, net or 0.0, money)

        figures = sheet(_("Figures"), [
            (_("Month"), 10), (_("Staff Member"), 18), (_("Figure"), 24), (_("Value"), 10), (_("Target"), 10),
            (_("Counted"), 10), (_("Out Of"), 10), (_("Target Met"), 10)])
        lines = sheet(_("Rewards and Penalties"), [
            (_("Month"), 10), (_("Staff Member"), 18), (_("Rule"), 40), (_("Type"), 10), (_("Quantity"), 10),
            (_("Unit Amount"), 12), (_("Amount"), 12), (_("Exempt"), 8), (_("Exemption Reason"), 30)])
        yes, no, no_data = _("Yes"), _("No"), _("No data")
        figure_row = line_row = 1
        heads = {sid: (fields.Datetime.to_datetime(month), name) for sid, month, _login, name, *_rest in statements}
        for batch in split_every(1000, [row[0] for row in statements]):
            self.env.cr.execute(SQL(
                """SELECT v.statement_id, COALESCE(d.name->>%s, d.name->>'en_US'), v.value, v.target,
                          v.numerator, v.denominator, v.is_met
                     FROM autorepair_kpi_value v JOIN autorepair_kpi_definition d ON d.id = v.definition_id
                    WHERE v.statement_id IN %s
                 ORDER BY array_position(%s, v.statement_id), d.sequence, d.id""",
                lang, tuple(batch), list(batch)))
            for sid, figure, value, target, numerator, denominator, is_met in self.env.cr.fetchall():
                month, name = heads[sid]
                figures.write_datetime(figure_row, 0, month, month_fmt)
                figures.write_string(figure_row, 1, name)
                figures.write_string(figure_row, 2, figure)
                if denominator:
                    figures.write_number(figure_row, 3, value or 0.0, number)
                    figures.write_string(figure_row, 7, yes if is_met else no)
                else:
                    # nothing counted: no value, the target not judged
                    figures.write_string(figure_row, 3, no_data)
                figures.write_number(figure_row, 4, target or 0.0, number)
                figures.write_number(figure_row, 5, numerator or 0.0, number)
                figures.write_number(figure_row, 6, denominator or 0.0, number)
                figure_row += 1
            self.env.cr.execute(SQL(
                """SELECT l.statement_id, COALESCE(r.name->>%s, r.name->>'en_US'), l.kind, l.quantity,
                          l.amount_unit, l.amount, l.is_exempt, l.exempt_reason
                     FROM autorepair_kpi_statement_line l JOIN autorepair_kpi_rule r ON r.id = l.rule_id
                    WHERE l.statement_id IN %s
                 ORDER BY array_position(%s, l.statement_id), l.sequence, l.id""",
                lang, tuple(batch), list(batch)))
            for sid, rule, kind, quantity, unit, amount, is_exempt, reason in self.env.cr.fetchall():
                month, name = heads[sid]
                lines.write_datetime(line_row, 0, month, month_fmt)
                lines.write_string(line_row, 1, name)
                lines.write_string(line_row, 2, rule)
                lines.write_string(line_row, 3, kinds.get(kind, ""))
                lines.write_number(line_row, 4, quantity or 0.0)
                lines.write_number(line_row, 5, unit or 0.0, money)
                lines.write_number(line_row, 6, amount or 0.0, money)
                lines.write_string(line_row, 7, yes if is_exempt else no)
                lines.write_string(line_row, 8, reason or "")
                line_row += 1
        workbook.close()
        return len(statements), figure_row - 1, line_row - 1
