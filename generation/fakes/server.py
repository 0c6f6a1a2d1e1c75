"""A fake OpenAI-compatible API and a fake fal queue API on one HTTP server (loopback), made with
``localbzz.fakekit``. Speaks their contracts:

- ``POST /openai/v1/chat/completions`` (Bearer key) → ``{"choices": [{"message": {"content": "<JSON>"}}]}``
  where the JSON carries topic, caption, hashtags, alt_text and cta made from the request's text;
- ``POST /openai/v1/images/generations`` → ``{"data": [{"b64_json": "<PNG>"}]}`` (or ``url`` when
  ``response_format`` is not ``b64_json``) at the requested ``size``;
- ``POST /fal/<model>`` (``Authorization: Key …``) → ``{request_id, status_url, response_url}``;
  ``GET …/requests/<id>/status`` → IN_QUEUE → IN_PROGRESS → COMPLETED (``fal.polls`` reads);
  ``GET …/requests/<id>`` → ``{"images": [{"url", "width", "height", "content_type"}]}``;
- ``GET /files/<id>.png``: the pictures (drawn with Pillow: ``localbzz.fakekit.picture``).

Switches (in-process or ``POST /_fake/control``): ``latency`` (seconds, per operation or "*"),
``faults`` (``{"operation", "kind", "times", ...}``; kinds ``http_500``, ``rate_limit``
(``retry_after``), ``auth``, ``bad_request`` (``message``), ``bad_json`` (chat answers prose),
``hang`` (``seconds``: the answer comes that late)), ``config`` (``key``, ``fal.polls``).
``calls(operation)`` counts requests; ``bodies`` lists the JSON bodies received.
Operations: ``chat``, ``images``, ``fal_submit``, ``fal_status``, ``fal_result``, ``file``.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

from localbzz.fakekit import FakeApp, FakeServer, Fault, Reply, Request, Response, Route, picture, route

DEFAULT_KEY = "sk-fake-provider-key"
DEFAULT_CONFIG: dict[str, Any] = {"key": DEFAULT_KEY, "fal.polls": 1}
WRONG_KEY = {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}}


class FakeAI(FakeApp):
    """State of the fake providers: switches, counters, fal requests, stored pictures."""

    DEFAULT_CONFIG = DEFAULT_CONFIG
    fault_kinds = frozenset({"http_500", "rate_limit", "auth", "bad_request", "hang"})  # bad_json: the chat's own
    keep_bodies = True

    def __init__(self) -> None:
        super().__init__()
        _install(self)

    def reset_state(self) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[int, int, int]] = {}
        self.ids = 0

    def fail(self, operation: str, kind: str, times: int = 1, **params: Any) -> None:
        self.queue_fault(Fault(operation, kind, params, times))

    def next_id(self) -> str:
        with self.lock:
            self.ids += 1
            return f"req-{self.ids:05d}"

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": {"message": f"Unknown path {request.path}", "type": "invalid_request_error"}})

    def guard(self, candidate: Route, request: Request) -> None:
        if candidate.operation == "file":
            return  # the pictures are fetched without the key (the providers' own storage)
        scheme = "Key" if candidate.operation.startswith("fal") else "Bearer"
        if request.headers.get("Authorization", "") != f"{scheme} {self.config['key']}":
            raise Reply(Response(401, WRONG_KEY))

    def fault_answer(self, candidate: Route, fault: Fault) -> Response:
        if fault.kind == "http_500":
            return Response(500, {"error": {"message": "The server had an error while processing your request."}})
        if fault.kind == "rate_limit":
            retry_after = {"Retry-After": str(fault.params.get("retry_after", 0))}
            return Response(429, {"error": {"message": "Rate limit reached."}}, retry_after)
        if fault.kind == "auth":
            return Response(401, WRONG_KEY)
        message = fault.params.get("message", "Your request was rejected by the safety system.")
        return Response(400, {"error": {"message": message}})


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


FAL = r"^/fal/(?P<model>.+?)/requests/(?P<id>[\w-]+)"


def _install(fake: FakeAI) -> None:
    @route(fake, "GET", r"^/files/(?P<id>[\w-]+)\.png$", "file")
    def file(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        found = fake.files.get(match["id"])
        if not found:
            return Response(404, {"detail": "no such file"})
        return Response(200, picture(*found), {"Content-Type": "image/png"})

    @route(fake, "POST", r"^/openai/v1/chat/completions$", "chat")
    def chat(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        data = request.json()
        user: dict[str, Any] = next((m for m in data["messages"] if m["role"] == "user"), {})
        content = user.get("content") or ""
        text = (
            content
            if isinstance(content, str)
            else " ".join(p.get("text", "") for p in content if p.get("type") == "text")
        )
        prose = fake.take_fault("chat", kinds={"bad_json"})
        answer = "Sure! Here is a lovely caption for you." if prose else json.dumps(_caption_json(text))
        return Response(200, {"id": "chatcmpl-fake", "object": "chat.completion", "model": data.get("model"),
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                           "finish_reason": "stop"}]})  # fmt: skip

    @route(fake, "POST", r"^/openai/v1/images/generations$", "images")
    def images(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        data = request.json()
        width, height = (int(x) for x in str(data.get("size", "1024x1024")).split("x"))
        seed = len(data.get("prompt", ""))
        if data.get("response_format") == "b64_json":
            item = {"b64_json": base64.b64encode(picture(width, height, seed)).decode()}
        else:
            file_id = fake.next_id()
            with fake.lock:
                fake.files[file_id] = (width, height, seed)
            item = {"url": f"{request.base_url}/files/{file_id}.png"}
        return Response(200, {"created": int(time.time()), "data": [item]})

    @route(fake, "GET", FAL + r"/status$", "fal_status")
    def fal_status(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        with fake.lock:
            job = fake.requests.get(match["id"])
            if job is None:
                return Response(404, {"detail": "Request not found"})
            job["reads"] += 1
            reads = job["reads"]
        polls = int(fake.config["fal.polls"])
        state = "COMPLETED" if reads > polls else "IN_QUEUE" if reads == 1 else "IN_PROGRESS"
        return Response(200, {"status": state, "request_id": match["id"]})

    @route(fake, "GET", FAL + r"$", "fal_result")
    def fal_result(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        job = fake.requests.get(match["id"])
        if job is None:
            return Response(404, {"detail": "Request not found"})
        width, height = job["size"]
        with fake.lock:
            fake.files[match["id"]] = (width, height, job["seed"])
        image = {"url": f"{request.base_url}/files/{match['id']}.png", "width": width, "height": height,
                 "content_type": "image/png"}  # fmt: skip
        return Response(200, {"images": [image], "seed": job["seed"]})

    @route(fake, "POST", r"^/fal/(?P<model>(?!.*/requests/).+)$", "fal_submit")
    def fal_submit(fake: FakeAI, request: Request, match: re.Match[str]) -> Response:
        request_id = fake.next_id()
        size = (request.json() or {}).get("image_size") or {"width": 1024, "height": 1024}
        with fake.lock:
            fake.requests[request_id] = {"reads": 0, "size": (int(size["width"]), int(size["height"])), "seed": 7}
        root = f"{request.base_url}/fal/{match['model']}/requests/{request_id}"
        return Response(200, {"request_id": request_id, "status_url": f"{root}/status", "response_url": root})


class FakeAIServer(FakeServer):
    """The fake providers on ``host:port`` (0: a free port), served from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fake: FakeAI | None = None) -> None:
        self.fake = fake or FakeAI()
        super().__init__(self.fake, host, port, name="fake-ai")
