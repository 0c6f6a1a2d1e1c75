"""The HTTP providers against fake OpenAI-compatible and fal servers over real HTTP: JSON repair
then a clear failure, bounded retries, classification, the key never in logs; the builtin image
maker at exact sizes in every style."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image

from generation import presets
from generation.providers.base import CaptionBrief, ErrorKind, Guidelines, ImageBrief, MediaReading, ProviderError
from generation.providers.builtin_images import BuiltinImages
from generation.providers.fal import FalImages
from generation.providers.openai import OpenAICaptions, OpenAIImages


def caption_brief() -> CaptionBrief:
    return CaptionBrief(
        client_name="Bella Bakery", industry="bakery", location="Portland, OR",
        guidelines=Guidelines(tone=("playful",), avoid=("diet",), text="Tone: playful. Avoid: diet."),
        notes="Fresh sourdough every morning", platforms=["instagram"],
        media=[MediaReading(kind="image", orientation="square", colours=("golden",), preview_jpeg=b"\xff\xd8fake")],
    )  # fmt: skip


def image_brief(**kw) -> ImageBrief:
    fields = {"prompt": "Spring sale on sourdough, professional, landscape", "headline": "Spring sale",
              "style": "professional", "width": 1200, "height": 675, "platform": "facebook",
              "brand_colours": ("#8C3B2E", "#F2D7B6", "#FFF8F0"), "business": "Bella Bakery", "seed": 3}  # fmt: skip
    return ImageBrief(**{**fields, **kw})


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        return im.size


def test_openai_captions_send_the_photos_and_read_the_json(fake_ai):
    draft = OpenAICaptions().write(caption_brief())
    assert draft.caption.startswith("Fresh from the studio") and draft.hashtags and draft.model == "gpt-4o-mini"
    sent = fake_ai.bodies[-1]["body"]
    assert sent["response_format"] == {"type": "json_object"}
    parts = sent["messages"][1]["content"]
    assert parts[0]["type"] == "text" and "Avoid: diet" in parts[0]["text"]
    assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_a_bad_json_answer_gets_one_repair_turn(fake_ai):
    fake_ai.fail("chat", "bad_json", times=1)
    draft = OpenAICaptions().write(caption_brief())
    assert draft.caption and fake_ai.calls("chat") == 2
    repair = fake_ai.bodies[-1]["body"]["messages"]
    assert repair[-2]["role"] == "assistant" and "not usable" in repair[-1]["content"]


def test_two_bad_answers_fail_clearly(fake_ai):
    fake_ai.fail("chat", "bad_json", times=2)
    with pytest.raises(ProviderError) as caught:
        OpenAICaptions().write(caption_brief())
    assert caught.value.kind == ErrorKind.INVALID_OUTPUT
    assert "twice answered without the JSON" in caught.value.message and "builtin" in caught.value.message
    assert fake_ai.calls("chat") == 2


def test_server_errors_are_retried_within_bounds(fake_ai, settings):
    settings.GENERATION_MAX_RETRIES = 2
    fake_ai.fail("chat", "http_500", times=2)
    assert OpenAICaptions().write(caption_brief()).caption
    assert fake_ai.calls("chat") == 3
    fake_ai.fail("chat", "http_500", times=5)
    with pytest.raises(ProviderError) as caught:
        OpenAICaptions().write(caption_brief())
    assert caught.value.kind == ErrorKind.RETRYABLE and fake_ai.calls("chat") == 6


def test_rate_limits_wait_for_retry_after_then_succeed(fake_ai):
    fake_ai.fail("images", "rate_limit", times=1, retry_after=0)
    out = OpenAIImages().render(image_brief())
    assert size_of(out.data) == (1200, 675) and fake_ai.calls("images") == 2


@pytest.mark.parametrize(
    ("kind", "expected", "calls"),
    [("auth", ErrorKind.AUTH, 1), ("bad_request", ErrorKind.REJECTED, 1), ("hang", ErrorKind.RETRYABLE, 3)],
)
def test_failures_are_classified_and_only_retryable_ones_retried(fake_ai, settings, kind, expected, calls):
    settings.GENERATION_READ_TIMEOUT = 0.3
    fake_ai.fail("images", kind, times=3, seconds=1)
    with pytest.raises(ProviderError) as caught:
        OpenAIImages().render(image_brief())
    assert caught.value.kind == expected
    assert fake_ai.calls("images") == calls


def test_a_wrong_key_says_what_to_do_and_never_reaches_the_logs(fake_ai, settings, caplog):
    settings.GENERATION_OPENAI_API_KEY = "sk-live-SECRET-never-log-me"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError) as caught:
        OpenAICaptions().write(caption_brief())
    assert caught.value.kind == ErrorKind.AUTH and "Check the key" in caught.value.message
    settings.GENERATION_OPENAI_API_KEY = fake_ai.key
    OpenAIImages().render(image_brief())
    text = "\n".join(r.getMessage() for r in caplog.records) + caught.value.message + repr(caught.value)
    assert "sk-live-SECRET-never-log-me" not in text and fake_ai.key not in text
    assert any("/openai/v1/chat/completions -> 401" in r.getMessage() for r in caplog.records)


def test_openai_images_are_cropped_to_the_exact_size(fake_ai, settings):
    for b64 in (True, False):  # b64_json, then a URL we download
        settings.GENERATION_OPENAI_IMAGE_B64 = b64
        out = OpenAIImages().render(image_brief(width=1080, height=1920))
        assert size_of(out.data) == (1080, 1920)
    assert fake_ai.bodies[0]["body"]["size"] == "1024x1536"  # a portrait size the model accepts


def test_fal_submits_polls_and_fetches_the_result(fake_ai, settings):
    settings.GENERATION_FAL_MODEL = "fal-ai/flux/schnell"
    out = FalImages().render(image_brief(width=1080, height=1080))
    assert size_of(out.data) == (1080, 1080) and out.model == "fal-ai/flux/schnell"
    assert fake_ai.calls("fal_submit") == 1 and fake_ai.calls("fal_status") == 2 and fake_ai.calls("fal_result") == 1
    submitted = next(b["body"] for b in fake_ai.bodies if b["operation"] == "fal_submit")
    assert submitted["image_size"] == {"width": 1080, "height": 1080}


def test_fal_that_never_finishes_fails_within_the_poll_budget(fake_ai, settings):
    fake_ai.configure(**{"fal.polls": 10_000})
    settings.GENERATION_POLL_TIMEOUT = 0.2
    with pytest.raises(ProviderError) as caught:
        FalImages().render(image_brief())
    assert "did not finish" in caught.value.message


@pytest.mark.parametrize("style", list(presets.STYLES))
@pytest.mark.parametrize("platform", list(presets.PLATFORM_PRESETS))
def test_builtin_designs_have_the_exact_preset_size_in_every_style(platform, style):
    width, height = presets.size_for(platform, presets.PLATFORM_PRESETS[platform].aspect_ratio)
    out = BuiltinImages().render(image_brief(style=style, width=width, height=height))
    assert size_of(out.data) == (width, height)
    assert len(out.data) < 4 * 1024 * 1024  # within every platform's byte limit


def test_builtin_designs_use_a_library_photo_and_the_logo():
    photo, logo = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (1600, 1000), (10, 200, 10)).save(photo, "JPEG")
    Image.new("RGBA", (300, 300), (255, 0, 0, 255)).save(logo, "PNG")
    out = BuiltinImages().render(image_brief(background=photo.getvalue(), logo=logo.getvalue()))
    with Image.open(io.BytesIO(out.data)) as im:
        assert im.getpixel((600, 150))[1] > 150  # the green photo shows above the band
        assert im.getpixel((90, 90))[0] > 200  # the red logo sits in the corner


def test_preset_sizes():
    assert presets.size_for("facebook", "16:9") == (1200, 675)
    assert presets.size_for("instagram", "1:1") == (1080, 1080)
    assert presets.size_for("instagram_story", "9:16") == (1080, 1920)
    assert presets.size_for("x", "16:9") == (1600, 900)
    assert presets.size_for("linkedin", "1.91:1") == (1200, 627)
    with pytest.raises(presets.BadAspectRatio):
        presets.parse_ratio("wide")
