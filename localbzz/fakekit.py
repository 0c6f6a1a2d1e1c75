"""The kit of our fake HTTP services (the platforms, the AI providers): real HTTP on loopback.

A fake is a :class:`FakeApp` — routes (``route``/``Route``: method, path pattern, operation,
handler), switches a test turns (latency, queued faults, knobs in ``config``), a count of calls
per operation and, when asked, a log of the JSON bodies received — served by a
:class:`FakeServer` (a ``ThreadingHTTPServer`` in a thread, or in the foreground with
``localbzz.net.serve_until_stopped``).

Every routed call goes the same way (``FakeApp.call``): counted; the latency of its scope or
operation (or "*"); ``guard`` (e.g. the key); a queued fault of ``fault_kinds`` answered in the
service's own words (``fault_answer``); the handler (``Reply`` answers at once; under the lock
when ``serialized``); ``decorate`` (usage headers); and for a ``hang`` fault a wait AFTER the
handler ran — the request took effect, the answer comes too late: the unknown-outcome case. A
reset wakes every waiting answer. Both fakes take ``GET``/``POST /_fake/control`` and ``POST
/_fake/reset``. ``picture`` draws test images with Pillow.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

from PIL import Image, ImageOps

logger = logging.getLogger("localbzz.fakekit")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON; str → HTML/text; bytes as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", ""
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


class Reply(Exception):
    """Raised by a handler to answer at once (an auth failure, a validation error)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message  # http.client.HTTPMessage: case-insensitive .get()
    body: bytes
    base_url: str  # http://host:port of this fake, as the client reached it

    @classmethod
    def build(cls, method: str, raw_path: str, headers: Message, body: bytes, base_url: str) -> Request:
        parts = urlsplit(raw_path)
        return cls(method, parts.path, parse_qs(parts.query, keep_blank_values=True), headers, body, base_url)

    def arg(self, name: str, default: str = "") -> str:
        """A parameter from the query or the form body (Graph API style: either works)."""
        if name in self.query:
            return self.query[name][0]
        return str(self.form().get(name, default))

    def form(self) -> dict[str, Any]:
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}
        if kind.startswith("multipart/form-data"):
            return self.files()
        return {}

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def files(self) -> dict[str, Any]:
        """Multipart parts: text fields as str, files as (filename, bytes, content type)."""
        head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(EmailMessage, policy=HTTP).parsebytes(head + self.body)
        parts: dict[str, Any] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            parts[name] = (filename, data, part.get_content_type()) if filename else data.decode()
        return parts

    def token(self) -> str:
        """The credential after an auth scheme (Bearer, Bearer-API, OAuth, Key), else ``access_token``."""
        auth = self.headers.get("Authorization", "")
        match = re.match(r"^(Bearer-API|Bearer|OAuth|Key)\s+(.+)$", auth)
        return match.group(2).strip() if match else self.arg("access_token")


@dataclass
class Fault:
    operation: str  # an operation of the fake's routes, or "*"
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    times: int = 1
    scope: str = ""  # the platform of the platform fakes ("" for a one-service fake)

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "kind": self.kind, "times": self.times, **self.params}


