"""Attacks of a technician, over real HTTP, on the customers' phone numbers
he sees masked (138****8000): every way of searching, grouping, ordering or
reading the number is refused or finds nothing, and nothing changes."""

import json

from odoo.tests import HttpCase, tagged

from .common import AutorepairCrmCase, RpcClientMixin

MASKED_ERROR = "Workshop staff see customers' phone numbers masked"
NUMBER = "13800138000"


@tagged("post_install", "-at_install")
class TestAttackMasking(AutorepairCrmCase, HttpCase, RpcClientMixin):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("张伟", NUMBER, phone="028-8888 8888")
        cls.vehicle = cls._vehicle("川A12345", owner=cls.customer)

    # ---------------------------------------------------------------- helpers

    def _snapshot(self):
        """What an attack could have changed: the customer's file, the rows of
        the models it touches."""
        self.env.invalidate_all()
        customer = self.customer.sudo()
        return {
            "customer": (customer.name, customer.mobile, customer.phone, customer.phone_sanitized,
                         customer.write_date),
            "counts": {model: self.env[model].sudo().with_context(active_test=False).search_count([])
                       for model in ("res.partner", "fleet.vehicle", "mail.message", "res.users")},
        }

    def assert_refused(self, model, method, *args, **kwargs):
        """The technician's call is refused as an AccessError, over JSON-RPC
        and over XML-RPC, and nothing changed in the database."""
        return self._assert_rpc_refused(self.user_technician, model, method, *args,
                                        refusals=("odoo.exceptions.AccessError",), xmlrpc=True, **kwargs)

    def test_phone_mobile_search_digit_by_digit(self):
        """The reported attack: search_count on Odoo's phone_mobile_search
        (raw SQL past the field groups), a right and a wrong digit."""
        for prefix in ("+86138", "+86139", "138001", "0086138"):
            with self.subTest(prefix=prefix):
                error = self.assert_refused("res.partner", "search_count",
                                            [("phone_mobile_search", "like", prefix)])
                self.assertIn(MASKED_ERROR, error["message"])
        # nor by asking whether a number is set at all
        self.assert_refused("res.partner", "search_count", [("phone_mobile_search", "!=", False)])

    def test_stored_phone_fields_and_fragment_search(self):
        for fname in ("mobile", "phone", "phone_sanitized", "phone_search"):
            for value in ("1380013", "1390013"):
                with self.subTest(field=fname, value=value):
                    self.assert_refused("res.partner", "search_count", [(fname, "like", value)])
        self.assert_refused("res.partner", "search_read", [("mobile", "=like", "+86138%")], ["name"])
        self.assert_refused("res.partner", "web_search_read", [("phone_search", "ilike", "8000")],
                            {"display_name": {}})

    def test_through_relations(self):
        """The same through the vehicle's owner, with a path, with 'any', and
        through the users' partners (joined, not searched)."""
        for domain in (
            [("owner_id.mobile", "like", "+86138")],
            [("owner_id.phone_mobile_search", "like", "+86138")],
            [("owner_id.phone_search", "ilike", "0013")],
            [("owner_id", "any", [("phone_mobile_search", "like", "138")])],
            [("owner_id", "any", [("phone_sanitized", "like", "+86138%")])],
            ["|", ("license_plate", "=", "川A12345"), ("owner_id.phone", "like", "028")],
        ):
            with self.subTest(domain=domain):
                self.assert_refused("fleet.vehicle", "search_count", domain)
        for domain in ([("phone_mobile_search", "like", "138")], [("partner_id.phone_mobile_search", "like", "138")],
                       [("partner_id.mobile", "like", "+86138%")]):
            with self.subTest(domain=domain):
                self.assert_refused("res.users", "search_count", domain)

    def test_grouped_and_aggregated(self):
        self.assert_refused("res.partner", "read_group", [], ["mobile"], ["mobile"])
        self.assert_refused("res.partner", "read_group", [], ["mobile:max"], ["is_company"])
        self.assert_refused("res.partner", "read_group", [], ["phone_sanitized:count_distinct"], ["is_company"])
        self.assert_refused("res.partner", "web_read_group", [], ["__count"], ["phone"])
        self.assert_refused("fleet.vehicle", "read_group", [("owner_id.mobile", "!=", False)],
                            ["license_plate"], ["owner_id"])

    def test_sort_position(self):
        """Where a customer sorts among others by number tells the number."""
        self.assert_refused("res.partner", "search", [("is_autorepair_customer", "=", True)], order="mobile")
        self.assert_refused("res.partner", "search_read", [], ["name"], order="phone_sanitized desc")
        self.assert_refused("res.partner", "web_search_read", [], {"display_name": {}}, order="mobile desc")

    def test_reads_past_read(self):
        """Public methods other than read that return a field's value."""
        self.assert_refused("res.partner", "copy_data", [self.customer.id])
        self.assert_refused("res.partner", "search_fetch", [("id", "=", self.customer.id)], ["mobile"])
        self.assert_refused("res.partner", "onchange", [self.customer.id], {}, [], {"name": {}, "mobile": {}})
        self.assert_refused("fleet.vehicle", "web_read", [self.vehicle.id],
                            {"owner_id": {"fields": {"display_name": {}, "mobile": {}}}})
        self.assert_refused("res.partner", "web_read", [self.customer.id],
                            {"autorepair_vehicle_ids": {"fields": {"owner_id": {"fields": {"phone": {}}}}}})

    def test_sms_composer(self):
        """Odoo's SMS composer opened on the customer shows the number it sends to."""
        self.assert_refused("sms.composer", "create", {
            "composition_mode": "comment", "res_model": "res.partner", "res_id": self.customer.id, "body": "x",
        })

    def test_chatter_masks_numbers(self):
        """A number in a note and a phone change tracked in the chatter: the
        technician's chatter shows them masked, and a search of message bodies
        by digits finds the same with a right and a wrong digit."""
        advisor_env = self.env(user=self.user_advisor, context={})
        advisor_env["res.partner"].browse(self.customer.id).message_post(
            body=f"新号码 {NUMBER[:3]} {NUMBER[3:7]} {NUMBER[7:]}，请回电", message_type="comment",
            subtype_xmlid="mail.mt_note")
        advisor_env["res.partner"].browse(self.customer.id).write({"phone": "028-6666 5555"})
        self.env.flush_all()
        before = self._snapshot()
        self.authenticate(self.user_technician.login, self.user_technician.login)
        response = self.url_open("/mail/thread/messages", data=json.dumps({
            "params": {"thread_model": "res.partner", "thread_id": self.customer.id},
        }), headers={"Content-Type": "application/json"})
        text = response.text
        self.assertIn("138****8000", text)
        for leaked in ("0013 8000", NUMBER, "6666 5555", "66665555", "8888 8888", "88888888"):
            self.assertNotIn(leaked, text)
        messages = self._jsonrpc_ok(self.user_technician, "mail.message", "search_read",
                                    [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)],
                                    ["body", "preview"])
        self.assertTrue(any("138****8000" in (m["body"] or "") for m in messages))
        self.assertFalse(any("0013 8000" in (m["body"] or "") + (m["preview"] or "") for m in messages))
        counts = {
            value: self._jsonrpc_ok(self.user_technician, "mail.message", "search_count", [("body", "ilike", value)])
            for value in ("138 0013", "139 0013", "0013 8000", "0014 8000")
        }
        self.assertEqual(set(counts.values()), {0}, counts)
        self.assertEqual(self._snapshot()["counts"], before["counts"])

    def test_internal_notes(self):
        """The customer's internal notes hold a second number: read masked,
        searched by digits it answers the same for a right and a wrong one."""
        self.customer.comment = "<p>备用电话 139 0000 1111</p>"
        before = self._snapshot()
        [row] = self._jsonrpc_ok(self.user_technician, "res.partner", "read", [self.customer.id], ["comment"])
        self.assertEqual(row["comment"], "<p>备用电话 139****1111</p>")
        [row] = self._xmlrpc(self.user_technician, "res.partner", "read", [self.customer.id], ["comment"])
        self.assertNotIn("0000", row["comment"])
        ours = [("id", "=", self.customer.id)]
        counts = [self._jsonrpc_ok(self.user_technician, "res.partner", "search_count",
                                   [*ours, ("comment", "ilike", value)])
                  for value in ("139 0000", "139 0001", "0000 1111", "0000 1112")]
        self.assertEqual(counts, [0, 0, 0, 0])
        self.assert_refused("res.partner", "search_count", [*ours, ("comment", "=", "<p>备用电话 139 0000 1111</p>")])
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------ what stays usable

    def test_masked_twin_name_and_plate_still_work(self):
        rows = self._jsonrpc_ok(self.user_technician, "res.partner", "search_read",
                                [("name", "ilike", "张伟")], ["phone_masked"])
        self.assertIn({"id": self.customer.id, "phone_masked": "138****8000"}, rows)
        self.assertIn(self.vehicle.id, self._jsonrpc_ok(self.user_technician, "fleet.vehicle", "search",
                                                        [("plate_search", "ilike", "A12345")]))
        self.assertIn(self.customer.id, self._jsonrpc_ok(self.user_technician, "res.partner", "search",
                                                         [("autorepair_vehicle_ids.plate_search", "ilike", "A12345")]))
        # the technician's search views offer no number search
        for model in ("res.partner", "fleet.vehicle"):
            arch = self._jsonrpc_ok(self.user_technician, model, "get_views",
                                    [[False, "search"]])["views"]["search"]["arch"]
            self.assertNotIn("phone_search", arch)
            self.assertNotIn("phone_mobile_search", arch)
