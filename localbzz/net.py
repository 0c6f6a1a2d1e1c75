"""Small network helpers shared by the domains (one place per rule)."""

from __future__ import annotations

import ipaddress
import signal
import socket
from http.server import HTTPServer
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


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


# --------------------------------------------------------------------------------------------
# Outgoing requests: no private, loopback or link-local targets (SSRF)
# --------------------------------------------------------------------------------------------


class OutboundRefused(ValueError):
    """An outgoing request to an address that is not public, refused."""


def _allow_list() -> tuple[set[str], list]:
    names, networks = set(), []
    for entry in getattr(settings, "OUTBOUND_PRIVATE_ALLOWLIST", []):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def vetted_address(host: str, port: int | None = None) -> str:
    """The address to connect to for ``host``: ``host`` itself when any target is allowed
    (``OUTBOUND_ALLOW_PRIVATE``, on with ``DEBUG``; or ``host`` in ``OUTBOUND_PRIVATE_ALLOWLIST``),
    else its first resolved address once every resolved address is public (or in an allow-listed
    network); :class:`OutboundRefused` otherwise."""
    host = (host or "").strip("[]").rstrip(".")
    names, networks = _allow_list()
    if settings.OUTBOUND_ALLOW_PRIVATE or host.lower() in names:
        return host
    infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not _is_public(address) and not any(ip in network for network in networks):
            shown = host if host == address else f"{host} ({address})"
            raise OutboundRefused(
                f"{shown} is a private, loopback or link-local address; outgoing requests go to public "
                "addresses only. Add it to OUTBOUND_PRIVATE_ALLOWLIST if it is meant to be reached."
            )
    return addresses[0]


def outbound_refusal(url: str) -> str:
    """Why a request to ``url`` would be refused ('' when it would not; an unresolvable host is
    not refused here: connecting fails on its own)."""
    try:
        vetted_address(urlsplit(url).hostname or "", urlsplit(url).port)
    except OutboundRefused as refused:
        return str(refused)
    except (OSError, ValueError):
        return ""
    return ""


class _Vetted(HTTPConnection):
    """A urllib3 connection that connects only to a vetted address (resolved once, then pinned, so a
    DNS answer cannot change between the check and the connection); TLS still checks the host name."""

    _dns_host: str  # urllib3's host as resolved (set by HTTPConnection; private, so left out of its types)

    def _new_conn(self) -> socket.socket:
        try:
            address = vetted_address(self._dns_host, self.port)
        except OutboundRefused as refused:
            raise NewConnectionError(self, str(refused)) from None
        except OSError:
            return super()._new_conn()  # resolution failed: urllib3 says so in its own words
        host, self._dns_host = self._dns_host, address
        try:
            return super()._new_conn()
        finally:
            self._dns_host = host


class _VettedHTTPConnection(_Vetted, HTTPConnection):
    pass


class _VettedHTTPSConnection(_Vetted, HTTPSConnection):
    pass


class _VettedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class VettedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _VettedHTTPPool, "https": _VettedHTTPSPool}


def outbound_session(pool_size: int = 10) -> requests.Session:
    """A ``requests.Session`` for every request to a URL set by configuration or by an admin
    (webhooks, platforms, generation providers): private targets refused unless allowed (above).
    ``pool_size``: connections kept open per host (as many as threads that share the session)."""
    session = requests.Session()
    adapter = VettedAdapter(pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


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
