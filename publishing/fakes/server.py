"""One HTTP server (standard library ``ThreadingHTTPServer``) for every fake platform.

Routing: each platform module (``meta``, ``instagram``, ``linkedin``, ``x``, ``google_business``,
``publer``) installs routes (``core.route``) under the path prefixes of ``localbzz.platform_urls``. For a platform
route the server applies, in order: the platform's latency, a queued generic fault (answered in
the platform's own error dialect), the handler (under the state lock), the platform's usage or
rate-limit headers, and — for a "hang" fault — a pause AFTER the handler ran (the publish is
recorded, the answer comes too late: the unknown-outcome case).

Also served: ``/_fake/control`` (GET state, POST switches), ``/_fake/ledger``, ``/_fake/reset``,
``/_fake/media/<name>`` (sample files), ``/_fake/posts/<seq>`` and the platforms' post links
(``/facebook-web/…``, ``/instagram-web/…``, …): an HTML page per published item.
"""

from __future__ import annotations

import html
import logging
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from publishing.fakes import core, google_business, instagram, linkedin, media, meta, publer, x
from publishing.fakes.core import FakePlatforms, Reply, Request, Response, Route

logger = logging.getLogger("publishing.fakes")


def build() -> FakePlatforms:
    """A FakePlatforms with every platform installed."""
    fake = FakePlatforms()
    for module in (meta, instagram, linkedin, x, google_business, publer):
        module.install(fake)
    return fake


def dispatch(fake: FakePlatforms, request: Request) -> Response:
    if request.path.startswith("/_fake/"):
        return _control(fake, request)
    if re.match(r"^/[a-z]+-web/", request.path):
        return _post_page(fake, fake_entry_by_path(fake, unquote(request.path)))
    for candidate in fake.routes:
        if candidate.method != request.method:
            continue
        match = candidate.pattern.match(request.path)
        if match:
            return _platform_call(fake, candidate, request, match)
    return Response(404, {"error": {"message": f"Unknown path {request.path}", "code": 404}})


def _platform_call(fake: FakePlatforms, candidate: Route, request: Request, match: re.Match[str]) -> Response:
    platform = candidate.platform
    fake.wait(fake.latency.get(platform, fake.latency.get("*", 0.0)))
    fault = fake.take_fault(platform, candidate.operation, core.GENERIC_FAULTS)
    if fault and fault.kind != "hang":
        response = fake.errors[platform](fake, fault.kind, fault.params)
    else:
        try:
            with fake.lock:
                response = candidate.handler(fake, request, match)
        except Reply as reply:
            response = reply.response
    decorate = fake.decorators.get(platform)
    if decorate:
        decorate(fake, request, response)
    if fault and fault.kind == "hang":
        fake.wait(float(fault.params.get("seconds", fake.config["hang_seconds"])))
    return response


def fake_entry_by_path(fake: FakePlatforms, path: str) -> dict[str, Any] | None:
    with fake.lock:
        for entry in reversed(fake.entries):
            if unquote(entry.get("url", "")).endswith(path):
                return entry
    return None


def _control(fake: FakePlatforms, request: Request) -> Response:
    path = request.path
    if path == "/_fake/control":
        if request.method == "POST":
            try:
                return Response(200, fake.control(request.json() or {}))
            except (KeyError, TypeError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
        return Response(200, fake.state())
    if path == "/_fake/reset" and request.method == "POST":
        fake.reset()
        return Response(200, {"reset": True})
    if path == "/_fake/ledger":
        filters = {k: request.arg(k) for k in ("platform", "target_id", "text", "account")}
        items = fake.ledger(**filters)
        return Response(200, {"items": items, "total": len(items)})
    if path.startswith("/_fake/media/"):
        found = media.sample(path.rsplit("/", 1)[-1])
        if not found:
            return Response(404, "no such sample")
        data, kind = found
        return Response(200, data, {"Content-Type": kind})
    if path.startswith("/_fake/posts/"):
        seq = path.rsplit("/", 1)[-1]
        entries = [e for e in fake.ledger() if str(e["seq"]) == seq]
        return _post_page(fake, entries[0] if entries else None)
    if path == "/_fake/":
        rows = "".join(
            f"<li><a href='{html.escape(e['page'])}'>{html.escape(e['platform'])} · {html.escape(e['external_id'])}</a>"
            f" — {html.escape(e['text'][:80])}</li>"
            for e in reversed(fake.ledger())
        )
        return Response(200, f"<!doctype html><title>Fake platforms</title><h1>Published</h1><ul>{rows}</ul>")
    return Response(404, {"error": "unknown control path"})


def _post_page(fake: FakePlatforms, entry: dict[str, Any] | None) -> Response:
    if not entry:
        return Response(404, "<!doctype html><title>Not found</title><p>No such post on the fake platforms.</p>")
    images = "".join(
        f"<img src='{html.escape(url)}' alt='' style='max-width:320px;display:block;margin:8px 0'>"
        for url in entry["media_urls"]
    )
    body = (
        f"<!doctype html><title>{html.escape(entry['platform'])} post</title>"
        f"<main style='font-family:sans-serif;max-width:40rem;margin:2rem auto'>"
        f"<p><strong>{html.escape(entry['platform'])}</strong> · {html.escape(entry['account'])} · "
        f"{html.escape(entry['received_at'])} · {html.escape(entry.get('state', 'published'))}</p>"
        f"<p style='white-space:pre-wrap'>{html.escape(entry['text'])}</p>{images}"
        f"<p><small>id {html.escape(entry['external_id'])}</small></p></main>"
    )
    return Response(200, body)


class _Server(ThreadingHTTPServer):
    # The standard library listens with a backlog of 5: a burst of publishes (100 due in the same
    # second) would wait for TCP SYN retransmits (a second each). Real platforms take bursts.
    request_queue_size = 1024
    daemon_threads = True


class FakePlatformServer:
    """The fake platforms on ``host:port`` (port 0 picks a free one), served from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fake: FakePlatforms | None = None):
        self.fake = fake or build()
        self.httpd = _Server((host, port), _handler(self.fake))
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakePlatformServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-platforms", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.fake.reset()  # wakes hanging answers
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(fake: FakePlatforms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body leave in two writes: without this, delayed ACKs add ~40 ms per answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host, port = self.server.server_address[:2]
            base = f"http://{self.headers.get('Host') or f'{host}:{port}'}"
            try:
                response = dispatch(fake, Request.build(self.command, self.path, self.headers, body, base))
            except Exception:
                logger.exception("fake platforms: %s %s failed", self.command, self.path.split("?")[0])
                response = Response(500, {"error": {"message": "fake server bug", "code": 1}})
            data, kind = response.encode()
            try:
                self.send_response(response.status)
                for name, value in response.headers.items():
                    if name.lower() != "content-type" or data:
                        self.send_header(name, value)
                if kind and "Content-Type" not in response.headers:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a read timeout during a "hang")

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # paths only: tokens may ride in queries
            logger.debug("fake platforms: %s", self.requestline.split("?")[0])

    return Handler
