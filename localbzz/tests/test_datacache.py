"""Cached fragments (localbzz.datacache): every write to the project's tables bumps the data
version, so a write shows at once — through .save(), .update() and raw SQL, on commit inside a
transaction, never from a rolled-back one — and a fragment is keyed by who may read it."""

from __future__ import annotations

from collections.abc import Callable

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
def test_inside_a_transaction_the_versions_move_on_commit_and_not_on_rollback():
    def now() -> dict[str, int]:
        return datacache.versions(["agency_lead", "agency_activityevent", "publishing_post"])

    before = now()
    with transaction.atomic():
        _lead("One")
        _lead("Two")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE agency_activityevent SET verb = verb")
        assert now() == before, "other processes cannot see the rows yet"
    after = now()
    assert after["agency_lead"] == before["agency_lead"] + 1, "one bump per table written, when it commits"
    assert after["agency_activityevent"] == before["agency_activityevent"] + 1
    assert after["publishing_post"] == before["publishing_post"], "a table not written keeps its version"
    try:
        with transaction.atomic():
            _lead("Three")
            raise RuntimeError
    except RuntimeError:
        pass
    assert now() == after, "a rolled-back transaction bumps nothing"


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
def test_datacache_off_builds_every_time(settings):
    built = []
    settings.DATACACHE = False
    assert [datacache.fragment("off", (), lambda: built.append(1) or len(built)) for _ in range(2)] == [1, 2]
    settings.DATACACHE = True
    assert [datacache.fragment("on", (), lambda: built.append(1) or len(built)) for _ in range(2)] == [3, 3]


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

    for name in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(backend, name, down)
    _lead("Still Saved")
    assert Lead.objects.filter(business_name="Still Saved").exists()
    client.force_login(owner)
    assert "Still Saved" in client.get("/").content.decode()


# Lists kept under the data version (localbzz.listcache) -------------------------------------------


def _asset(shop, name: str):
    import hashlib

    from publishing.models import MediaAsset

    return MediaAsset.objects.create(
        client=shop, file=f"{name}.jpg", original_name=f"{name}.jpg", content_type="image/jpeg", kind="image",
        bytes=1, sha256=hashlib.sha256(name.encode()).hexdigest(),
    )  # fmt: skip


def _post(shop, title: str, **fields):
    from datetime import timedelta

    from django.utils import timezone

    from publishing.models import Post

    fields.setdefault("status", "scheduled")
    fields.setdefault("scheduled_at", timezone.now() + timedelta(days=1))
    return Post.objects.create(client=shop, title=title, **fields)


def test_the_query_key_sorts_parameters_but_keeps_each_ones_values_in_order(rf):
    from localbzz.listcache import query_key

    assert query_key(rf.get("/?status=x&page=2")) == query_key(rf.get("/?page=2&status=x")) == "page=2&status=x"
    assert query_key(rf.get("/?a=2&a=1")) == "a=2&a=1"
    assert query_key(rf.get("/?a=1")) != query_key(rf.get("/?a=2"))


@pytest.mark.django_db(transaction=True)
def test_the_content_list_shows_a_write_at_once_and_is_kept_per_level(client, owner, viewer, monkeypatch):
    from agency.models import Client
    from publishing.views.posts import calendar as views

    shop = Client.objects.create(name="Bella Bakery", slug="bella-list")
    post = _post(shop, "Sourdough Saturday")
    calls = []
    real = views._listing
    monkeypatch.setattr(views, "_listing", lambda request: calls.append(request.user) or real(request))
    client.force_login(owner)
    assert "Sourdough Saturday" in client.get("/content/?view=list").content.decode()
    assert "Sourdough Saturday" in client.get("/content/?view=list").content.decode()
    assert calls == [owner], "the second view is kept"
    post.title = "Rye Sunday"
    post.save()
    page = client.get("/content/?view=list").content.decode()
    assert "Rye Sunday" in page and "Sourdough Saturday" not in page, "a write shows at once"
    client.force_login(viewer)
    assert "Rye Sunday" in client.get("/content/?view=list").content.decode()
    assert calls == [owner, owner, viewer], "a viewer never gets the owner's list"


