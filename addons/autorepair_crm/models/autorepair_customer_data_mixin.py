from odoo import api, models
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError


def duplicate_error(message, existing):
    """The refusal of a customer or vehicle that is already on file: a plain
    ValidationError naming the incoming value and the existing record, the
    same for every caller (JSON-RPC and XML-RPC clients, Odoo's import, which
    all recognise it by its class). The form alone turns it into a warning with
    a button to that record (see ``web_save``)."""
    error = ValidationError(message)
    error.autorepair_existing = existing
    return error


class ImportBatchRefused(Exception):
    """A row of an import batch was refused. Deliberately not a UserError:
    ``load()`` files the UserError of a whole batch against the batch's first
    row (a row that may be good) before retrying row by row; any other
    exception makes it retry silently, each row then reporting its own error
    against its own row."""


class AutorepairCustomerDataMixin(models.AbstractModel):
    """Customer data leaves the database only through a manager (RULEBOOK §2:
    nothing leaks), and comes in through any channel with its refusals stated
    per record. Odoo hides the export button from users without
    base.group_allow_export, but the export RPC itself stays open: guard it."""

    _name = "autorepair.customer.data.mixin"
    _description = "Customer data export guard"

    def export_data(self, fields_to_export):
        if not self.env.su and not self.env.user.has_group("autorepair_crm.group_manager"):
            raise AccessError(self.env._("Only a service manager may export customer data."))
        return super().export_data(fields_to_export)

    def web_save(self, vals, specification, next_id=None):
        # the form, and only the form, offers to open the record already on file
        try:
            return super().web_save(vals, specification, next_id=next_id)
        except ValidationError as exc:
            existing = getattr(exc, "autorepair_existing", None)
            if not existing:
                raise
            raise RedirectWarning(
                exc.args[0],
                existing._get_records_action(),
                self.env._("Open %(record)s", record=existing.display_name),
            ) from None

    def _load_records(self, data_list, update=False, ignore_duplicates=False):
        if len(data_list) > 1 and "_import_current_module" in self.env.context:
            # a batch of load() (Odoo's import, or load over RPC): see ImportBatchRefused
            try:
                return super()._load_records(data_list, update=update, ignore_duplicates=ignore_duplicates)
            except UserError as exc:
                raise ImportBatchRefused(str(exc)) from exc
        return super()._load_records(data_list, update=update, ignore_duplicates=ignore_duplicates)

    @api.model
    def _in_row(self, error, index, count):
        """``error`` (a ValidationError) naming its row when a create holds
        several: the row of a batch of 100 that an integrator must correct."""
        if count < 2:
            return error
        message = self.env._("Row %(row)s of %(count)s: %(error)s", row=index + 1, count=count, error=error.args[0])
        existing = getattr(error, "autorepair_existing", None)
        return duplicate_error(message, existing) if existing else ValidationError(message)
