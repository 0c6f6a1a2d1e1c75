"""One HTTP server (``localbzz.fakekit.FakeServer``) for every fake platform.

Routing: each platform module (``meta``, ``instagram``, ``linkedin``, ``x``, ``google_business``,
``publer``) installs routes (``localbzz.fakekit.route``, scoped by platform) under the path prefixes of
``localbzz.platform_urls``. A platform route goes the kit's way (``FakeApp.call``): the platform's
latency, a queued generic fault (answered in the platform's own error dialect: its ``error``),
the handler (under the state lock), the platform's usage or rate-limit headers (its
``decorate``), and — for a "hang" fault — a pause AFTER the handler ran (the publish is recorded,
the answer comes too late: the unknown-outcome case).

Also served: ``/_fake/control`` (GET state, POST switches), ``/_fake/ledger``, ``/_fake/reset``,
``/_fake/media/<name>`` (sample files), ``/_fake/posts/<seq>`` and the platforms' post links
(``/facebook-web/…``, ``/instagram-web/…``, …): an HTML page per published item.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

from localbzz.fakekit import FakeServer, Request, Response
from publishing.fakes import google_business, instagram, linkedin, media, meta, publer, storage, x
from publishing.fakes.core import FakePlatforms


def build() -> FakePlatforms:
    """A FakePlatforms with every platform installed."""
    fake = Platforms()
    for module in (meta, instagram, linkedin, x, google_business, publer, storage):
        module.install(fake)
    return fake


class Platforms(FakePlatforms):
    """The fake platforms as served: the kit's routes and control paths, plus the ledger pages."""

    def dispatch(self, request: Request) -> Response:
        if re.match(r"^/[a-z]+-web/", request.path):
            return _post_page(fake_entry_by_path(self, unquote(request.path)))
        return super().dispatch(request)

    def control_path(self, request: Request) -> Response | None:
        return super().control_path(request) or _ledger_path(self, request) or storage.control_path(self, request)


def fake_entry_by_path(fake: FakePlatforms, path: str) -> dict[str, Any] | None:
    with fake.lock:
        for entry in reversed(fake.entries):
            if unquote(entry.get("url", "")).endswith(path):
                return entry
    return None


def _ledger_path(fake: FakePlatforms, request: Request) -> Response | None:
    path = request.path
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
        return _post_page(entries[0] if entries else None)
    if path == "/_fake/":
        rows = "".join(
            f"<li><a href='{html.escape(e['page'])}'>{html.escape(e['platform'])} · {html.escape(e['external_id'])}</a>"
            f" — {html.escape(e['text'][:80])}</li>"
            for e in reversed(fake.ledger())
        )
        return Response(200, f"<!doctype html><title>Fake platforms</title><h1>Published</h1><ul>{rows}</ul>")
    return None


def _post_page(entry: dict[str, Any] | None) -> Response:
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


class FakePlatformServer(FakeServer):
    """The fake platforms on ``host:port`` (port 0 picks a free one), served from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fake: Platforms | None = None) -> None:
        self.fake = fake or build()
        super().__init__(self.fake, host, port, name="fake-platforms")
