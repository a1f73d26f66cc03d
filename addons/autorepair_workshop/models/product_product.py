from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL, sql


class ProductProduct(models.Model):
    _inherit = "product.product"

    def init(self):
        result = super().init()
        # a quote line finds a part by any fragment of its number: Odoo's btree on default_code
        # serves only prefixes, so a trigram index beside it (pg_trgm ensured by autorepair_crm)
        if self.env.registry.has_trigram:
            sql.create_index(
                self.env.cr, "product_product_autorepair_default_code_trgm_index", self._table,
                ["default_code gin_trgm_ops"], method="gin")
        return result

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
        fits = self._autorepair_fits_sql(vehicle)
        # numbers before names, the whole number (scanned or typed) first of all
        steps = [[("default_code", operator, name)], [("name", operator, name)]] if name else [[]]
        ids = []
        for match in steps:
            if limit and len(ids) >= limit:
                break
            query = self._autorepair_pick_query(
                expression.AND([args or [], match, [("id", "not in", ids)] if ids else []]), fits, name,
                limit and limit - len(ids))
            ids += [row[0] for row in self.env.execute_query(query.select())]
        return [(product.id, product.display_name) for product in self.browse(ids).sudo()]

    @api.model
    def _autorepair_fits_sql(self, vehicle):
        """SQL: the product's part fits the car."""
        Fitment = self.env["autorepair.part.fitment"]
        return SQL("%s IN %s", SQL.identifier(self._table, "product_tmpl_id"),
                   Fitment._search(Fitment._domain_for_vehicle(vehicle)).subselect(
                       SQL.identifier(Fitment._table, "product_tmpl_id")))

    @api.model
    def _autorepair_pick_query(self, domain, fits, name, limit):
        """The products of ``domain``: the one numbered ``name`` first, then
        those that fit (only those with ``autorepair_fitting_only``), by number."""
        query = self._search(domain)
        if self.env.context.get("autorepair_fitting_only"):
            query.add_where(fits)
        code = SQL.identifier(self._table, "default_code")
        query.order = SQL("%s IS NOT DISTINCT FROM %s DESC, %s DESC, %s, %s", code, name or None, fits, code,
                          SQL.identifier(self._table, "id"))
        query.limit = limit
        return query
