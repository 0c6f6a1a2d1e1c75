"""Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, OpenRouter): base URL, key and models
from settings.

Captions: ``POST {base}/chat/completions`` with the photos as image inputs (small JPEG data
URLs), asking for a JSON object (``response_format: json_object``). The answer is validated;
if it is not the JSON we asked for, the model gets ONE repair turn (its answer and what was
wrong), then we fail with a clear message. Images: ``POST {base}/images/generations``
(``b64_json``, or a URL we download), then cropped to the exact size we need.
"""

from __future__ import annotations

import base64
import io
import json
import time
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps

from generation.providers.base import CaptionBrief, CaptionDraft, ErrorKind, ImageBrief, ImageOut, ProviderError
from generation.providers.http import ProviderHTTP

LABEL = "The OpenAI-compatible provider"
SYSTEM = (
    "You write social media captions for a local business. Answer with ONE JSON object and nothing else, "
    'with exactly these keys: "topic" (string, a few words), "caption" (string, the post text without '
    'hashtags), "hashtags" (array of 5 to 15 strings, without #), "alt_text" (string describing the first '
    'photo for people who cannot see it), "cta" (string, a short call to action). Follow the brand guidelines; '
    "never use the words the guidelines ask to avoid."
)
# Sizes image models accept, by orientation; we crop the answer to our exact size afterwards.
IMAGE_SIZES = {"square": "1024x1024", "landscape": "1536x1024", "portrait": "1024x1536"}


def _base() -> str:
    return settings.GENERATION_OPENAI_BASE_URL.rstrip("/")


def _http() -> ProviderHTTP:
    headers = {"Content-Type": "application/json"}
    if settings.GENERATION_OPENAI_API_KEY:  # local servers (Ollama, vLLM) often need none
        headers["Authorization"] = f"Bearer {settings.GENERATION_OPENAI_API_KEY}"
    return ProviderHTTP(LABEL, headers)


def _brief_text(brief: CaptionBrief) -> str:
    g = brief.guidelines
    lines = [
        f"Business: {brief.client_name}" + (f" ({brief.industry})" if brief.industry else ""),
        f"Location: {brief.location}" if brief.location else "",
        f"About: {brief.description}" if brief.description else "",
        f"Brand guidelines: {g.text}" if g.text else "",
        f"Words to avoid: {', '.join(g.avoid)}" if g.avoid else "",
        f"Topic: {brief.topic}" if brief.topic else "",
        f"Notes from the client: {brief.notes}" if brief.notes else "",
        f"Platforms: {', '.join(brief.platforms)}" if brief.platforms else "",
        "Saved hashtags: " + ", ".join(t for group in brief.hashtag_groups for t in group)
        if brief.hashtag_groups
        else "",
    ]
    for i, m in enumerate(brief.media, 1):
        facts = ", ".join(x for x in (m.orientation, m.brightness, " and ".join(m.colours)) if x)
        lines.append(f"Media {i}: {m.kind}" + (f" ({facts})" if facts else ""))
    return "\n".join(line for line in lines if line)


def validate_caption(content: str) -> tuple[dict[str, Any] | None, str]:
    """(the caption object, "") when ``content`` is the JSON we asked for, else (None, what is wrong)."""
    text = content.strip()
    if text.startswith("```"):  # models like to fence JSON
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return None, "the answer was not valid JSON"
    if not isinstance(data, dict):
        return None, "the answer was not a JSON object"
    problems = [k for k in ("topic", "caption", "alt_text") if not isinstance(data.get(k), str)]
    if not isinstance(data.get("hashtags"), list) or not all(isinstance(t, str) for t in data.get("hashtags", [])):
        problems.append("hashtags")
    if not problems and not data["caption"].strip():
        problems.append("caption (empty)")
    if problems:
        return None, "missing or wrong keys: " + ", ".join(problems)
    return data, ""


class OpenAICaptions:
    name = "openai"

    @property
    def model(self) -> str:
        return settings.GENERATION_OPENAI_CAPTION_MODEL

    def write(self, brief: CaptionBrief) -> CaptionDraft:
        content: list[dict[str, Any]] = [{"type": "text", "text": _brief_text(brief)}]
        for reading in brief.media[:4]:
            if reading.preview_jpeg:
                url = "data:image/jpeg;base64," + base64.b64encode(reading.preview_jpeg).decode()
                content.append({"type": "image_url", "image_url": {"url": url}})
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]
        http = _http()
        answer = self._ask(http, messages)
        data, problem = validate_caption(answer)
        if data is None:  # one repair turn
            messages += [
                {"role": "assistant", "content": answer},
                {"role": "user", "content": f"That is not usable: {problem}. Answer again with only the JSON object."},
            ]
            answer = self._ask(http, messages)
            data, problem = validate_caption(answer)
        if data is None:
            raise ProviderError(
                ErrorKind.INVALID_OUTPUT,
                f"The caption model {self.model} twice answered without the JSON we asked for ({problem}). "
                "Try again, or set this client's caption provider to builtin.",
                provider=self.name,
            )
        return CaptionDraft(
            topic=data["topic"].strip(),
            caption=data["caption"].strip(),
            hashtags=[t.strip().lstrip("#") for t in data["hashtags"] if t.strip()],
            alt_text=data["alt_text"].strip()[:1000],
            cta=str(data.get("cta") or "").strip(),
            model=self.model,
        )

    def _ask(self, http: ProviderHTTP, messages: list[dict[str, Any]]) -> str:
        body = {
            "model": self.model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": 0.8,
        }
        data = http.json("POST", f"{_base()}/chat/completions", json=body)
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError):
            return ""


def fit_to(data: bytes, width: int, height: int) -> bytes:
    """Any image → a JPEG of exactly width × height (cover crop)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            fitted = ImageOps.fit(ImageOps.exif_transpose(im).convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ProviderError(
            ErrorKind.INVALID_OUTPUT, f"The image provider sent a file we cannot read ({type(exc).__name__})."
        ) from None
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


def download(http: ProviderHTTP, url: str) -> bytes:
    """An image the provider made, fetched without our key (its own storage)."""
    plain = ProviderHTTP(http.label, {}, http.session)
    return plain.call("GET", url).content


class OpenAIImages:
    name = "openai"

    @property
    def model(self) -> str:
        return settings.GENERATION_OPENAI_IMAGE_MODEL

    def render(self, brief: ImageBrief) -> ImageOut:
        started = time.monotonic()
        ratio = brief.width / brief.height
        shape = "square" if 0.9 <= ratio <= 1.1 else "landscape" if ratio > 1 else "portrait"
        http = _http()
        model = brief.model or self.model
        body = {"model": model, "prompt": brief.prompt, "n": 1, "size": IMAGE_SIZES[shape]}
        if settings.GENERATION_OPENAI_IMAGE_B64:
            body["response_format"] = "b64_json"
        data = http.json("POST", f"{_base()}/images/generations", json=body)
        try:
            item = data["data"][0]
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                ErrorKind.INVALID_OUTPUT, f"{LABEL} answered without an image.", provider=self.name
            ) from None
        if item.get("b64_json"):
            raw = base64.b64decode(item["b64_json"])
        elif item.get("url"):
            raw = download(http, item["url"])
        else:
            raise ProviderError(ErrorKind.INVALID_OUTPUT, f"{LABEL} answered without an image.", provider=self.name)
        return ImageOut(data=fit_to(raw, brief.width, brief.height), model=model, seconds=time.monotonic() - started)
