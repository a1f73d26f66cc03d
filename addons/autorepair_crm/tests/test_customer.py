from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AutorepairCrmCase, make_vin


@tagged("post_install", "-at_install")
class TestCustomer(AutorepairCrmCase):

    def test_advisor_creates_customer_through_form(self):
        """The advisor types the phone as the customer says it; the file keeps E.164,
        the birthday comes from the resident ID, locality from the district."""
        Partner = self.env["res.partner"].with_user(self.user_advisor).with_context(
            default_is_autorepair_customer=True
        )
        with Form(Partner) as form:
            form.name = "王小明"
            form.mobile = "138 0013 8000"
            form.phone = "028-8555 6666"
            form.district_id = self.district_local
            form.vehicle_use = "private"
            form.care_agent_id = self.user_care_agent
        customer = form.record
        self.assertEqual(customer.mobile, "+8613800138000")
        self.assertEqual(customer.phone, "+862885556666")
        self.assertTrue(customer.is_local)
        self.assertEqual(customer.company_id, self.env.company, "customers belong to the dealer serving them")
        self.assertEqual(customer.phone_masked, "138****8000")
        self.assertEqual(customer.value_class, "C")

        customer.with_user(self.user_manager).write(
            {"resident_id_consent": True, "resident_id_number": "51010419870415003x"})
        self.assertEqual(customer.sudo().resident_id_number, "51010419870415003X")
        self.assertEqual(str(customer.birthday), "1987-04-15")

    def test_other_contacts_are_left_as_typed(self):
        """Suppliers and Odoo's own contacts are not customers: no phone policing."""
        supplier = self.env["res.partner"].create({"name": "Bosch", "phone": "+49 711 400 40990"})
        self.assertEqual(supplier.phone, "+49 711 400 40990")
        self.assertFalse(supplier.is_autorepair_customer)

    def test_duplicate_phone_refused_with_pointer(self):
        existing = self._customer("张伟", "13800138000")
        count = self.env["res.partner"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._customer("张 伟", "+86 138-0013-8000")
        message = caught.exception.args[0]
        self.assertIn("张伟", message, "the message names the customer on file")
        self.assertIn("张 伟", message, "and the incoming one")
        self.assertIn("138****8000", message)
        self.assertNotIn("13800138000", message, "the number is shown masked")
        self.assertEqual(self.env["res.partner"].search_count([]), count, "nothing saved")
        # the form, and only the form, offers to open the customer on file
        form = Form(self.env["res.partner"].with_user(self.user_advisor).with_context(
            default_is_autorepair_customer=True))
        form.name = "张 伟"
        form.mobile = "138 0013 8000"
        with self.assertRaises(RedirectWarning) as caught:
            form.save()
        message, action, _button = caught.exception.args[:3]
        self.assertEqual(action["res_id"], existing.id, "the warning opens the existing customer")
        self.assertIn("张伟", message)
        self.assertEqual(self.env["res.partner"].search_count([]), count, "nothing saved")
        # the same number as a landline of another customer is a duplicate too
        other = self._customer("李娜", "13900139000")
        with self.assertRaises(ValidationError):
            other.phone = "13800138000"
        self.assertFalse(other.phone)

    def test_duplicate_allowed_across_companies_and_family(self):
        self._customer("张伟", "13800138000")
        other_company = self.env["res.company"].create({"name": "绵阳分店"})
        twin = self._customer("张伟", "13800138000", company_id=other_company.id)
        self.assertEqual(twin.company_id, other_company)
        # a contact person of a company customer may share the company's number
        fleet_company = self._customer("成都出租车公司", "13700137000", is_company=True)
        driver = self.env["res.partner"].create({
            "name": "司机老王", "parent_id": fleet_company.id, "phone": "13700137000",
            "is_autorepair_customer": True,
        })
        self.assertEqual(driver.phone, "+8613700137000")

    def test_merge_keeps_vehicles_history_and_points(self):
        """Two files for one person become one, with every vehicle and move."""
        old = self._customer("刘洋", "13600136000")
        new = self._customer("刘洋", "13500135000")
        car1 = self._vehicle("川A11111", make_vin("LFV2A2BHRC000001"), owner=old)
        car2 = self._vehicle("川A22222", make_vin("LFV2A2BHRC000002"), owner=new)
        old._autorepair_points_card()._autorepair_points_move(300, "首保")
        new._autorepair_points_card()._autorepair_points_move(200, "定保")
        old.message_post(body="客户反映空调异响")
        wizard = self.env["base.partner.merge.automatic.wizard"].with_user(self.user_manager).create({
            "partner_ids": [Command.set((old | new).ids)], "dst_partner_id": new.id,
        })
        wizard.action_merge()
        self.assertFalse(old.exists())
        self.assertEqual(car1.owner_id, new)
        self.assertEqual(new.autorepair_vehicle_ids, car1 | car2)
        self.assertEqual(new.loyalty_points, 500)
        card = new._autorepair_points_cards()
        self.assertEqual(len(card), 1, "one points card per customer again")
        self.assertEqual(sorted(card.history_ids.mapped("description")), ["定保", "首保"])
        self.assertEqual(car1.ownership_ids.partner_id, new, "ownership history follows the merge")
        self.assertTrue(new.message_ids.filtered(lambda m: "空调异响" in (m.body or "")))

    def _balance(self, customer):
        customer.invalidate_recordset(["loyalty_points"])
        return customer.loyalty_points

    def test_points_program_in_chinese(self):
        """A program created while Chinese is installed reads in Chinese at the
        desk, whatever the language of the caller who created it."""
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self.env["res.company"].create({"name": "成都二店"})
        program = company.with_context(lang="en_US")._autorepair_points_program()
        chinese = program.with_context(lang="zh_CN")
        self.assertEqual((chinese.name, chinese.portal_point_name), ("会员积分", "积分"))
        self.assertEqual(chinese.reward_ids[:1].description, "积分抵扣")
        self.assertEqual(program.with_context(lang="en_US").name, "Member Points")

    def test_loyalty_ledger(self):
        """Points live on the customer's card of the company's points program
        (Odoo loyalty); they are redeemed through the customer's step, which
        checks the balance; staff propose adjustments, another service manager
        approves them."""
        customer = self._customer()
        program = self.company._autorepair_points_program()
        self.assertEqual(program.program_type, "loyalty")
        self.assertEqual(program, self.company._autorepair_points_program(), "one program per company")
        card = customer._autorepair_points_card()
        self.assertEqual(card, customer._autorepair_points_card(), "one card per customer and company")
        self.assertEqual((card.program_id, card.partner_id), (program, customer))
        # earned by the suite's own step when an invoice is paid (see the workshop's tests)
        card._autorepair_points_move(500, "定保消费")
        customer.with_user(self.user_advisor).action_loyalty_redeem(200, "保养券")
        redeem = card.history_ids.sorted("id")[-1]
        self.assertEqual((redeem.used, redeem.issued, redeem.create_uid), (200, 0, self.user_advisor))
        self.assertEqual(self._balance(customer), 300)
        self.assertEqual(card.points, 300)
        with self.assertRaises(ValidationError):
            customer.with_user(self.user_sales).action_loyalty_redeem(400, "超额兑换")
        for points in (0, -5, 1.5):
            with self.assertRaises(UserError):
                customer.with_user(self.user_sales).action_loyalty_redeem(points, "错误")
        self.assertEqual(self._balance(customer), 300)
        # an adjustment counts once approved by a manager who did not propose it
        Adjustment = self.env["autorepair.loyalty.adjustment"]
        adjustment = Adjustment.with_user(self.user_sales).create(
            {"partner_id": customer.id, "points": 50, "description": "老客户回馈"})
        self.assertEqual(self._balance(customer), 300, "a proposal counts nothing")
        adjustment.with_user(self.user_manager).action_approve()
        self.assertEqual((adjustment.state, adjustment.approved_by_id, adjustment.card_id), (
            "approved", self.user_manager, card))
        self.assertEqual(adjustment.history_id.issued, 50)
        self.assertEqual(self._balance(customer), 350)
        refused = Adjustment.with_user(self.user_sales).create(
            {"partner_id": customer.id, "points": -50, "description": "误加"})
        refused.with_user(self.user_manager).action_refuse()
        self.assertEqual((refused.state, self._balance(customer)), ("refused", 350))
        with self.assertRaises(ValidationError):
            Adjustment.create({"partner_id": customer.id, "points": 0, "description": "空"})
        # the program's reward is the points' value at settlement (100 points = 1 yuan by default)
        reward = program.reward_ids[:1]
        self.assertEqual((reward.reward_type, reward.discount_mode, reward.required_points),
                         ("discount", "per_point", 100))
        self.assertAlmostEqual(reward.discount, 0.01)
        self.company.autorepair_crm_points_redeem_per_yuan = 50
        self.assertAlmostEqual(reward.discount, 0.02)
        self.assertEqual(reward.required_points, 50)

        # a sales consultant proposes an adjustment: it counts once a manager approves it
        adjust = Adjustment.with_user(self.user_sales).create({"partner_id": customer.id, "points": 50,
                                                               "description": "补偿"})
        self.assertEqual((adjust.state, adjust.user_id), ("draft", self.user_sales))
        self.assertEqual(self._balance(customer), 350, "a proposal does not count")
        with self.assertRaises(AccessError):
            adjust.with_user(self.user_sales).action_approve()
        adjust.with_user(self.user_manager).action_approve()
        self.assertEqual((adjust.state, adjust.approved_by_id), ("approved", self.user_manager))
        self.assertTrue(adjust.approved_date)
        self.assertEqual(self._balance(customer), 400)
        with self.assertRaises(UserError):
            adjust.with_user(self.user_manager).action_approve()

        # a manager's own proposal is decided by another manager
        own = Adjustment.with_user(self.user_manager).create({"partner_id": customer.id, "points": 20,
                                                              "description": "活动赠送"})
        with self.assertRaises(AccessError):
            own.with_user(self.user_manager).action_approve()
        own.with_user(self.user_general_manager).action_refuse()
        self.assertEqual((own.state, own.approved_by_id), ("refused", self.user_general_manager))
        self.assertEqual(self._balance(customer), 400)

        # an approved adjustment cannot take the balance below zero
        wrong = Adjustment.with_user(self.user_sales).create({"partner_id": customer.id, "points": -1000,
                                                              "description": "更正"})
        with self.assertRaises(ValidationError):
            wrong.with_user(self.user_manager).action_approve()
        self.assertEqual(wrong.state, "draft")
        self.assertEqual(self._balance(customer), 400)

    def test_consent_and_opt_out(self):
        customer = self._customer(marketing_consent=True, marketing_consent_date="2026-01-05",
                                  marketing_consent_source="form")
        self.assertTrue(customer.marketing_consent)
        # opting out withdraws the consent: both cannot hold at once
        customer.marketing_opt_out = True
        self.assertEqual((customer.marketing_consent, customer.marketing_opt_out), (False, True))
        self.assertEqual(customer.consent_ids.sorted("id").mapped("granted"), [True, False])
