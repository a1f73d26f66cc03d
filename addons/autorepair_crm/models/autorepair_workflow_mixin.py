from odoo import api, models
from odoo.exceptions import AccessError


class AutorepairWorkflowMixin(models.AbstractModel):
    """Fields that record a promise (state, who signed or checked, when,
    approved amounts, who asked for a batch) are written only by the model's
    own steps: each step checks who may take it and what must hold, then
    writes them as the superuser (``sudo()``, which keeps the user for the
    chatter). Any other create or write that sets them is refused, whoever
    calls: the web client is one JSON-RPC client among others."""

    _name = "autorepair.workflow.mixin"
    _description = "Workflow Guard"

    # fields written by the model's steps only
    _workflow_fields = frozenset()
    # values a creation may give them (a new record starts at the beginning)
    _workflow_initial = {}
    # fields given at creation and never changed afterwards
    _workflow_fixed = frozenset()

    def _check_workflow_vals(self, vals, creating=False):
        if self.env.su:
            return
        blocked = [
            fname for fname in self._workflow_fields & vals.keys()
            if not (creating and (not vals[fname] or vals[fname] == self._workflow_initial.get(fname)))
        ]
        # computed values (amounts, approved flags) follow from the record, whoever asks
        blocked += [fname for fname in vals.keys() - self._workflow_fields
                    if (field := self._fields.get(fname)) and field.compute and field.readonly
                    and not field.inverse and field.store]
        if not creating:
            blocked += [fname for fname in self._workflow_fixed & vals.keys()
                        if any(record[fname] != record._fields[fname].convert_to_record(
                            record._fields[fname].convert_to_cache(vals[fname], record), record) for record in self)]
        if blocked:
            labels = ", ".join(self._fields[fname]._description_string(self.env) for fname in sorted(blocked))
            raise AccessError(self.env._(
                "%(fields)s can only be recorded by the document's own steps (its buttons), "
                "not written directly.", fields=labels))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_workflow_vals(vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_vals(vals)
        return super().write(vals)
