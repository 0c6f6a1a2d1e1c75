"""A client's brand colours as CSS custom properties (its portal and its monthly PDF report): the
accent (buttons, links, meters, focus rings) and the sidebar's mark, when they keep text readable.

The values go into CSS custom properties in a nonce'd <style> block of ``portal/base.html`` (the
CSP allows no inline style attributes). They are rebuilt from parsed numbers, never copied from
input, so nothing but ``#rrggbb`` reaches the stylesheet.
"""

from __future__ import annotations

import functools
import re

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
WHITE = (255, 255, 255)
DARK_INK = "#1c2230"
# WCAG AA for normal text: white on the accent (buttons) and the accent on white (links).
MIN_CONTRAST = 4.5

Rgb = tuple[int, int, int]


def _parse(colour: str) -> Rgb | None:
    match = _HEX.match(colour.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c))) for c in rgb))


def _luminance(rgb: Rgb) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(rgb: Rgb, other: Rgb, amount: float) -> tuple[float, float, float]:
    (r, g, b), (r2, g2, b2) = rgb, other
    return (r + (r2 - r) * amount, g + (g2 - g) * amount, b + (b2 - b) * amount)


def portal_theme(brand_colours: list[str] | None) -> dict[str, str] | None:
    """CSS custom properties for a client's portal, or None to keep LocalBzz's own colours.

    The accent is the first brand colour readable as white text on it and as text on white; the
    sidebar mark takes the first brand colour with whichever ink reads on it.
    """
    theme = _theme(tuple(brand_colours or ()))
    return dict(theme) if theme is not None else None


@functools.lru_cache(maxsize=512)
def _theme(brand_colours: tuple[str, ...]) -> dict[str, str] | None:
    """Computed once per set of colours in a process (every portal page asks): keyed by the
    colours themselves, so new brand colours are a new entry, never a stale one."""
    colours = [rgb for rgb in (_parse(c) for c in brand_colours) if rgb]
    if not colours:
        return None
    theme = {"--brand": _hex(colours[0]), "--brand-ink": "#ffffff" if contrast(colours[0], WHITE) >= 3 else DARK_INK}
    accent = next((rgb for rgb in colours if contrast(rgb, WHITE) >= MIN_CONTRAST), None)
    if accent is not None:
        theme |= {
            "--accent": _hex(accent),
            "--accent-600": _hex(_mix(accent, (0, 0, 0), 0.15)),
            "--accent-50": _hex(_mix(accent, WHITE, 0.92)),
        }
    return theme
