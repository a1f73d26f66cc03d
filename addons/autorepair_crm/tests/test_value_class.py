from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-20")
class TestValueClass(AccountTestInvoicingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"autorepair_crm_abc_window_months": 12, "autorepair_crm_abc_a_visits": 4,
                               "autorepair_crm_abc_a_spend": 8000, "autorepair_crm_abc_b_visits": 2,
                               "autorepair_crm_abc_b_spend": 2000})
        Partner = cls.env["res.partner"]
        cls.gold = Partner.create({"name": "金牌客户", "is_autorepair_customer": True})
        cls.regular = Partner.create({"name": "常客", "is_autorepair_customer": True})
        cls.big_once = Partner.create({"name": "大修一次", "is_autorepair_customer": True})
        cls.rare = Partner.create({"name": "少来", "is_autorepair_customer": True})
        cls.old_timer = Partner.create({"name": "老客户", "is_autorepair_customer": True})
        for partner, visits in ((cls.gold, [2500] * 4), (cls.regular, [300, 400]), (cls.big_once, [2500]),
                                (cls.rare, [500])):
            for amount in visits:
                cls._invoice(partner, amount, "2026-06-01")
        # outside the trailing window: does not count any more
        for _i in range(5):
            cls._invoice(cls.old_timer, 5000, "2025-10-01")

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, move_type="out_invoice"):
        return cls.init_invoice(move_type, partner=partner, invoice_date=invoice_date, amounts=[amount],
                                taxes=[], post=True)

    def _classes(self):
        customers = self.gold | self.regular | self.big_once | self.rare | self.old_timer
        customers.invalidate_recordset(["value_class"])
        return {p.name: p.value_class for p in customers}

    def test_classes(self):
        self.env["res.partner"]._recompute_value_class()
        expected = {"金牌客户": "A", "常客": "B", "大修一次": "B", "少来": "C", "老客户": "C"}
        self.assertEqual(self._classes(), expected)

    def test_credit_note_reduces_spend(self):
        self._invoice(self.big_once, 1000, "2026-07-01", move_type="out_refund")
        self.env["res.partner"]._recompute_value_class()
        self.assertEqual(self._classes()["大修一次"], "C", "2500 - 1000 is under the class B spend")

    def test_thresholds_are_settings(self):
        self.env.company.write({"autorepair_crm_abc_a_visits": 2, "autorepair_crm_abc_a_spend": 600,
                                "autorepair_crm_abc_b_spend": 500})
        self.env["res.partner"]._recompute_value_class()
        self.assertEqual(self._classes()["常客"], "A")

    def test_each_company_its_own_classes(self):
        """The same visits and spend make a class A customer in a branch with
        lower thresholds, and nothing in one with a shorter window."""
        lower = self.setup_other_company(name="二店")["company"]
        lower.write({"autorepair_crm_abc_a_visits": 2, "autorepair_crm_abc_a_spend": 600,
                     "autorepair_crm_abc_b_spend": 500})
        shorter = self.setup_other_company(name="三店")["company"]
        shorter.write({"autorepair_crm_abc_window_months": 3})
        Partner = self.env["res.partner"]
        customers = Partner
        for company in (lower, shorter):
            customer = Partner.create({"name": f"{company.name}常客", "is_autorepair_customer": True,
                                       "company_id": company.id})
            for amount in (300, 400):
                self.init_invoice("out_invoice", partner=customer, invoice_date="2026-06-01", amounts=[amount],
                                  taxes=[], post=True, company=company)
            customers |= customer
        expected = {"常客": "B", "二店常客": "A", "三店常客": "C"}
        Partner._recompute_value_class()
        (customers | self.regular).invalidate_recordset(["value_class"])
        self.assertEqual({p.name: p.value_class for p in customers | self.regular}, expected)

    def test_second_run_writes_nothing_and_batch_cost_is_flat(self):
        Partner = self.env["res.partner"]
        changed = Partner._recompute_value_class()
        self.assertEqual(Partner._recompute_value_class(), {}, "nothing changed, nothing written")
        self.assertTrue(changed)

        def queries():
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            Partner._recompute_value_class()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        Partner.create([{"name": f"客户{i}", "is_autorepair_customer": True} for i in range(10)])
        small = queries()
        Partner.create([{"name": f"新客户{i}", "is_autorepair_customer": True, "value_class": "A"}
                        for i in range(100)])
        large = queries()
        self.assertLessEqual(large, small + 3, "one write per class, whatever the number of customers")
