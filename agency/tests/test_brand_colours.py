"""Brand colours show under our CSP (style-src 'self', no inline styles): as SVG fills."""

from __future__ import annotations

import re

import pytest

from agency.models import Client

pytestmark = pytest.mark.django_db


def test_the_client_page_draws_brand_colours_without_inline_styles(client, owner):
    bella = Client.objects.create(name="Bella Bakery", slug="bella", brand_colors=["#8C3B2E", "#F2D7B6"])
    client.force_login(owner)
    response = client.get(f"/clients/{bella.pk}/")
    html = response.content.decode()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert re.findall(r'<rect [^>]*fill="(#[0-9A-F]{6})"', html) == ["#8C3B2E", "#F2D7B6"]
    assert "#8C3B2E</span>" in html  # the code is written next to it too
    assert "style=" not in html


def test_the_empty_post_editor_asks_for_no_checks(client, owner):
    client.force_login(owner)
    html = client.get("/content/new/").content.decode()
    assert "Choose a client" in html and 'hx-target="#checks"' not in html
