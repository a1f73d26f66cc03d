"""The morning of a dealer group, played by Locust against a running suite.

Run by tests/load_morning.py (which builds the database, the users and the
file named by AUTOREPAIR_LOAD_CONFIG, and reads the results); not meant to be
started by hand, though it can be with the same environment:

    AUTOREPAIR_LOAD_CONFIG=load.json locust -f tests/load/locustfile.py --headless \
        --host http://127.0.0.1:8069 --users 70 --spawn-rate 1.2 --run-time 10m

Each simulated person has his own session and speaks plain JSON-RPC, the calls
the web client makes for the screen he works on (staff), or loads the portal's
pages (customers). Between two actions he reads and types for 2 to 8 seconds.
A business refusal (UserError, AccessError, ValidationError: someone was
faster, nothing is left to do) is counted on its own and is not a server
error; anything else the server answers with an error is a failure.

This file runs in Locust's own virtualenv: it must not import Odoo.
"""

import itertools
import json
import os
import random
import threading
from collections import Counter

import gevent
from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["AUTOREPAIR_LOAD_CONFIG"], encoding="utf-8").read())
# business refusals: the answer a person gets when the record moved under him
REFUSALS = {"odoo.exceptions.UserError", "odoo.exceptions.ValidationError", "odoo.exceptions.AccessError",
            "odoo.exceptions.MissingError"}
REFUSED = Counter()  # per action, written to the results file at the end
REFUSED_LOCK = threading.Lock()
DISPLAY = {"fields": {"display_name": {}}}
KANBAN_SPEC = {
    "state": {}, "license_plate": {}, "is_appointment": {}, "vehicle_id": DISPLAY, "partner_id": DISPLAY,
    "need_type": {}, "amount_total": {}, "activity_ids": {}, "activity_state": {}, "technician_id": DISPLAY,
    "advisor_id": DISPLAY,
}
LIST_SPEC = {"name": {}, "state": {}, "license_plate": {}, "partner_id": DISPLAY, "amount_total": {}}
FORM_SPEC = {
    "name": {}, "state": {}, "partner_id": DISPLAY, "vehicle_id": DISPLAY, "license_plate": {},
    "advisor_id": DISPLAY, "technician_id": DISPLAY, "need_type": {}, "received_date": {}, "odometer_in": {},
    "amount_untaxed": {}, "amount_tax": {}, "amount_total": {}, "promised_date": {},
    "line_ids": {"fields": {
        "name": {}, "line_type": {}, "quantity": {}, "price_unit": {}, "decision": {}, "bill_to": {},
        "price_subtotal": {}, "work_state": {}, "technician_id": DISPLAY, "quote_id": DISPLAY,
    }},
    "quote_ids": {"fields": {"name": {}, "state": {}, "approved_amount": {}}},
}
LINE_SPEC = {"name": {}, "order_id": DISPLAY, "work_state": {}, "quantity": {}, "actual_hours": {},
             "license_plate": {}}
TASK_SPEC = {"display_name": {}, "kind": {}, "state": {}, "partner_id": DISPLAY, "vehicle_id": DISPLAY,
             "due_date": {}, "deadline": {}, "next_call_date": {}, "call_count": {},
             "license_plate": {}, "partner_mobile": {}}


def credentials(role):
    """Each person of a role takes the next login of the role."""
    return itertools.cycle(CONFIG["users"][role])


class OdooUser(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    role = None

    def on_start(self):
        self.person = getattr(self, "person", None) or next(self.logins)
        self.rpc_id = itertools.count(1)
        result = self.jsonrpc("/web/session/authenticate", {
            "db": CONFIG["db"], "login": self.person["login"], "password": self.person["password"],
        }, name="login")
        self.uid = result and result.get("uid")
        self.odoo_context = {"lang": "en_US", "tz": CONFIG["tz"], "uid": self.uid,
                        "allowed_company_ids": [CONFIG["company_id"]]}

    def jsonrpc(self, url, params, name):
        """POST a JSON-RPC call; its result, or None when it was refused or failed."""
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(self.rpc_id), "params": params}
        with self.client.post(url, json=payload, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            try:
                data = response.json()
            except ValueError:
                response.failure("not JSON")
                return None
            error = data.get("error")
            if not error:
                return data.get("result")
            kind = (error.get("data") or {}).get("name", "")
            if kind in REFUSALS:
                with REFUSED_LOCK:
                    REFUSED[name] += 1
                response.success()
            else:
                response.failure(f"{kind or error.get('message')}: {(error.get('data') or {}).get('message', '')}")
            return None

    def call(self, model, method, args, name, **kwargs):
        kwargs.setdefault("context", self.odoo_context)
        return self.jsonrpc(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": args, "kwargs": kwargs,
        }, name=name)

    def search_read(self, model, domain, spec, name, limit=80, order=None):
        result = self.call(model, "web_search_read", [], name, domain=domain, specification=spec, limit=limit,
                           order=order)
        return (result or {}).get("records", [])


