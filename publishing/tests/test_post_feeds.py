"""iCalendar feeds of scheduled posts: staff (all clients or one) and each client's own portal feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from icalendar import Calendar

from agency.models import CalendarFeed, Client
from agency.services import feeds
from conftest import PASSWORD
from portal.services.people import client_user_invite
from publishing.services import scheduling
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


@pytest.fixture
def posts(owner):
    a = Client.objects.create(name="Alpha Bakery", slug="alpha-bakery")
    b = Client.objects.create(name="Beta Gym", slug="beta-gym")
    when = timezone.now().replace(microsecond=0) + timedelta(days=2)
    acc_a = accounts_for(a, owner, platforms=("facebook", "linkedin"))
    acc_b = accounts_for(b, owner, platforms=("facebook",))
    scheduled = approved_post(owner, a, acc_a.values(), caption="Fresh sourdough from 7am every Saturday at the market")
    scheduling.post_schedule(actor=owner, post=scheduled, scheduled_at=when)
    draft = approved_post(owner, a, acc_a.values(), caption="Draft about croissants")
    draft.status = "draft"
    draft.scheduled_at = when
    draft.save(update_fields=["status", "scheduled_at"])
    other = approved_post(owner, b, acc_b.values(), caption="Leg day at Beta Gym")
    scheduling.post_schedule(actor=owner, post=other, scheduled_at=when + timedelta(hours=1))
    scheduled.refresh_from_db()
    return {"a": a, "b": b, "scheduled": scheduled, "other": other, "when": when}


def test_a_clients_staff_feed_has_only_its_scheduled_posts(client, owner, posts):
    feed = feeds.feed_get_or_create(actor=owner, scope="client", client=posts["a"], kind="posts")
    [event] = events(client.get(f"/calendar/{feed.token}.ics"))
    assert str(event["summary"]) == "Post: Fresh sourdough from 7am every Saturday at the ma… (Facebook, LinkedIn)"
    assert event.decoded("dtstart") == posts["when"]
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=15)
    assert str(event["uid"]) == f"post-{posts['scheduled'].pk}@localbzz"
    assert "dtstamp" in event
    assert "Fresh sourdough from 7am every Saturday at the market" in str(event["description"])
    assert str(event["url"]).endswith(f"/content/{posts['scheduled'].pk}/")


def test_the_all_clients_feed_has_every_scheduled_post_and_a_stable_uid(client, owner, posts):
    feed = feeds.feed_get_or_create(actor=owner, scope="all", kind="posts")
    first = events(client.get(f"/calendar/{feed.token}.ics"))
    second = events(client.get(f"/calendar/{feed.token}.ics"))
    assert sorted(str(e["uid"]) for e in first) == sorted(
        [f"post-{posts['scheduled'].pk}@localbzz", f"post-{posts['other'].pk}@localbzz"]
    )
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in second]


def test_a_wrong_token_is_404_and_regenerating_kills_the_old_url(client, owner, posts):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    feed = feeds.feed_get_or_create(actor=owner, scope="client", client=posts["a"], kind="posts")
    old = feed.token
    feeds.feed_regenerate(actor=owner, feed=feed)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert len(events(client.get(f"/calendar/{feed.token}.ics"))) == 1


def test_staff_make_and_regenerate_links_from_the_content_calendar(client, owner, viewer, posts):
    client.force_login(owner)
    page = client.get("/content/").content.decode()
    assert "/content/feeds/" in page and "Subscribe" in page
    response = client.post("/shoots/feeds/create/", {"kind": "posts", "scope": "client", "target": posts["a"].pk})
    assert response.status_code == 302 and response["Location"] == "/content/feeds/"
    feed = CalendarFeed.objects.get(kind="posts", client=posts["a"])
    assert feed.token in client.get("/content/feeds/").content.decode()
    client.post("/shoots/feeds/create/", {"kind": "posts", "scope": "client", "target": posts["a"].pk, "regenerate": 1})
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    viewer_browser = HttpClient()
    viewer_browser.force_login(viewer)
    assert viewer_browser.post("/shoots/feeds/create/", {"kind": "posts", "scope": "all"}).status_code == 403


def test_a_client_gets_its_own_feed_on_its_portal_only(owner, posts):
    joe = client_user_invite(
        actor=None, client=posts["a"], email="joe@alpha.example", first_name="Joe", role="owner",
        password=PASSWORD, send_invite=False,
    )  # fmt: skip
    portal = HttpClient(HTTP_HOST="alpha-bakery.localhost")
    portal.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    assert "Get my calendar link" in portal.get("/posts/").content.decode()
    assert portal.post("/posts/calendar-link").status_code == 302
    feed = CalendarFeed.objects.get(kind="portal_posts", client=posts["a"])
    page = portal.get("/posts/").content.decode()
    assert f"/calendar/{feed.token}.ics" in page

    anonymous = HttpClient(HTTP_HOST="alpha-bakery.localhost")
    [event] = events(anonymous.get(f"/calendar/{feed.token}.ics"))  # calendar apps do not sign in
    # Links point at the client's portal address (localbzz.app_urls: APP_HOST's port), not the request's host.
    assert str(event["url"]) == f"{posts['a'].portal_url}posts/{posts['scheduled'].pk}/"
    assert posts["a"].portal_url.startswith("http://alpha-bakery.localhost")
    # The token opens nothing on another portal or on the staff host.
    assert HttpClient(HTTP_HOST="beta-gym.localhost").get(f"/calendar/{feed.token}.ics").status_code == 404
    assert HttpClient().get(f"/calendar/{feed.token}.ics").status_code == 404

    portal.post("/posts/calendar-link", {"regenerate": "1"})
    assert anonymous.get(f"/calendar/{feed.token}.ics").status_code == 404
    feed.refresh_from_db()
    assert len(events(anonymous.get(f"/calendar/{feed.token}.ics"))) == 1
