"""Template filters of the results pages."""

from __future__ import annotations

from django import template

from reports.content import platform_name

register = template.Library()


@register.filter
def platform_names(keys: list[str]) -> str:
    """``["facebook", "google_business"]`` → ``Facebook, Google Business Profile``."""
    return ", ".join(platform_name(key) for key in keys)