class Advisor(OdooUser):
    """Service advisor at the desk: the workshop kanban, a car found by a
    fragment of its plate, an order opened, work quoted and the quote sent."""

    fixed_count = CONFIG["counts"]["advisor"]
    logins = credentials("advisor")

    @task(4)
    def kanban(self):
        groups = self.call("autorepair.service.order", "web_read_group", [], "advisor: kanban of today's orders",
                           domain=CONFIG["open_domain"], fields=["amount_total:sum"], groupby=["state"], lazy=True)
        for group in (groups or {}).get("groups", [])[:4]:
            if group.get("state_count"):
                self.search_read("autorepair.service.order", group["__domain"], KANBAN_SPEC,
                                 "advisor: kanban column", limit=40)

    @task(3)
    def search_plate(self):
        fragment = random.choice(CONFIG["plate_fragments"])
        self.search_read("autorepair.service.order", [("license_plate", "ilike", fragment)], LIST_SPEC,
                         "advisor: search by plate fragment", order="id desc")

    @task(3)
    def open_order(self):
        orders = self.search_read("autorepair.service.order", [("advisor_id", "=", self.uid), *CONFIG["open_domain"]],
                                  {"id": {}}, "advisor: my open orders", limit=40)
        if orders:
            self.call("autorepair.service.order", "web_read", [[random.choice(orders)["id"]]],
                      "advisor: open an order", specification=FORM_SPEC)

    @task(2)
    def quote(self):
        # a car received this morning first, else supplementary work on one being repaired
        orders = self.search_read("autorepair.service.order", [
            ("advisor_id", "=", self.uid), ("state", "in", ["received", "approved", "in_progress"]),
        ], {"id": {}, "state": {}}, "advisor: orders to quote", limit=20, order="state desc, id desc")
        received = [order for order in orders if order["state"] == "received"]
        order = (received or orders or [None])[0]
        if not order:
            return
        lines = [[0, 0, {"line_type": kind, "name": name, "quantity": quantity, "price_unit": price}]
                 for kind, name, quantity, price in random.sample(CONFIG["quote_lines"], 2)]
        saved = self.call("autorepair.service.order", "web_save", [[order["id"]], {"line_ids": lines}],
                          "advisor: add quote lines", specification={"amount_total": {}})
        if saved is not None:
            self.call("autorepair.service.order", "action_send_quote", [[order["id"]]], "advisor: send the quote")


class Technician(OdooUser):
    """Technician at the bay's tablet: his jobs, clocked on and off, and the
    self-check of a car whose work is done."""

    fixed_count = CONFIG["counts"]["technician"]
    logins = credentials("technician")

    def my_work(self):
        return self.search_read("autorepair.service.order.line", [
            ("technician_id", "=", self.uid), *CONFIG["work_domain"],
        ], LINE_SPEC, "technician: my work", limit=40)

    @task(4)
    def view_work(self):
        self.my_work()

    @task(3)
    def clock(self):
        lines = [line for line in self.my_work() if line["work_state"] != "done"]
        if not lines:
            return
        line = random.choice(lines)
        if line["work_state"] == "running":
            self.call("autorepair.service.order.line", "action_finish_work", [[line["id"]]],
                      "technician: finish a line")
        else:
            self.call("autorepair.service.order.line", "action_start_work", [[line["id"]]],
                      "technician: start a line")

    @task(1)
    def self_check(self):
        # a car whose labour is all done goes to the checks; the technician signs the first
        orders = self.search_read("autorepair.service.order", [
            ("state", "in", ["in_progress", "qc"]), ("line_ids.technician_id", "=", self.uid),
        ], {"id": {}, "state": {}, "check_due": {}}, "technician: cars to check", limit=10)
        for order in orders:
            if order["state"] == "qc" and order.get("check_due") == "self":
                self.call("autorepair.quality.check", "create", [{
                    "order_id": order["id"], "check_type": "self", "result": "pass",
                }], "technician: self-check")
                return
        lines = self.search_read("autorepair.service.order.line", [
            ("order_id", "in", [order["id"] for order in orders if order["state"] == "in_progress"]),
            ("line_type", "=", "labour"), ("is_approved", "=", True), ("work_state", "!=", "done"),
        ], {"order_id": {}}, "technician: unfinished work", limit=200)
        unfinished = {line["order_id"] for line in lines}
        for order in orders:
            if order["state"] == "in_progress" and order["id"] not in unfinished:
                self.call("autorepair.service.order", "action_request_check", [[order["id"]]],
                          "technician: work done, to the checks")
                return


