from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.autorepair_crm.tests.common import CompanySettingsMixin, RpcClientMixin, add_role_users

from .common import ServiceOrderCase

MARGIN_FIELDS = ["parts_cost", "labour_cost", "revenue", "margin", "margin_percent"]


class PartsStockCase(ServiceOrderCase):
    """A part of the store bought twice at different prices (average cost
    120), issued to and returned from an order's line with the standard stock
    API, as the issue and return wizards do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_role_users(cls, "pc", {"storekeeper": "autorepair_workshop.group_storekeeper"})
        cls.company = cls.env.company
        cls.category = cls.env.ref("autorepair_workshop.product_category_parts").with_company(cls.company)
        cls.store = cls.company.autorepair_parts_picking_type_id.default_location_src_id
        cls.consumption = cls.company.autorepair_consumption_location_id
        cls.part = cls.env["product.product"].create({
            "name": "机油滤清器", "default_code": "06L115562B", "is_storable": True, "is_oem": True,
            "categ_id": cls.category.id, "list_price": 200.0, "taxes_id": [fields.Command.set(cls.tax.ids)],
        })
        cls._receive(cls.part, 2, 100.0)
        cls._receive(cls.part, 2, 140.0)

    @classmethod
    def _receive(cls, product, qty, price):
        move = cls.env["stock.move"].create({
            "name": "采购入库", "product_id": product.id, "product_uom_qty": qty, "product_uom": product.uom_id.id,
            "location_id": cls.env.ref("stock.stock_location_suppliers").id, "location_dest_id": cls.store.id,
            "price_unit": price, "company_id": cls.company.id,
        })
        cls._done(move, qty)

    @staticmethod
    def _done(move, qty):
        move._action_confirm()
        move._action_assign()
        move.quantity = qty
        move.picked = True
        move._action_done()
        return move

    def _part_line(self, order, qty=3, **vals):
        return self.env["autorepair.service.order.line"].with_user(self.user_advisor).create({
            "order_id": order.id, "line_type": "part", "product_id": self.part.id, "name": self.part.name,
            "part_number": self.part.default_code, "is_oem": True, "quantity": qty, "price_unit": 200.0, **vals,
        })

    def _issue(self, line, qty):
        """Issue (领料) by the storekeeper: from the parts store to the workshop consumption location."""
        return self._store_step(line, qty, "_autorepair_issue_parts")

    def _return(self, issue, qty):
        """Return (退料) by the storekeeper: back to the store, against the move that issued it."""
        return self._store_step(issue.autorepair_line_id, qty, "_autorepair_return_parts")

    def _store_step(self, line, qty, method):
        done_before = line.move_ids.filtered(lambda move: move.state == "done")
        getattr(self.env["autorepair.service.order.line"].with_user(self.user_storekeeper), method)({line: qty})
        return line.move_ids.filtered(lambda move: move.state == "done") - done_before

    def _approved_order(self, **part_vals):
        order = self._received_order(lines=0)
        line = self._part_line(order, **part_vals)
        self._approve_all(order)
        return order, line


@tagged("post_install", "-at_install")
class TestPartsCost(PartsStockCase, HttpCase, RpcClientMixin):
    """Issued parts are booked to the cost of goods sold at their average cost
    and a return takes the cost back; the settlement invoice books revenue
    only, whether the company uses anglo-saxon accounting or not; the order's
    cost, labour cost and margin are the advisor's and managers' figures."""

    def _journal_items(self, stock_move):
        """(account, debit, credit) of the entry a stock move posted."""
        return sorted(stock_move.account_move_ids.line_ids.mapped(
            lambda item: (item.account_id, item.debit, item.credit)), key=lambda row: row[1])

    def _snapshot(self):
        self.env.invalidate_all()
        return self.env["autorepair.service.order"].sudo().search_read([], ["state", "amount_total"])

    # ------------------------------------------------------------- accounts

    def test_consumption_location_books_cost_of_goods_sold(self):
        """The generic chart's category expense account is 6000 Expenses: the
        workshop books issued parts to its cost of goods sold (5000)."""
        cogs = self.consumption.valuation_in_account_id
        self.assertEqual(cogs.account_type, "expense_direct_cost")
        self.assertEqual(cogs, self.env["account.chart.template"].ref("cost_of_goods_sold"))
        self.assertEqual(self.consumption.valuation_out_account_id, cogs)
        self.assertEqual(self.consumption.usage, "production")
        self.assertEqual((self.category.property_cost_method, self.category.property_valuation),
                         ("average", "real_time"))

    def test_cogs_account_is_the_category_expense_when_a_direct_cost(self):
        """A chart whose category expense account is a cost of sales (l10n_cn:
        6401 主营业务成本) keeps it."""
        main_cost = self.env["account.account"].create({
            "name": "主营业务成本", "code": "640100", "account_type": "expense_direct_cost",
        })
        self.category.property_account_expense_categ_id = main_cost
        self.assertEqual(self.company._autorepair_workshop_cogs_account(self.category), main_cost)
        self.category.property_account_expense_categ_id = self.company_data["default_account_expense"]
        self.assertEqual(self.company._autorepair_workshop_cogs_account(self.category),
                         self.env["account.chart.template"].ref("cost_of_goods_sold"))

    # ---------------------------------------------------------- issue, return

    def test_issue_books_cogs_at_average_cost_and_return_reverses(self):
        _order, line = self._approved_order()
        cogs = self.consumption.valuation_in_account_id
        valuation = self.category.property_stock_valuation_account_id
        self.assertEqual(self.part.with_company(self.company).standard_price, 120.0, "average of 100 and 140")

        issue = self._issue(line, 3)
        self.assertEqual(issue.stock_valuation_layer_ids.mapped("value"), [-360.0])
        self.assertEqual(self._journal_items(issue), [(valuation, 0.0, 360.0), (cogs, 360.0, 0.0)],
                         "Dr cost of goods sold / Cr stock valuation at 3 x 120")
        self.assertEqual(issue.account_move_ids.state, "posted")

        # the average moves on with a new purchase: the return comes back at the cost it left with
        self._receive(self.part, 1, 200.0)
        back = self._return(issue, 1)
        self.assertEqual(back.stock_valuation_layer_ids.mapped("value"), [120.0])
        self.assertEqual(self._journal_items(back), [(cogs, 0.0, 120.0), (valuation, 120.0, 0.0)],
                         "the reverse: Dr stock valuation / Cr cost of goods sold")
        self.assertAlmostEqual(line.with_user(self.user_advisor).parts_cost, 240.0)
        self.assertAlmostEqual(line.parts_cost, -sum(line.move_ids.stock_valuation_layer_ids.mapped("value")))
        self.assertEqual(self.part.with_company(self.company).qty_available, 3.0)

    # ------------------------------------------------------------- invoice

    def _settled(self, anglo_saxon):
        self.company.anglo_saxon_accounting = anglo_saxon
        order = self._received_order(lines=0)
        part_line = self._part_line(order, qty=3)
        Line = self.env["autorepair.service.order.line"].with_user(self.user_advisor)
        labour = Line.create({"order_id": order.id, "line_type": "labour", "name": "更换机油机滤",
                              "quantity": 1.5, "price_unit": 200.0, "technician_id": self.user_technician.id})
        warranty = Line.create({"order_id": order.id, "line_type": "part", "product_id": self.part.id,
                                "name": "机油滤清器(保修)", "quantity": 1, "price_unit": 180.0, "bill_to": "warranty"})
        Line.create({"order_id": order.id, "line_type": "other", "name": "洗车", "quantity": 1, "price_unit": 50.0,
                     "bill_to": "goodwill"})
        self._approve_all(order)
        self._issue(part_line, 3)
        self._issue(warranty, 1)
        self._work_and_check(order)
        order.with_user(self.user_advisor).action_create_invoice()
        self.assertEqual(len(order.invoice_ids), 2, "the customer's and the maker's")
        self.assertEqual(set(order.invoice_ids.mapped("state")), {"posted"})
        return order, labour

    def _assert_revenue_only(self, order):
        cogs = self.consumption.valuation_in_account_id
        accounts = self.part.product_tmpl_id.with_company(self.company).get_product_accounts()
        items = order.invoice_ids.line_ids
        self.assertFalse(items.filtered(lambda item: item.account_id in (cogs, accounts["expense"],
                                                                         accounts["stock_output"])),
                         "no second cost of goods sold on the invoice")
        self.assertEqual(set(items.mapped("display_type")), {"product", "tax", "payment_term"})
        self.assertEqual(set(items.filtered(lambda item: item.display_type == "product").account_id.mapped(
            "account_type")), {"income"})
        # the only cost entries of the order are the issues': 4 parts at 120
        self.assertAlmostEqual(sum(self.env["account.move.line"].search([("account_id", "=", cogs.id)]).mapped(
            "balance")), 480.0)

    def test_invoice_revenue_only_anglo_saxon(self):
        order, _labour = self._settled(anglo_saxon=True)
        self._assert_revenue_only(order)
        # nor does its credit note take a cost back: parts come back by a return (退料) only
        refund = order.invoice_ids[0]._reverse_moves([{"invoice_date": fields.Date.today()}])
        refund.action_post()
        self.assertEqual(refund.move_type, "out_refund")
        self.assertFalse(refund.line_ids.filtered(lambda item: item.display_type == "cogs"))
        # the exclusion is the service order's: the same part sold on a plain invoice gets its COGS lines
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": fields.Date.today(),
            "invoice_line_ids": [fields.Command.create({"product_id": self.part.id, "quantity": 1,
                                                        "price_unit": 200.0})],
        })
        invoice.action_post()
        self.assertTrue(invoice.line_ids.filtered(lambda item: item.display_type == "cogs"))

    def test_invoice_revenue_only_continental(self):
        order, _labour = self._settled(anglo_saxon=False)
        self._assert_revenue_only(order)

    # -------------------------------------------------------------- margin

    def test_labour_cost_and_margin(self):
        self.company.autorepair_workshop_labour_cost_rate = 80.0
        order, labour = self._settled(anglo_saxon=True)
        start = fields.Datetime.now() - timedelta(hours=5)
        labour.work_log_ids.sudo().unlink()
        self.env["autorepair.work.log"].sudo().create([
            {"line_id": labour.id, "user_id": self.user_technician.id, "date_start": start,
             "date_stop": start + timedelta(hours=2)},
            {"line_id": labour.id, "user_id": self.user_technician.id, "date_start": start + timedelta(hours=3),
             "date_stop": start + timedelta(minutes=210)},
        ])
        as_advisor = order.with_user(self.user_advisor)
        self.assertAlmostEqual(as_advisor.labour_cost, 2.5 * 80, msg="2.5 clocked hours at the labour cost")
        self.assertAlmostEqual(labour.with_user(self.user_advisor).labour_cost, 200.0)
        self.assertAlmostEqual(as_advisor.parts_cost, 480.0, msg="4 parts issued at 120")
        # customer 3 x 200 + 1.5 h x 200, maker 180, goodwill nothing: the invoices' untaxed total
        self.assertAlmostEqual(as_advisor.revenue, 1080.0)
        self.assertAlmostEqual(as_advisor.revenue, sum(order.invoice_ids.mapped("amount_untaxed")))
        self.assertAlmostEqual(as_advisor.margin, 1080.0 - 480.0 - 200.0)
        self.assertAlmostEqual(as_advisor.margin_percent, 400.0 / 1080.0)
        part_line = order.line_ids.filtered(lambda line: line.bill_to == "customer" and line.line_type == "part")
        self.assertAlmostEqual(part_line.with_user(self.user_advisor).margin, 600.0 - 360.0)
        goodwill = order.line_ids.filtered(lambda line: line.bill_to == "goodwill").with_user(self.user_advisor)
        self.assertEqual((goodwill.revenue, goodwill.margin, goodwill.margin_percent), (0.0, 0.0, 0.0))
        # as the manager, over JSON-RPC as the order's form reads it
        [row] = self._jsonrpc_ok(self.user_manager, "autorepair.service.order", "read", [order.id], MARGIN_FIELDS)
        self.assertAlmostEqual(row["margin"], 400.0)

    def test_margin_hidden_from_technician_and_storekeeper(self):
        order, line = self._approved_order()
        self._issue(line, 2)
        for user in (self.user_technician, self.user_storekeeper):
            for model, record in (("autorepair.service.order", order), ("autorepair.service.order.line", line)):
                with self.assertRaises(AccessError, msg=user.login):
                    record.with_user(user).read(["margin"])
                fields_shown = self._jsonrpc_ok(user, model, "fields_get", attributes=["type"])
                self.assertFalse(set(MARGIN_FIELDS) & set(fields_shown), f"{user.login} is not shown {model}'s cost")
                for method, args in (("read", ([record.id], MARGIN_FIELDS)),
                                     ("search_read", ([("id", "=", record.id)], ["parts_cost"])),
                                     ("web_read", ([record.id], {"margin": {}}))):
                    self._assert_rpc_refused(user, model, method, *args, refusals=("odoo.exceptions.AccessError",))
            self.assertFalse(set(MARGIN_FIELDS) & set(self._form_spec(user, "autorepair.service.order")),
                             f"{user.login}'s order form has no cost")
            # the rest of the order is his to read
            self.assertTrue(self._jsonrpc_ok(user, "autorepair.service.order", "read", [order.id], ["state"]))
        self.assertLessEqual(set(MARGIN_FIELDS), set(self._form_spec(self.user_advisor, "autorepair.service.order")))
        [row] = self._jsonrpc_ok(self.user_advisor, "autorepair.service.order.line", "read", [line.id],
                                 MARGIN_FIELDS)
        self.assertAlmostEqual(row["parts_cost"], 240.0)
        self.assertAlmostEqual(row["margin"], 600.0 - 240.0)

    def test_margin_query_budget(self):
        """The figures of a page of orders in a few queries, not a few per order."""
        orders = self.env["autorepair.service.order"]
        self._receive(self.part, 2, 120.0)  # six to issue, four on the shelf: the store is topped up
        for _i in range(6):
            order, line = self._approved_order(qty=1)
            self._issue(line, 1)
            orders |= order
        orders = orders.with_user(self.user_advisor)
        # a first request from a cold cache warms the rules', settings' and taxes' caches
        self.env.invalidate_all()
        orders[:1].mapped("margin")
        self.env.invalidate_all()
        with self.assertQueryCount(17):
            orders[1:].mapped("margin")


@tagged("post_install", "-at_install")
class TestLabourCostSetting(CompanySettingsMixin, ServiceOrderCase):
    """What a clocked hour costs (工时成本) is each company's, set in Settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company_settings()

    def test_saved_per_company(self):
        self.assertEqual(self.company_1._autorepair_workshop_setting("labour_cost_rate"), 0.0, "none by default")
        self.assert_saved_per_company(autorepair_workshop_labour_cost_rate=85.0)
        self.assertEqual(self.company_2._autorepair_workshop_setting("labour_cost_rate"), 85.0)

    def test_refused(self):
        self.assert_refused({"autorepair_workshop_labour_cost_rate": -1})
