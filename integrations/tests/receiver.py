"""A real webhook receiver on loopback (stdlib http.server in a thread) that verifies every request
with the ``standardwebhooks`` package, the way the README tells integrators to."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The README's recipe: ``Webhook(secret).verify(body, headers)`` (signature, and a timestamp
    within five minutes of now)."""
    try:
        Webhook(secret).verify(body, headers)
    except Exception:  # a wrong signature, a stale timestamp, no or a malformed secret: all refused
        return False
    return True


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.answer = 500  # what a correctly signed request gets
        self.delay = 0.0
        self.requests: list[dict] = []  # every request: headers, body, verdict
        self.accepted: list[dict] = []  # bodies of correctly signed events answered 2xx
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify(receiver.secret, dict(self.headers), body)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "verified": ok})
                    status = receiver.answer if ok else 401
                    if ok and 200 <= status < 300:
                        receiver.accepted.append(json.loads(body))
                reply = b'{"ok": true}' if 200 <= status < 300 else b"receiver says no: " + str(status).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/localbzz"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
