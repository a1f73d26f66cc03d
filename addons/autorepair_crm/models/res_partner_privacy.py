import json
import logging
import threading
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MANAGER = "autorepair_crm.group_manager"
# the invoices a customer still owes or may still be changed: an erasure waits for them
OPEN_INVOICE_DOMAIN = [
    ("move_type", "in", ("out_invoice", "out_refund")),
    "|", ("state", "=", "draft"),
    "&", ("state", "=", "posted"), ("payment_state", "not in", ("paid", "in_payment", "reversed")),
]


class ResPartner(models.Model):
    """Data-subject requests (PIPL art. 44-47) and retention, answered by a
    service manager from the customer's form:

    - access report: ``_autorepair_personal_data()`` returns the sections of
      everything the suite holds on the person; each addon adds its own
      through ``super()``, so that this addon knows nothing of the higher ones;
    - correction: edits of personal fields are logged (field names, no value);
    - erasure: ``_autorepair_erase()`` anonymises the person everywhere the
      suite writes personal data, from the declared personal fields of the
      records each addon lists in ``_autorepair_personal_records()``, plus
      what is not a field (messages, tracking, attachments); invoices and the
      statutory repair records stay for their legal retention period;
    - retention: the nightly ``_cron_autorepair_retention`` erases customers
      absent for the years set per company, through the same code.
    """

    _inherit = "res.partner"

    autorepair_erased_date = fields.Datetime(
        string="Personal Data Erased On", readonly=True, copy=False, index="btree_not_null",
        groups="autorepair_crm.group_user",
        help="The customer's personal data was anonymised (on request or by the retention rule).",
    )

    # ---------------------------------------------------------------------- CRUD

    def write(self, vals):
        # a correction of personal data by a user is logged (PIPL art. 46):
        # which fields of whom, never the values; the suite's own steps (sudo) are not
        if "autorepair_erased_date" in vals and not self.env.su:
            raise AccessError(self.env._("An erasure is recorded by the erasure itself, not written directly."))
        personal = sorted(set(vals) & set(self._autorepair_personal_fields))
        if personal and not self.env.su:
            log = self.env["autorepair.privacy.log"]
            for partner in self.filtered("is_autorepair_customer"):
                log._log("correction", model=self._name, partner=partner, field_names=personal, record_count=1)
        return super().write(vals)

    # ------------------------------------------------------------------- actions

    def _autorepair_check_dsr_access(self):
        """Data-subject requests are a service manager's, for customers of his
        companies (the record rules): refused to everyone else."""
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only a service manager answers a customer's data requests."))
        self.check_access("write")

    def action_autorepair_access_report(self):
        """Build the access report of this customer as a PDF and a JSON file,
        keep both on the processing log's entry (readable by managers only)
        and download the PDF."""
        self.ensure_one()
        self._autorepair_check_dsr_access()
        partner = self.sudo()
        if partner.autorepair_erased_date:
            raise UserError(self.env._("%(customer)s has been erased: nothing personal is held any more.",
                                       customer=partner.display_name))
        sections = partner._autorepair_personal_data()
        entry = self.env["autorepair.privacy.log"]._log(
            "access_report", model=self._name, partner=self, field_names=[s["key"] for s in sections],
            record_count=sum(len(s["rows"]) for s in sections), note=self.env._("PDF and JSON"),
        )
        payload = partner._autorepair_personal_data_json(sections)
        # rendered as the superuser: the report's own check lets the trusted path through
        content, report_type = self.env["ir.actions.report"].sudo()._render_qweb_pdf(
            "autorepair_crm.report_personal_data", self.ids, data={"sections": sections})
        stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
        extension = "pdf" if report_type == "pdf" else "html"
        Attachment = self.env["ir.attachment"].sudo()
        pdf, _json_file = Attachment.create([{
            "name": f"personal-data-{self.id}-{stamp}.{extension}",
            "raw": content,
            "mimetype": "application/pdf" if extension == "pdf" else "text/html",
            "res_model": entry._name, "res_id": entry.id,
        }, {
            "name": f"personal-data-{self.id}-{stamp}.json",
            "raw": json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode(),
            "mimetype": "application/json",
            "res_model": entry._name, "res_id": entry.id,
        }])
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{pdf.id}?download=true",
            "target": "self",
        }

    def action_autorepair_view_access_reports(self):
        """The access reports made for this customer (the files on the log's entries)."""
        self.ensure_one()
        self._autorepair_check_dsr_access()
        entries = self.env["autorepair.privacy.log"].search(
            [("partner_id", "=", self.id), ("event", "=", "access_report")])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Access Reports"),
            "res_model": "ir.attachment",
            "view_mode": "list,form",
            "domain": [("res_model", "=", "autorepair.privacy.log"), ("res_id", "in", entries.ids)],
            "context": {"create": False},
        }

    def action_autorepair_erase_wizard(self):
        self.ensure_one()
        self._autorepair_check_dsr_access()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Erase Personal Data"),
            "res_model": "autorepair.erasure.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    # -------------------------------------------------------------- access report

    def _autorepair_personal_data(self):
        """The sections of the access report of this one customer: a list of
        dicts (key, title, model, columns, rows). Read as the superuser by the
        caller, who checked the right to ask. Each addon appends its own."""
        self.ensure_one()
        _ = self.env._
        partner = self.with_context(active_test=False)
        fnames = [fname for fname in (
            "name", "phone", "mobile", "email", "street", "street2", "zip", "city", "state_id", "country_id",
            "district_id", "birthday", "vehicle_use", "is_operating", "preferred_channel", "preferred_slot_id",
            "value_class", "care_agent_id", "comment", "image_1920", "create_date",
        ) if fname in self._fields]
        customer = partner._autorepair_report_section("customer", _("Customer"), fnames)
        # the resident ID is sensitive: the report says it is on file, never the number
        customer["columns"].append(_("Resident ID"))
        customer["rows"][0].append(_("on file") if partner.resident_id_number else "")
        contacts = partner.child_ids._autorepair_report_section(
            "contacts", _("Contacts"), ["name", "phone", "mobile", "email", "function"])
        vehicles = partner.env["fleet.vehicle"].search([("owner_id", "=", partner.id)])
        owned = partner.env["autorepair.vehicle.ownership"].search([("partner_id", "=", partner.id)])
        odometers = partner.env["fleet.vehicle.odometer"].search([("vehicle_id", "in", vehicles.ids)])
        # every decision per purpose, as recorded (autorepair.consent)
        consents = partner.env["autorepair.consent"].search([("partner_id", "=", partner.id)], order="date, id")
        invoices = partner.env["account.move"].search([
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")), ("state", "!=", "cancel"),
        ])
        events = partner.env["autorepair.privacy.log"].search([("partner_id", "=", partner.id)])
        # every card of his (points, and whatever else Odoo's loyalty holds for him)
        points = partner.env["loyalty.history"].search([("card_id.partner_id", "=", partner.id)], order="id")
        adjustments = partner.env["autorepair.loyalty.adjustment"].search([("partner_id", "=", partner.id)])
        return [
            customer,
            contacts,
            vehicles._autorepair_report_section("vehicles", _("Vehicles"), [
                "license_plate", "vin_sn", "model_id", "delivery_date", "warranty_end_date",
                "insurer_id", "insurance_expiry_date", "inspection_due_date"]),
            owned._autorepair_report_section("ownership", _("Ownership History"), [
                "vehicle_id", "date_from", "date_to"]),
            odometers._autorepair_report_section("odometer", _("Odometer Readings"), ["vehicle_id", "date", "value"]),
            consents._autorepair_report_section("consents", _("Consents"), [
                "purpose", "granted", "date", "source", "channel", "user_id"]),
            points._autorepair_report_section("loyalty", _("Loyalty Points"), [
                "create_date", "card_id", "description", "issued", "used"]),
            adjustments._autorepair_report_section("loyalty_adjustments", _("Points Adjustments"), [
                "date", "description", "points", "state"]),
            invoices._autorepair_report_section("invoices", _("Invoices"), [
                "name", "move_type", "invoice_date", "amount_total", "payment_state", "state"]),
            events._autorepair_report_section("processing", _("Processing Log"), [
                "date", "event", "user_id", "model", "field_names", "record_count"]),
        ]

    def _autorepair_personal_data_json(self, sections):
        """The machine-readable copy: each section's rows as objects."""
        return {
            "customer_id": self.id,
            "company": self.company_id.name or self.env.company.name,
            "generated_on": fields.Datetime.now().isoformat(sep=" "),
            "sections": {
                section["key"]: {
                    "title": section["title"],
                    "rows": [dict(zip(section["columns"], row, strict=True)) for row in section["rows"]],
                }
                for section in sections
            },
        }

    # ------------------------------------------------------------------- erasure

    def _autorepair_pseudonym(self):
        self.ensure_one()
        return self.env._("Erased Customer #%(id)s", id=self.id)

    def _autorepair_open_documents(self):
        """{partner id: [what still binds the customer]}: documents that are
        still being worked or owed (unpaid invoices here; open orders and
        complaints in the addons that hold them). No erasure while any is."""
        result = defaultdict(list)
        commercial = {partner.commercial_partner_id.id: partner for partner in self}
        invoices = self.env["account.move"].sudo().search(
            [("commercial_partner_id", "in", list(commercial))] + OPEN_INVOICE_DOMAIN)
        for move in invoices:
            partner = commercial[move.commercial_partner_id.id]
            result[partner.id].append(self.env._("invoice %(number)s (unpaid or draft)",
                                                 number=move.name or move.display_name))
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("partner_id", "in", self.ids), ("share", "=", False)])
        for user in users:
            result[user.partner_id.id].append(self.env._("a user account of the staff (%(login)s)", login=user.login))
        return result

    def _autorepair_personal_records(self):
        """{model name: records} holding this customer's personal data or
        messages about him, read as the superuser. Each addon adds its own."""
        partners = (self | self.child_ids).with_context(active_test=False)
        return {
            "res.partner": partners,
            "fleet.vehicle": self.env["fleet.vehicle"].with_context(active_test=False).search(
                [("owner_id", "in", partners.ids)]),
        }

    def _autorepair_declared_records(self, records):
        """Complete ``records`` with the records of every other model that
        declares personal fields and links to the person (a stored many2one
        to res.partner): a model added later is erased without a hook."""
        partner_ids = records["res.partner"].ids
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if (model_name in records or Model._abstract or Model._transient or not Model._auto
                    or not Model._autorepair_personal_fields):
                continue
            links = [field.name for field in Model._fields.values()
                     if field.type == "many2one" and field.comodel_name == "res.partner" and field.store]
            if links:
                domain = ["|"] * (len(links) - 1) + [(fname, "in", partner_ids) for fname in links]
                records[model_name] = Model.with_context(active_test=False).search(domain)
        return records

    def _autorepair_known_strings(self):
        """The person's identifying strings, to find them in free text that is
        kept (tracking values of other records)."""
        strings = set()
        for partner in self.sudo():
            for value in (partner.name, partner.email, partner.street, partner.street2,
                          partner.resident_id_number):
                if value and len(value.strip()) >= 2:
                    strings.add(value.strip())
            for number in (partner.phone, partner.mobile):
                digits = "".join(ch for ch in number or "" if ch.isdigit())
                # stored in E.164 (+86...): the national number matches it however typed
                # written without separators (13912345678, 02887654321 contains 2887654321)
                if digits.startswith("86") and len(digits) > 11:
                    digits = digits[2:]
                if len(digits) >= 7:
                    strings.add(digits)
        return sorted(strings)

    def _autorepair_erase(self, event="erasure", reason=None):
        """Anonymise each customer of self everywhere the suite writes personal
        data. The private, trusted path of the erasure wizard and of the
        retention run: the caller checked who asks. Refused while a document
        is open. Returns the number of records anonymised."""
        self = self.sudo().with_context(active_test=False, tracking_disable=True, mail_notrack=True)
        blocking = self._autorepair_open_documents()
        if blocking:
            partner = self.browse(next(iter(blocking)))
            raise UserError(self.env._(
                "%(customer)s cannot be erased yet: %(documents)s. Close or settle them first; "
                "invoices and repair records are then kept for their legal retention period.",
                customer=partner.display_name, documents="; ".join(blocking[partner.id])))
        count = 0
        for partner in self.filtered(lambda p: not p.autorepair_erased_date):
            count += partner._autorepair_erase_one(event, reason)
        return count

    def _autorepair_erase_one(self, event, reason):
        self.ensure_one()
        strings = self._autorepair_known_strings()
        records = self._autorepair_declared_records(self._autorepair_personal_records())
        # messages and their tracking first: the tracking values still name the person.
        # The invoices' chatter too (not their files: the invoice as issued is kept by law)
        invoices = self.env["account.move"].search([
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund"))])
        self._autorepair_scrub_messages(dict(records, **{"account.move": invoices}), strings)
        self._autorepair_delete_attachments(records)
        fields_done = set()
        total = 0
        for model_name, recs in records.items():
            recs = recs.exists()
            if not recs:
                continue
            vals = recs._autorepair_erase_vals()
            if model_name == "res.partner":
                continue  # below, with the pseudonym
            if vals:
                recs.write(vals)
                fields_done.update(f"{model_name}.{fname}" for fname in vals)
            redacted = recs._autorepair_redact(strings, "***")
            fields_done.update(f"{model_name}.{fname}" for fname in redacted)
            total += len(recs)
        self._autorepair_erase_partners(records["res.partner"])
        fields_done.update(f"res.partner.{fname}" for fname in self._autorepair_erasable_fields())
        total += len(records["res.partner"])
        self.env["autorepair.privacy.log"].with_company(self.company_id or self.env.company)._log(
            event, model=self._name, partner=self, field_names=sorted(fields_done), record_count=total,
            note=(reason or "")[:200] or False,
        )
        return total

    def _autorepair_erase_partners(self, partners):
        """The person and his contacts: a pseudonym, every personal field
        emptied, archived, their logins closed. The consent and opt-out facts
        (and Odoo's phone and mail blacklists) stay, so that no marketing ever
        goes out again to a number or address that reappears."""
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("partner_id", "in", partners.ids)])
        for user in users:
            user.write({"active": False, "login": f"erased-{user.id}"})
        base_vals = partners._autorepair_erase_vals()
        base_vals.update({fname: False for fname in ("vat", "ref", "website", "function", "title", "state_id")
                          if fname in partners._fields})
        for partner in partners:
            partner.write(dict(
                base_vals, name=partner._autorepair_pseudonym(), active=False,
                autorepair_erased_date=fields.Datetime.now(),
            ))
        # the cars stay on file with their plate and VIN: the statutory repair
        # record (JT/T 1132/1133) names the vehicle it was done on. Unlinked
        # from the person, a car is not his personal data any more, and a new
        # owner bringing it back is recorded on the same file.
        vehicles = self.env["fleet.vehicle"].with_context(active_test=False).search(
            [("owner_id", "in", partners.ids)])
        vehicles.write({"owner_id": False})

    def _autorepair_scrub_messages(self, records, strings):
        """The chatter of the person's records and his own messages: bodies,
        subjects and addresses emptied, attachments deleted, queued mails
        dropped; tracking values naming him emptied wherever they are."""
        cr = self.env.cr
        self.env.flush_all()
        conditions = [SQL("(model = %s AND res_id = ANY(%s))", model, recs.ids)
                      for model, recs in records.items() if recs]
        partner_ids = records["res.partner"].ids
        conditions.append(SQL("author_id = ANY(%s)", partner_ids))
        cr.execute(SQL("SELECT id FROM mail_message WHERE %s", SQL(" OR ").join(conditions)))
        message_ids = [row[0] for row in cr.fetchall()]
        if message_ids:
            marker = self.env._("Erased at the customer's request.")
            cr.execute(SQL(
                """UPDATE mail_message SET body = CASE WHEN body IS NULL OR body = '' THEN body ELSE %s END,
                          subject = NULL, email_from = NULL, reply_to = NULL, record_name = NULL
                    WHERE id = ANY(%s)""", f"<p>{marker}</p>", message_ids))
            messages = self.env["mail.message"].browse(message_ids)
            messages.attachment_ids.filtered(lambda a: a.res_model != "account.move").unlink()
            self.env["mail.mail"].search([("mail_message_id", "in", message_ids)]).unlink()
        # messages elsewhere that carry his name, number or address as their
        # record's name: the blacklist entries kept for his opt-out
        named = [SQL("record_name ILIKE %s", f"%{text}%") for text in strings if text]
        if named:
            cr.execute(SQL("UPDATE mail_message SET record_name = NULL WHERE %s", SQL(" OR ").join(named)))
        # open to-dos about the person (calls to make) go with his data
        self.env["mail.activity"].search(self._autorepair_activity_domain(
            {model: recs for model, recs in records.items() if model != "account.move"})).unlink()
        # tracking values: of a field of the person, or linking to him, on any record
        personal_field_ids = self.env["ir.model.fields"].sudo().search([
            ("model", "in", list(records)), ("name", "in", sorted({
                fname for model in records for fname in self.env[model]._autorepair_personal_fields}))]).ids
        cr.execute(SQL(
            """UPDATE mail_tracking_value t
                  SET old_value_char = NULL, new_value_char = NULL, old_value_text = NULL, new_value_text = NULL
                 FROM ir_model_fields f
                WHERE f.id = t.field_id
                  AND ((f.relation = 'res.partner' AND (t.old_value_integer = ANY(%(partners)s)
                                                        OR t.new_value_integer = ANY(%(partners)s)))
                       OR (t.mail_message_id = ANY(%(messages)s) AND t.field_id = ANY(%(fields)s)))""",
            partners=partner_ids, messages=message_ids, fields=personal_field_ids))
        if message_ids and strings:
            patterns = [f"%{string}%" for string in strings]
            cr.execute(SQL(
                """UPDATE mail_tracking_value
                      SET old_value_char = NULL, new_value_char = NULL, old_value_text = NULL, new_value_text = NULL
                    WHERE mail_message_id = ANY(%(messages)s)
                      AND (old_value_char ILIKE ANY(%(patterns)s) OR new_value_char ILIKE ANY(%(patterns)s)
                           OR old_value_text ILIKE ANY(%(patterns)s) OR new_value_text ILIKE ANY(%(patterns)s))""",
                messages=message_ids, patterns=patterns))
        self.env.invalidate_all()
        self._autorepair_scrub_notifications(partner_ids, message_ids)

    def _autorepair_activity_domain(self, records):
        domain = []
        for model, recs in records.items():
            if recs:
                domain = (["|"] if domain else []) + domain + [
                    "&", ("res_model", "=", model), ("res_id", "in", recs.ids)]
        return domain or [("id", "=", False)]

    def _autorepair_scrub_notifications(self, partner_ids, message_ids):
        """Hook: what the sending channels of the higher addons keep (SMS numbers)."""
        return True

    def _autorepair_delete_attachments(self, records):
        """Every file on the person's records (photos, signatures, documents,
        earlier access reports) is deleted; a field's file with it."""
        Attachment = self.env["ir.attachment"].sudo()
        domain = self._autorepair_activity_domain(records)
        attachments = Attachment.search(["|", ("res_field", "=", False), ("res_field", "!=", False), *domain])
        reports = self.env["autorepair.privacy.log"].sudo().search(
            [("partner_id", "in", records["res.partner"].ids), ("event", "=", "access_report")])
        attachments |= Attachment.search([("res_model", "=", "autorepair.privacy.log"), ("res_id", "in", reports.ids)])
        attachments.unlink()

    # ----------------------------------------------------------------- retention

    def _autorepair_active_partner_ids(self, since):
        """The customers of self with a visit, order, invoice or contact since
        ``since`` (a date): they are not due for retention. Each addon adds
        what it records."""
        if not self:
            return set()
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(SQL(
            """SELECT id FROM res_partner WHERE id = ANY(%(ids)s) AND create_date >= %(since)s
               UNION
               SELECT p.id FROM res_partner p JOIN account_move m ON m.commercial_partner_id = p.commercial_partner_id
                WHERE p.id = ANY(%(ids)s) AND m.move_type IN ('out_invoice', 'out_refund')
                  AND (m.invoice_date >= %(since)s OR m.create_date >= %(since)s)
               UNION
               SELECT c.partner_id FROM loyalty_history h JOIN loyalty_card c ON c.id = h.card_id
                WHERE c.partner_id = ANY(%(ids)s) AND h.create_date >= %(since)s
               UNION
               SELECT v.owner_id FROM fleet_vehicle_odometer o JOIN fleet_vehicle v ON v.id = o.vehicle_id
                WHERE v.owner_id = ANY(%(ids)s) AND o.date >= %(since)s""",
            ids=self.ids, since=since))
        return {row[0] for row in cr.fetchall()}

    @api.model
    def _autorepair_retention_due(self):
        """Customers of every company that keeps a retention span, absent for
        that span, not erased yet and with no open document."""
        due = self.browse()
        Partner = self.sudo().with_context(active_test=False)
        for company in self.env["res.company"].sudo().search([]):
            years = company._autorepair_crm_setting("retention_years")
            if years <= 0:
                continue
            since = fields.Date.context_today(self) - relativedelta(years=years)
            candidates = Partner.search([
                ("is_autorepair_customer", "=", True), ("company_id", "=", company.id),
                ("autorepair_erased_date", "=", False), ("parent_id", "=", False),
            ], order="id")
            active = candidates._autorepair_active_partner_ids(since)
            candidates = candidates.filtered(lambda p, active=active: p.id not in active)
            blocked = candidates._autorepair_open_documents()
            due |= candidates.filtered(lambda p, blocked=blocked: p.id not in blocked)
        return due

    @api.model
    def _cron_autorepair_retention(self):
        """Erase one batch of the customers due for retention, each in its own
        savepoint (one that fails is skipped and logged); committed per batch,
        so that an interrupted run keeps its work and the next call goes on.
        Erased customers carry their date: a second run finds nothing to do."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("The retention run is the scheduler's."))
        size = self.env.company._autorepair_crm_setting("retention_batch_size")
        due = self._autorepair_retention_due()
        batch = due[:size]
        done = 0
        for partner in batch:
            try:
                with self.env.cr.savepoint():
                    partner._autorepair_erase("retention", reason=self.env._("Retention period expired"))
                done += 1
            except UserError as exc:
                _logger.warning("Retention: customer %s not erased: %s", partner.id, exc)
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit  # each batch kept when a later one fails
        # a batch where nothing could be erased ends the run: the next night retries
        remaining = len(due) - len(batch) if done else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