Handler = Callable[[Any, Request, "re.Match[str]"], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    scope: str
    operation: str
    handler: Handler


def route(app: FakeApp, method: str, pattern: str, operation: str, scope: str = "") -> Callable[[Handler], Handler]:
    """Decorator for handlers ``(app, request, match) -> Response``:
    ``@route(fake, "POST", r"^/x/2/tweets$", "tweets", scope="x")``."""

    def register(handler: Handler) -> Handler:
        app.routes.append(Route(method, re.compile(pattern), scope, operation, handler))
        return handler

    return register


class FakeApp:
    """Routes and switches of one fake (thread-safe: switches change under ``lock``)."""

    DEFAULT_CONFIG: ClassVar[dict[str, Any]] = {}
    fault_kinds: ClassVar[frozenset[str]] = frozenset()  # kinds ``call`` answers itself
    serialized: ClassVar[bool] = False  # handlers run under the lock, one at a time
    keep_bodies: ClassVar[bool] = False  # log each routed request's JSON body (``bodies``)

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes: list[Route] = []
        self.wake = threading.Event()
        self._reset_switches()
        self.reset_state()

    def _reset_switches(self) -> None:
        self.latency: dict[str, float] = {}
        self.faults: list[Fault] = []
        self.config: dict[str, Any] = dict(self.DEFAULT_CONFIG)
        self.counts: dict[str, int] = {}
        self.bodies: list[dict[str, Any]] = []

    def reset(self) -> None:
        """Back to the defaults; answers that hang stop hanging."""
        with self.lock:
            self.wake.set()
            self.wake = threading.Event()
            self._reset_switches()
            self.reset_state()

    def reset_state(self) -> None:
        """The fake's own data, cleared on reset (override)."""

    # Switches -------------------------------------------------------------------------------------

    def set_latency(self, key: str, seconds: float) -> None:
        """Every answer of ``key`` (a scope or an operation; "*" for all) waits this long first."""
        with self.lock:
            self.latency[key] = float(seconds)

    def configure(self, **values: Any) -> None:
        with self.lock:
            unknown = set(values) - set(self.DEFAULT_CONFIG)
            if unknown:
                raise KeyError(f"unknown fake setting(s): {', '.join(sorted(unknown))}")
            self.config.update(values)

    def queue_fault(self, fault: Fault) -> Fault:
        """The next ``fault.times`` matching calls answer it."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(
        self, operation: str, scope: str = "", kinds: set[str] | frozenset[str] | None = None
    ) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.scope == scope and fault.operation in ("*", operation):
                    if kinds is not None and fault.kind not in kinds:
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def calls(self, operation: str = "") -> int:
        """Requests routed to ``operation`` (all of them without one)."""
        with self.lock:
            return sum(self.counts.values()) if not operation else self.counts.get(operation, 0)

    def wait(self, seconds: float) -> None:
        """Sleep, unless a reset comes first."""
        if seconds > 0:
            self.wake.wait(seconds)

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        """The HTTP form of the switches (``POST /_fake/control``): ``latency``, ``faults``,
        ``config``, ``clear_faults``; ``control_more`` takes the fake's own."""
        for key, seconds in (body.get("latency") or {}).items():
            self.set_latency(key, seconds)
        for fault in body.get("faults") or []:
            self.queue_fault(self.fault_from(dict(fault)))
        self.control_more(body)
        if body.get("config"):
            self.configure(**body["config"])
        if body.get("clear_faults"):
            with self.lock:
                self.faults.clear()
        return self.state()

    def fault_from(self, spec: dict[str, Any]) -> Fault:
        """A fault from its JSON form (``{"operation", "kind", "times", ...params}``)."""
        operation, kind, times = spec.pop("operation", "*"), spec.pop("kind"), spec.pop("times", 1)
        return Fault(operation, kind, spec, times)

    def control_more(self, body: dict[str, Any]) -> None:
        """Switches of this fake beyond the common ones (override)."""

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "latency": dict(self.latency),
                "faults": [f.as_dict() for f in self.faults],
                "config": dict(self.config),
                "counts": dict(self.counts),
            }

    # Serving --------------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Control paths, then the routes; ``not_found`` when nothing matches."""
        if request.path.startswith("/_fake/"):
            answer = self.control_path(request)
            return answer if answer is not None else Response(404, {"error": "unknown control path"})
        for candidate in self.routes:
            if candidate.method == request.method:
                match = candidate.pattern.match(request.path)
                if match:
                    return self.call(candidate, request, match)
        return self.not_found(request)

    def control_path(self, request: Request) -> Response | None:
        if request.path == "/_fake/control":
            if request.method == "POST":
                try:
                    return Response(200, self.control(request.json() or {}))
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    return Response(400, {"error": str(exc)})
            return Response(200, self.state())
        if request.path == "/_fake/reset" and request.method == "POST":
            self.reset()
            return Response(200, {"reset": True})
        return None

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": {"message": f"Unknown path {request.path}", "code": 404}})

    def call(self, candidate: Route, request: Request, match: re.Match[str]) -> Response:
        with self.lock:
            self.counts[candidate.operation] = self.counts.get(candidate.operation, 0) + 1
            pause = self.latency.get(self.latency_key(candidate), self.latency.get("*", 0.0))
        self.wait(pause)
        try:
            self.guard(candidate, request)
        except Reply as reply:
            return reply.response
        fault = self.take_fault(candidate.operation, candidate.scope, self.fault_kinds)
        if fault and fault.kind != "hang":
            response = self.fault_answer(candidate, fault)
        else:
            if self.keep_bodies:
                with self.lock:
                    self.bodies.append({"operation": candidate.operation, "body": request.json()})
            try:
                if self.serialized:
                    with self.lock:
                        response = candidate.handler(self, request, match)
                else:
                    response = candidate.handler(self, request, match)
            except Reply as reply:
                response = reply.response
        self.decorate(candidate, request, response)
        if fault and fault.kind == "hang":
            self.wait(float(fault.params.get("seconds", self.config.get("hang_seconds", 5.0))))
        return response

    def latency_key(self, candidate: Route) -> str:
        return candidate.scope or candidate.operation

    def guard(self, candidate: Route, request: Request) -> None:
        """Checks before any fault or handler, e.g. the API key (raise ``Reply``; override)."""

    def fault_answer(self, candidate: Route, fault: Fault) -> Response:
        """The answer of a queued fault, in the service's own words (override)."""
        return Response(500, {"error": {"message": f"fault {fault.kind}"}})

    def decorate(self, candidate: Route, request: Request, response: Response) -> None:
        """Headers every answer of a route carries (usage, rate limits; override)."""


