from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL, sql


class ProductProduct(models.Model):
    _inherit = "product.product"

    def init(self):
        super().init()
        # a quote line finds a part by any fragment of its number: Odoo's btree on default_code
        # serves only prefixes, so a trigram index beside it (pg_trgm ensured by autorepair_crm)
        if self.env.registry.has_trigram:
            sql.create_index(
                self.env.cr, "product_product_autorepair_default_code_trgm_index", self._table,
                ["default_code gin_trgm_ops"], method="gin")

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """With a car in context (``autorepair_vehicle_id``, the quote line's),
        the parts that fit it come first, then the rest of the catalogue up to
        the limit; ``autorepair_fitting_only`` leaves the rest out. Searched as
        Odoo does (numbers, then names), each step one query ordered by
        fitting."""
        vehicle_id = self.env.context.get("autorepair_vehicle_id")
        vehicle = isinstance(vehicle_id, int) and self.env["fleet.vehicle"].search_fetch(
            [("id", "=", vehicle_id)], ["model_id", "model_year"])
        if not vehicle or operator not in ("ilike", "like", "=ilike", "=like", "="):
            return super().name_search(name, args, operator, limit)
        Fitment = self.env["autorepair.part.fitment"]
        fits = SQL("%s IN %s", SQL.identifier(self._table, "product_tmpl_id"),
                   Fitment._search(Fitment._domain_for_vehicle(vehicle)).subselect(
                       SQL.identifier(Fitment._table, "product_tmpl_id")))
        only_fitting = self.env.context.get("autorepair_fitting_only")
        domain = list(args or [])
        # numbers before names, the whole number (scanned or typed) first of all
        steps = [[("default_code", operator, name)], [("name", operator, name)]] if name else [[]]
        code = SQL.identifier(self._table, "default_code")
        ids = []
        for match in steps:
            if limit and len(ids) >= limit:
                break
            query = self._search(expression.AND([domain, match, [("id", "not in", ids)] if ids else []]))
            if only_fitting:
                query.add_where(fits)
            query.order = SQL("%s IS NOT DISTINCT FROM %s DESC, %s DESC, %s, %s", code, name or None, fits, code,
                              SQL.identifier(self._table, "id"))
            query.limit = limit and limit - len(ids)
            ids += [row[0] for row in self.env.execute_query(query.select())]
        return [(product.id, product.display_name) for product in self.browse(ids).sudo()]
