"""The server-drawn charts: axis labels fit their slot (the full name stays in the tooltip and table)."""

from __future__ import annotations

import re

from reports.charts import bar_chart


def _x_axis(svg: str, count: int) -> list[str]:
    """The labels under the x axis (drawn after the y axis' figures)."""
    return re.findall(r'<text class="chart-axis"[^>]*>([^<]*)</text>', svg)[-count:]


PLATFORMS = ["Facebook", "Instagram", "LinkedIn", "X", "Google Business Profile"]


def test_long_axis_labels_are_shortened_to_their_slot_and_kept_whole_elsewhere():
    svg = str(bar_chart(title="Posts by platform", labels=PLATFORMS, values=[15, 13, 6, 6, 5], name="Posts"))
    axis = _x_axis(svg, len(PLATFORMS))
    assert axis[:4] == ["Facebook", "Instagram", "LinkedIn", "X"]
    assert axis[4].startswith("Google Bus") and axis[4].endswith("…") and len(axis[4]) <= 11
    assert "<title>Google Business Profile: 5 posts</title>" in svg  # the bar's tooltip
    assert '<th scope="row">Google Business Profile</th>' in svg  # the numbers table


def test_short_labels_are_left_alone():
    svg = str(bar_chart(title="Days", labels=["Mon", "Tue", "Wed"], values=[1, 2, 3], name="Posts"))
    assert _x_axis(svg, 3) == ["Mon", "Tue", "Wed"]
