"""The one outbound HTTP shell (localbzz.net): a request goes once unless its caller allows
retries, retries back off with jitter and honour a capped Retry-After, and no log carries a secret
— in headers, query strings or bodies."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from localbzz.fakekit import FakeApp, FakeServer, Request, Response, route
from localbzz.net import (
    REDACTED,
    OutboundHTTP,
    outbound_session,
    redact,
    redact_headers,
    redact_url,
    retry_policy,
    where,
)

logger = logging.getLogger("localbzz.tests.outbound")
TOKEN = "tok-SECRET-9f8e7d-never-log"
OK: tuple[int, dict[str, str], bytes, float] = (200, {}, b"{}", 0.0)


class Script(FakeApp):
    """What the test server answers: the n-th request the n-th answer queued (then 200 ``{}``)."""

    def reset_state(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes, float]] = []
        self.seen: list[tuple[str, str]] = []

    def then(self, status: int, body: bytes = b"{}", delay: float = 0.0, **headers: str) -> Script:
        self.answers.append((status, {name.replace("_", "-"): value for name, value in headers.items()}, body, delay))
        return self

    def answer(self, request: Request, match: re.Match[str]) -> Response:
        with self.lock:
            self.seen.append((request.method, request.path))
            index = len(self.seen) - 1
            status, headers, body, delay = self.answers[index] if index < len(self.answers) else OK
        self.wait(delay)
        return Response(status, body, headers)


@pytest.fixture
def server(settings: Any) -> Iterator[tuple[str, Script]]:
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.PLATFORM_CONNECT_TIMEOUT, settings.PLATFORM_READ_TIMEOUT = 1.0, 0.3
    script = Script()
    for method in ("GET", "POST"):
        route(script, method, r"^/", "any")(Script.answer)
    running = FakeServer(script).start()
    yield running.url, script
    running.stop()


def shell(session: requests.Session | None = None, **kwargs: Any) -> OutboundHTTP:
    timeouts = ("PLATFORM_CONNECT_TIMEOUT", "PLATFORM_READ_TIMEOUT")
    return OutboundHTTP("svc", logger=logger, timeouts=timeouts, session=session, **kwargs)


def test_without_a_retry_policy_a_post_goes_once_whatever_happens(server: tuple[str, Script]) -> None:
    url, script = server
    script.then(500)
    assert shell().send("POST", f"{url}/publish", json={}).status_code == 500  # answered, not retried
    assert len(script.seen) == 1
    script.then(200, delay=1.0)  # the second answer comes after the read timeout
    with pytest.raises(requests.ReadTimeout):
        shell().send("POST", f"{url}/publish", json={})
    assert [method for method, _ in script.seen] == ["POST", "POST"]  # the lost answer: never sent again


def test_a_redirect_is_answered_not_followed(server: tuple[str, Script]) -> None:
    url, script = server
    script.then(302, Location=f"{url}/elsewhere")
    assert shell().send("GET", f"{url}/a").status_code == 302
    assert script.seen == [("GET", "/a")]


def test_a_retry_policy_retries_failures_then_hands_back_the_last_answer(server: tuple[str, Script]) -> None:
    url, script = server
    script.then(503).then(429, Retry_After="3600").then(200, b'{"ok": true}')
    policy = retry_policy(2, backoff=0.01, label="svc", logger=logger, max_wait=0.2)
    started = time.monotonic()
    response = shell(outbound_session(retry=policy)).send("POST", f"{url}/generate", json={})
    assert response.json() == {"ok": True} and len(script.seen) == 3
    assert time.monotonic() - started < 2  # Retry-After: 3600 waited 0.2 s at most
    script.then(500).then(500).then(500).then(200)
    response = shell(outbound_session(retry=policy)).send("POST", f"{url}/generate", json={})
    assert response.status_code == 500 and len(script.seen) == 6  # 1 + 2 retries, then the caller classifies


def test_retries_of_timeouts_end_in_the_timeout_a_single_try_raises(server: tuple[str, Script]) -> None:
    url, script = server
    for _ in range(3):
        script.then(200, delay=1.0)
    policy = retry_policy(2, backoff=0.0, label="svc", logger=logger)
    with pytest.raises(requests.ReadTimeout):
        shell(outbound_session(retry=policy)).send("POST", f"{url}/generate", json={})
    assert len(script.seen) == 3


def test_an_unreadable_retry_after_falls_back_to_backoff(server: tuple[str, Script]) -> None:
    url, script = server
    script.then(429, Retry_After="soon-ish").then(200)
    policy = retry_policy(1, backoff=0.01, label="svc", logger=logger)
    assert shell(outbound_session(retry=policy)).send("GET", f"{url}/x").status_code == 200


def test_backoff_has_jitter_and_a_cap() -> None:
    policy = retry_policy(5, backoff=1.0, label="svc", logger=logger, max_wait=3.0)
    for _ in range(3):
        policy = policy.increment("POST", "/x", error=requests.exceptions.ConnectTimeout())
    waits = {policy.get_backoff_time() for _ in range(50)}
    assert len(waits) > 10 and all(2.0 <= wait <= 3.0 for wait in waits)  # 2 s plus up to 1 s of jitter, capped


def test_redaction_of_headers_query_strings_and_bodies() -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": "k-123456789", "Content-Type": "application/json"}
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "X-Api-Key": REDACTED,
        "Content-Type": "application/json",
    }
    url = "https://graph.example.com/oauth/access_token?client_id=42&client_secret=s3cr3t-value&code=abc123&limit=5"
    assert redact_url(url) == (
        f"graph.example.com/oauth/access_token?client_id=42&client_secret={REDACTED}&code={REDACTED}&limit=5"
    )
    body = f'{{"error": "bad token {TOKEN}", "access_token": "other-secret", "count": "3"}} Key abcdef123456'
    said = redact(body, [TOKEN])
    assert TOKEN not in said and "other-secret" not in said and "abcdef123456" not in said
    assert '"count": "3"' in said and said.count(REDACTED) == 3
    assert where("https://hooks.example.com/T0/B0/XXXX?x=1", path=False) == "hooks.example.com"


def test_logs_never_carry_a_secret(server: tuple[str, Script], caplog: pytest.LogCaptureFixture) -> None:
    url, script = server
    caplog.set_level(logging.DEBUG)
    script.then(401, f'{{"error": {{"message": "Invalid token {TOKEN}"}}, "refresh_token": "rt-77777777"}}'.encode())
    sent = shell(headers={"Authorization": f"Bearer {TOKEN}"}).send(
        "GET", f"{url}/me", params={"access_token": "qs-secret-123456", "fields": "id"}
    )
    assert sent.status_code == 401
    text = caplog.text
    assert "svc GET 127.0.0.1" in text and "/me -> 401" in text and "fields=id" in text  # what helps is there
    for secret in (TOKEN, "qs-secret-123456", "rt-77777777"):
        assert secret not in text
    caplog.clear()
    shell(log_path=False).send("POST", f"{url}/hooks/T0/B0/XXXX", data=b"{}")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name == logger.name)
    assert "/hooks/T0/B0/XXXX" not in ours and "-> 200" in ours  # the receiver's path stays out
