"""Charts drawn on the server as SVG: for the analytics pages, the portal and the monthly PDF.

Nothing runs in the browser, so the charts work under our CSP (no script, no ``style=""``: colours
are SVG presentation attributes and classes) and in WeasyPrint. Each chart is a ``<figure>`` with
an ``<svg role="img">`` named by its ``<title>``/``<desc>``, a ``<title>`` on every point or bar
(a tooltip on hover), and the same numbers as a ``<table>`` — hidden from sight on screen (read by
screen readers), printed in the PDF. The viewBox is narrow (420 units) so its text stays legible
on a 390 px phone; the figure scales to its container.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 420, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 28  # the plot area's margins (axis labels live there)
PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float | None]  # one per label; None: no figure (a gap, never a zero)


def _f(value: float) -> str:
    """A coordinate, to a tenth of a unit."""
    return f"{value:.1f}"


def number(value: int | float | None) -> str:
    """``12,345`` / ``3.4`` / ``–`` (no figure)."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _nice_max(value: float) -> float:
    """The axis top: the next of 1, 2, 2.5, 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _short(value: int | float) -> str:
    """``1.9k``, ``12k``, ``2.4M``, ``850``: axis and bar labels that fit."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            scaled = value / size
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def _grid(top: float) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    rows = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        rows.append((LEFT, _f(y), WIDTH - RIGHT, _f(y), LEFT - 6, _f(y + 4), _short(value)))
    return format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e5e7eb" stroke-width="1"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end" font-size="12" fill="#5b6472">{}</text>',
        rows,
    )


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> SafeString:
    """At most ~6 labels under the axis, evenly picked, so they never overlap on a phone."""
    if not labels:
        return mark_safe("")
    every = max(1, -(-len(labels) // 6))
    room = (WIDTH - LEFT - RIGHT) / len(labels) * every  # the width each shown label may take
    fits = max(3, int(room / 6.5))  # characters at font-size 12 (the full name is in the tooltip and table)
    picked = [
        (_f(x), HEIGHT - 8, label if len(label) <= fits else label[: fits - 1].rstrip() + "…")
        for i, (x, label) in enumerate(zip(xs, labels, strict=True))
        if i % every == 0
    ]
    return format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle" font-size="12" fill="#5b6472">{}</text>',
        picked,
    )


def _table(caption: str, labels: Sequence[str], series: Sequence[Series], unit: str, visible: bool) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((s.name,) for s in series))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (label, format_html_join("", "<td>{}</td>", ((number(s.values[i]),) for s in series)))
            for i, label in enumerate(labels)
        ),
    )
    return format_html(
        '<table class="chart-table{}"><caption>{}{}</caption><thead><tr><th scope="col">{}</th>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        "" if visible else " sr-only",
        caption,
        f" ({unit})" if unit else "",
        "",
        head,
        rows,
    )


def _figure(title: str, summary: str, body: SafeString, legend: SafeString, table: SafeString) -> SafeString:
    uid = f"chart-{next(_ids)}"
    return format_html(
        '<figure class="chart"><figcaption class="chart-caption" aria-hidden="true">{}</figcaption>'
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-t {}-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>{}{}</figure>',
        title, WIDTH, HEIGHT, uid, uid, uid, title, uid, summary, body, legend, table,
    )  # fmt: skip


def _legend(series: Sequence[Series]) -> SafeString:
    if len(series) < 2:
        return mark_safe("")
    items = format_html_join(
        "",
        '<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="{}"/></svg>'
        " {}</li>",
        ((PALETTE[i % len(PALETTE)], s.name) for i, s in enumerate(series)),
    )
    return format_html('<ul class="chart-legend">{}</ul>', items)


def _empty(title: str) -> SafeString:
    return format_html('<figure class="chart chart-empty"><p class="muted">{}: no figures for this period yet.</p>'
                       "</figure>", title)  # fmt: skip


def line_chart(
    *, title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "", table_visible: bool = False
) -> SafeString:
    """Lines over time (one per series), a point per label with its figure as a tooltip."""
    known = [v for s in series for v in s.values if v is not None]
    if not labels or not known:
        return _empty(title)
    top = _nice_max(max(known))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    xs = [LEFT + (i * step if len(labels) > 1 else plot_w / 2) for i in range(len(labels))]

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [_grid(top)]
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        # A gap where a figure is missing: one polyline per run of known values.
        runs: list[list[tuple[float, float]]] = [[]]
        for x, value in zip(xs, s.values, strict=True):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x, y(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round"/>',
                        points,
                        colour,
                    )
                )
        # Points only where a tooltip stays useful (a month of days, not a year).
        if len(labels) <= 62:
            parts.append(
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{}: {} {}</title></circle>',
                    (
                        (_f(x), _f(y(v)), colour, label, number(v), s.name.lower())
                        for x, v, label in zip(xs, s.values, labels, strict=True)
                        if v is not None
                    ),
                )
            )
    parts.append(_x_labels(labels, xs))
    summary = "; ".join(
        f"{s.name}: {number(sum(v for v in s.values if v is not None))} in total, "
        f"highest {number(max((v for v in s.values if v is not None), default=None))}"
        for s in series
    )
    body = mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html
    return _figure(title, summary, body, _legend(series), _table(title, labels, series, unit, table_visible))


def bar_chart(
    *, title: str, labels: Sequence[str], values: Sequence[int | float | None], name: str, unit: str = "",
    table_visible: bool = False,
) -> SafeString:  # fmt: skip
    """One bar per label (e.g. per weekday or per platform), its figure as a tooltip and on top."""
    known = [v for v in values if v is not None]
    if not labels or not known:
        return _empty(title)
    top = _nice_max(max(known))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)
    bar = min(48.0, slot * 0.7)
    xs = [LEFT + slot * i + slot / 2 for i in range(len(labels))]
    bars = []
    for x, value, label in zip(xs, values, labels, strict=True):
        if value is None:
            continue
        h = plot_h * value / top
        bars.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"><title>{}: {} {}</title>'
                '</rect><text x="{}" y="{}" text-anchor="middle" font-size="10" fill="#1c2230">{}</text>',
                x - bar / 2,
                TOP + plot_h - h,
                bar,
                h,
                PALETTE[0],
                label,
                number(value),
                name.lower(),
                x,
                TOP + plot_h - h - 3,
                _short(value),
            )  # fmt: skip
        )
    summary = ", ".join(f"{label}: {number(v)}" for label, v in zip(labels, values, strict=True))
    body = mark_safe(_grid(top) + "".join(bars) + _x_labels(labels, xs))  # noqa: S308 - built with format_html
    series = [Series(name, values)]
    return _figure(title, summary, body, _legend(series), _table(title, labels, series, unit, table_visible))
