from odoo import api, models
from odoo.exceptions import AccessError
from odoo.models import fix_import_export_id_paths

EXPORT_GROUP = "autorepair_crm.group_manager"


class Base(models.AbstractModel):
    _inherit = "base"

    # The fields of a model that hold a customer's personal data (PIPL): what
    # an export of personal data is, what an access report lists and what an
    # erasure anonymises. Fields related to one of them count as well. Each
    # model of the suite that holds such data declares its own.
    _autorepair_personal_fields = ()
    # Personal fields that never leave the database through an export, not
    # even for a manager (the resident ID); fields related to one likewise.
    _autorepair_unexportable_fields = ()

    # -------------------------------------------------------------- export guard

    def export_data(self, fields_to_export):
        """Export of personal data, on every model: only the service managers
        export it, the resident ID nobody, and each export of personal data is
        written to the privacy log. Superuser code paths are trusted."""
        if self.env.su:
            return super().export_data(fields_to_export)
        paths = [fix_import_export_id_paths(fname) for fname in fields_to_export]
        if any(self._autorepair_path_reach(path, derived=False, unexportable=True) for path in paths):
            raise AccessError(self.env._("The resident ID is never exported."))
        personal = [path for path in paths if self._autorepair_path_reach(path)]
        if not personal:
            return super().export_data(fields_to_export)
        if not self.env.user.has_group(EXPORT_GROUP):
            raise AccessError(self.env._(
                "Only a service manager may export customers' personal data (%(fields)s).",
                fields=", ".join("/".join(path) for path in personal),
            ))
        result = super().export_data(fields_to_export)
        self.env["autorepair.privacy.log"]._log(
            "export", model=self._name, field_names=["/".join(path) for path in paths],
            record_count=len(self),
        )
        return result

    @api.model
    def _autorepair_path_reach(self, path, derived=True, unexportable=False):
        """The personal fields (``(model, field)`` pairs) an export column
        ``path`` (``["partner_id", "mobile"]``) reaches, through every
        relation of the path. A column ending on a relation exports the
        display name of the record it points to."""
        seen = set()
        found = set()
        model = self
        for index, name in enumerate(path):
            field = model._fields.get(name)
            if field is None:  # "id", ".id", or a name Odoo refuses itself
                return found
            found |= model._autorepair_field_reach(name, seen, derived, unexportable)
            if not field.relational:
                return found
            model = self.env[field.comodel_name]
            if index == len(path) - 1:
                found |= model._autorepair_field_reach("display_name", seen, derived, unexportable)
        return found

    @api.model
    def _autorepair_field_reach(self, fname, seen, derived=True, unexportable=False):
        """The personal fields the field ``fname`` of this model holds or
        reads: itself when declared, what it is related to (delegated fields
        of ``_inherits`` included), and with ``derived`` what a computed field
        is computed from. ``unexportable`` looks for the never-exported
        fields instead."""
        key = (self._name, fname)
        field = self._fields.get(fname)
        if key in seen or field is None:
            return set()
        seen.add(key)
        declared = self._autorepair_unexportable_fields if unexportable else self._autorepair_personal_fields
        found = {key} if fname in declared else set()
        if field.related:
            found |= self._autorepair_chain_reach(field.related.split("."), seen, derived, unexportable)
        elif derived and field.compute:
            for dependency in self.pool.field_depends.get(field, ()):
                found |= self._autorepair_chain_reach(dependency.split("."), seen, derived, unexportable)
        return found

    @api.model
    def _autorepair_chain_reach(self, chain, seen, derived, unexportable):
        found = set()
        model = self
        for name in chain:
            field = model._fields.get(name)
            if field is None:
                break
            found |= model._autorepair_field_reach(name, seen, derived, unexportable)
            if not field.relational:
                break
            model = self.env[field.comodel_name]
        return found
