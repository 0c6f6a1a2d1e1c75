"""One caption laid out for each platform: its own length, hashtag count, CTA placement and line
breaks — and always within ``publishing.rules`` (length, weighted length on X, hashtags, mentions).

``compose`` is used for every provider's output, so a model that writes too much still yields
posts that pass the publishing checks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from publishing import rules


@dataclass(frozen=True)
class Style:
    body: int  # characters of caption we aim for (the hard limit comes from publishing.rules)
    hashtags: tuple[int, int]  # how many hashtags, from–to
    cta: str  # "line" (own line after the text), "end" (after the last sentence), "start"
    breaks: str  # "sentences" (one per line), "paragraphs" (blank lines), "none"
    inline_tags: bool = False  # hashtags follow the text on the same line


STYLES = {
    "instagram": Style(body=1200, hashtags=(8, 15), cta="line", breaks="sentences"),
    "instagram_story": Style(body=120, hashtags=(0, 2), cta="line", breaks="none"),
    "facebook": Style(body=900, hashtags=(2, 4), cta="end", breaks="paragraphs"),
    "linkedin": Style(body=1300, hashtags=(3, 5), cta="line", breaks="paragraphs"),
    "x": Style(body=200, hashtags=(1, 2), cta="end", breaks="none", inline_tags=True),
    "google_business": Style(body=700, hashtags=(0, 0), cta="end", breaks="paragraphs"),
}
_SENTENCES = re.compile(r"(?<=[.!?…])\s+")


def style_for(platform: str, placement: str = "feed") -> Style:
    if platform == "instagram" and placement == "story":
        return STYLES["instagram_story"]
    return STYLES.get(platform, STYLES["facebook"])


def _limit_key(platform: str, placement: str) -> str:
    return f"instagram_{placement}" if platform == "instagram" and placement in {"story", "reel"} else platform


def _shorten(text: str, budget: int, platform: str) -> str:
    """Whole sentences up to ``budget`` (measured the platform's way); a long first sentence is cut
    at a word with an ellipsis."""
    if rules.text_length(platform, text) <= budget:
        return text
    kept = ""
    for sentence in _SENTENCES.split(text):
        candidate = f"{kept} {sentence}".strip()
        if rules.text_length(platform, candidate) > budget:
            break
        kept = candidate
    if kept:
        return kept
    words, out = text.split(), ""
    for word in words:
        candidate = f"{out} {word}".strip()
        if rules.text_length(platform, candidate + "…") > budget:
            break
        out = candidate
    if out:
        return out.rstrip(",;:-—") + "…"
    cut = text[: max(budget - 1, 0)]  # one word longer than the budget: cut inside it
    while cut and rules.text_length(platform, cut + "…") > budget:
        cut = cut[:-1]
    return cut + "…" if cut else ""


def _neutralise(text: str, pattern: re.Pattern[str], symbol: str, allowed: int) -> str:
    """Keep the first ``allowed`` #tags/@mentions of ``text``; later ones lose their symbol."""
    seen = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return match.group(0) if seen <= allowed else match.group(0).replace(symbol, "", 1)

    return pattern.sub(keep, text)


_TAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_AT = re.compile(r"(?<![\w@])@\w[\w.]*", re.UNICODE)


def _break(text: str, how: str) -> str:
    sentences = [s for s in _SENTENCES.split(text.strip()) if s]
    if how == "sentences":
        return "\n".join(sentences)
    if how == "paragraphs" and len(sentences) > 2:
        return "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))
    return " ".join(sentences)


def compose(
    platform: str,
    *,
    caption: str,
    cta: str = "",
    hashtags: list[str] | tuple[str, ...] = (),
    placement: str = "feed",
    seed: int = 0,
) -> str:
    """The text to post on ``platform``: caption, CTA and hashtags laid out its way, within its limits."""
    style = style_for(platform, placement)
    key = _limit_key(platform, placement)
    limits = rules.LIMITS[key]
    rng = random.Random(f"{seed}:{platform}:{placement}")
    low, high = style.hashtags
    count = rng.randint(low, high) if high else 0
    if limits.hashtags is not None:
        count = min(count, limits.hashtags)
    caption = " ".join(caption.split())
    cta = " ".join(cta.split())
    tags = [t for t in (re.sub(r"[^\w]", "", str(h).lstrip("#"), flags=re.UNICODE) for h in hashtags) if t][:count]

    def build(body: str, tags_: list[str], with_cta: bool) -> str:
        body = _break(body, style.breaks)
        line = cta if with_cta and cta else ""
        if line and style.cta == "end" and body:
            body = f"{body} {line}" if style.breaks == "none" else f"{body}\n\n{line}"
            line = ""
        elif line and style.cta == "start":
            body, line = f"{line}\n\n{body}", ""
        tag_text = " ".join(f"#{t}" for t in tags_)
        parts = [p for p in (body, line) if p]
        text = "\n".join(parts) if style.breaks == "sentences" else "\n\n".join(parts)
        if tag_text:
            text = f"{text} {tag_text}" if style.inline_tags else f"{text}\n\n{tag_text}"
        return text.strip()

    def finish(text: str) -> str:
        # Hashtags and mentions already in the caption count toward the platform's limits.
        if limits.hashtags is not None:
            text = _neutralise(text, _TAG, "#", limits.hashtags)
        if limits.mentions is not None:
            text = _neutralise(text, _AT, "@", limits.mentions)
        return text

    # Room for the CTA and hashtags first; the caption gets what is left (at most its style's length).
    extras = build("", tags, True)
    room = min(style.body, limits.text - rules.text_length(key, extras) - 2)
    body = _shorten(caption, max(room, 0), key)
    text = finish(build(body, tags, True))
    while rules.text_length(key, text) > limits.text:  # last resort: never over the limit
        if tags:
            tags = tags[:-1]
            text = finish(build(body, tags, True))
        elif body:
            body = _shorten(body, max(rules.text_length(key, body) - 20, 0), key)
            text = finish(build(body, tags, True))
        else:
            text = finish(_shorten(text, limits.text, key))
    return text