@pytest.mark.django_db(transaction=True)
def test_the_library_grid_shows_a_write_at_once_and_is_kept_per_level(client, owner, viewer):
    from agency.models import Client

    shop = Client.objects.create(name="Bella Bakery", slug="bella-lib")
    client.force_login(owner)
    assert "Drop files on the box above" in client.get("/library/").content.decode(), "the owner may upload"
    client.force_login(viewer)
    page = client.get("/library/").content.decode()
    assert "Uploads by the team" in page and "Drop files" not in page, "not the owner's grid"
    _asset(shop, "croissant")
    page = client.get("/library/").content.decode()
    assert "croissant.jpg" in page and "1 item" in page, "a write shows at once"


@pytest.mark.django_db(transaction=True)
def test_the_task_list_is_kept_per_person_and_its_forms_carry_each_browsers_csrf_token(owner, make_staff):
    from django.test import Client as Browser
    from django.utils import timezone

    from agency.models import Task, TimeEntry

    task = Task.objects.create(name="Edit the spring reel")
    colleague = make_staff("owner", email="colleague@example.com")
    first, second, other = (Browser(enforce_csrf_checks=True) for _ in range(3))
    first.force_login(owner)
    second.force_login(owner)
    other.force_login(colleague)
    assert "Edit the spring reel" in first.get("/tasks/").content.decode()
    TimeEntry.objects.create(task=task, member=owner.team_member, started_at=timezone.now())
    page = first.get("/tasks/").content.decode()
    assert 'aria-label="Stop timer on Edit the spring reel"' in page, "a write shows at once"
    page = other.get("/tasks/").content.decode()
    assert 'aria-label="Start timer on Edit the spring reel"' in page, "never the owner's rows (their timer)"

    # The same person in another browser gets the kept rows with that browser's own token.
    page = second.get("/tasks/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert second.post("/tasks/timer/stop/", {"csrfmiddlewaretoken": token}).status_code == 302
    page = first.get("/tasks/").content.decode()
    assert 'aria-label="Start timer on Edit the spring reel"' in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert first.post(f"/tasks/{task.pk}/timer/start/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert first.post("/tasks/timer/stop/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403, "tokens are checked"


@pytest.mark.django_db(transaction=True)
def test_the_posts_api_shows_a_write_at_once_and_is_kept_per_level(api_as, owner, viewer, monkeypatch):
    from agency.models import Client
    from publishing.api.posts import PostList

    shop = Client.objects.create(name="Bella Bakery", slug="bella-api")
    post = _post(shop, "Sourdough Saturday")
    calls = []
    real = PostList.list_data
    monkeypatch.setattr(PostList, "list_data", lambda self, request: calls.append(request.user) or real(self, request))
    as_owner = api_as(owner)
    assert as_owner.get("/api/v1/posts").json()["items"][0]["title"] == "Sourdough Saturday"
    body = as_owner.get("/api/v1/posts?page_size=50").json()
    assert as_owner.get("/api/v1/posts?page_size=50").json() == body and len(calls) == 2, "kept per query"
    post.title = "Rye Sunday"
    post.save()
    assert as_owner.get("/api/v1/posts").json()["items"][0]["title"] == "Rye Sunday", "a write shows at once"
    assert api_as(viewer).get("/api/v1/posts").json()["items"][0]["title"] == "Rye Sunday"
    assert calls == [owner, owner, owner, viewer], "a viewer never gets the owner's body"
    bad = as_owner.get("/api/v1/posts?sort_by=nope")
    assert bad.status_code == 400 and as_owner.get("/api/v1/posts?sort_by=nope").status_code == 400, "never kept"


@pytest.mark.django_db(transaction=True)
def test_the_media_api_shows_a_write_at_once(api_as, owner):
    from agency.models import Client

    shop = Client.objects.create(name="Bella Bakery", slug="bella-media")
    as_owner = api_as(owner)
    assert as_owner.get("/api/v1/media").json()["total"] == 0
    _asset(shop, "croissant")
    body = as_owner.get("/api/v1/media").json()
    assert body["total"] == 1 and body["items"][0]["name"] == "croissant.jpg"


@pytest.mark.django_db(transaction=True)
def test_portal_posts_are_kept_per_client_and_show_a_write_at_once():
    from django.test import Client as Browser

    from portal.tests.conftest import host_of
    from publishing.tests.conftest import Client

    people = {}
    for name, slug in (("Joe's Landscaping", "joes-cache"), ("Bella Bakery", "bella-cache")):
        shop = Client.objects.create(name=name, slug=slug)
        _post(shop, f"{name} post")
        people[slug] = (shop, _portal_user(shop))
    pages = {}
    for slug, (shop, person) in people.items():
        browser = Browser(HTTP_HOST=host_of(shop))
        browser.force_login(person.user, backend="agency.auth_backends.StaffBackend")
        for view in ("list", "month"):
            pages[slug, view] = browser.get(f"/posts/?view={view}").content.decode()
    for view in ("list", "month"):
        assert "Joe&#x27;s Landscaping post" in pages["joes-cache", view]
        assert "Bella Bakery post" in pages["bella-cache", view] and "Joe" not in pages["bella-cache", view]

    joe_shop, joe = people["joes-cache"]
    joe_shop.posts.update(title="Moved mowing")
    browser = Browser(HTTP_HOST=host_of(joe_shop))
    browser.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    assert "Moved mowing" in browser.get("/posts/?view=list").content.decode(), "a write shows at once"


def _portal_user(shop):
    from conftest import PASSWORD
    from portal.services.people import client_user_invite

    return client_user_invite(actor=None, client=shop, email=f"owner@{shop.slug}.example", first_name="Owner",
                              role="owner", password=PASSWORD, send_invite=False)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_client_api_scheduled_posts_are_kept_per_client_and_show_a_write_at_once():
    from agency.models import Client
    from portal.tests.conftest import bearer

    joe_shop = Client.objects.create(name="Joe's Landscaping", slug="joes-api-cache")
    bella_shop = Client.objects.create(name="Bella Bakery", slug="bella-api-cache")
    _post(joe_shop, "Spring mowing")
    _post(bella_shop, "Sourdough Saturday")
    joe, bella = bearer(_portal_user(joe_shop)), bearer(_portal_user(bella_shop))
    for _ in range(2):  # the second answers are kept ones
        assert [p["title"] for p in joe.get("/api/v1/client/scheduled-posts").json()["items"]] == ["Spring mowing"]
        assert [p["title"] for p in bella.get("/api/v1/client/scheduled-posts").json()["items"]] == [
            "Sourdough Saturday"
        ]
    _post(joe_shop, "Autumn leaves")
    body = joe.get("/api/v1/client/scheduled-posts").json()
    assert [p["title"] for p in body["items"]] == ["Spring mowing", "Autumn leaves"], "a write shows at once"
    assert body["usage"]["used"] >= 0
    assert len(bella.get("/api/v1/client/scheduled-posts").json()["items"]) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sidebar_is_kept_per_person(owner, make_staff):
    from django.test import Client as Browser
    from django.utils import timezone

    from agency.models import Task, TimeEntry

    task = Task.objects.create(name="Edit the spring reel")
    colleague = make_staff("owner", email="colleague@example.com", first_name="Colleague")
    mine, theirs = Browser(), Browser()
    mine.force_login(owner)
    theirs.force_login(colleague)
    mine.get("/leads/")
    TimeEntry.objects.create(task=task, member=owner.team_member, started_at=timezone.now())
    sidebar = mine.get("/leads/").content.decode().split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    assert 'title="Your running timer"' in sidebar and owner.display_name in sidebar, "a write shows at once"
    sidebar = theirs.get("/leads/").content.decode().split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    assert 'title="Your running timer"' not in sidebar and owner.display_name not in sidebar
    assert colleague.display_name in sidebar


def test_fragment_keys_stay_short_whatever_the_query(rf):
    import warnings

    from django.core.cache import CacheKeyWarning

    from localbzz import listcache

    request = rf.get("/", {"search": "a very long search " * 40})
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        listcache.html(request, "long", ("staff", "OWNER"), "partials/pagination.html", dict)


@pytest.mark.django_db
def test_the_redis_cache_reuses_its_clients(settings):
    import os

    import redis
    from django.core.cache import caches

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {"default": {"BACKEND": "localbzz.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "t-reuse"}}
    cache = caches["default"]
    made = []
    real = redis.Redis.__init__
    try:
        redis.Redis.__init__ = lambda self, *a, **kw: made.append(1) or real(self, *a, **kw)
        for i in range(5):
            cache.set("k", i, 10)
            assert cache.get("k") == i
    finally:
        redis.Redis.__init__ = real
        cache.delete("k")
    assert len(made) == 1, "one client, made once, for every operation"


@pytest.mark.django_db
def test_a_staff_member_and_their_level_come_in_one_query(owner, django_assert_num_queries):
    from agency import permissions
    from agency.auth_backends import StaffBackend

    with django_assert_num_queries(1):
        user = StaffBackend().get_user(owner.pk)
        assert permissions.staff_level(user) == permissions.Level.OWNER


@pytest.mark.django_db(transaction=True)
def test_portal_home_and_media_are_kept_per_client_and_show_a_write_at_once():
    from django.test import Client as Browser

    from agency.models import Client
    from portal.tests.conftest import host_of

    browsers = {}
    for name, slug in (("Joe's Landscaping", "joes-home"), ("Bella Bakery", "bella-home")):
        shop = Client.objects.create(name=name, slug=slug)
        _post(shop, f"{slug} post")
        _asset(shop, f"{slug}-photo")
        browser = Browser(HTTP_HOST=host_of(shop))
        browser.force_login(_portal_user(shop).user, backend="agency.auth_backends.StaffBackend")
        browsers[slug] = (shop, browser)
    for _ in range(2):  # the second views are kept ones
        for slug, other in (("joes-home", "bella-home"), ("bella-home", "joes-home")):
            home = browsers[slug][1].get("/").content.decode()
            media = browsers[slug][1].get("/media/").content.decode()
            assert f"{slug} post" in home and f"{other} post" not in home
            assert f"{slug}-photo.jpg" in media and f"{other}-photo.jpg" not in media
    shop, browser = browsers["joes-home"]
    _asset(shop, "joes-second-photo")
    assert "joes-second-photo.jpg" in browser.get("/media/").content.decode(), "a write shows at once"
    shop.posts.update(title="Moved mowing")
    assert "Moved mowing" in browser.get("/").content.decode()

    def approvals_count(page: str) -> str:  # the menu's Approvals entry, with its count if any
        return page.split('href="/approvals/"', 1)[1].split("</a>", 1)[0]

    assert 'class="count"' not in approvals_count(browser.get("/").content.decode())
    shop.posts.update(status="pending_client_approval")
    page = browser.get("/").content.decode()
    assert '<span class="count">1</span>' in approvals_count(page) and "waiting for your approval" in page
    assert 'class="count"' not in approvals_count(browsers["bella-home"][1].get("/").content.decode())


@pytest.mark.django_db(transaction=True)
def test_a_kept_list_runs_no_query(client, api_as, owner, django_assert_max_num_queries):
    from agency.models import Client

    shop = Client.objects.create(name="Bella Bakery", slug="bella-queries")
    _post(shop, "Sourdough Saturday")
    _asset(shop, "croissant")
    client.force_login(owner)
    api = api_as(owner)
    pages = ["/content/?view=list", "/library/", "/tasks/"]
    for path in pages:
        client.get(path)
    for path in ("/api/v1/posts", "/api/v1/media"):
        api.get(path)
    # The session (from the cache) and the person with their level (kept in the process until the
    # next write: localbzz/tests/test_request_shell.py) read no row either.
    for path in pages:
        with django_assert_max_num_queries(0):
            assert client.get(path).status_code == 200
    for path in ("/api/v1/posts", "/api/v1/media"):
        with django_assert_max_num_queries(0):
            assert api.get(path).status_code == 200


def test_a_kept_fragment_gets_each_requests_own_csp_nonce(rf, settings):
    """(Each browser's own CSRF token: see the task list's test.)"""
    from localbzz import listcache

    built, pages = [], []
    for nonce in ("nonce-one", "nonce-two"):
        request = rf.get("/")
        request.csp_nonce = nonce
        html = listcache.html(
            request, "bell", ("staff", "OWNER"), "notifications/partials/bell.html",
            lambda: built.append(1) or {"staff_level": "owner"},
        )  # fmt: skip
        pages.append(html)
    assert len(built) == 1, "the second is kept"
    assert 'nonce="nonce-one"' in pages[0] and 'nonce="nonce-two"' in pages[1]
    assert "nonce-one" not in pages[1]
    placeholders = listcache._placeholders(settings.SECRET_KEY)
    assert not any(p in html for html in pages for p in placeholders), "never served"


# A version per table: a kept value depends on the tables its build read ---------------------------


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT COUNT(*) FROM "agency_lead" WHERE "agency_lead"."status" = %s', {"agency_lead"}),
        (
            'SELECT "publishing_post"."id" FROM "publishing_post" INNER JOIN "agency_client" ON (x) '
            'LEFT OUTER JOIN "publishing_posttarget" T3 ON (y) WHERE "publishing_post"."id" IN '
            '(SELECT U0."post_id" FROM "publishing_postmedia" U0)',
            {"publishing_post", "agency_client", "publishing_posttarget", "publishing_postmedia"},
        ),
        ('SELECT EXTRACT(YEAR FROM "agency_task"."created_at") FROM "agency_task"', {"agency_task"}),
        ('SELECT * FROM "django_session" JOIN "analytics_followerday" ON (1 = 1)', set()),  # no versions
        ("select * from agency_lead", {"agency_lead"}),
    ],
)
def test_the_tables_a_statement_reads(sql, tables):
    assert datacache.tables_read(sql) == tables


def _counter(count: Callable[[], int]) -> tuple[list[int], Callable[[], int]]:
    built: list[int] = []

    def build() -> int:
        built.append(count())
        return built[-1]

    return built, build


@pytest.mark.django_db(transaction=True)
def test_a_write_to_a_table_a_fragment_did_not_read_keeps_it(owner, django_assert_num_queries):
    from agency.models import Task

    built, build = _counter(Lead.objects.count)
    assert datacache.fragment("leads", (), build) == 0
    Task.objects.create(name="Edit the spring reel")  # agency_task: not read by the fragment
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notifications_notification SET read_at = CURRENT_TIMESTAMP")
    with django_assert_num_queries(0):
        assert datacache.fragment("leads", (), build) == 0
    assert built == [0], "still kept"
    _lead("Fresh Lawns")  # agency_lead: read by it
    assert datacache.fragment("leads", (), build) == 1, "a write to a table it read shows at once"
    assert built == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_timers_notifications_and_sign_ins_keep_the_calendar_and_the_content_list(client, owner, viewer, monkeypatch):
    from django.test import Client as Browser
    from django.utils import timezone

    from agency.models import Client, Task, TimeEntry
    from notifications.models import Notification
    from notifications.services import notification_mark_read
    from publishing.views.posts import calendar as views

    shop = Client.objects.create(name="Bella Bakery", slug="bella-churn")
    post = _post(shop, "Sourdough Saturday")
    task = Task.objects.create(name="Edit the spring reel", client=shop)
    note = Notification.objects.create(recipient=owner, kind="post_failed", event_id="e1", title="Look")
    grids, lists = [], []
    real_grid, real_list = views._calendar, views._listing
    monkeypatch.setattr(views, "_calendar", lambda *a: grids.append(1) or real_grid(*a))
    monkeypatch.setattr(views, "_listing", lambda request: lists.append(1) or real_list(request))
    client.force_login(owner)
    day = timezone.localdate(post.scheduled_at).isoformat()
    pages = (f"/content/?date={day}", "/content/?view=list")
    for path in pages:
        assert "Sourdough Saturday" in client.get(path).content.decode()
    entry = TimeEntry.objects.create(task=task, member=owner.team_member, started_at=timezone.now())  # a timer
    entry.ended_at = timezone.now()
    entry.save()
    notification_mark_read(user=owner, notification=note)
    Browser().force_login(viewer)  # a sign-in writes agency_user (last_login): neither page read it
    for path in pages:
        assert client.get(path).status_code == 200
    assert (len(grids), len(lists)) == (1, 1), "neither read time entries, notifications nor people: still kept"
    post.title = "Rye Sunday"
    post.save()
    for path in pages:
        page = client.get(path).content.decode()
        assert "Rye Sunday" in page and "Sourdough Saturday" not in page, path
    assert (len(grids), len(lists)) == (2, 2)


@pytest.mark.django_db(transaction=True)
def test_a_transactions_bump_waits_for_its_commit_and_a_rollback_bumps_nothing():
    built, build = _counter(Lead.objects.count)
    datacache.fragment("leads", (), build)
    try:
        with transaction.atomic():
            _lead("Rolled back")
            raise RuntimeError
    except RuntimeError:
        pass
    assert datacache.fragment("leads", (), build) == 0 and built == [0], "nothing changed: still kept"
    with transaction.atomic():
        _lead("Committed")
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the same transaction
            cursor.execute("UPDATE agency_task SET name = name")
    assert datacache.fragment("leads", (), build) == 1 and built == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_a_write_landing_while_a_fragment_is_built_is_never_kept_over():
    """Another process commits between the build's SELECT and the keep: the kept value holds the
    version read before the build, so the next read sees it moved on and builds again."""
    built = []

    def build():
        built.append(Lead.objects.count())
        if len(built) == 1:
            _lead("Late")  # lands after the SELECT, before the value is kept
        return built[-1]

    assert datacache.fragment("leads", (), build) == 0
    assert datacache.fragment("leads", (), build) == 1, "not the value read before the write"
    assert datacache.fragment("leads", (), build) == 1 and built == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_a_nested_fragment_adds_the_tables_it_read_to_the_outer_one():
    from agency.models import Task

    inner_built, inner = _counter(Lead.objects.count)
    outer_built = []

    def outer():
        outer_built.append(1)
        return (datacache.fragment("inner", (), inner), Task.objects.count())

    assert datacache.fragment("outer", (), outer) == (0, 0)  # the inner one built inside it
    _lead("One")
    assert datacache.fragment("outer", (), outer) == (1, 0), "the inner one's table is the outer one's too"
    assert len(outer_built) == 2 and inner_built == [0, 1]
    # The inner one kept (a hit inside the outer build) still gives the outer one its tables.
    Task.objects.create(name="Edit")
    assert datacache.fragment("outer", (), outer) == (1, 1) and inner_built == [0, 1]
    _lead("Two")
    assert datacache.fragment("outer", (), outer) == (2, 1) and len(outer_built) == 4
    # ...and a local value's.
    local_built, read = _counter(Task.objects.count)
    assert datacache.fragment("with-local", (), lambda: datacache.local("tasks", (), read)) == 1
    Task.objects.create(name="Cut")
    assert datacache.fragment("with-local", (), lambda: datacache.local("tasks", (), read)) == 2
    assert local_built == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_local_value_follows_the_tables_it_read():
    from agency.models import Client, Task

    shop = Client.objects.create(name="Copy Shop", slug="local-shop")
    built, build = _counter(lambda: Client.objects.get(slug="local-shop").name)
    assert datacache.local("client-name", ("local-shop",), build) == "Copy Shop"
    Task.objects.create(name="Edit")
    assert datacache.local("client-name", ("local-shop",), build) == "Copy Shop" and len(built) == 1
    Client.objects.filter(pk=shop.pk).update(name="Renamed Shop")
    assert datacache.local("client-name", ("local-shop",), build) == "Renamed Shop" and len(built) == 2


@pytest.mark.django_db(transaction=True)
def test_a_cache_outage_never_fails_a_fragment_nor_a_write(monkeypatch):
    from django.core.cache import caches

    backend = caches["default"]

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    built, build = _counter(Lead.objects.count)
    datacache.fragment("leads", (), build)
    for name in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(backend, name, down)
    _lead("Saved")  # its bump fails, quietly
    with transaction.atomic():
        _lead("Saved too")  # and on commit
    assert datacache.fragment("leads", (), build) == 2 and datacache.local("leads", (), build) == 2
    monkeypatch.undo()  # (the bumps lost while it was down: what was kept before is TTL old at most)
    assert datacache.fragment("leads", (), build) in {0, 2}


# One build per key at a time (single flight) -----------------------------------------------------


def _key(name: str) -> str:
    from django.conf import settings

    return ":".join(["datacache", datacache._secret_tag(settings.SECRET_KEY), name])


@pytest.mark.django_db(transaction=True)
def test_a_request_that_finds_the_key_being_built_waits_for_that_build(monkeypatch):
    import threading

    building, polling = threading.Event(), threading.Event()
    built: list[str] = []

    def build() -> str:
        built.append("grid")
        building.set()
        polling.wait(30)  # until the other request waits for this build
        return "grid"

    real_sleep = datacache.time.sleep
    monkeypatch.setattr(datacache.time, "sleep", lambda seconds: polling.set() or real_sleep(seconds))
    monkeypatch.setattr(datacache, "WAIT_SECONDS", 30.0)  # only a build that never ends runs it out
    first: list[str] = []
    builder = threading.Thread(target=lambda: first.append(datacache.fragment("grid", (), build)))
    builder.start()
    assert building.wait(30)
    assert datacache.fragment("grid", (), build) == "grid"  # lock taken: polls until the value is kept
    builder.join(30)
    assert first == ["grid"] and built == ["grid"], "built once, served to both"
    assert datacache.cache.get(datacache._lock_key(_key("grid"))) is None, "the lock is released"


@pytest.mark.django_db(transaction=True)
def test_a_waiter_whose_builder_died_builds_after_the_bound(monkeypatch):
    monkeypatch.setattr(datacache, "WAIT_SECONDS", 0.05)
    datacache.cache.add(datacache._lock_key(_key("leads")), "a crashed worker", 60)
    built, build = _counter(Lead.objects.count)
    assert datacache.fragment("leads", (), build) == 0
    assert datacache.fragment("leads", (), build) == 0 and built == [0], "built by the waiter, and kept"


@pytest.mark.django_db(transaction=True)
def test_a_value_built_after_the_versions_this_request_holds_is_served_an_older_one_is_not():
    datacache._request_started()  # a request: versions read once and held
    try:
        held = datacache.versions(["agency_lead"])["agency_lead"]
        datacache.cache.incr(datacache._key("agency_lead"))  # another worker's write, then its build
        built, build = _counter(Lead.objects.count)
        datacache.cache.set(_key("leads"), ("built after", {"agency_lead": held + 1}), 60)
        assert datacache.fragment("leads", (), build) == "built after" and built == []
        datacache.cache.set(_key("leads"), ("built before", {"agency_lead": held - 1}), 60)
        assert datacache.fragment("leads", (), build) == 0 and built == [0]
    finally:
        datacache._request_finished()


@pytest.mark.django_db(transaction=True)
def test_no_build_lock_when_the_cache_is_down_off_or_the_transaction_has_written(settings, monkeypatch):
    from django.core.cache import caches

    backend = caches["default"]
    locks: list[str] = []
    real_add = backend.add
    monkeypatch.setattr(backend, "add", lambda key, *a, **kw: locks.append(key) or real_add(key, *a, **kw))
    built, build = _counter(Lead.objects.count)
    with transaction.atomic():
        _lead("Pending")
        assert datacache.fragment("leads", (), build) == 1
    settings.DATACACHE = False
    assert datacache.fragment("leads", (), build) == 1
    settings.DATACACHE = True

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(backend, "get", down)
    assert datacache.fragment("leads", (), build) == 1
    assert built == [1, 1, 1] and not [key for key in locks if key.startswith("datacache:lock:")]
