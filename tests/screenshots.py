#!/usr/bin/env python3
"""Screenshots of each demo role's home screen, on a desk and on a phone.

Logs in as each demo user (password = login) on a running server, opens the web
client as it opens after login and saves the screen, once at 1440x900 and once
at 390x844 (a phone, touch enabled), as docs/screens/<role>-desk.png and
docs/screens/<role>-phone.png. Drives headless Chromium over the DevTools
protocol with websocket-client, as Odoo's own browser tests do.

    scripts/run                                    # serve the Chinese demo on :8069
    python3 tests/screenshots.py                   # every role, into docs/screens/
    python3 tests/screenshots.py --url http://localhost:8181 --db ar_demo --roles advisor,technician
"""

import argparse
import base64
import itertools
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import requests
import websocket

ROOT = pathlib.Path(__file__).resolve().parent.parent
# role -> demo login (autorepair_crm/demo/res_users_demo.xml)
ROLES = {
    "advisor": "demo_advisor",
    "technician": "demo_technician",
    "team-lead": "demo_team_lead",
    "inspector": "demo_inspector",
    "care-agent": "demo_care_agent",
    "insurance": "demo_insurance",
    "care-manager": "demo_care_manager",
    "sales": "demo_sales",
    "manager": "demo_manager",
    "general-manager": "demo_general_manager",
}
SIZES = {"desk": (1440, 900, False), "phone": (390, 844, True)}
# the web client is ready when a view is drawn and no request is pending
READY = """(() => {
    const view = document.querySelector('.o_action_manager .o_view_controller, .o-mail-Discuss');
    const busy = document.querySelector('.o_loading_indicator, .o-main-components-container .o_blockUI');
    return Boolean(view) && !busy && document.readyState === 'complete';
})()"""


class Chrome:
    """One headless Chromium and one of its pages, driven over the DevTools protocol."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="autorepair-screens-")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.proc = subprocess.Popen([
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
            f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}", "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _attempt in range(100):
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                page = next(page for page in pages if page["type"] == "page")
                break
            except (requests.ConnectionError, StopIteration, ValueError):
                time.sleep(0.1)
        else:
            self.close()
            sys.exit("Chromium did not open its DevTools port")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)

    def send(self, method, **params):
        """Send a command and return its result (events received meanwhile are dropped)."""
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(url, db, user):
    """The session id of the user, logged in with his password (= login in the demo)."""
    session = requests.Session()
    response = session.post(f"{url}/web/session/authenticate", json={
        "jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": user, "password": user},
    }, timeout=60)
    response.raise_for_status()
    body = response.json()
    if body.get("error") or not body.get("result", {}).get("uid"):
        sys.exit(f"{user} cannot log in on {url} (database {db}): {body.get('error', {}).get('message', '')}")
    return session.cookies["session_id"]


def shoot(chrome, url, session_id, size, path, timeout, tz):
    width, height, phone = SIZES[size]
    host = requests.utils.urlparse(url).hostname
    chrome.send("Network.enable")
    chrome.send("Network.setCookie", name="session_id", value=session_id, domain=host, path="/")
    chrome.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=phone)
    chrome.send("Emulation.setTouchEmulationEnabled", enabled=phone, maxTouchPoints=5 if phone else 1)
    # the web client shows times in the browser's time zone: the dealer's, not the machine's
    chrome.send("Emulation.setTimezoneOverride", timezoneId=tz)
    # the home screen, as after login: no action in the address
    chrome.send("Page.navigate", url=f"{url}/odoo")
    deadline = time.monotonic() + timeout
    time.sleep(1)
    while not chrome.evaluate(READY):
        if time.monotonic() > deadline:
            print(f"  {path.name}: the screen was not ready after {timeout} s, saved as it is", file=sys.stderr)
            break
        time.sleep(0.3)
    time.sleep(1.5)  # let the last images and transitions settle
    data = chrome.send("Page.captureScreenshot", format="png")["data"]
    path.write_bytes(base64.b64decode(data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069", help="the running server (default %(default)s)")
    parser.add_argument("--db", default="autorepair", help="its database (default %(default)s)")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated, among: " + ", ".join(ROLES))
    parser.add_argument("--sizes", default="desk,phone", help="desk (1440x900), phone (390x844)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens"), help="folder (default docs/screens)")
    parser.add_argument("--tz", default="Asia/Shanghai", help="the browser's time zone (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each screen")
    parser.add_argument("--chrome", default=shutil.which("chromium") or shutil.which("google-chrome")
                        or shutil.which("chromium-browser"), help="Chromium's executable")
    args = parser.parse_args()
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    unknown = set(roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    if not args.chrome:
        parser.error("Chromium not found: give its path with --chrome")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    url = args.url.rstrip("/")
    for role in roles:
        session_id = login(url, args.db, ROLES[role])
        for size in args.sizes.split(","):
            path = out / f"{role}-{size}.png"
            # a browser of its own for each screen: the web client's shared bus worker
            # of the last user would call this page out of date
            chrome = Chrome(args.chrome)
            try:
                shoot(chrome, url, session_id, size, path, args.timeout, args.tz)
            finally:
                chrome.close()
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
