"""fal's queue API for images: submit, poll the status, fetch the result, download the image.

``POST {base}/{model}`` (``Authorization: Key …``) → ``{request_id, status_url, response_url}``;
``GET status_url`` → ``IN_QUEUE`` | ``IN_PROGRESS`` | ``COMPLETED`` (polled every
``GENERATION_POLL_INTERVAL`` seconds, at most ``GENERATION_POLL_TIMEOUT``); ``GET response_url`` →
``{"images": [{"url", "width", "height", "content_type"}]}``. The picture is cropped to our size.
"""

from __future__ import annotations

import time

from django.conf import settings

from generation.providers.base import ErrorKind, ImageBrief, ImageOut, ProviderError
from generation.providers.http import ProviderHTTP
from generation.providers.openai import download, fit_to

LABEL = "fal"


class FalImages:
    name = "fal"

    @property
    def model(self) -> str:
        return settings.GENERATION_FAL_MODEL

    def render(self, brief: ImageBrief) -> ImageOut:
        started = time.monotonic()
        http = ProviderHTTP(
            LABEL, {"Authorization": f"Key {settings.GENERATION_FAL_API_KEY}", "Content-Type": "application/json"}
        )
        base = settings.GENERATION_FAL_BASE_URL.rstrip("/")
        model = brief.model or self.model
        body = {
            "prompt": brief.prompt,
            "image_size": {"width": brief.width, "height": brief.height},
            "num_images": 1,
            "seed": brief.seed % 2**31,
        }
        submitted = http.json("POST", f"{base}/{model}", json=body)
        request_id = submitted.get("request_id")
        if not request_id:
            raise ProviderError(
                ErrorKind.INVALID_OUTPUT, "fal accepted the job without a request id.", provider=self.name
            )
        status_url = submitted.get("status_url") or f"{base}/{model}/requests/{request_id}/status"
        response_url = submitted.get("response_url") or f"{base}/{model}/requests/{request_id}"
        deadline = time.monotonic() + settings.GENERATION_POLL_TIMEOUT
        while True:
            status = http.json("GET", status_url)
            state = str(status.get("status", "")).upper()
            if state == "COMPLETED":
                if status.get("error"):
                    raise ProviderError(
                        ErrorKind.REJECTED, f"fal could not make the image: {status['error']}", provider=self.name
                    )
                break
            if state not in {"IN_QUEUE", "IN_PROGRESS"}:
                raise ProviderError(
                    ErrorKind.INVALID_OUTPUT, f"fal answered an unknown status “{state}”.", provider=self.name
                )
            if time.monotonic() + settings.GENERATION_POLL_INTERVAL > deadline:
                raise ProviderError(
                    ErrorKind.RETRYABLE,
                    f"fal did not finish the image within {settings.GENERATION_POLL_TIMEOUT:g} s; try again.",
                    provider=self.name,
                )
            time.sleep(settings.GENERATION_POLL_INTERVAL)
        result = http.json("GET", response_url)
        images = result.get("images") or []
        if not images or not isinstance(images[0], dict) or not images[0].get("url"):
            raise ProviderError(ErrorKind.INVALID_OUTPUT, "fal finished without an image.", provider=self.name)
        raw = download(http, images[0]["url"])
        return ImageOut(data=fit_to(raw, brief.width, brief.height), model=model, seconds=time.monotonic() - started)
