"""The builtin image maker: branded designs drawn with Pillow at exactly the requested size.

Background: a library photo (cover-cropped, darkened where text sits) or the brand colours;
headline from the prompt; the client's logo; four styles — professional (photo or gradient, a
band with the headline, an accent rule), bold (a colour block and a huge uppercase headline),
minimal (light ground, small dark headline, lots of air), playful (bright shapes in the brand
colours, a rounded label). Offline and deterministic: the same brief draws the same picture.
"""

from __future__ import annotations

import io
import os
import random
import re
import time

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from generation.providers.base import ImageBrief, ImageOut

MODEL = "builtin-designer-1"
DEFAULT_COLOURS = ("#1F3A5F", "#F2A541", "#F7F4EE")
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
_FONT_CACHE: dict[tuple[bool, int], ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    key = (bold, size)
    if key not in _FONT_CACHE:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        path = next((os.path.join(d, name) for d in _FONT_DIRS if os.path.exists(os.path.join(d, name))), None)
        _FONT_CACHE[key] = ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)
    return _FONT_CACHE[key]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luma(rgb: tuple[int, int, int]) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _ink_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (20, 22, 28) if _luma(rgb) > 150 else (255, 255, 255)


def headline_of(text: str, words: int = 8) -> str:
    """A short headline from a prompt: its first clause, trimmed to a few words."""
    first = re.split(r"[,.;:\n]| - | — ", text.strip(), maxsplit=1)[0].strip() if text.strip() else ""
    picked = first.split()[:words]
    title = " ".join(picked)
    return title[:1].upper() + title[1:] if title else ""


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit_text(draw, text: str, width: int, max_size: int, max_lines: int, bold: bool = True):
    """The largest font (down to 18 px) at which ``text`` fits ``width`` in ``max_lines`` lines."""
    size = max_size
    while size > 18:
        font = _font(size, bold)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, lines
        size = int(size * 0.9)
    font = _font(18, bold)
    return font, _wrap(draw, text, font, width)[:max_lines]


def _draw_lines(draw, lines, font, x: int, y: int, fill, align: str = "left", width: int = 0) -> int:
    line_height = int(font.size * 1.18)
    for line in lines:
        dx = (width - draw.textlength(line, font=font)) / 2 if align == "center" else 0
        draw.text((x + dx, y), line, font=font, fill=fill)
        y += line_height
    return y


def _gradient(size: tuple[int, int], top, bottom) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    for i in range(256):
        t = i / 255
        column.putpixel((0, i), tuple(int(top[c] + (bottom[c] - top[c]) * t) for c in range(3)))
    return column.resize(size, Image.Resampling.BILINEAR)


