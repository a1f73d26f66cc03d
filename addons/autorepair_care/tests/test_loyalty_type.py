import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.autorepair_care import _post_init_hook

from .common import TODAY, CareCase, at, days


@tagged("post_install", "-at_install")
class TestLoyaltyType(CareCase):
    """The loyalty type (忠诚 / 灵活 / 流失, RULEBOOK §2) follows the visits and
    the lost-customer lists; a lost customer won back moves back; a manager
    may override it with a reason, nobody else sets it."""

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"]
        self.customer = self._client("王强", "13800138021")
        self.vehicle = self._car("川A20021", self.customer)

    def visit(self, day, partner=None, vehicle=None):
        """A delivered visit on ``day``: the superuser delivers at once (the workflow is the workshop's tests')."""
        with freeze_time(at(day, 16)):
            order = self.env["autorepair.service.order"].create({
                "vehicle_id": (vehicle or self.vehicle).id, "partner_id": (partner or self.customer).id,
                "need_type": "periodic_maintenance",
            })
            order.write({"state": "delivered", "delivered_date": datetime.datetime.now()})
        return order

    def listed_lost(self, day, partner=None):
        """The customer on the month's lost-customer list."""
        task = self.Task.create({
            "rule_id": self.rule_lost.id, "kind": "lost", "partner_id": (partner or self.customer).id,
            "due_date": day, "deadline": day + days(28), "user_id": self.user_care_agent.id,
        })
        # the ORM stamps the database's clock, which freezegun does not stop
        self.env.cr.execute(SQL("UPDATE autorepair_care_task SET create_date = %s WHERE id = %s",
                                at(day, 2), task.id))
        task.invalidate_recordset(["create_date"])
        return task

    def recompute(self):
        return self.Partner._cron_recompute_loyalty_type()

    def test_installation_classifies_without_a_message_each(self):
        """At installation every customer gets his type from the visits on
        file, without a chatter message each (a dealer group's 200,000); a
        change found by the nightly run is in the customer's chatter."""
        self.visit(TODAY - days(30))
        env = self.env(context=dict(self.env.context, tracking_disable=False))  # tracked, as outside tests
        customer = self.customer.with_env(env)

        def unclassified():  # as the addon finds him: visits on file, no type yet
            env.cr.execute(SQL("UPDATE res_partner SET loyalty_type_auto = NULL, loyalty_type = NULL WHERE id = %s",
                               customer.id))
            customer.invalidate_recordset(["loyalty_type_auto", "loyalty_type"])

        def trackings():
            env.cr.precommit.run()  # tracking values are written at commit
            return customer.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "loyalty_type")

        unclassified()
        with freeze_time(at(TODAY, 9)):
            _post_init_hook(env)
        self.assertEqual(customer.loyalty_type, "switcher")
        self.assertFalse(trackings())
        unclassified()
        env["res.partner"]._cron_recompute_loyalty_type()
        self.assertEqual(customer.loyalty_type, "switcher")
        self.assertEqual(len(trackings()), 1)

    def test_no_visit_no_type(self):
        self.recompute()
        self.assertFalse(self.customer.loyalty_type)

    def test_regular_visits_make_a_loyal_customer(self):
        self.visit(TODAY - days(200))
        self.assertEqual(self.customer.loyalty_type, "switcher", "one visit: not yet loyal")
        self.visit(TODAY - days(20))
        self.assertEqual(self.customer.loyalty_type, "loyal", "set at the visit, not the next night")
        self.recompute()
        self.assertEqual(self.customer.loyalty_type, "loyal")

    def test_visits_outside_the_window_do_not_count(self):
        self.visit(TODAY - days(500))
        self.visit(TODAY - days(30))
        self.recompute()
        self.assertEqual(self.customer.loyalty_type, "switcher")

    def test_serviced_elsewhere_is_a_switcher(self):
        self.visit(TODAY - days(200))
        self.visit(TODAY - days(40))
        self.assertEqual(self.customer.loyalty_type, "loyal")
        task = self.listed_lost(TODAY - days(10))
        # a win-back call hears he went to another shop
        task.write({"state": "elsewhere", "no_return_reason": "elsewhere", "other_shop_name": "路边店"})
        self.assertEqual(self.customer.loyalty_type, "lost", "listed and not back since")
        self.visit(TODAY - days(2))
        self.assertEqual(self.customer.loyalty_type, "switcher", "back, but seen at another shop this year")

    def test_lost_and_won_back(self):
        self.visit(TODAY - days(300))
        self.visit(TODAY - days(150))
        self.listed_lost(TODAY - days(5))
        self.recompute()
        self.assertEqual(self.customer.loyalty_type, "lost")
        # won back: the visit itself moves him back, to what his visits say
        order = self.visit(TODAY)
        self.assertEqual(self.customer.loyalty_type, "loyal")
        self.assertEqual(self.Task.search([("partner_id", "=", self.customer.id)]).returned_order_id, order)

    def test_absent_without_a_list_is_lost(self):
        """A customer who refused the reminders is never listed, yet is lost."""
        self.visit(TODAY - days(self.company.autorepair_care_lost_min_days + 1))
        self.recompute()
        self.assertEqual(self.customer.loyalty_type, "lost")

    def test_orders_of_a_contact_count_for_the_customer(self):
        fleet_owner = self._client("成都顺达物流有限公司", "13800138022", is_company=True)
        driver = self.Partner.create({"name": "司机小刘", "parent_id": fleet_owner.id})
        car = self._car("川A20022", fleet_owner)
        self.visit(TODAY - days(100), partner=driver, vehicle=car)
        self.visit(TODAY - days(10), partner=driver, vehicle=car)
        self.recompute()
        self.assertEqual(fleet_owner.loyalty_type, "loyal")

    def test_nightly_run_twice_changes_nothing_more(self):
        customers = [self._client(f"客户{i}", f"1380013810{i}") for i in range(4)]
        for i, customer in enumerate(customers):
            car = self._car(f"川A3000{i}", customer)
            self.visit(TODAY - days(30 + 100 * i), partner=customer, vehicle=car)
        # written as the history says, by the nightly run, once
        self.env.cr.execute(SQL("UPDATE res_partner SET loyalty_type_auto = NULL, loyalty_type = NULL"))
        self.env.invalidate_all()
        first = self.recompute()
        self.assertGreaterEqual(first.get("lost", 0), 3)
        self.assertGreaterEqual(first.get("switcher", 0), 1)
        self.assertEqual(self.recompute(), {})
        # 30 days away: back; 130, 230, 330: past the 90 days of "lost after"
        self.assertEqual([c.loyalty_type for c in customers], ["switcher", "lost", "lost", "lost"])

    def test_query_count_does_not_grow_with_customers(self):
        counts = []
        for batch in range(3):
            for i in range(10):
                customer = self._client(f"批量{batch}{i}", f"139001{batch}{i:04d}")
                self.visit(TODAY - days(30), partner=customer, vehicle=self._car(f"川B{batch}{i:04d}", customer))
            self.env.cr.execute(SQL("UPDATE res_partner SET loyalty_type_auto = NULL"))
            self.env.invalidate_all()
            counts.append(self._count_queries(self.recompute))
        # 10 customers more each time: the same queries
        self.assertEqual(counts[1], counts[2], counts)

    def test_manager_overrides_with_a_reason(self):
        self.visit(TODAY - days(200))
        self.visit(TODAY - days(20))
        customer = self.customer.with_user(self.user_manager)
        with self.assertRaises(ValidationError):
            customer.write({"loyalty_type_override": "switcher"})
        customer.write({"loyalty_type_override": "switcher", "loyalty_type_reason": "只在本店做保养，钣喷去了别家"})
        self.assertEqual((customer.loyalty_type, customer.loyalty_type_auto), ("switcher", "loyal"))
        self.recompute()
        self.visit(TODAY - days(1))
        self.assertEqual(customer.loyalty_type, "switcher", "the override holds through visits and nights")
        customer.write({"loyalty_type_override": False, "loyalty_type_reason": False})
        self.assertEqual(customer.loyalty_type, "loyal", "the history speaks again")

    def test_only_a_manager_overrides(self):
        self.visit(TODAY - days(20))
        for user in (self.user_care_agent, self.user_care_manager, self.user_advisor, self.user_sales):
            with self.assertRaises(AccessError, msg=user.login):
                self.customer.with_user(user).write({"loyalty_type_override": "loyal", "loyalty_type_reason": "老客户"})
        for user in (self.user_care_agent, self.user_manager):
            for vals in ({"loyalty_type": "loyal"}, {"loyalty_type_auto": "loyal"}):
                with self.assertRaises(AccessError, msg=user.login):
                    self.customer.with_user(user).write(vals)
            with self.assertRaises(AccessError, msg=user.login):
                self.Partner.with_user(user).create({"name": "新客户", "is_autorepair_customer": True,
                                                     "loyalty_type": "loyal"})
        self.assertEqual(self.customer.loyalty_type, "switcher")
