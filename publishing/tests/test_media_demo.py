from __future__ import annotations

import pytest
from django.core.management import call_command

from agency.models import Client
from publishing.models import MediaAsset

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_drawn_photos_to_the_demo_clients_once(capsys):
    call_command("seed_demo")
    assert "6 media files" in capsys.readouterr().out
    joe = Client.objects.get(slug="joes-landscaping")
    assert MediaAsset.objects.filter(client=joe).count() == 3
    assert set(MediaAsset.objects.values_list("kind", "content_type")) == {("image", "image/jpeg")}
    assert MediaAsset.objects.filter(uploaded_by__email="owner@localbzz.local").count() == 6
    call_command("seed_demo")
    assert MediaAsset.objects.count() == 6
    assert "nothing new" in capsys.readouterr().out
