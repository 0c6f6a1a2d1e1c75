"""The one HTTP path of the HTTP providers (OpenAI-compatible, fal): timeouts, bounded retries,
classification, safe logs.

``ProviderHTTP.call`` sends a request with the timeouts of settings; a failure is classified once
here (``classify``): connection failures, timeouts, 408 and 5xx are retryable, 429 is rate
limited (``Retry-After`` honoured, capped), 401/403 mean the key is wrong, other 4xx mean the
provider refuses the request. Retryable failures are tried again at most
``GENERATION_MAX_RETRIES`` times with doubling waits. Logs carry method, host, path, status and
duration only — never headers (the key travels there), query strings or bodies.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from generation.providers.base import ErrorKind, ProviderError
from localbzz.net import outbound_session

logger = logging.getLogger("generation.providers")
MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait inside one job for a rate limit


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def _message_of(response: requests.Response) -> str:
    """The provider's own error message (OpenAI: error.message; fal: detail), without echoing secrets."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or "")
        if isinstance(error, str):
            return error
        detail = body.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            return str(detail[0].get("msg") or "")
        if detail:
            return str(detail)
    return ""


def classify(label: str, *, response: requests.Response | None = None, exc: Exception | None = None) -> ProviderError:
    """THE classification of provider failures (a response with an error status, or an exception)."""
    if exc is not None:
        what = "did not answer in time" if isinstance(exc, requests.Timeout) else "could not be reached"
        return ProviderError(
            ErrorKind.RETRYABLE, f"{label} {what} ({type(exc).__name__}); try again shortly.", provider=label
        )
    assert response is not None
    status, said = response.status_code, _message_of(response)
    said_text = f": {said}" if said else ""
    if status == 429:
        try:
            wait = float(response.headers.get("Retry-After", ""))
        except ValueError:
            wait = 2.0
        return ProviderError(
            ErrorKind.RATE_LIMITED,
            f"{label} is rate limiting us{said_text}. Wait a minute and try again.",
            provider=label,
            retry_after=min(max(wait, 0.0), MAX_RETRY_AFTER),
        )
    if status in (401, 403):
        return ProviderError(
            ErrorKind.AUTH,
            f"{label} refused our API key{said_text}. Check the key in the settings (or pick another provider).",
            provider=label,
        )
    if status == 408 or status >= 500:
        return ProviderError(ErrorKind.RETRYABLE, f"{label} had an error ({status}){said_text}.", provider=label)
    return ProviderError(
        ErrorKind.REJECTED,
        f"{label} refused the request ({status}){said_text}. Change the prompt or model.",
        provider=label,
    )


class ProviderHTTP:
    """Requests to one provider: ``label`` names it in messages, ``headers`` carry its key."""

    def __init__(self, label: str, headers: dict[str, str], session: requests.Session | None = None):
        self.label = label
        self.headers = headers
        self.session = session or outbound_session()
        self.calls = 0  # requests sent, retries included

    def __repr__(self) -> str:  # never show the headers (the key)
        return f"<ProviderHTTP {self.label}>"

    def call(self, method: str, url: str, *, retries: int | None = None, **kwargs: Any) -> requests.Response:
        """Send with bounded retries of retryable failures; answer the successful response."""
        budget = settings.GENERATION_MAX_RETRIES if retries is None else retries
        wait = settings.GENERATION_RETRY_BACKOFF
        attempt = 0
        while True:
            try:
                return self._once(method, url, **kwargs)
            except ProviderError as error:
                if not error.retryable or attempt >= budget:
                    raise
                pause = error.retry_after if error.retry_after is not None else wait
                logger.info("%s: %s, retry %d of %d in %.1f s", self.label, error.kind, attempt + 1, budget, pause)
                time.sleep(pause)
                wait *= 2
                attempt += 1

    def _once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        started = time.monotonic()
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                timeout=(settings.GENERATION_CONNECT_TIMEOUT, settings.GENERATION_READ_TIMEOUT),
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException as exc:
            logger.warning("%s %s %s failed: %s", self.label, method, _where(url), type(exc).__name__)
            raise classify(self.label, exc=exc) from None
        elapsed = (time.monotonic() - started) * 1000
        logger.info("%s %s %s -> %s in %.0f ms", self.label, method, _where(url), response.status_code, elapsed)
        if not 200 <= response.status_code < 300:
            raise classify(self.label, response=response)
        return response

    def json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, url, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise ProviderError(
                ErrorKind.INVALID_OUTPUT, f"{self.label} answered something that is not JSON.", provider=self.label
            ) from None
        if not isinstance(body, dict):
            raise ProviderError(
                ErrorKind.INVALID_OUTPUT, f"{self.label} answered an unexpected shape.", provider=self.label
            )
        return body
