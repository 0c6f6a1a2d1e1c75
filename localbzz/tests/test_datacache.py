"""Cached fragments (localbzz.datacache): every write to the project's tables bumps the data
version, so a write shows at once — through .save(), .update() and raw SQL, on commit inside a
transaction, never from a rolled-back one — and a fragment is keyed by who may read it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from agency.models import Lead
from hub import dashboard
from localbzz import datacache


def _lead(name: str) -> Lead:
    return Lead.objects.create(contact_name="Ann", email="ann@example.com", business_name=name)


@pytest.mark.parametrize(
    ("sql", "watched"),
    [
        ('INSERT INTO "agency_lead" ("id") VALUES (%s)', True),
        ('UPDATE "publishing_posttarget" SET "status" = %s', True),
        ('  delete from "portal_clientuser" WHERE id = 1', True),
        ('DELETE FROM "django_session" WHERE "session_key" = %s', False),
        ('INSERT INTO "django_q_ormq" ("key") VALUES (%s)', False),
        ('SELECT * FROM "agency_lead"', False),
        ('UPDATE "agency_leadership_x" SET "x" = 1', True),  # any table of the app, by its prefix
    ],
)
def test_which_statements_bump(sql, watched):
    assert datacache.writes_watched_table(sql) is watched


@pytest.mark.django_db(transaction=True)
def test_a_write_shows_on_the_dashboard_at_once(client, owner):
    client.force_login(owner)
    assert "Fresh Lawns" not in client.get("/").content.decode()
    _lead("Fresh Lawns")  # .save()
    page = client.get("/").content.decode()
    assert "Fresh Lawns" in page
    Lead.objects.filter(business_name="Fresh Lawns").update(business_name="Renamed Lawns")  # .update()
    page = client.get("/").content.decode()
    assert "Renamed Lawns" in page and "Fresh Lawns" not in page
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("DELETE FROM agency_lead")
    assert "Renamed Lawns" not in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_version_moves_on_commit_and_not_on_rollback():
    before = datacache.version()
    with transaction.atomic():
        _lead("One")
        _lead("Two")
        assert datacache.version() == before, "other processes cannot see the rows yet"
    assert datacache.version() == before + 1, "one bump for the transaction, when it commits"
    try:
        with transaction.atomic():
            _lead("Three")
            raise RuntimeError
    except RuntimeError:
        pass
    assert datacache.version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_writer_reads_around_the_cache_until_it_commits():
    built = []

    def build():
        built.append(Lead.objects.count())
        return built[-1]

    assert datacache.fragment("leads", (), build) == 0
    assert datacache.fragment("leads", (), build) == 0 and len(built) == 1, "kept"
    with transaction.atomic():
        _lead("One")
        assert datacache.fragment("leads", (), build) == 1, "its own uncommitted row, not the kept 0"
    with transaction.atomic():  # another transaction that has written nothing uses the cache
        assert datacache.fragment("leads", (), build) == 1
    assert built == [0, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_dashboard_panels_are_kept_per_permission_level(owner, viewer, monkeypatch):
    calls = []
    real = dashboard.build
    monkeypatch.setattr(dashboard, "build", lambda user: calls.append(user) or real(user))
    dashboard.panels(owner)
    dashboard.panels(owner)
    assert calls == [owner], "the owner's second view is kept"
    dashboard.panels(viewer)
    assert calls == [owner, viewer], "a viewer never gets the owner's panels"


@pytest.mark.django_db(transaction=True)
def test_the_sidebar_counts_follow_writes(client, owner):
    client.force_login(owner)
    client.get("/")
    _lead("Counted")
    page = client.get("/tasks/").content.decode()
    assert 'href="/leads/"' in page
    # the Leads entry's badge counts the new lead (nav.html writes the count beside the label)
    assert ">1<" in page.split('href="/leads/"', 1)[1].split("</a>", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_content_calendar_shows_a_write_at_once_and_keeps_one_grid_per_level(client, owner, viewer):
    from datetime import timedelta

    from django.utils import timezone

    from agency.models import Client
    from publishing.models import Post

    shop = Client.objects.create(name="Bella Bakery", slug="bella-cal")
    post = Post.objects.create(client=shop, title="Sourdough Saturday", status="scheduled",
                               scheduled_at=timezone.now() + timedelta(minutes=30))  # fmt: skip
    day = timezone.localdate(post.scheduled_at).isoformat()
    client.force_login(owner)
    page = client.get(f"/content/?date={day}").content.decode()
    assert "Sourdough Saturday" in page and 'draggable="true"' in page, "owners may move it"
    Post.objects.filter(pk=post.pk).update(title="Rye Sunday")
    page = client.get(f"/content/?date={day}").content.decode()
    assert "Rye Sunday" in page and "Sourdough Saturday" not in page
    client.force_login(viewer)
    page = client.get(f"/content/?date={day}").content.decode()
    assert "Rye Sunday" in page and 'draggable="true"' not in page, "not the owner's grid"


@pytest.mark.django_db(transaction=True)
def test_a_cache_outage_never_fails_a_write_nor_a_page(client, owner, monkeypatch):
    from django.core.cache import caches

    backend = caches["default"]  # this test's own cache (conftest)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "add", "incr"):
        monkeypatch.setattr(backend, name, down)
    _lead("Still Saved")
    assert Lead.objects.filter(business_name="Still Saved").exists()
    client.force_login(owner)
    assert "Still Saved" in client.get("/").content.decode()
