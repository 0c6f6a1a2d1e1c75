import functools
import html

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from publishing import rules, states
from publishing.forms import format_slots
from publishing.services.missed import client_note

register = template.Library()


@register.filter
def slots(value) -> str:
    return format_slots(value)


@register.filter
def client_status(status: str) -> str:
    """``{{ post.status|client_status }}``: the status as the client reads it on its portal."""
    return states.client_side_label(status)


@register.filter
def client_late_note(post) -> str:
    """What the client reads when the post's time passed before it approved (else "")."""
    return client_note(post)


@functools.lru_cache(maxsize=64)
def _icon_url(platform: str, static_url: str) -> str:
    # Found once per process (a calendar draws hundreds of icons), keyed by STATIC_URL for tests
    # that change it; the storage's manifest does not change while a process runs.
    return static(f"img/platforms/{platform}.svg")


@register.simple_tag
def platform_icon(platform: str, size: int = 16, title: str = "") -> str:
    """A platform's icon (static/img/platforms/, see its README for the licences), named for
    screen readers; ``title`` (e.g. the account) shows on hover."""
    label = rules.PLATFORM_LABELS.get(platform)
    if label is None:
        return format_html('<span class="platform-chip">{}</span>', platform)
    return format_html(
        '<img class="platform-icon" src="{}" width="{}" height="{}" alt="{}" title="{}">',
        _icon_url(platform, settings.STATIC_URL),
        size,
        size,
        label,
        title or label,
    )


@register.simple_tag
def calendar_chip(p) -> str:
    """A content calendar chip (a month shows a few hundred): the post's time, platforms, client
    and label, worked out by the view (``publishing.views.posts.calendar._chip``). Written here
    rather than by an ``{% include %}`` per chip, which cost a third of a calendar's miss."""
    icons = format_html_join("", "{}", ((platform_icon(key, 12),) for key in p.platform_keys))
    move = format_html(' draggable="true" data-move-url="{}"', p.move_url) if p.move_url else ""
    thumb = (
        format_html('<img class="cal-thumb" src="{}" alt="" width="20" height="20" loading="lazy">', p.thumb_url)
        if p.thumb_url
        else ""
    )
    return format_html(
        '<a class="cal-item status-{}" href="{}"{} title="{} {} — {} ({})">{}<span class="cal-time">{} {}</span> {}'
        '<br><span class="small">{}: {}</span></a>',
        p.status, p.url, move, p.time_label, p.zone_label, p.client.name, p.get_status_display(), thumb,
        p.time_label, p.zone_label, icons, p.client.name, p.label,
    )  # fmt: skip


@register.simple_tag
def client_options(clients, selected=None, counts: bool = False) -> str:
    """The ``<option>``s of a client select, ``selected`` chosen; with ``counts`` each says its
    ``media_count``. Written here rather than by a template loop: an agency has hundreds of clients.
    Escaped with ``html.escape``, what Django's ``escape`` calls: ``format_html`` per option cost
    the library's miss several ms for 300 clients (publishing/tests/test_media_pages.py holds the
    bytes equal to it)."""
    chosen = getattr(selected, "pk", None)
    return mark_safe(  # noqa: S308 - every value in it is escaped
        "".join(
            f'<option value="{html.escape(str(c.pk))}"{" selected" if chosen is not None and c.pk == chosen else ""}>'
            f"{html.escape(f'{c.name} ({c.media_count})' if counts else str(c.name))}</option>"
            for c in clients
        )
    )


@register.inclusion_tag("publishing/partials/platform_legend.html")
def platform_legend(platforms=None) -> dict:
    """What each icon means, under a calendar: every platform, or the ``platforms`` given."""
    keys = [p for p in rules.PLATFORMS if platforms is None or p in platforms]
    return {"platforms": [(key, rules.PLATFORM_LABELS[key]) for key in keys]}
