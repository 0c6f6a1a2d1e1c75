"""The HTTP side of the HTTP providers (OpenAI-compatible, fal): bounded retries, classification.

``ProviderHTTP.call`` sends through ``localbzz.net.OutboundHTTP`` (the timeouts of settings, no
redirects, logs without the key); its session retries connection failures, timeouts, 408, 429
and 5xx at most ``GENERATION_MAX_RETRIES`` times (``localbzz.net.retry_policy``: urllib3's
``Retry`` with backoff and jitter, ``Retry-After`` honoured up to ``MAX_RETRY_AFTER``). What is
left is classified once here (``classify``): connection failures, timeouts, 408 and 5xx are
retryable, 429 is rate limited, 401/403 mean the key is wrong, other 4xx mean the provider
refuses the request.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings

from generation.providers.base import ErrorKind, ProviderError
from localbzz.net import OutboundHTTP, Retrying, outbound_session, redact, retry_policy, secret_values

logger = logging.getLogger("generation.providers")
MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait inside one job for a rate limit


def _message_of(response: requests.Response) -> str:
    """The provider's own error message (OpenAI: error.message; fal: detail), with any secret it
    echoes (our key, a token) redacted: it reaches job pages and logs."""
    sent = response.request.headers if response.request is not None else {}  # type: ignore[redundant-expr]  # None when built by hand
    return redact(_said(response), secret_values(sent))


def _said(response: requests.Response) -> str:
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

    def __init__(self, label: str, headers: dict[str, str], session: requests.Session | None = None) -> None:
        self.label = label
        self.headers = headers
        self.session = session or outbound_session(retry=_retry(label, settings.GENERATION_MAX_RETRIES))
        self.outbound = self._outbound(self.session)

    def __repr__(self) -> str:  # never show the headers (the key)
        return f"<ProviderHTTP {self.label}>"

    def _outbound(self, session: requests.Session) -> OutboundHTTP:
        timeouts = ("GENERATION_CONNECT_TIMEOUT", "GENERATION_READ_TIMEOUT")
        return OutboundHTTP(self.label, logger=logger, timeouts=timeouts, session=session, headers=self.headers)

    def call(self, method: str, url: str, *, retries: int | None = None, **kwargs: Any) -> requests.Response:
        """Send (with the session's bounded retries of retryable failures, or ``retries`` of them);
        answer the successful response, else raise the classified error of the last try."""
        outbound = self.outbound
        if retries is not None:
            outbound = self._outbound(outbound_session(retry=_retry(self.label, retries)))
        try:
            response = outbound.send(method, url, **kwargs)
        except requests.RequestException as exc:
            raise classify(self.label, exc=exc) from None
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


def _retry(label: str, retries: int) -> Retrying:
    """Provider requests may go twice (a caption or a picture made again costs, changes nothing):
    connection failures, timeouts, 408, 429 and 5xx are tried again ``retries`` times."""
    return retry_policy(
        retries, backoff=settings.GENERATION_RETRY_BACKOFF, label=label, logger=logger, max_wait=MAX_RETRY_AFTER
    )
