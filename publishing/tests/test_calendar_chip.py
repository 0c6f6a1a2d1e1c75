"""The content calendar's chip, written by ``{% calendar_chip %}`` instead of an ``{% include %}``
per chip (issue 14: a third of a calendar's miss), is byte-equal to the template it replaced."""

from __future__ import annotations

import uuid

import pytest
from django.template import engines

from agency.models import Client
from publishing.models import Post
from publishing.templatetags.publishing_extras import calendar_chip

# templates/publishing/posts/_chip.html as it was, the reference.
OLD_CHIP = (
    '{% load publishing_extras %}<a class="cal-item status-{{ p.status }}" href="{{ p.url }}"{% if p.move_url %}'
    ' draggable="true" data-move-url="{{ p.move_url }}"{% endif %} title="{{ p.time_label }} {{ p.zone_label }} —'
    ' {{ p.client.name }} ({{ p.get_status_display }})">{% if p.thumb_url %}<img class="cal-thumb"'
    ' src="{{ p.thumb_url }}" alt="" width="20" height="20" loading="lazy">{% endif %}<span class="cal-time">'
    "{{ p.time_label }} {{ p.zone_label }}</span> {% for key in p.platform_keys %}{% platform_icon key 12 %}"
    '{% endfor %}<br><span class="small">{{ p.client.name }}: {{ p.label }}</span></a>'
)


def chip(**fields) -> Post:
    post = Post(id=uuid.uuid4(), client=Client(name=fields.pop("client", "Oak & Sons <Dental>")))
    values = {
        "status": "scheduled", "url": f"/content/{post.pk}/", "move_url": "", "time_label": "09:30",
        "zone_label": "CST", "label": 'A "quoted" <b>title</b> & more', "thumb_url": "", "platform_keys": [],
    }  # fmt: skip
    values.update(fields)
    for name, value in values.items():
        setattr(post, name, value)
    return post


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"move_url": "/content/x/move/?view=week&client=1", "platform_keys": ["facebook", "instagram"]},
        {"thumb_url": '/media/s/thumb.jpg?exp=1&sig=a"b', "platform_keys": ["x", "linkedin", "google_business"]},
        {"status": "published", "time_label": "", "zone_label": "UTC+04", "platform_keys": ["myspace"]},
        {"status": "failed", "client": "Ünïcode café <Dental>", "label": "…" * 3},
    ],
)
def test_the_chip_is_the_template_it_replaced(fields):
    post = chip(**fields)
    old = engines["django"].from_string(OLD_CHIP).render({"p": post})
    assert calendar_chip(post) == old
    assert "<b>" not in old and "&lt;Dental&gt;" in old  # escaped, in both


def test_a_chip_without_platforms_or_picture_says_what_it_can():
    html = calendar_chip(chip(platform_keys=[], thumb_url=""))
    assert "cal-thumb" not in html and "platform-icon" not in html and "draggable" not in html
    assert html.startswith('<a class="cal-item status-scheduled"') and "Oak &amp; Sons &lt;Dental&gt;" in html
