"""What other domains may call in generation (the portal's content submission, the post editor).

The caption service lives in ``generation.services.captions``:

    caption_generate(*, client, media, notes, platforms, topic="", placement="feed",
                     actor=None, provider=None) -> CaptionSet

It answers a topic, one base caption, shared hashtags, alt text, and per platform the full text
ready to post (caption + CTA + hashtags laid out for that platform) — always within
``publishing.rules`` limits — and records a GenerationJob with its inputs, provider, model and
timings. Provider failures raise ``GenerationFailed`` with a message a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class GenerationFailed(Exception):
    """The provider could not produce a result; ``str(error)`` says what to do."""


@dataclass
class CaptionSet:
    topic: str
    caption: str  # the base caption, without hashtags
    hashtags: list[str]  # without '#'
    alt_text: str
    per_platform: dict[str, str] = field(default_factory=dict)  # platform -> full text to post
    provider: str = "builtin"
    model: str = ""
    job_id: str = ""
    cta: str = ""  # the call to action the per-platform texts carry (given, or suggested by the provider)
