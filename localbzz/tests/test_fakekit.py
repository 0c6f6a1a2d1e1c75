"""The fake-server kit (localbzz.fakekit) over real HTTP: routing, switches over HTTP, the order
of a call (guard, fault, handler, headers, a hang AFTER the handler ran), resets that wake hanging
answers, a handler's bug answered as a 500, and pictures drawn with Pillow."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from localbzz.fakekit import FakeApp, FakeServer, Fault, Reply, Request, Response, Route, picture, route, start_free


class Notes(FakeApp):
    """A one-service fake: POST /notes keeps a note (the key in Authorization), GET /notes lists them."""

    DEFAULT_CONFIG = {"limit": 3, "hang_seconds": 5.0}
    fault_kinds = frozenset({"http_500", "hang"})

    def reset_state(self) -> None:
        self.notes: list[str] = []

    def guard(self, candidate: Route, request: Request) -> None:
        if request.token() != "k-1":
            raise Reply(Response(401, {"error": "wrong key"}))

    def fault_answer(self, candidate: Route, fault: Fault) -> Response:
        return Response(503, {"error": f"notes are down ({fault.params.get('why', 'no reason')})"})

    def decorate(self, candidate: Route, request: Request, response: Response) -> None:
        response.headers["X-Notes-Left"] = str(self.config["limit"] - len(self.notes))


def _add(app: Notes, request: Request, match: re.Match[str]) -> Response:
    if len(app.notes) >= app.config["limit"]:
        raise Reply(Response(422, {"error": "too many notes"}))
    app.notes.append(request.json()["text"])
    return Response(201, {"id": len(app.notes)})


def _list(app: Notes, request: Request, match: re.Match[str]) -> Response:
    if request.arg("crash"):
        raise RuntimeError("a bug in the fake")
    return Response(200, {"notes": app.notes})


@pytest.fixture
def notes() -> Iterator[tuple[str, Notes]]:
    app = Notes()
    route(app, "POST", r"^/notes$", "add")(_add)
    route(app, "GET", r"^/notes$", "list")(_list)
    server = FakeServer(app, name="fake-notes").start()
    yield server.url, app
    server.stop()


KEY = {"Authorization": "Bearer k-1"}


def test_routes_guard_reply_and_decorate(notes: tuple[str, Notes]) -> None:
    url, app = notes
    assert requests.post(f"{url}/notes", json={"text": "a"}, timeout=5).status_code == 401  # the guard
    added = requests.post(f"{url}/notes", json={"text": "a"}, headers=KEY, timeout=5)
    assert added.status_code == 201 and added.json() == {"id": 1} and added.headers["X-Notes-Left"] == "2"
    assert requests.get(f"{url}/notes", headers=KEY, timeout=5).json() == {"notes": ["a"]}
    assert requests.get(f"{url}/elsewhere", timeout=5).status_code == 404
    assert app.calls("add") == 2 and app.calls() == 3  # the guard's refusals count too
    app.configure(limit=1)
    assert requests.post(f"{url}/notes", json={"text": "b"}, headers=KEY, timeout=5).status_code == 422  # Reply
    crashed = requests.get(f"{url}/notes?crash=1", headers=KEY, timeout=5)
    assert crashed.status_code == 500 and "fake server bug: RuntimeError" in crashed.json()["error"]["message"]


def test_switches_over_http_and_faults_in_the_fake_s_own_words(notes: tuple[str, Notes]) -> None:
    url, app = notes
    state = requests.post(
        f"{url}/_fake/control",
        json={"faults": [{"operation": "add", "kind": "http_500", "why": "maintenance"}], "latency": {"list": 0.2}},
        timeout=5,
    ).json()
    assert state["faults"] == [{"operation": "add", "kind": "http_500", "times": 1, "why": "maintenance"}]
    failed = requests.post(f"{url}/notes", json={"text": "a"}, headers=KEY, timeout=5)
    assert failed.status_code == 503 and failed.json() == {"error": "notes are down (maintenance)"}
    assert app.notes == [] and requests.post(f"{url}/notes", json={"text": "a"}, headers=KEY, timeout=5).ok
    started = time.monotonic()
    requests.get(f"{url}/notes", headers=KEY, timeout=5)
    assert time.monotonic() - started >= 0.2  # the operation's latency
    refused = requests.post(f"{url}/_fake/control", json={"config": {"nope": 1}}, timeout=5)
    assert refused.status_code == 400 and "nope" in refused.json()["error"]
    assert requests.get(f"{url}/_fake/unknown", timeout=5).status_code == 404
    assert requests.post(f"{url}/_fake/reset", timeout=5).json() == {"reset": True}
    assert app.notes == [] and app.latency == {} and app.calls() == 0


def test_a_hang_answers_too_late_after_the_request_took_effect(notes: tuple[str, Notes]) -> None:
    url, app = notes
    app.queue_fault(Fault("add", "hang", {"seconds": 30}))
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{url}/notes", json={"text": "late"}, headers=KEY, timeout=0.3)
    assert app.notes == ["late"]  # kept: the unknown-outcome case
    app.queue_fault(Fault("add", "hang", {"seconds": 30}))
    outcome: dict[str, Any] = {}

    def send() -> None:
        outcome["status"] = requests.post(f"{url}/notes", json={"text": "b"}, headers=KEY, timeout=10).status_code

    waiting = threading.Thread(target=send)
    waiting.start()
    time.sleep(0.3)
    started = time.monotonic()
    app.reset()  # wakes the hanging answer
    waiting.join(5)
    assert outcome == {"status": 201} and time.monotonic() - started < 2


def test_pictures_are_drawn_with_pillow_at_the_size_asked() -> None:
    data = picture(120, 80, seed=3)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (120, 80)
        rgb = image.convert("RGB")
        top, bottom = rgb.getpixel((0, 0)), rgb.getpixel((0, 79))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top == (141, 103, 189) and all(channel >= 230 for channel in bottom)  # the seed's colour down to grey
    assert picture(120, 80, seed=3) == data and picture(120, 80, seed=4) != data  # the seed picks the colour
    with Image.open(io.BytesIO(picture(32, 32, format="JPEG"))) as image:
        assert image.format == "JPEG"


def test_a_fake_starts_on_a_free_port_of_its_range() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"No free port in {port}-{port}"):
            start_free(lambda p: FakeServer(Notes(), port=p), f"{port}-{port}")
    server = start_free(lambda p: FakeServer(Notes(), port=p), f"{port}-{port}")
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        assert requests.get(f"{server.url}/_fake/control", timeout=5).json()["config"] == Notes.DEFAULT_CONFIG
    finally:
        server.stop()
