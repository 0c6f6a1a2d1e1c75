"""The staff shell: styled error pages, messages as toasts for htmx, the dashboard."""

from __future__ import annotations

import json

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory

from agency.services.activity import record_event
from localbzz.middleware import HtmxMessagesMiddleware

pytestmark = pytest.mark.django_db


def test_dashboard_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_dashboard_shows_real_figures_and_activity(client, owner):
    from datetime import timedelta

    from django.utils import timezone

    from agency.tests import factories

    late = factories.deliverable(title="Late reel", due_date=timezone.localdate() - timedelta(days=3))
    factories.deliverable(title="Future reel", due_date=timezone.localdate() + timedelta(days=3))
    record_event(owner, "client.created", late.client, {})
    client.force_login(owner)
    html = client.get("/").content.decode()
    overdue_card = html.split("Overdue deliverables</span>")[1].split("</a>")[0]
    assert '<span class="value">1</span>' in overdue_card
    overdue_list = html.split("Overdue deliverables</h2>")[1].split("</ul>")[0]
    assert "Late reel" in overdue_list and "Future reel" not in overdue_list
    assert "created" in html and owner.display_name in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/django_htmx/htmx-2.min.js" in html or "htmx" in html


def test_non_staff_get_the_styled_403(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 403
    assert "This is for agency staff only." in response.content.decode()


def test_unknown_page_gets_the_styled_404(client, settings, owner):
    settings.DEBUG = False
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_htmx_messages_travel_as_a_toast_trigger(owner):
    request = RequestFactory().get("/", HTTP_HX_REQUEST="true")
    request.htmx = True
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Saved.")

    def view(req):
        response = HttpResponse("ok")
        response["HX-Trigger"] = "refreshList"
        return response

    response = HtmxMessagesMiddleware(view)(request)
    triggers = json.loads(response["HX-Trigger"])
    assert triggers == {"refreshList": None, "toast": {"items": [{"level": "success", "message": "Saved."}]}}


def test_the_shoots_today_hint_never_points_at_a_shoot_that_is_over(client, owner, settings):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    from agency.tests import factories

    zone = ZoneInfo(settings.AGENCY_TIME_ZONE)
    day = datetime(2026, 6, 10, tzinfo=zone)
    factories.shoot(start=day.replace(hour=8), minutes=60, title="Morning")
    factories.shoot(start=day.replace(hour=14), minutes=120, title="Afternoon")
    client.force_login(owner)

    def hint(hour: int, minute: int = 0) -> str:
        with time_machine.travel(day.replace(hour=hour, minute=minute), tick=False):
            html = client.get("/").content.decode()
        return html.split("Shoots today</span>")[1].split('<span class="hint">')[1].split("</span>")[0]

    # The factory's client is in the agency's zone (the default): the hint names it (EDT in June).
    label = day.replace(hour=8).tzname()
    assert hint(7) == f"next: 08:00 {label}"
    assert hint(8, 30) == f"on now, until 09:00 {label}"
    assert hint(10) == f"next: 14:00 {label}"  # the 08:00 shoot is over: not "next: 08:00"
    assert hint(17) == "all done for today"
    with time_machine.travel(day + timedelta(days=1, hours=9), tick=False):
        assert "none booked" in client.get("/").content.decode()


def test_the_dashboard_panels_take_thirteen_queries_with_every_panel_filled(owner, django_assert_num_queries):
    """Each panel one query (the overdue count rides on its list as a window; the crew's users
    come with the crew; the missed posts take two), whatever the panels hold."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.template.loader import render_to_string
    from django.utils import timezone

    from agency.models import Lead, PortalRequest, TimeEntry
    from agency.tests import factories
    from hub import dashboard
    from publishing.models import Post, PostTarget, SocialAccount
    from publishing.tests.posting import accounts_for

    now = timezone.now()
    c = factories.client(name="Panel Co")
    member = owner.team_member
    factories.shoot(client_=c, start=now + timedelta(minutes=30), crew=[member], title="Shoot today")
    for i in range(10):
        factories.deliverable(client_=c, title=f"Late {i}", due_date=timezone.localdate() - timedelta(days=i + 1))
    Lead.objects.create(contact_name="Ann", email="ann@x.example", business_name="Lead Co")
    PortalRequest.objects.create(client=c, content="Help now", priority=PortalRequest.Priority.URGENT)
    TimeEntry.objects.create(task=factories.task(client=c), member=member, started_at=now - timedelta(minutes=5))
    record_event(owner, "client.created", c, {})
    accounts = accounts_for(c, owner, platforms=("facebook", "x"))
    accounts["x"].status = SocialAccount.Status.NEEDS_RECONNECT
    accounts["x"].save()
    Post.objects.create(
        client=c, caption="Missed one", status="pending_approval", scheduled_at=now - timedelta(hours=1)
    )
    soon = Post.objects.create(client=c, caption="Soon", status="scheduled", scheduled_at=now + timedelta(hours=3))
    PostTarget.objects.create(post=soon, account=accounts["facebook"], status="failed", last_error="Too small")

    ContentType.objects.get_for_model(c)  # the activity's target type: ContentType's own cache, once a process
    with django_assert_num_queries(13):  # was 15
        html = render_to_string("localbzz/_dashboard_panels.html", dashboard.build(owner))
    overdue_card = html.split("Overdue deliverables</span>")[1].split("</a>")[0]
    assert '<span class="value">10</span>' in overdue_card  # the count, though the panel lists 8
    assert html.split("Overdue deliverables</h2>")[1].split("</ul>")[0].count(">Late ") == 8
    for shown in ["Shoot today", "Lead Co", "Help now", "Missed one", "Soon", "Too small", "Reconnect 1 account",
                  member.name, "1 post missed its time"]:  # fmt: skip
        assert shown in html, shown
