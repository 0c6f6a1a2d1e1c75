"""A real webhook receiver on loopback (stdlib http.server in a thread) that checks signatures
the way the README tells integrators to."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """The README's recipe: HMAC-SHA256 of "<t>.<raw body>", constant-time compare, fresh t only."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        return False
    return abs((now if now is not None else time.time()) - timestamp) <= TOLERANCE_SECONDS


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
                ok = verify(receiver.secret, self.headers.get("X-LocalBzz-Signature", ""), body)
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
