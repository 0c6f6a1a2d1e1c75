"""The content pages: editor (live checks), approvals, calendar, detail, approval link, bulk CSV,
"add to queue", the social accounts pages and OAuth against the fake platforms."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from publishing import approval_links
from publishing.models import Post, PostTarget, SocialAccount
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(owner, client_a):
    return accounts_for(client_a, owner, platforms=("facebook", "instagram", "x"))


def test_the_editor_saves_a_post_for_approval(client, editor, client_a, accounts):
    client.force_login(editor)
    page = client.get(f"/content/new/?client={client_a.pk}").content.decode()
    assert "Joe&#x27;s Landscaping facebook" in page or "Joe's Landscaping facebook" in page
    response = client.post(
        "/content/new/",
        {
            "client": client_a.pk,
            "caption": "Spring is here",
            "hashtags": "#lawn, austin",
            "accounts": [accounts["facebook"].pk, accounts["x"].pk],
            "placement": "feed",
            "action": "submit",
        },
    )
    post = Post.objects.get()
    assert response["Location"] == f"/content/{post.pk}/"
    assert post.status == "pending_approval" and post.hashtags == ["lawn", "austin"]
    assert set(post.targets.values_list("account__platform", flat=True)) == {"facebook", "x"}


def test_live_checks_show_each_platforms_counter_and_problems(client, editor, client_a, accounts):
    client.force_login(editor)
    html = client.post(
        "/content/check/",
        {"client": client_a.pk, "caption": "x" * 290, "accounts": [accounts["x"].pk, accounts["instagram"].pk]},
    ).content.decode()
    assert "290 / 280" in html and "X allows 280 weighted characters" in html
    assert "Instagram posts need at least 1 photo or video." in html


def test_an_approver_approves_and_schedules_in_the_clients_time_zone(client, owner, client_a, accounts):
    client_a.timezone = "America/Chicago"
    client_a.save()
    client.force_login(owner)
    day = timezone.localdate() + timedelta(days=20)
    form = {"client": client_a.pk, "caption": "Go time", "accounts": [accounts["x"].pk], "placement": "feed",
            "scheduled_at": f"{day}T09:30", "action": "approve"}  # fmt: skip
    client.post("/content/new/", form)
    post = Post.objects.get()
    assert post.status == "scheduled"
    assert post.scheduled_at == datetime(day.year, day.month, day.day, 9, 30, tzinfo=client_a.tz)  # in Chicago


def test_an_editor_cannot_approve_from_the_editor(client, editor, client_a, accounts):
    client.force_login(editor)
    response = client.post(
        "/content/new/",
        {
            "client": client_a.pk,
            "caption": "x",
            "accounts": [accounts["x"].pk],
            "placement": "feed",
            "action": "approve",
        },
    )
    assert response.status_code == 403 and not Post.objects.exists()


def test_pages_render(client, owner, client_a, accounts):
    post = approved_post(owner, client_a, [accounts["x"], accounts["facebook"]], caption="Visible on the calendar")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=2))
    client.force_login(owner)
    urls = [
        "/content/",
        "/content/?view=week",
        "/content/?view=list",
        "/content/approvals/",
        f"/content/{post.pk}/",
        f"/content/{post.pk}/edit/",
        "/content/bulk/",
        "/social-accounts/",
        f"/social-accounts/{accounts['x'].pk}/",
        f"/social-accounts/?client_id={client_a.pk}",
    ]
    for url in urls:  # fmt: skip
        assert client.get(url).status_code == 200, url
    # The week of the post's own day (in the agency's zone): two hours from late on a Sunday is next week.
    week_of_post = timezone.localdate(post.scheduled_at)
    assert "Visible on the calendar" in client.get(f"/content/?view=week&date={week_of_post}").content.decode()


def test_moving_a_post_on_the_calendar_keeps_its_time_of_day(client, owner, client_a, accounts):
    post = approved_post(owner, client_a, [accounts["x"]])
    when = (
        (timezone.now() + timedelta(days=2)).astimezone(client_a.tz).replace(hour=9, minute=30, second=0, microsecond=0)
    )
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    client.force_login(owner)
    target_day = (when + timedelta(days=3)).date()
    client.post(f"/content/{post.pk}/move/", {"date": target_day.isoformat()}, HTTP_HX_REQUEST="true")
    post.refresh_from_db()
    assert post.scheduled_at.astimezone(client_a.tz).date() == target_day
    assert post.scheduled_at.astimezone(client_a.tz).strftime("%H:%M") == "09:30"


def test_the_client_approval_link_works_without_signing_in(
    client, owner, client_a, accounts, django_capture_on_commit_callbacks
):
    client_a.requires_client_approval = True
    client_a.primary_contact_email = "joe@example.com"
    client_a.save()
    post = post_services.post_create(actor=owner, client=client_a, caption="Please approve", accounts=[accounts["x"]])
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_approve(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(days=1))
    post.refresh_from_db()
    assert post.status == "pending_client_approval"
    message = mail.outbox[-1]
    assert message.to == ["joe@example.com"] and "/approve/" in message.body
    link = re.search(r"https?://[^/\s]+(/approve/\S+/)", message.body).group(1)
    assert "Please review this post" in client.get(link).content.decode()
    client.post(link, {"decision": "approve"})
    post.refresh_from_db()
    assert post.status == "scheduled" and post.client_approved_at


def test_a_client_can_ask_for_changes_through_the_link(client, owner, client_a, accounts):
    client_a.requires_client_approval = True
    client_a.save()
    post = post_services.post_create(actor=owner, client=client_a, caption="Please approve", accounts=[accounts["x"]])
    post_services.post_approve(actor=owner, post=post)
    link = f"/approve/{approval_links.make_token(post)}/"
    assert "needed to ask for changes" in client.get(link).content.decode()
    client.post(link, {"decision": "changes", "comment": ""})
    assert Post.objects.get(pk=post.pk).status == "pending_client_approval"  # a comment is required
    client.post(link, {"decision": "changes", "comment": "Use the summer photo"})
    assert Post.objects.get(pk=post.pk).status == "changes_requested"


def test_a_tampered_or_old_link_is_refused(client, owner, client_a, accounts, settings):
    post = post_services.post_create(actor=owner, client=client_a, caption="x", accounts=[accounts["x"]])
    token = approval_links.make_token(post)
    assert client.get(f"/approve/{token}x/").status_code == 404
    settings.APPROVAL_LINK_DAYS = -1
    assert client.get(f"/approve/{token}/").status_code == 410


def test_add_to_queue_uses_each_accounts_next_free_slot(owner, client_a, accounts):
    x, fb = accounts["x"], accounts["facebook"]
    x.posting_slots = [{"day": d, "time": "09:00"} for d in range(7)]
    fb.posting_slots = [{"day": d, "time": "18:00"} for d in range(7)]
    x.save()
    fb.save()
    first = approved_post(owner, client_a, [x, fb], caption="first")
    scheduling.post_add_to_queue(actor=owner, post=first)
    second = approved_post(owner, client_a, [x], caption="second")
    scheduling.post_add_to_queue(actor=owner, post=second)
    slot = {t.account.platform: t.scheduled_at.astimezone(client_a.tz) for t in first.targets.select_related("account")}
    assert slot["x"].strftime("%H:%M") == "09:00" and slot["facebook"].strftime("%H:%M") == "18:00"
    second_slot = second.targets.get().scheduled_at.astimezone(client_a.tz)
    assert second_slot > slot["x"] and second_slot.strftime("%H:%M") == "09:00"


def test_bulk_csv_previews_errors_and_schedules_all_or_nothing(client, owner, client_a, accounts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_a.timezone = "America/Chicago"
    client_a.save()
    client.force_login(owner)
    day = timezone.localdate() + timedelta(days=10)
    good = f"client,platforms,scheduled_at,caption,hashtags\njoes-landscaping-test,x;facebook,{day} 09:00,Hello,lawn\n"
    bad = good + f"nobody,x,{day} 09:00,Hi,\njoes-landscaping-test,x,yesterday,Hi,\n"
    html = client.post("/content/bulk/", {"file": SimpleUploadedFile("b.csv", bad.encode())}).content.decode()
    assert "no client with the portal address" in html and "use YYYY-MM-DD HH:MM" in html
    assert client.post("/content/bulk/", {"csv_text": bad, "confirm": "1"}).status_code == 200
    assert not Post.objects.exists()
    done = client.post("/content/bulk/", {"csv_text": good, "confirm": "1"})
    assert done.status_code == 302
    post = Post.objects.get()
    assert post.status == "scheduled" and post.scheduled_at.astimezone(client_a.tz).strftime("%H:%M") == "09:00"


def test_connecting_meta_with_oauth_adds_pages_and_instagram(client, owner, client_a, fake_platforms):
    client.force_login(owner)
    start = client.get(f"/social-accounts/connect/meta/?client={client_a.pk}")
    assert start.status_code == 302
    import requests

    # The fake's dialog redirects straight back with a code and our state.
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    path = back.split("testserver", 1)[-1] if "testserver" in back else back[back.index("/social-accounts/") :]
    choose = client.get(path)
    assert choose.status_code == 200
    assert b"Connect selected" in choose.content
    picks = [str(i) for i in range(choose.content.decode().count('name="pick"'))]
    client.post("/social-accounts/finish/", {"pick": picks})
    platforms = set(SocialAccount.objects.filter(client=client_a).values_list("platform", flat=True))
    assert "facebook" in platforms
    account = SocialAccount.objects.filter(client=client_a, platform="facebook").first()
    assert account.token and account.token_encrypted != account.token  # stored encrypted


def test_oauth_callback_with_a_wrong_state_is_refused(client, owner, client_a, fake_platforms):
    client.force_login(owner)
    client.get(f"/social-accounts/connect/x/?client={client_a.pk}")
    response = client.get("/social-accounts/callback/x/?code=abc&state=forged")
    assert response.status_code == 302 and not SocialAccount.objects.exists()


def test_verify_marks_a_dead_token(client, owner, client_a, fake_platforms):
    account = accounts_for(client_a, owner, platforms=("x",))["x"]
    fake_platforms.expire_token("demo-x")
    client.force_login(owner)
    client.post(f"/social-accounts/{account.pk}/verify/")
    account.refresh_from_db()
    assert account.status == "needs_reconnect"


def test_rotating_the_encryption_key_keeps_tokens_readable(owner, client_a, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    account = accounts_for(client_a, owner, platforms=("x",))["x"]
    before = SocialAccount.objects.get(pk=account.pk).token_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_key")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    rotated = SocialAccount.objects.get(pk=account.pk)
    assert rotated.token_encrypted != before and rotated.token == "demo-x"


def test_media_used_by_a_waiting_post_cannot_be_deleted(api_as, owner, client_a, accounts, upload):
    from publishing.tests.media_files import jpeg_bytes

    asset_id = upload(("a.jpg", jpeg_bytes())).json()["items"][0]["id"]
    post = post_services.post_create(
        actor=owner, client=client_a, caption="x", media=[asset_id], accounts=[accounts["x"]]
    )
    response = api_as(owner).delete(f"/api/v1/media/{asset_id}")
    assert response.status_code == 409 and str(post) in response.json()["error"]["message"]
    assert PostTarget.objects.count() == 1


def test_a_busy_calendar_day_shows_a_few_posts_and_how_many_more(
    client, owner, client_a, accounts, django_assert_max_num_queries
):
    from publishing.tests.test_media_api import bulk_assets

    photo = bulk_assets(client_a, 1)[0]
    day = timezone.localdate(timezone=client_a.tz) + timedelta(days=3)
    for i in range(10):
        post = approved_post(owner, client_a, [accounts["x"], accounts["facebook"]], caption=f"Busy {i}", media=[photo])
        when = datetime(day.year, day.month, day.day, 9, i, tzinfo=client_a.tz)
        scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    client.force_login(owner)
    with django_assert_max_num_queries(16):  # the same with a hundred posts a day: cells are capped
        html = client.get(f"/content/?date={day.isoformat()}").content.decode()
    assert html.count('class="cal-item') == 4 and "+6 more" in html
    assert "Busy 0" in html and "Busy 4" not in html  # the first of the day, in time order
    assert "/library/files/media/thumbnail-" in html  # each chip: the first media's thumbnail…
    assert re.search(r'alt="Facebook"[^>]*><img class="platform-icon"[^>]*alt="X"', html)  # …and platforms' icons
    more = re.search(r'href="(/content/\?view=list[^"]*)">\+6 more', html).group(1).replace("&amp;", "&")
    listed = client.get(more).content.decode()
    assert all(f"Busy {i}" in listed for i in range(10))  # the link lists the whole day
    week = client.get(f"/content/?view=week&date={day.isoformat()}").content.decode()
    assert week.count('class="cal-item') == 10 and "more</a>" not in week


def test_the_content_list_shows_each_post_s_accounts_in_the_same_queries_however_many(
    client, owner, client_a, accounts, django_assert_num_queries, settings
):
    settings.DATACACHE = False  # every view is a miss
    for i in range(2):
        approved_post(owner, client_a, [accounts["x"], accounts["facebook"]], caption=f"Listed {i}")
    client.force_login(owner)
    client.get("/content/?view=list")  # the session and the person read once, like any page after the first
    # The person, the posts waiting, the client select, the count, the rows, their targets with
    # their accounts (no media: the list shows none), and the sidebar (three counts, the timer).
    with django_assert_num_queries(CONTENT_LIST_QUERIES):
        client.get("/content/?view=list")
    for i in range(5):
        approved_post(owner, client_a, [accounts["instagram"]], caption=f"More {i}")
    with django_assert_num_queries(CONTENT_LIST_QUERIES):
        html = client.get("/content/?view=list").content.decode()
    rows = re.findall(r"<tr><td class=\"nowrap small\">.*?</tr>", html, re.S)
    assert len(rows) == 7
    listed, more = next(r for r in rows if "Listed 0" in r), next(r for r in rows if "More 0" in r)
    assert "(Facebook)" in listed and "(X)" in listed and "(Instagram)" not in listed
    assert "(Instagram)" in more and "(Facebook)" not in more and "(X)" not in more


CONTENT_LIST_QUERIES = 10
