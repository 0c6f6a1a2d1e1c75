"""Missed times: a post whose time passes while it waits (approval, the client, a paused account)
is never silent — the agency is told (notification, post page, dashboard) and fixes it in one
step; a late client approval publishes at once or asks the agency, per the client's setting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agency.models import ActivityEvent, Client
from notifications.models import Notification
from publishing import approval_links
from publishing.models import Post, PostTarget, SocialAccount
from publishing.services import missed, scheduling
from publishing.services import posts as post_services
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T
from publishing.tests.posting import accounts_for, approved_post, run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(client_a, owner):
    return accounts_for(client_a, owner, platforms=("facebook",))["facebook"]


def _waiting_for_client(owner, client, account, *, late_approval=Client.LateApproval.ASK_AGENCY, on_commit=None):
    client.requires_client_approval = True
    client.late_approval = late_approval
    client.timezone = "America/Chicago"
    client.primary_contact_email = "joe@example.com"
    client.save()
    post = post_services.post_create(actor=owner, client=client, caption="Spring lawn tips", accounts=[account])
    post = post_services.post_approve(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=1))
    assert post.status == P.PENDING_CLIENT_APPROVAL
    return post


def _time_passes(post: Post, minutes: int = 10) -> Post:
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(minutes=minutes))
    post.refresh_from_db()
    return post


def _told(post: Post) -> list[Notification]:
    return list(Notification.objects.filter(kind="post_missed_time", object_id=str(post.pk)))


# A late client approval -------------------------------------------------------------------------


def test_a_late_client_approval_asks_the_agency_by_default_and_is_never_silent(
    owner, admin_user, client_a, account, django_capture_on_commit_callbacks
):
    post = _time_passes(_waiting_for_client(owner, client_a, account))
    assert Client().late_approval == Client.LateApproval.ASK_AGENCY  # the default
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_client_approve(post=post, via="portal")
    post.refresh_from_db()
    assert post.status == P.APPROVED and post.missed_at is not None
    assert not post.targets.filter(status=T.SCHEDULED).exists()  # nothing goes out by itself…
    assert missed.waited_for(post) == "client_late"
    told = {n.recipient_id for n in _told(post)}  # …and the approvers hear about it at once
    assert told == {owner.pk, admin_user.pk}
    note = _told(post)[0]
    assert note.title.startswith("Missed its time") and note.link == f"/content/{post.pk}/"
    assert "after its time had passed" in note.body and "America/Chicago" not in note.body  # staff zone
    assert "Publish it now or pick a new time" in note.action
    assert missed.client_note(post).startswith("You approved it after its planned time had passed")
    assert post in missed.missed_posts()


def test_a_late_client_approval_publishes_at_once_when_the_client_says_so(owner, client_a, account, fake_platforms):
    post = _time_passes(_waiting_for_client(owner, client_a, account, late_approval="publish_now"))
    assert "it goes out at once" in missed.client_note(post)
    post_services.post_client_approve(post=post, via="email link")  # (the dispatch after commit: run_due below)
    post.refresh_from_db()
    assert post.status == P.SCHEDULED and post.missed_at is None and not _told(post)
    assert missed.client_approved_message(post) == "Approved. Its planned time had passed, so it is going out now."
    assert run_due() == ["published"]
    assert len(fake_platforms.ledger(platform="facebook")) == 1


def test_a_late_approval_that_cannot_publish_tells_the_agency_why(
    owner, client_a, account, django_capture_on_commit_callbacks
):
    post = _time_passes(_waiting_for_client(owner, client_a, account, late_approval="publish_now"))
    SocialAccount.objects.filter(pk=account.pk).update(status=SocialAccount.Status.NEEDS_RECONNECT)
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_client_approve(post=post)
    post.refresh_from_db()
    assert post.status == P.APPROVED and post.missed_at is not None
    event = ActivityEvent.objects.get(verb="post.missed_time", target_id=str(post.pk))
    assert event.changes["waited_for"] == "publish_failed" and "reconnect" in event.changes["problem"].lower()
    assert "reconnect" in _told(post)[0].body.lower()


def test_a_client_approval_of_a_post_without_a_time_asks_the_agency_for_one(owner, client_a, account):
    client_a.requires_client_approval = True
    client_a.save()
    post = post_services.post_create(actor=owner, client=client_a, caption="Whenever", accounts=[account])
    post = post_services.post_approve(actor=owner, post=post)
    post_services.post_client_approve(post=post)
    post.refresh_from_db()
    assert post.status == P.APPROVED and post.missed_at is not None
    assert missed.waited_for(post) == "client_no_time"
    assert missed.client_approved_message(post) == "Approved. The team is picking a time for it and will let you know."


def test_an_approval_in_time_is_scheduled_as_before(owner, client_a, account):
    post = _waiting_for_client(owner, client_a, account)
    post_services.post_client_approve(post=post)
    post.refresh_from_db()
    assert post.status == P.SCHEDULED and post.missed_at is None and missed.waited_for(post) == ""
    assert missed.client_approved_message(post).startswith("Approved. It goes out ")


# The sweeper tells the agency once ----------------------------------------------------------------


def test_the_sweeper_flags_each_waiting_post_once(owner, client_a, account, django_capture_on_commit_callbacks):
    for_approval = post_services.post_create(actor=owner, client=client_a, caption="A", accounts=[account])
    for_approval.scheduled_at = timezone.now() - timedelta(minutes=3)
    for_approval.save()
    for_client = _time_passes(_waiting_for_client(owner, client_a, account))
    future = post_services.post_create(
        actor=owner, client=client_a, caption="B", accounts=[account], scheduled_at=timezone.now() + timedelta(days=1)
    )
    draft = post_services.post_create(
        actor=owner, client=client_a, caption="C", accounts=[account], submit=False,
        scheduled_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert missed.flag_missed() == 2
    assert missed.flag_missed() == 0  # once
    reasons = dict(
        ActivityEvent.objects.filter(verb="post.missed_time").values_list("target_id", "changes__waited_for")
    )
    assert reasons == {str(for_approval.pk): "approval", str(for_client.pk): "client"}
    assert _told(for_approval) and _told(for_client) and not _told(future) and not _told(draft)


def test_a_scheduled_post_held_by_a_paused_account_is_flagged(owner, client_a, account):
    post = approved_post(owner, client_a, [account])
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(minutes=1))
    SocialAccount.objects.filter(pk=account.pk).update(paused_until=timezone.now() + timedelta(hours=1))
    assert missed.flag_missed() == 0  # not yet late
    PostTarget.objects.filter(post=post).update(scheduled_at=timezone.now() - missed.GRACE - timedelta(seconds=5))
    assert run_due() == []  # the paused account holds it
    assert missed.flag_missed() == 1
    post.refresh_from_db()
    assert missed.waited_for(post) == "account"
    # Rescheduling clears it.
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=2))
    post.refresh_from_db()
    assert post.missed_at is None and post not in missed.missed_posts()


def test_the_sweeper_task_reports_missed_posts(owner, client_a, account):
    from publishing.tasks import sweep

    _time_passes(_waiting_for_client(owner, client_a, account))
    assert sweep()["missed"] == 1


# One step to fix it ---------------------------------------------------------------------------------


def test_publish_now_approves_a_post_that_waited_for_the_agency(owner, client_a, account, fake_platforms):
    post = post_services.post_create(actor=owner, client=client_a, caption="Late one", accounts=[account])
    _time_passes(post)
    missed.flag_missed()
    post = post_services.post_missed_resolve(actor=owner, post=post)
    post.refresh_from_db()
    assert post.status == P.SCHEDULED and post.approved_by == owner and post.missed_at is None
    assert run_due() == ["published"]


def test_a_new_time_for_a_post_waiting_for_the_client_asks_the_client_again(
    owner, client_a, account, django_capture_on_commit_callbacks
):
    post = _time_passes(_waiting_for_client(owner, client_a, account))
    missed.flag_missed()
    with pytest.raises(Exception, match="has not approved this post yet"):
        post_services.post_missed_resolve(actor=owner, post=post)
    when = timezone.now() + timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = post_services.post_missed_resolve(actor=owner, post=post, scheduled_at=when)
    post.refresh_from_db()
    assert post.status == P.PENDING_CLIENT_APPROVAL and post.scheduled_at == when and post.missed_at is None
    assert [m.to for m in mail.outbox] == [["joe@example.com"]]
    post_services.post_client_approve(post=post)
    post.refresh_from_db()
    assert post.status == P.SCHEDULED


def test_resolving_refuses_a_time_in_the_past_and_people_who_cannot_approve(owner, editor, client_a, account):
    post = _time_passes(approved_post(owner, client_a, [account]))
    with pytest.raises(Exception, match="That time has passed"):
        post_services.post_missed_resolve(actor=owner, post=post, scheduled_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(Exception, match="approve"):
        post_services.post_missed_resolve(actor=editor, post=post)
    post.refresh_from_db()
    assert post.status == P.APPROVED


# Pages and API ------------------------------------------------------------------------------------


def test_the_post_page_and_dashboard_show_a_missed_post_and_fix_it_in_one_step(
    client, owner, client_a, account, fake_platforms
):
    post = _time_passes(_waiting_for_client(owner, client_a, account))
    post_services.post_client_approve(post=post)
    client.force_login(owner)
    page = client.get(f"/content/{post.pk}/").content.decode()
    assert "Missed its time" in page and "(America/Chicago)" in page and "Publish now" in page
    assert missed.REASONS["client_late"] in page
    dashboard = client.get("/").content.decode()
    assert 'id="missed-posts"' in dashboard and f"/content/{post.pk}/#missed-time" in dashboard
    # A new time, in the client's zone, in one step.
    local = (timezone.now() + timedelta(days=2)).astimezone(client_a.tz).replace(second=0, microsecond=0)
    response = client.post(
        f"/content/{post.pk}/missed/", {"missed-scheduled_at": local.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    assert "New time:" in response.content.decode()
    post.refresh_from_db()
    assert post.status == P.SCHEDULED and post.scheduled_at == local and post.missed_at is None
    assert "Missed its time" not in client.get(f"/content/{post.pk}/").content.decode()
    assert 'id="missed-posts"' not in client.get("/").content.decode()


def test_publish_now_from_the_post_page(client, owner, client_a, account, fake_platforms):
    post = _time_passes(approved_post(owner, client_a, [account]))
    client.force_login(owner)
    assert "Missed its time" in client.get(f"/content/{post.pk}/").content.decode()
    client.post(f"/content/{post.pk}/missed/", {"publish_now": "1"})
    post.refresh_from_db()
    assert post.status == P.SCHEDULED
    assert run_due() == ["published"]


def test_the_client_sees_that_the_time_passed_and_what_happens_next(client, owner, client_a, account):
    post = _time_passes(_waiting_for_client(owner, client_a, account))
    link = f"/approve/{approval_links.make_token(post)}/"
    page = client.get(link).content.decode()
    assert "has passed" in page and "the team picks a new time" in page
    page = client.post(link, {"decision": "approve"}).content.decode()
    assert "Thank you — approved" in page and "the team is picking a new time" in page


def test_the_api_shows_and_resolves_a_missed_time(api_as, owner, editor, client_a, account):
    post = _time_passes(approved_post(owner, client_a, [account]))
    body = api_as(owner).get(f"/api/v1/posts/{post.pk}").json()
    assert body["missed"] == missed.REASONS["schedule"]
    url = f"/api/v1/posts/{post.pk}/resolve-missed"
    both = api_as(owner).post(url, {"publish_now": True, "scheduled_at": timezone.now().isoformat()}, format="json")
    assert both.status_code == 400 and "either publish_now" in str(both.json())
    assert api_as(editor).post(url, {"publish_now": True}, format="json").status_code == 403
    when = timezone.now() + timedelta(days=1)
    response = api_as(owner).post(url, {"scheduled_at": when.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "scheduled" and response.json()["missed"] == ""
    again = api_as(owner).post(url, {"publish_now": True}, format="json")
    assert again.status_code == 200  # a scheduled post may still be published now


def test_the_client_setting_is_on_the_form_and_the_api(client, api_as, owner, client_a):
    client.force_login(owner)
    form = client.get(f"/clients/{client_a.pk}/edit/").content.decode()
    assert 'name="late_approval"' in form and "Ask the agency for a new time" in form
    response = api_as(owner).patch(f"/api/v1/clients/{client_a.pk}", {"late_approval": "publish_now"}, format="json")
    assert response.status_code == 200 and response.json()["late_approval"] == "publish_now"
    bad = api_as(owner).patch(f"/api/v1/clients/{client_a.pk}", {"late_approval": "sometimes"}, format="json")
    assert bad.status_code == 400
    assert re.search("late_approval", str(bad.json()))


def test_the_client_form_saves_the_setting(client, owner, client_a):
    from agency.forms import ClientForm

    client.force_login(owner)
    data = {k: v for k, v in ClientForm(instance=client_a).initial.items() if v is not None and k != "logo"}
    data.update(late_approval="publish_now", requires_client_approval="on", timezone="America/Chicago")
    response = client.post(f"/clients/{client_a.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client_a.refresh_from_db()
    assert client_a.late_approval == "publish_now" and client_a.requires_client_approval
