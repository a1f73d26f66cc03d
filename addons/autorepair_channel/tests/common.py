import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LocalProviderServer:
    """A provider played on localhost: an HTTP server in a thread that keeps
    every request and answers through ``respond(request) -> (status,
    headers, body)``, where request is a dict: method, path, query (dict of
    lists), headers (dict), body (bytes), json (parsed or None), form (dict
    of lists for form bodies). Tests check requests as the provider's
    documentation describes them. Use as a context manager or start/stop."""

    def __init__(self, respond):
        self.respond = respond
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                request = {
                    "method": self.command, "path": url.path, "query": parse_qs(url.query),
                    "headers": {key.lower(): value for key, value in self.headers.items()}, "body": body,
                }
                try:
                    request["json"] = json.loads(body) if body else None
                except ValueError:
                    request["json"] = None
                content_type = request["headers"].get("content-type", "")
                request["form"] = parse_qs(body.decode()) if "form-urlencoded" in content_type else {}
                server.requests.append(request)
                status, headers, payload = server.respond(request)
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload, ensure_ascii=False).encode()
                    headers = {"Content-Type": "application/json;charset=utf-8", **(headers or {})}
                elif isinstance(payload, str):
                    payload = payload.encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def host(self):
        """host:port, for an SDK's endpoint setting."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return f"http://{self.host}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
