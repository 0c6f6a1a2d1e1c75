"""A real ASGI server (uvicorn) in a thread of the test process, serving HTTP (with the static
files) and the live-update WebSocket: pytest-django's ``live_server`` speaks WSGI only."""

from __future__ import annotations

import os
import socket
import threading
import time

import uvicorn
from channels.routing import ProtocolTypeRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.utils.module_loading import import_string

_LOW, _HIGH = os.environ.get("BENCH_PORTS", "9700-9799").split("-")
PORTS = range(int(_LOW), int(_HIGH) + 1)  # BENCH_PORTS (e.g. 9600-9699): this worktree's ports


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


class AsgiServer:
    def __init__(self):
        self.port = free_port()
        app = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(get_asgi_application()),
                "websocket": import_string("hub.live.routing.application"),
            }
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="asgi-test-server", daemon=True)

    def url(self, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}"

    def __enter__(self) -> AsgiServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("The test ASGI server did not start.")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