class CareAgent(OdooUser):
    """Care agent: today's calls, and an unanswered call logged."""

    fixed_count = CONFIG["counts"]["care"]
    logins = credentials("care")

    def today(self):
        return self.search_read("autorepair.care.task", [
            ("user_id", "=", self.uid), ("state", "=", "open"), ("next_call_date", "<=", CONFIG["today"]),
        ], TASK_SPEC, "care: today's tasks")

    @task(4)
    def view_today(self):
        self.today()

    @task(2)
    def log_attempt(self):
        tasks = self.today()
        if tasks:
            self.call("autorepair.care.task", "action_no_answer", [[random.choice(tasks)["id"]]],
                      "care: log a call attempt")


class PortalCustomer(OdooUser):
    """A customer on his phone: the quote of his car, and his decision."""

    fixed_count = CONFIG["counts"]["portal"]
    logins = credentials("portal")

    def on_start(self):
        self.person = next(self.logins)
        # each customer from his own address, as nginx reports it (proxy mode): the portal's
        # limit of decisions per address is per customer, not for the whole load at once
        self.client.headers.update({
            "X-Forwarded-For": self.person["address"],
            "X-Forwarded-Host": self.host.split("://", 1)[-1], "X-Forwarded-Proto": "http",
        })
        super().on_start()
        self.quotes = list(self.person["quotes"])  # [order id, [line ids]] awaiting his decision

    @task(1)
    def my_orders(self):
        self.client.get("/my/service_orders", name="portal: my orders")

    @task(3)
    def quote_page(self):
        order_id = self.quotes[0][0] if self.quotes else random.choice(self.person["orders"])
        self.client.get(f"/my/service_orders/{order_id}", name="portal: open the quote page")

    @task(1)
    def decide(self):
        if not self.quotes:
            return
        order_id, line_ids = self.quotes.pop(0)
        choices = {f"decision_{line_id}": "approved" for line_id in line_ids}
        # the review of his choices, then the signed decision (the signature pad's call)
        self.client.get(f"/my/service_orders/{order_id}", params=choices, name="portal: review the decision")
        query = "&".join(f"{key}={value}" for key, value in choices.items())
        result = self.jsonrpc(f"/my/service_orders/{order_id}/decide?{query}", {
            "name": self.person["name"], "signature": CONFIG["signature"],
        }, name="portal: decide")
        if result and result.get("error"):  # the route answers a refusal in its result
            with REFUSED_LOCK:
                REFUSED["portal: decide"] += 1


RUN = {"requests": 0, "environment": None}


@events.init.add_listener
def remember(environment, **_kwargs):
    RUN["environment"] = environment


@events.request.add_listener
def bound_requests(**_kwargs):
    """A bound on the requests besides the users and the duration: past it, the run stops."""
    RUN["requests"] += 1
    if RUN["requests"] == CONFIG["max_requests"] and RUN["environment"] and RUN["environment"].runner:
        gevent.spawn(RUN["environment"].runner.quit)


@events.quitting.add_listener
def write_refusals(environment, **_kwargs):
    path = os.environ.get("AUTOREPAIR_LOAD_REFUSALS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(dict(REFUSED), out)
