"""A fake OpenAI-compatible API and a fake fal queue API on one stdlib HTTP server (loopback).

Standard library only. Speaks their contracts:

- ``POST /openai/v1/chat/completions`` (Bearer key) → ``{"choices": [{"message": {"content": "<JSON>"}}]}``
  where the JSON carries topic, caption, hashtags, alt_text and cta made from the request's text;
- ``POST /openai/v1/images/generations`` → ``{"data": [{"b64_json": "<PNG>"}]}`` (or ``url`` when
  ``response_format`` is not ``b64_json``) at the requested ``size``;
- ``POST /fal/<model>`` (``Authorization: Key …``) → ``{request_id, status_url, response_url}``;
  ``GET …/requests/<id>/status`` → IN_QUEUE → IN_PROGRESS → COMPLETED (``fal.polls`` reads);
  ``GET …/requests/<id>`` → ``{"images": [{"url", "width", "height", "content_type"}]}``;
- ``GET /files/<id>.png``: the pictures.

Switches (in-process or ``POST /_fake/control``): ``latency`` (seconds, per operation or "*"),
``faults`` (``{"operation", "kind", "times", ...}``; kinds ``http_500``, ``rate_limit``
(``retry_after``), ``auth``, ``bad_request`` (``message``), ``bad_json`` (chat answers prose),
``hang`` (``seconds``)), ``config`` (``key``, ``fal.polls``). ``calls(operation)`` counts requests.
Operations: ``chat``, ``images``, ``fal_submit``, ``fal_status``, ``fal_result``, ``file``.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_KEY = "sk-fake-provider-key"
DEFAULT_CONFIG: dict[str, Any] = {"key": DEFAULT_KEY, "fal.polls": 1}


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A PNG with a vertical gradient (stdlib: zlib + struct)."""
    top = ((seed * 37) % 200 + 30, (seed * 91) % 200 + 30, (seed * 53) % 200 + 30)
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        pixel = bytes(int(c * (1 - t) + 240 * t) for c in top)
        rows.append(b"\x00" + pixel * width)
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class FakeAI:
    """State of the fake providers: switches, counters, fal requests, stored pictures."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.RLock()):
            self.latency: dict[str, float] = {}
            self.faults: list[dict[str, Any]] = []
            self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
            self.counts: dict[str, int] = {}
            self.requests: dict[str, dict[str, Any]] = {}
            self.files: dict[str, tuple[int, int, int]] = {}
            self.bodies: list[dict[str, Any]] = []
            self.ids = 0

    def set_latency(self, operation: str, seconds: float) -> None:
        with self.lock:
            self.latency[operation] = float(seconds)

    def fail(self, operation: str, kind: str, times: int = 1, **params: Any) -> None:
        with self.lock:
            self.faults.append({"operation": operation, "kind": kind, "times": times, **params})

    def configure(self, **values: Any) -> None:
        with self.lock:
            unknown = set(values) - set(DEFAULT_CONFIG)
            if unknown:
                raise KeyError(f"unknown fake setting(s): {', '.join(sorted(unknown))}")
            self.config.update(values)

    def calls(self, operation: str = "") -> int:
        with self.lock:
            return sum(self.counts.values()) if not operation else self.counts.get(operation, 0)

    def take_fault(self, operation: str) -> dict[str, Any] | None:
        with self.lock:
            for fault in self.faults:
                if fault["operation"] in ("*", operation):
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def next_id(self) -> str:
        with self.lock:
            self.ids += 1
            return f"req-{self.ids:05d}"

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        for operation, seconds in (body.get("latency") or {}).items():
            self.set_latency(operation, seconds)
        for fault in body.get("faults") or []:
            fault = dict(fault)
            self.fail(fault.pop("operation", "*"), fault.pop("kind"), fault.pop("times", 1), **fault)
        if body.get("config"):
            self.configure(**body["config"])
        with self.lock:
            return {"latency": self.latency, "faults": self.faults, "counts": self.counts}


def _caption_json(text: str) -> dict[str, Any]:
    words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)][:40]
    topic = " ".join(words[-3:]) if words else "our latest work"
    tags = list(dict.fromkeys(w.capitalize() for w in words))[:8] or ["Local"]
    return {
        "topic": topic,
        "caption": f"Fresh from the studio: {topic}. Made with care for our neighbours.",
        "hashtags": tags,
        "alt_text": f"Photo showing {topic}.",
        "cta": "Message us to book",
    }


_FAL = re.compile(r"^/fal/(?P<model>.+?)(?:/requests/(?P<id>[\w-]+)(?P<status>/status)?)?$")


def _route(fake: FakeAI, method: str, path: str, headers, body: bytes, base: str) -> tuple[int, Any, dict]:
    if path.startswith("/_fake/"):
        if path == "/_fake/reset" and method == "POST":
            fake.reset()
            return 200, {"reset": True}, {}
        if path == "/_fake/control" and method == "POST":
            return 200, fake.control(json.loads(body or b"{}")), {}
        return 404, {"error": "unknown control path"}, {}
    if path.startswith("/files/"):
        found = fake.files.get(path.rsplit("/", 1)[-1].removesuffix(".png"))
        if not found:
            return 404, {"detail": "no such file"}, {}
        return 200, png(*found), {"Content-Type": "image/png"}
    if path == "/openai/v1/chat/completions" and method == "POST":
        operation = "chat"
    elif path == "/openai/v1/images/generations" and method == "POST":
        operation = "images"
    elif (match := _FAL.match(path)) and (method == "POST") == (match.group("id") is None):
        operation = "fal_status" if match.group("status") else "fal_result" if match.group("id") else "fal_submit"
    else:
        return 404, {"error": {"message": f"Unknown path {path}", "type": "invalid_request_error"}}, {}
    with fake.lock:
        fake.counts[operation] = fake.counts.get(operation, 0) + 1
        latency = fake.latency.get(operation, fake.latency.get("*", 0.0))
    if latency:
        time.sleep(latency)
    scheme = "Key" if operation.startswith("fal") else "Bearer"
    if headers.get("Authorization", "") != f"{scheme} {fake.config['key']}":
        return 401, {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}}, {}
    fault = fake.take_fault(operation)
    if fault and fault["kind"] != "bad_json":
        kind = fault["kind"]
        if kind == "hang":
            time.sleep(float(fault.get("seconds", 5)))
        elif kind == "http_500":
            return 500, {"error": {"message": "The server had an error while processing your request."}}, {}
        elif kind == "rate_limit":
            return 429, {"error": {"message": "Rate limit reached."}}, {"Retry-After": str(fault.get("retry_after", 0))}
        elif kind == "auth":
            return 401, {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}}, {}
        elif kind == "bad_request":
            return (
                400,
                {"error": {"message": fault.get("message", "Your request was rejected by the safety system.")}},
                {},
            )
    data = json.loads(body or b"null") if body else None
    with fake.lock:
        fake.bodies.append({"operation": operation, "body": data})
    if operation == "chat":
        user = next((m for m in data["messages"] if m["role"] == "user"), {})
        content = user.get("content")
        text = (
            content
            if isinstance(content, str)
            else " ".join(p.get("text", "") for p in content if p.get("type") == "text")
        )
        answer = "Sure! Here is a lovely caption for you." if fault else json.dumps(_caption_json(text))
        return 200, {"id": "chatcmpl-fake", "object": "chat.completion", "model": data.get("model"),
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                  "finish_reason": "stop"}]}, {}  # fmt: skip
    if operation == "images":
        width, height = (int(x) for x in str(data.get("size", "1024x1024")).split("x"))
        seed = len(data.get("prompt", ""))
        if data.get("response_format") == "b64_json":
            item = {"b64_json": base64.b64encode(png(width, height, seed)).decode()}
        else:
            file_id = fake.next_id()
            fake.files[file_id] = (width, height, seed)
            item = {"url": f"{base}/files/{file_id}.png"}
        return 200, {"created": int(time.time()), "data": [item]}, {}
    model = match.group("model")
    if operation == "fal_submit":
        request_id = fake.next_id()
        size = (data or {}).get("image_size") or {"width": 1024, "height": 1024}
        with fake.lock:
            fake.requests[request_id] = {"reads": 0, "size": (int(size["width"]), int(size["height"])), "seed": 7}
        root = f"{base}/fal/{model}/requests/{request_id}"
        return 200, {"request_id": request_id, "status_url": f"{root}/status", "response_url": root}, {}
    request = fake.requests.get(match.group("id"))
    if request is None:
        return 404, {"detail": "Request not found"}, {}
    if operation == "fal_status":
        with fake.lock:
            request["reads"] += 1
            reads = request["reads"]
        polls = int(fake.config["fal.polls"])
        state = "COMPLETED" if reads > polls else "IN_QUEUE" if reads == 1 else "IN_PROGRESS"
        return 200, {"status": state, "request_id": match.group("id")}, {}
    width, height = request["size"]
    fake.files[match.group("id")] = (width, height, request["seed"])
    image = {"url": f"{base}/files/{match.group('id')}.png", "width": width, "height": height,
             "content_type": "image/png"}  # fmt: skip
    return 200, {"images": [image], "seed": request["seed"]}, {}


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True


class FakeAIServer:
    """The fake providers on ``host:port`` (0: a free port), served from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fake: FakeAI | None = None):
        self.fake = fake or FakeAI()
        self.httpd = _Server((host, port), _handler(self.fake))
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAIServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-ai", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(fake: FakeAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            base = f"http://{self.headers.get('Host')}"
            try:
                status, payload, headers = _route(fake, self.command, self.path.split("?")[0], self.headers, body, base)
            except Exception as exc:  # a bug in the fake: answer like a server error
                status, payload, headers = 500, {"error": {"message": f"fake server bug: {type(exc).__name__}"}}, {}
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read counters instead
            return

    return Handler
