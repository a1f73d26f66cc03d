from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoValueClass(TransactionCase):
    def test_demo_customers_spread_by_their_visits(self):
        """The demo's customers get their value class from their year of
        visits (posted invoices), as the nightly run computes it: regulars A,
        occasional B, the rest C; the nightly run keeps the spread."""
        regular = self.env.ref("autorepair_crm.customer_03", raise_if_not_found=False)
        if not regular:
            return  # a database without demo data
        Partner = self.env["res.partner"]
        Partner._recompute_value_class()
        customers = Partner.search([("is_autorepair_customer", "=", True), ("company_id", "=", regular.company_id.id)])
        self.assertEqual(set(customers.mapped("value_class")), {"A", "B", "C"})
        for xmlid, value_class in (("customer_03", "A"), ("customer_27", "A"), ("customer_21", "B"),
                                   ("customer_15", "B"), ("customer_00", "C")):
            self.assertEqual(self.env.ref(f"autorepair_crm.{xmlid}").value_class, value_class, xmlid)
