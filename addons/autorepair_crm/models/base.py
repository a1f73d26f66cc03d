from odoo import models
from odoo.tools import html2plaintext


class Base(models.AbstractModel):
    _inherit = "base"

    # The fields of a model that hold a customer's personal data (PIPL): what
    # an export of personal data is, what an access report lists and what an
    # erasure anonymises. Fields related to one of them count as well. Each
    # model of the suite that holds such data declares its own.
    _autorepair_personal_fields = ()

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
