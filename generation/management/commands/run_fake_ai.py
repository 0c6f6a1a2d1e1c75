from __future__ import annotations

from django.core.management.base import BaseCommand

from generation.fakes.server import DEFAULT_KEY, FakeAIServer
from localbzz.net import serve_until_stopped


class Command(BaseCommand):
    help = (
        "Run the fake OpenAI-compatible and fal providers on one port (stdlib HTTP). Point the app at them with "
        "GENERATION_OPENAI_BASE_URL=http://HOST:PORT/openai/v1, GENERATION_FAL_BASE_URL=http://HOST:PORT/fal and "
        f"the key {DEFAULT_KEY}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8011)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds every provider call waits")

    def handle(self, *args, host: str, port: int, latency: float, **options) -> None:
        server = FakeAIServer(host, port)
        if latency:
            server.fake.set_latency("*", latency)
        self.stdout.write(f"Fake AI providers on {server.url} (key {DEFAULT_KEY}; control: {server.url}/_fake/control)")
        serve_until_stopped(server.httpd)
