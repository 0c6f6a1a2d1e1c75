"""Captions: every platform's text within publishing.rules for many generated inputs (hypothesis),
different submissions read differently, banned words never appear, media are read."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from generation.models import GenerationJob, HashtagGroup
from generation.providers.base import CaptionBrief, Guidelines
from generation.providers.builtin_captions import BuiltinCaptions
from generation.reading import guidelines_of, read_image
from generation.services.captions import caption_generate
from generation.services.layout import compose
from publishing import rules
from publishing.services.media.upload import media_upload

PLATFORMS = rules.PLATFORMS
AVOID = ("cheap", "guaranteed")
WORDS_A = (
    "sourdough lawn mulch patio hedge cupcake spring garden bakery cheap guaranteed fresh oven crew yard  "
    "#sale @joe 🌿 🍰 https://example.com/deal"
)
WORDS_B = (
    "sourdough lawn mulch patio hedge cupcake spring garden bakery oven crew yard renovation downtown "
    "pergola irrigation roses compost"
)
text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"), exclude_characters="\x00"),
    max_size=600,
)
words = st.lists(st.sampled_from(WORDS_A.split()),
                 max_size=80).map(" ".join)  # fmt: skip


def assert_within_limits(platform: str, placement: str, post_text: str) -> None:
    problems, _ = rules.check(platform, text=post_text, media=[], placement=placement)
    caption_problems = [p.message for p in problems if p.field == "caption"]
    assert caption_problems == [], (platform, caption_problems, post_text)
    assert post_text.strip(), "every platform gets some text"


@settings(max_examples=400, deadline=None)
@given(
    caption=st.one_of(text, words, st.text(min_size=3000, max_size=9000)),
    cta=st.one_of(st.just(""), text, st.text(min_size=300, max_size=700)),
    hashtags=st.lists(st.text(min_size=1, max_size=50), max_size=60),
    placement=st.sampled_from(["feed", "story", "reel"]),
    seed=st.integers(min_value=0, max_value=2**63),
)
def test_every_layout_stays_within_every_platform_limit(caption, cta, hashtags, placement, seed):
    for platform in PLATFORMS:
        if placement != "feed" and platform != "instagram":
            continue
        out = compose(
            platform,
            caption=caption if caption.split() else "x",
            cta=cta,
            hashtags=hashtags,
            placement=placement,
            seed=seed,
        )
        assert_within_limits(platform, placement, out)


def brief(notes: str, topic: str = "", seed: int = 1, media=()) -> CaptionBrief:
    return CaptionBrief(
        client_name="Joe's Landscaping", industry="landscaping", location="Austin, TX",
        guidelines=Guidelines(tone=("warm",), use=("hands-on",), avoid=AVOID), notes=notes, topic=topic,
        platforms=list(PLATFORMS), media=list(media), hashtag_groups=[["AustinLawns", "TexasYards"]], seed=seed,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(notes=st.one_of(text, words), topic=st.one_of(st.just(""), words), seed=st.integers(0, 2**63))
def test_the_builtin_writer_never_uses_a_banned_word_and_every_platform_fits(notes, topic, seed):
    draft = BuiltinCaptions().write(brief(notes, topic, seed))
    for part in (draft.caption, draft.topic, draft.alt_text, draft.cta, " ".join(draft.hashtags)):
        assert not re.search(r"cheap|guaranteed", part, re.IGNORECASE), part
    for platform in PLATFORMS:
        assert_within_limits(platform, "feed", compose(platform, caption=draft.caption, cta=draft.cta,
                                                        hashtags=draft.hashtags, seed=seed))  # fmt: skip


notes_pairs = st.lists(
    st.lists(st.sampled_from(WORDS_B.split()),
             min_size=2, max_size=8).map(" ".join),
    min_size=2, max_size=2, unique=True,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(pair=notes_pairs)
def test_two_different_submissions_give_different_captions(pair):
    a, b = (BuiltinCaptions().write(brief(n, seed=hash(n))) for n in pair)
    assert a.caption != b.caption


def test_same_notes_with_different_photos_still_read_differently():
    photos_a = [read_image(_jpeg((1200, 800), (40, 140, 60)))]
    photos_b = [read_image(_jpeg((800, 1200), (200, 60, 40))), read_image(_jpeg((800, 800), (240, 240, 240)))]
    a = BuiltinCaptions().write(brief("Spring clean-up at a client's yard", seed=11, media=photos_a))
    b = BuiltinCaptions().write(brief("Spring clean-up at a client's yard", seed=12, media=photos_b))
    assert a.caption != b.caption
    assert "2 photos" in b.caption


def _jpeg(size, colour, date: str | None = None) -> bytes:
    im = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if date:
        exif.get_ifd(0x8769)[0x9003] = date
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_it_reads_orientation_colours_brightness_and_date():
    reading = read_image(_jpeg((1600, 900), (30, 80, 40), "2026:06:03 08:15:00"))
    assert reading.orientation == "landscape"
    assert reading.colours[0] == "deep green"
    assert reading.brightness == "moody"
    assert reading.taken_at.strftime("%Y-%m-%d") == "2026-06-03"
    assert read_image(_jpeg((900, 1600), (250, 250, 250))).brightness == "bright"
    assert read_image(_jpeg((900, 1600), (250, 250, 250))).orientation == "portrait"


def test_it_reads_tone_words_and_banned_words_from_guidelines():
    g = guidelines_of("Cosy bakery warmth. Tone: playful, inviting. Words to use: fresh, handmade. Avoid: diet, guilt.")
    assert g.tone == ("playful", "inviting") and g.use == ("fresh", "handmade") and g.avoid == ("diet", "guilt")


@pytest.mark.django_db
def test_caption_generate_answers_the_contract_and_records_the_job(brand_client, editor):
    HashtagGroup.objects.create(client=brand_client, name="Austin", tags=["AustinLawns", "ATXGardens"])
    data = _jpeg((1600, 900), (40, 140, 60), "2026:05:02 09:00:00")
    asset = media_upload(client=brand_client, files=[ContentFile(data, name="lawn.jpg")])[0].asset
    result = caption_generate(
        client=brand_client, media=[asset], notes="A cheap-looking yard made over in Hyde Park. Guaranteed fun.",
        platforms=["instagram", "x", "google_business"], topic="Hyde Park yard makeover", actor=editor,
    )  # fmt: skip
    assert set(result.per_platform) == {"instagram", "x", "google_business"}
    assert result.provider == "builtin" and result.model == "builtin-writer-1"
    assert "AustinLawns" in result.hashtags and "Landscaping" in result.hashtags
    for platform, post_text in result.per_platform.items():
        assert_within_limits(platform, "feed", post_text)
        assert "cheap" not in post_text.lower() and "guaranteed" not in post_text.lower()
    assert "#" not in result.per_platform["google_business"]
    assert result.per_platform["instagram"].count("#") >= 8
    assert "May 2" in result.caption or "green" in result.caption or "Hyde Park" in result.caption
    job = GenerationJob.objects.get(pk=result.job_id)
    assert job.kind == "caption" and job.status == "succeeded" and job.created_by == editor
    assert job.input["media_ids"] == [str(asset.pk)] and job.finished_at >= job.started_at
    assert job.result["per_platform"] == result.per_platform
