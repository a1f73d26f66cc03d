from odoo import api, fields, models
from odoo.exceptions import UserError


class AutorepairPrivacyLog(models.Model):
    """The processing log of customers' personal data that PIPL asks for: who
    exported, read a resident ID, answered a data-subject request or erased
    whom, and when. Append-only: written by the suite's own code as the
    superuser through ``_log``, read by managers, edited or deleted by nobody.
    It names records and fields, never their values, so that it leaks nothing
    itself and survives an erasure unchanged."""

    _name = "autorepair.privacy.log"
    _description = "Personal Data Processing Log"
    _order = "date desc, id desc"
    _rec_name = "event"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="User", required=True, readonly=True, ondelete="restrict", index=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    event = fields.Selection(
        [
            ("export", "Export"),
            ("id_read", "Resident ID Read"),
            ("consent", "Consent Changed"),
            ("opt_out", "Opt-Out"),
            ("access_report", "Access Report"),
            ("correction", "Correction"),
            ("erasure", "Erasure"),
            ("retention", "Retention Anonymisation"),
        ],
        required=True, readonly=True, index=True,
    )
    model = fields.Char(readonly=True, help="Technical name of the model processed.")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, ondelete="set null", index="btree_not_null",
        help="The person the processing concerns, when it concerns one.",
    )
    field_names = fields.Char(string="Fields", readonly=True)
    record_count = fields.Integer(string="Records", readonly=True)
    note = fields.Char(readonly=True)

    @api.depends("event")
    def _compute_display_name(self):
        # the event's label, not its technical value ("opt_out")
        events = dict(self._fields["event"]._description_selection(self.env))
        for entry in self:
            entry.display_name = events.get(entry.event, entry.event)

    @api.model
    def _log(self, event, model=None, partner=None, field_names=(), record_count=0, note=None):
        """Append one entry on behalf of the current user (the only way in)."""
        return self.sudo().create({
            "event": event,
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "model": model,
            "partner_id": partner.id if partner else False,
            "field_names": ", ".join(field_names) or False,
            "record_count": record_count,
            "note": note,
        })

    def write(self, vals):
        if vals:
            raise UserError(self.env._("The personal data processing log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The personal data processing log cannot be deleted."))
