from __future__ import annotations

from django.core.management.base import BaseCommand

from localbzz.net import serve_until_stopped
from publishing.fakes.server import FakePlatformServer


class Command(BaseCommand):
    help = (
        "Run the fake platform servers (Facebook, Instagram, LinkedIn, X, Google Business Profile, Publer) "
        "on one port; set FAKE_PLATFORMS_URL=http://HOST:PORT for the app to use them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds every platform waits before answering")

    def handle(self, *args, host: str, port: int, latency: float, **options) -> None:
        server = FakePlatformServer(host, port)
        if latency:
            server.fake.set_latency("*", latency)
        self.stdout.write(
            f"Fake platforms on {server.url} (ledger: {server.url}/_fake/, control: {server.url}/_fake/control)"
        )
        serve_until_stopped(server.httpd)