class _Server(ThreadingHTTPServer):
    # The standard library listens with a backlog of 5: a burst of requests (100 publishes due in the
    # same second) would wait for TCP SYN retransmits (a second each). Real services take bursts.
    request_queue_size = 1024
    daemon_threads = True


class FakeServer:
    """``app`` on ``host:port`` (port 0 picks a free one), served from a thread by ``start``."""

    def __init__(self, app: FakeApp, host: str = "127.0.0.1", port: int = 0, name: str = "fake") -> None:
        self.app = app
        self.name = name
        self.httpd = _Server((host, port), _handler(app, name))
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{_address(self.httpd)}"

    def start(self) -> Self:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=self.name, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.app.reset()  # wakes hanging answers
        self.httpd.shutdown()
        self.httpd.server_close()


Server = TypeVar("Server", bound=FakeServer)


def start_free(make: Callable[[int], Server], ports: str = "", *, from_top: bool = False) -> Server:
    """Start the server ``make(port)`` builds on the first free port of ``ports`` (e.g. "8200-8299",
    from its top with ``from_top``, so two fakes sharing a range meet in the middle), or on any free
    port when ``ports`` is empty."""
    if not ports:
        return make(0).start()
    low, high = (int(p) for p in ports.split("-"))
    for port in range(high, low - 1, -1) if from_top else range(low, high + 1):
        try:
            return make(port).start()
        except OSError:
            continue
    raise RuntimeError(f"No free port in {ports}")


def _address(server: socketserver.BaseServer) -> str:
    address = server.server_address  # (host, port) for the TCP servers made here
    assert isinstance(address, tuple)
    return f"{address[0]!s}:{address[1]}"


def _handler(app: FakeApp, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body leave in two writes: without this, delayed ACKs add ~40 ms per answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            base = f"http://{self.headers.get('Host') or _address(self.server)}"
            try:
                response = app.dispatch(Request.build(self.command, self.path, self.headers, body, base))
            except Exception as exc:  # a bug in the fake: answer like a server error
                logger.exception("%s: %s %s failed", name, self.command, self.path.split("?")[0])
                response = Response(500, {"error": {"message": f"fake server bug: {type(exc).__name__}", "code": 1}})
            data, kind = response.encode()
            try:
                self.send_response(response.status)
                for header, value in response.headers.items():
                    if header.lower() != "content-type" or data:
                        self.send_header(header, value)
                if kind and "Content-Type" not in response.headers:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a read timeout during a "hang")

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # paths only: tokens may ride in queries
            logger.debug("%s: %s", name, self.requestline.split("?")[0])

    return Handler


def picture(width: int, height: int, seed: int = 0, format: str = "PNG") -> bytes:
    """A test picture drawn with Pillow: a vertical gradient from a colour picked by ``seed``
    (the same seed, the same picture) to light grey, encoded as ``format``."""
    top = ((seed * 37) % 200 + 30, (seed * 91) % 200 + 30, (seed * 53) % 200 + 30)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = ImageOps.colorize(ramp, black=top, white=(240, 240, 240))
    out = io.BytesIO()
    image.save(out, format)
    return out.getvalue()
