"""The bell, the notifications page, read marks and preferences over HTTP: each person sees only
their own notifications, and the bell and list cost the same queries however many there are."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def notify(user, n: int = 1, **fields) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=user,
            kind=fields.get("kind", "new_lead"),
            event_id=f"evt_{uuid.uuid4().hex}",
            title=fields.get("title", f"New lead: Business {i}"),
            body="Priya got in touch.",
            link=fields.get("link", "/leads/"),
            in_app=fields.get("in_app", True),
        )
        for i in range(n)
    ]


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_bell_counts_unread_and_polls(client, editor):
    notify(editor, 3)
    notify(editor, 1, in_app=False)  # email-only: not in the bell
    Notification.objects.filter(pk=notify(editor, 1)[0].pk).update(read_at=timezone.now())  # read: not counted
    response = signed_in(client, editor).get("/notifications/bell/", **HX)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-count="3"' in html and ">3<" in html
    # re-read on a live signal or a read mark; polled every 60 s only while the page has no socket
    assert 'hx-trigger="live, notifications-changed from:body"' in html and 'data-live-poll="60"' in html
    assert 'data-live="notifications"' in html and "toast" not in html  # the first read toasts nothing


def test_the_bell_toasts_the_unread_notifications_made_since_it_last_looked(client, editor, owner):
    import re
    from html import unescape
    from urllib.parse import unquote

    from django.urls import reverse

    notify(editor, 1, title="Old news")
    signed_in(client, editor)
    first = client.get("/notifications/bell/", **HX).content.decode()
    after = unquote(unescape(re.search(r'hx-get="/notifications/bell/\?after=([^"]+)"', first).group(1)))
    assert client.get("/notifications/bell/", {"after": after}, **HX).content.decode().count("data-toast>") == 0

    notify(owner, 1, title="Not for Eddie")
    read, *fresh = notify(editor, 5, title="Post failed: Rye loaves")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())  # read elsewhere: no toast
    html = client.get("/notifications/bell/", {"after": after}, **HX).content.decode()
    assert html.count("data-toast>") == 3  # at most three at once, the newest
    assert 'id="toasts" hx-swap-oob="beforeend"' in html and "Post failed: Rye loaves" in html
    assert "Not for Eddie" not in html and "Old news" not in html
    assert f'action="{reverse("notification-open", args=[fresh[-1].pk])}"' in html  # opens (and marks read)
    assert 'aria-label="Dismiss “Post failed: Rye loaves”"' in html
    newer = unquote(unescape(re.search(r'\?after=([^"]+)"', html).group(1)))
    assert (
        newer > after
        and client.get("/notifications/bell/", {"after": newer}, **HX).content.decode().count("data-toast>") == 0
    )  # each toasts once


@pytest.mark.parametrize("after", ["yesterday", "2026-12-07T01:00:00"])
def test_the_bell_refuses_an_unreadable_after(client, editor, after):
    response = signed_in(client, editor).get("/notifications/bell/", {"after": after}, **HX)
    assert response.status_code == 400 and b"ISO 8601" in response.content


def test_the_staff_layout_has_the_bell_and_the_sign_in_page_does_not(client, editor):
    page = signed_in(client, editor).get("/").content.decode()
    assert 'hx-get="/notifications/bell/"' in page and 'aria-label="Notifications"' in page
    client.logout()
    assert "/notifications/bell/" not in client.get("/accounts/login/").content.decode()


def test_mark_one_read_over_htmx_refreshes_the_count(client, editor):
    first, _ = notify(editor, 2)
    response = signed_in(client, editor).post(f"/notifications/{first.pk}/read/", **HX)
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    assert f'id="notif-{first.pk}"' in response.content.decode() and "Mark as read" not in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'data-count="1"' in client.get("/notifications/bell/", **HX).content.decode()


def test_mark_all_read_from_the_menu_and_the_page(client, editor, owner):
    notify(editor, 3)
    notify(owner, 2)
    signed_in(client, editor)
    menu = client.get("/notifications/menu/", **HX).content.decode()
    assert "Mark all read" in menu and menu.count('class="notif unread"') == 3
    response = client.post("/notifications/read-all/", {"where": "menu"}, **HX)
    assert response["HX-Trigger"] == "notifications-changed" and "Mark all read" not in response.content.decode()
    assert not Notification.objects.filter(recipient=editor, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=owner, read_at__isnull=True).count() == 2  # only mine

    notify(editor, 1)
    response = client.post("/notifications/read-all/", {"next": "/notifications/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?show=unread"
    assert "all caught up" in client.get(response["Location"]).content.decode()


def test_opening_a_notification_marks_it_read_and_lands_on_the_object(client, editor):
    (n,) = notify(editor, 1, link="/leads/")
    response = signed_in(client, editor).post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/leads/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_notification_that_links_off_site_never_redirects_there(client, editor):
    (n,) = notify(editor, 1, link="https://evil.example/")
    response = signed_in(client, editor).post(f"/notifications/{n.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_another_persons_notification_is_404(client, editor, owner):
    (theirs,) = notify(owner, 1)
    signed_in(client, editor)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/", **HX).status_code == 404
    assert "Business 0" not in client.get("/notifications/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_needs_post_and_staff(client, editor, outsider):
    (n,) = notify(editor, 1)
    signed_in(client, editor)
    assert client.get(f"/notifications/{n.pk}/read/").status_code == 405
    client.logout()
    assert client.get("/notifications/").status_code == 302  # to the sign-in
    signed_in(client, outsider)
    assert client.get("/notifications/").status_code == 403
    assert client.get("/notifications/bell/", **HX).status_code == 403


def test_the_page_lists_filters_and_shows_the_empty_state(client, editor):
    page = signed_in(client, editor).get("/notifications/").content.decode()
    assert "all caught up" in page and "Choose what you get" in page
    first, second = notify(editor, 2)
    client.post(f"/notifications/{first.pk}/read/")
    page = client.get("/notifications/").content.decode()
    assert "Business 0" in page and "Business 1" in page and "1 unread" in page
    unread = client.get("/notifications/?show=unread", **HX).content.decode()
    assert "Business 1" in unread and "Business 0" not in unread and "<html" not in unread


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **HX).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/notifications/bell/", "/notifications/menu/", "/notifications/"])
def test_the_bell_and_lists_cost_the_same_queries_for_3_or_60_notifications(
    client, editor, url, django_assert_num_queries
):
    signed_in(client, editor)
    notify(editor, 3)
    few = _queries(client, url)
    notify(editor, 57)
    with django_assert_num_queries(few):
        client.get(url, **HX)
    assert few <= 6  # session, user, staff level, and at most count + list


def test_the_full_notifications_page_costs_the_same_queries_for_3_or_60(client, editor, django_assert_num_queries):
    signed_in(client, editor)
    notify(editor, 3)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/notifications/").status_code == 200
    notify(editor, 57)
    with django_assert_num_queries(len(captured)):
        page = client.get("/notifications/").content.decode()
    assert page.count('class="notif unread"') == 25  # one page


def test_preferences_have_defaults_by_level_and_save(client, editor, owner):
    page = signed_in(client, editor).get("/settings/notifications/").content.decode()
    assert "Changes requested" in page and "New lead" in page
    assert "Waiting for approval" not in page and "Account needs reconnecting" not in page  # not offered to editors
    assert 'name="changes_requested.email" checked' in page and 'name="new_lead.email" checked' not in page
    response = client.post("/settings/notifications/", {"new_lead.in_app": "on", "new_lead.email": "on"})
    assert response.status_code == 302
    saved = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=editor)}
    assert saved["new_lead"] == (True, True) and saved["changes_requested"] == (False, False)
    assert "approval_needed" not in saved  # a kind not offered cannot be switched on by a forged form
    client.post("/settings/notifications/", {"approval_needed.in_app": "on"})
    assert not NotificationPreference.objects.filter(user=editor, kind="approval_needed").exists()

    owner_page = signed_in(client, owner).get("/settings/notifications/").content.decode()
    assert 'name="approval_needed.email" checked' in owner_page and 'name="new_lead.email" checked' in owner_page


def test_preferences_are_reachable_from_settings_and_the_bell(client, editor):
    signed_in(client, editor)
    assert 'href="/settings/notifications/"' in client.get("/settings/").content.decode()
    assert 'href="/settings/notifications/"' in client.get("/notifications/menu/", **HX).content.decode()
