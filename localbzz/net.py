"""Network helpers shared by the domains (one place per rule): which addresses outgoing requests
may reach, THE outbound HTTP shell (timeouts, no redirects, retries where allowed, logs without
secrets) and running a server in the foreground."""

from __future__ import annotations

import ipaddress
import logging
import re
import signal
import socket
import time
from collections.abc import Iterable, Mapping
from http.server import HTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry


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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _allow_list() -> tuple[set[str], list[Network]]:
    names: set[str] = set()
    networks: list[Network] = []
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
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _VettedHTTPPool, "https": _VettedHTTPSPool}


def outbound_session(pool_size: int = 10, *, retry: Retry | None = None, trust_env: bool = True) -> requests.Session:
    """A ``requests.Session`` for every request to a URL set by configuration or by an admin
    (webhooks, platforms, generation providers): private targets refused unless allowed (above).
    ``pool_size``: connections kept open per host (as many as threads that share the session);
    ``retry``: the retry policy (``retry_policy``) of a caller whose requests may go twice, none
    by default; ``trust_env=False``: no proxies or .netrc credentials from the environment."""
    session = requests.Session()
    session.trust_env = trust_env
    adapter = VettedAdapter(pool_maxsize=pool_size, max_retries=retry or 0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --------------------------------------------------------------------------------------------
# Outgoing HTTP: the one shell of the platform connectors, the generation providers and webhooks
# --------------------------------------------------------------------------------------------

REDACTED = "[redacted]"
# Names of headers, query or form parameters and JSON fields whose values are secrets.
SECRET_NAME = re.compile(r"auth|token|secret|key|passw|signature|cookie|session|credential|code|sig$", re.IGNORECASE)
_CREDENTIAL = re.compile(r"\b(Bearer-API|Bearer|Basic|Key|OAuth)\s+[^\s\"',;]+")
_JSON_FIELD = re.compile(r'"(?P<name>[^"\\]{1,64})"(?P<colon>\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_FIELD = re.compile(r"(?P<lead>(?:^|[?&;\s])(?P<name>[\w.\-\[\]]{1,64})=)[^&\s;\"']*")
ERROR_EXCERPT = 300  # characters of an error answer logged at DEBUG (redacted)


def where(url: str, *, path: bool = True) -> str:
    """What an INFO log says of a URL: host and path (``path=False``: the host alone, for URLs whose
    path may itself be a secret, like webhook receivers), never the query string."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if path else parts.netloc


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret value, every credential after an auth scheme
    (``Bearer …``, ``Key …``) and the value of every secret-named JSON field or form/query
    parameter replaced by ``[redacted]``."""
    for secret in sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _CREDENTIAL.sub(rf"\1 {REDACTED}", text)
    text = _JSON_FIELD.sub(
        lambda m: f'"{m["name"]}"{m["colon"]}"{REDACTED}"' if SECRET_NAME.search(m["name"]) else m[0], text
    )
    return _FORM_FIELD.sub(lambda m: f"{m['lead']}{REDACTED}" if SECRET_NAME.search(m["name"]) else m[0], text)


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """Host, path and the query string with secret values redacted (DEBUG logs only)."""
    parts = urlsplit(url)
    return redact(f"{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else ""), secrets)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if SECRET_NAME.search(name) else value for name, value in headers.items()}


def secret_values(headers: Mapping[str, str]) -> list[str]:
    """The secrets a request carries in its headers (whole values and the credential after a scheme)."""
    values = [str(v) for name, v in headers.items() if SECRET_NAME.search(name) and v]
    return values + [v.split()[-1] for v in values if " " in v.strip()]


class QueryStringsOut(logging.Filter):
    """urllib3 logs request URLs at DEBUG; query strings can carry codes, secrets and paging
    tokens (Meta's OAuth exchange, ``paging.next``), so its records lose them here."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(a.split("?", 1)[0] if isinstance(a, str) and "?" in a else a for a in record.args)
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(QueryStringsOut())


class Retrying(Retry):
    """urllib3's ``Retry``, which names each retry in the caller's log (label, method, host and
    path, why; never the query string) and falls back to backoff on an unreadable Retry-After."""

    def __init__(self, *args: Any, label: str = "", logger: logging.Logger | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label
        self.logger = logger or logging.getLogger(__name__)

    def new(self, **kw: Any) -> Self:
        fresh = super().new(**kw)
        fresh.label, fresh.logger = self.label, self.logger
        return fresh

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        fresh = super().increment(method, url, response, error, _pool, _stacktrace)
        cause = type(error).__name__ if error else str(response.status if response else "?")
        host = getattr(_pool, "host", "") or ""
        self.logger.info(
            "%s %s %s: %s, retry %d", self.label, method, where(f"//{host}{url or ''}"), cause, len(fresh.history)
        )
        return fresh


# Answers worth a retry where the caller allows retries: timeouts, rate limits, server errors.
RETRY_STATUSES = frozenset({408, 429, *range(500, 600)})


def retry_policy(
    retries: int,
    *,
    backoff: float,
    label: str,
    logger: logging.Logger,
    max_wait: float = 30.0,
    statuses: frozenset[int] = RETRY_STATUSES,
) -> Retrying:
    """Up to ``retries`` more tries of connection failures, timeouts and ``statuses`` — for callers
    whose requests may safely go twice (never a publish). ``Retry-After`` is honoured up to
    ``max_wait``; else urllib3's backoff: the first retry at once, then ``backoff``, 2×, 4×…
    (capped at ``max_wait``), each plus up to ``backoff`` seconds of jitter so that many clients
    failed at once do not come back at once. When they run out the last answer is handed back (the
    caller classifies it) or the last failure raised."""
    # Any method (allowed_methods=None): the caller decided its requests may be repeated.
    return Retrying(
        total=retries, redirect=0, allowed_methods=None, status_forcelist=statuses, raise_on_status=False,
        backoff_factor=backoff / 2, backoff_jitter=backoff, backoff_max=max_wait, retry_after_max=max_wait,
        respect_retry_after_header=True, raise_on_redirect=False, label=label, logger=logger,
    )  # fmt: skip


def _unwrapped(exc: requests.RequestException) -> requests.RequestException:
    """Retries that ran out on read timeouts reach us as ``ConnectionError(MaxRetryError(
    ReadTimeoutError))``: answer the ``ReadTimeout`` a single try raises, so callers classify alike."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.ConnectionError) and isinstance(reason, ReadTimeoutError):
        return requests.ReadTimeout(*exc.args, request=exc.request, response=exc.response)
    return exc


class OutboundHTTP:
    """Requests to one remote service: the timeouts of settings (read at each call, so tests can
    change them), redirects never followed, and logs that never carry a secret.

    INFO: label, method, host and path (host only with ``log_path=False``), status and duration —
    no headers, query strings or bodies. DEBUG adds the query string and headers, and an excerpt of
    an error answer, each with secrets redacted (``redact``). ``send`` answers every response and
    raises every ``requests`` failure: what they mean (retry? reconnect? unknown outcome?) is the
    caller's classification. Retries are the session's (``outbound_session(retry=…)``): none by
    default — a connector's publish must never go twice on the HTTP layer's initiative.
    """

    def __init__(
        self,
        label: str,
        *,
        logger: logging.Logger,
        timeouts: tuple[str, str],
        session: requests.Session | None = None,
        headers: Mapping[str, str] | None = None,
        log_path: bool = True,
    ) -> None:
        self.label = label
        self.logger = logger
        self.timeouts = timeouts  # names of the connect and read timeout settings
        self.session = session or outbound_session()
        self.headers = dict(headers or {})
        self.log_path = log_path

    def __repr__(self) -> str:  # never show the headers (tokens and keys travel there)
        return f"<{type(self).__name__} {self.label}>"

    def timeout(self) -> tuple[float, float]:
        connect, read = self.timeouts
        return float(getattr(settings, connect)), float(getattr(settings, read))

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
        shown = where(url, path=self.log_path)
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=self.timeout(), allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            failure = _unwrapped(exc)
            self.logger.warning("%s %s %s failed: %s", self.label, method, shown, type(failure).__name__)
            if failure is exc:
                raise
            raise failure from exc
        elapsed = (time.monotonic() - started) * 1000
        self.logger.info("%s %s %s -> %s in %.0f ms", self.label, method, shown, response.status_code, elapsed)
        if self.logger.isEnabledFor(logging.DEBUG):
            self._debug(method, response, headers, streamed=bool(kwargs.get("stream")))
        return response

    def _debug(self, method: str, response: requests.Response, headers: Mapping[str, str], *, streamed: bool) -> None:
        secrets = secret_values(headers)
        sent = redact_url(response.request.url or "", secrets) if self.log_path else where(response.url, path=False)
        self.logger.debug("%s %s %s headers %s", self.label, method, sent, redact_headers(headers))
        if response.status_code >= 400 and not streamed:
            said = redact(response.text[: ERROR_EXCERPT * 30], secrets)[:ERROR_EXCERPT]  # cut after redacting
            self.logger.debug("%s %s %s answered %s: %s", self.label, method, sent, response.status_code, said)


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