def _photo(data: bytes, size: tuple[int, int]) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format == "JPEG":
                im.draft("RGB", size)
            return ImageOps.fit(ImageOps.exif_transpose(im).convert("RGB"), size, Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _logo(data: bytes, box: int) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            logo = im.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    logo.thumbnail((box, box))
    return logo


class BuiltinImages:
    name = "builtin"
    model = MODEL

    def render(self, brief: ImageBrief) -> ImageOut:
        started = time.monotonic()
        size = (brief.width, brief.height)
        colours = [_rgb(c) for c in (brief.brand_colours or DEFAULT_COLOURS)] or [_rgb(c) for c in DEFAULT_COLOURS]
        while len(colours) < 3:
            colours.append(colours[-1])
        by_luma = sorted(colours, key=_luma)
        dark, mid, light = by_luma[0], by_luma[len(by_luma) // 2], by_luma[-1]
        rng = random.Random(brief.seed)
        headline = brief.headline or headline_of(brief.prompt) or brief.business
        photo = _photo(brief.background, size) if brief.background else None
        style = brief.style if brief.style in {"professional", "bold", "minimal", "playful"} else "professional"
        canvas = getattr(self, f"_{style}")(size, headline, photo, dark, mid, light, rng, brief)
        if brief.logo:
            self._place_logo(canvas, brief.logo, style)
        out = io.BytesIO()
        canvas.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return ImageOut(data=out.getvalue(), model=MODEL, seconds=time.monotonic() - started)

    # Styles --------------------------------------------------------------------------------------

    def _professional(self, size, headline, photo, dark, mid, light, rng, brief) -> Image.Image:
        w, h = size
        canvas = photo.copy() if photo else _gradient(size, dark, mid)
        band_h = int(h * 0.34)
        band = Image.new("RGBA", (w, band_h), (*dark, 215))
        canvas = canvas.convert("RGBA")
        canvas.alpha_composite(band, (0, h - band_h))
        draw = ImageDraw.Draw(canvas)
        pad = int(min(w, h) * 0.07)
        draw.rectangle([pad, h - band_h + pad // 2, pad + int(w * 0.12), h - band_h + pad // 2 + max(4, h // 180)],
                       fill=light)  # fmt: skip
        font, lines = _fit_text(draw, headline, w - 2 * pad, int(min(w, h) * 0.09), 3)
        _draw_lines(draw, lines, font, pad, h - band_h + pad, _ink_on(dark))
        if brief.business:
            small_size = max(16, int(min(w, h) * 0.028))
            small = _font(small_size, bold=False)
            draw.text((pad, h - pad - small_size), brief.business, font=small, fill=light)
        return canvas

    def _bold(self, size, headline, photo, dark, mid, light, rng, brief) -> Image.Image:
        w, h = size
        accent = mid if _luma(mid) < 200 else dark
        canvas = Image.new("RGBA", size, (*accent, 255))
        if photo:
            faded = photo.convert("RGBA")
            faded.putalpha(70)
            canvas.alpha_composite(faded)
        draw = ImageDraw.Draw(canvas)
        stripe = int(min(w, h) * 0.16)
        draw.polygon([(0, h * 0.78), (w, h * 0.58), (w, h * 0.58 + stripe), (0, h * 0.78 + stripe)], fill=(*light, 255))
        pad = int(min(w, h) * 0.08)
        font, lines = _fit_text(draw, headline.upper(), w - 2 * pad, int(min(w, h) * 0.14), 4)
        total = int(font.size * 1.18) * len(lines)
        _draw_lines(draw, lines, font, pad, max(pad, int(h * 0.42) - total), _ink_on(accent), "center", w - 2 * pad)
        return canvas

    def _minimal(self, size, headline, photo, dark, mid, light, rng, brief) -> Image.Image:
        w, h = size
        ground = light if _luma(light) > 200 else (248, 247, 243)
        canvas = Image.new("RGBA", size, (*ground, 255))
        draw = ImageDraw.Draw(canvas)
        pad = int(min(w, h) * 0.12)
        if photo:
            inset = photo.resize((int(w * 0.34), int(w * 0.34 * h / w)), Image.Resampling.LANCZOS)
            canvas.paste(inset, (w - pad - inset.width, pad))
        font, lines = _fit_text(draw, headline, int(w * 0.6), int(min(w, h) * 0.07), 3, bold=False)
        y = _draw_lines(draw, lines, font, pad, h - pad - int(font.size * 1.18) * len(lines) - 24, dark)
        draw.line([(pad, y + 8), (pad + int(w * 0.08), y + 8)], fill=mid, width=max(2, h // 300))
        return canvas

    def _playful(self, size, headline, photo, dark, mid, light, rng, brief) -> Image.Image:
        w, h = size
        canvas = photo.convert("RGBA") if photo else Image.new("RGBA", size, (*light, 255))
        shapes = Image.new("RGBA", size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(shapes)
        for _ in range(14):
            r = rng.randint(int(min(w, h) * 0.03), int(min(w, h) * 0.14))
            x, y = rng.randint(-r, w + r), rng.randint(-r, h + r)
            colour = rng.choice([dark, mid, light, (255, 205, 60)])
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(*colour, rng.randint(120, 220)))
        canvas.alpha_composite(shapes.filter(ImageFilter.GaussianBlur(1)))
        draw = ImageDraw.Draw(canvas)
        pad = int(min(w, h) * 0.09)
        font, lines = _fit_text(draw, headline, w - 4 * pad, int(min(w, h) * 0.1), 3)
        line_h = int(font.size * 1.18)
        box_h = line_h * len(lines) + pad
        top = (h - box_h) // 2
        draw.rounded_rectangle([pad, top, w - pad, top + box_h], radius=pad // 1.5, fill=(*dark, 235))
        _draw_lines(draw, lines, font, 2 * pad, top + pad // 2, _ink_on(dark), "center", w - 4 * pad)
        return canvas

    def _place_logo(self, canvas: Image.Image, data: bytes, style: str) -> None:
        w, h = canvas.size
        logo = _logo(data, int(min(w, h) * 0.14))
        if logo is None:
            return
        margin = int(min(w, h) * 0.05)
        canvas.alpha_composite(logo, (margin, margin))
