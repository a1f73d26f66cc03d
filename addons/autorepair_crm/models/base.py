from odoo import api, models
from odoo.exceptions import AccessError
from odoo.models import fix_import_export_id_paths
from odoo.osv import expression
from odoo.tools import SQL, html2plaintext

from ..tools import mask_phones_in_text

# Workshop staff see customers' phone numbers masked: the raw fields carry
# groups="!autorepair_crm.group_contact_masked" (CONTACT_MASKED), on the
# customer and on every field of another model that copies a number
MASKED_GROUP = "autorepair_crm.group_contact_masked"
CONTACT_MASKED = f"!{MASKED_GROUP}"
# the numbers mask_phones_in_text masks (tools/phone.py), for PostgreSQL
SQL_PHONE_IN_TEXT = (
    r"(?<![A-Za-z0-9+])("
    r"(\+|00)?(86[ -]?)?1[3-9][0-9]([ -]?[0-9]){8}"
    r"|0[0-9]{2,3}[ -]?[0-9]{3,4}[ -]?[0-9]{4}"
    r"|\+[0-9]([ -]?[0-9]){6,14}"
    r")(?![0-9])"
)
EXPORT_GROUP = "autorepair_crm.group_manager"


class Base(models.AbstractModel):
    _inherit = "base"

    # The fields of a model that hold a customer's personal data (PIPL): what
    # an export of personal data is, what an access report lists and what an
    # erasure anonymises. Fields related to one of them count as well. Each
    # model of the suite that holds such data declares its own.
    _autorepair_personal_fields = ()
    # Free-text fields where staff or customers write phone numbers (notes,
    # message bodies): workshop staff read them with the numbers masked, and
    # a search in them matches the text as they read it.
    _autorepair_masked_text_fields = ()

    def _autorepair_masked_reader(self):
        # the real user, also when the chatter reads the messages as superuser
        return self.env.user.has_group(MASKED_GROUP)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        masked = [fname for fname in self._autorepair_masked_text_fields if fname in fnames]
        if masked and result and self._autorepair_masked_reader():
            for row in result:
                for fname in masked:
                    if isinstance(row.get(fname), str):
                        row[fname] = mask_phones_in_text(row[fname])
        return result

    def _condition_to_sql(self, alias, fname, operator, value, query):
        if (fname in self._autorepair_masked_text_fields and isinstance(value, str)
                and any(ch.isdigit() for ch in value) and not self.env.su and self._autorepair_masked_reader()):
            if operator not in ("like", "ilike", "not like", "not ilike"):
                raise AccessError(self.env._(
                    "Workshop staff see customers' phone numbers masked; ask a service advisor for the number."))
            return SQL(
                "(COALESCE(regexp_replace(%s, %s, '****', 'g'), '') %s %s)",
                self._field_to_sql(alias, fname, query), SQL_PHONE_IN_TEXT,
                SQL(expression.SQL_OPERATORS[operator]), f"%{value}%",
            )
        return super()._condition_to_sql(alias, fname, operator, value, query)

    @api.model
    def check_field_access_rights(self, operation, field_names):
        # Odoo's generic refusal cannot describe a negated group (it looks the
        # "!group" up as an xml id); say plainly why the number is hidden.
        if field_names and not self.env.su:
            for fname in field_names:
                field = self._fields.get(fname) if isinstance(fname, str) else None
                if field and field.groups and MASKED_GROUP in field.groups and not field.is_accessible(self.env):
                    raise AccessError(self.env._(
                        "Workshop staff see customers' phone numbers masked; ask a service advisor for the number."
                    ))
        return super().check_field_access_rights(operation, field_names)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # Odoo checks the groups of a stored field only: a related field is
        # joined as superuser to its target, so that grouping or sorting by a
        # restricted copy (the care task's partner_mobile) read the target
        if not self.env.su:
            self.check_field_access_rights("read", [fname.split(".", 1)[0]])
        return super()._field_to_sql(alias, fname, query=query, flush=flush)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Odoo 18 checks the groups of a stored field when it turns it into
        # SQL, not those of a computed field with a search method, nor those of
        # the fields a path goes through when the path is joined (auto_join):
        # a domain may not name a field its user may not read, at any depth
        # (a search on a number is a way of reading it, one digit at a time).
        if domain and not self.env.su:
            self._autorepair_check_domain_access(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _autorepair_check_domain_access(self, domain):
        for leaf in domain:
            if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or not isinstance(leaf[0], str):
                continue
            path, operator, value = leaf
            model = self
            for fname in path.split("."):
                field = model._fields.get(fname)
                if field is None:
                    break
                model.check_field_access_rights("read", [fname])
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
            else:
                if operator in ("any", "not any") and isinstance(value, (list, tuple)):
                    model._autorepair_check_domain_access(value)

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
        relation of the path."""
        return self._autorepair_chain_reach(path, set(), derived, unexportable, display_name=True)

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
    def _autorepair_chain_reach(self, chain, seen, derived, unexportable, display_name=False):
        """The personal fields reached along ``chain``, a path of field names.
        With ``display_name``, a chain ending on a relation also reaches the
        display name of the record it points to (what an export column
        ending there exports)."""
        found = set()
        model = self
        for name in chain:
            field = model._fields.get(name)
            if field is None:  # "id", ".id", or a name Odoo refuses itself
                return found
            found |= model._autorepair_field_reach(name, seen, derived, unexportable)
            if not field.relational:
                return found
            model = self.env[field.comodel_name]
        if display_name:
            found |= model._autorepair_field_reach("display_name", seen, derived, unexportable)
        return found

    # Free-text fields kept by an erasure because they are part of a record the
    # law keeps (the work asked for, the diagnosis), from which the person's
    # identifying strings (name, phones, e-mail, address, ID) are cut out.
    _autorepair_redact_fields = ()

    def _autorepair_erasable_fields(self):
        """The declared personal fields (``_autorepair_personal_fields``) an
        erasure writes: stored, and not computed from another one (a computed
        copy such as ``phone_sanitized`` follows its source by itself)."""
        result = []
        for fname in self._autorepair_personal_fields:
            field = self._fields.get(fname)
            if field and field.store and not (field.compute and field.readonly):
                result.append(fname)
        return result

    def _autorepair_erase_vals(self):
        """The values that empty this model's personal fields: False, or for a
        required text a neutral marker that names nobody."""
        vals = {}
        for fname in self._autorepair_erasable_fields():
            field = self._fields[fname]
            if field.required and field.type in ("char", "text", "html"):
                vals[fname] = self.env._("(erased)")
            else:
                vals[fname] = False
        return vals

    def _autorepair_redact(self, strings, replacement):
        """Cut ``strings`` out of this model's redacted free-text fields.
        Returns the names of the fields changed."""
        changed = set()
        for fname in self._autorepair_redact_fields:
            for record in self:
                text = record[fname]
                if not text:
                    continue
                redacted = text
                for string in strings:
                    redacted = redacted.replace(string, replacement)
                if redacted != text:
                    record[fname] = redacted
                    changed.add(fname)
        return changed

    def _autorepair_report_rows(self, fnames):
        """(columns, rows) of these records for the access report: the field
        labels and, per record, each value as the staff read it (selection
        label, name of a linked record, ISO date), never a binary."""
        columns = [self._fields[fname]._description_string(self.env) for fname in fnames]
        rows = []
        for record in self:
            row = []
            for fname in fnames:
                field = record._fields[fname]
                value = record[fname]
                if field.type == "selection":
                    value = dict(field._description_selection(self.env)).get(value, value) if value else ""
                elif field.type == "many2one":
                    value = value.display_name or ""
                elif field.type in ("one2many", "many2many"):
                    value = ", ".join(value.mapped("display_name"))
                elif field.type in ("date", "datetime"):
                    value = value.isoformat(sep=" ") if field.type == "datetime" and value else (
                        value.isoformat() if value else "")
                elif field.type in ("binary", "image"):
                    value = self.env._("(on file)") if value else ""
                elif field.type == "html":
                    value = html2plaintext(value or "")
                elif field.type in ("char", "text"):
                    value = value or ""
                row.append(value)
            rows.append(row)
        return columns, rows

    def _autorepair_report_section(self, key, title, fnames):
        """One section of the access report: these records' fields."""
        columns, rows = self._autorepair_report_rows(fnames)
        return {"key": key, "title": title, "model": self._name, "columns": columns, "rows": rows}
