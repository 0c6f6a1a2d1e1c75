"""Small network helpers shared by the domains (one place per rule)."""

from __future__ import annotations

import ipaddress
import signal
from http.server import HTTPServer


def is_loopback(host: str | None) -> bool:
    """``localhost``, ``*.localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interrupt(*_: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: a second one must not cut the shutdown
    raise KeyboardInterrupt


def serve_until_stopped(httpd: HTTPServer) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM (honcho's stop), then close the socket."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
