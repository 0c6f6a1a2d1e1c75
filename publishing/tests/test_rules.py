"""Platform rules: lengths, counts, media, calls to action — and the messages people see."""

from __future__ import annotations

import pytest

from publishing import rules
from publishing.rules import MediaFacts


def photo(name="IMG_1.jpg", mime="image/jpeg", size=2_000_000, w=1080, h=1350, **kw) -> MediaFacts:
    return MediaFacts(name=name, kind="image", mime=mime, bytes=size, width=w, height=h, **kw)


def messages(platform, **kw) -> list[str]:
    return [p.message for p in rules.check(platform, **kw)[0]]


def test_x_counts_urls_as_23_and_emoji_as_2():
    assert rules.x_weighted_length("hello") == 5
    assert rules.x_weighted_length("see https://example.com/a/very/long/path?x=1") == 4 + 23
    assert rules.x_weighted_length("🍰🍰") == 4
    assert rules.x_weighted_length("é") == 1  # composed to one character


def test_a_too_long_caption_says_by_how_much():
    text = "x" * 2300
    assert messages("instagram", text=text, media=[photo()]) == [
        "Instagram allows 2,200 characters; this caption has 2,300 — shorten it by 100."
    ]
    assert "weighted characters" in messages("x", text="a" * 281, media=[])[0]


def test_instagram_hashtag_and_mention_limits():
    text = " ".join(f"#tag{i}" for i in range(31)) + " " + " ".join(f"@u{i}" for i in range(21))
    found = messages("instagram", text=text, media=[photo()])
    assert "Instagram allows 30 hashtags; this caption has 31." in found
    assert "Instagram allows 20 @mentions; this caption has 21." in found


def test_instagram_needs_media_and_carousels_of_2_to_10():
    assert "Instagram posts need at least 1 photo or video." in messages("instagram", text="hi", media=[])
    eleven = [photo(name=f"p{i}.jpg", w=1080, h=1080) for i in range(11)]
    assert "Instagram carousels take 2 to 10 photos or videos." in messages("instagram", text="hi", media=eleven)
    assert messages("instagram", text="hi", media=eleven[:10]) == []


def test_a_heic_photo_goes_as_its_jpeg_rendition():
    heic = photo(
        name="IMG_2231.HEIC",
        mime="image/heif",
        w=3024,
        h=4032,
        renditions={"instagram_portrait": {"mime": "image/jpeg", "bytes": 900_000, "width": 1080, "height": 1350}},
    )
    problems, choices = rules.check("instagram", text="hi", media=[heic])
    assert problems == [] and choices[0].source == "instagram_portrait"
    assert "Instagram needs JPEG" in choices[0].note


def test_without_a_fitting_rendition_the_message_says_what_to_do():
    heic = photo(name="IMG_2231.HEIC", mime="image/heif")
    assert messages("instagram", text="hi", media=[heic]) == [
        "Instagram needs JPEG images: convert IMG_2231.HEIC or pick another photo."
    ]
    processing = photo(name="IMG_9.HEIC", mime="image/heif", ready=False)
    assert "still being prepared" in messages("instagram", text="hi", media=[processing])[0]


def test_wrong_shape_and_size():
    panorama = photo(name="pano.jpg", w=4000, h=1000)
    assert "between 0.8:1 and 1.91:1" in messages("instagram", text="hi", media=[panorama])[0]
    huge = photo(name="big.jpg", size=9 * rules.MB, w=1080, h=1080)
    assert messages("instagram", text="hi", media=[huge]) == [
        "Instagram takes images up to 8 MB: big.jpg is too large."
    ]


def test_x_takes_four_images_and_linkedin_one():
    five = [photo(name=f"{i}.jpg") for i in range(5)]
    assert "X takes at most 4 photos in one post; this one has 5." in messages("x", text="hi", media=five)
    assert "LinkedIn takes at most 1 photo in one post; this one has 2." in messages(
        "linkedin", text="hi", media=five[:2]
    )


def test_google_business_call_to_action():
    ok = {"action_type": "BOOK", "url": "https://joes.example/book"}
    assert messages("google_business", text="hi", media=[], cta=ok) == []
    assert "CALL button uses the profile's phone number" in messages(
        "google_business", text="hi", media=[], cta={"action_type": "CALL", "url": "https://x"})[0]  # fmt: skip
    assert "needs a link" in messages("google_business", text="hi", media=[], cta={"action_type": "ORDER"})[0]
    assert "no call-to-action button" in messages("facebook", text="hi", media=[], cta=ok)[0]


def test_videos_are_checked_by_format_and_size():
    clip = MediaFacts(name="clip.avi", kind="video", mime="video/x-msvideo", bytes=10 * rules.MB)
    assert messages("facebook", text="hi", media=[clip]) == [
        "Facebook takes MP4 or MOV videos: clip.avi is video/x-msvideo."
    ]
    assert "takes no videos" in messages("linkedin", text="hi", media=[
        MediaFacts(name="c.mp4", kind="video", mime="video/mp4", bytes=1)])[0]  # fmt: skip


@pytest.mark.parametrize("platform", rules.PLATFORMS)
def test_every_platform_accepts_a_plain_short_post_with_one_photo(platform):
    assert messages(platform, text="Fresh sourdough this morning #bakery", media=[photo(w=1080, h=1080)]) == []
