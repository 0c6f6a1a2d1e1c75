"""The audit log: sign-ins, failed sign-ins and denials are recorded (never a password); the page
filters, paginates and exports; only admins and owners see it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from agency.models import ActivityEvent, Client
from agency.services.activity import record_event
from agency.tests import factories
from conftest import PASSWORD
from publishing.tests import media_files as mf
from publishing.tests.conftest import client_a, upload  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) " + "x" * 500


def no_column_holds(secret: str) -> None:
    """No column of any audit row contains ``secret`` (every column of every row, as stored)."""
    table = ActivityEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        rows = cursor.fetchall()
    assert rows and not [row for row in rows if secret.lower() in " ".join(map(str, row)).lower()]


def test_a_staff_sign_in_sign_out_and_a_failed_sign_in_are_recorded(owner):
    browser = HttpClient(HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.9")
    browser.post("/accounts/login/", {"username": owner.email, "password": "Wrong-Secret-123"})
    browser.post("/accounts/login/", {"username": "nobody@nowhere.example", "password": "Other-Secret-456"})
    assert browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302
    browser.post("/accounts/logout/")

    failed = list(ActivityEvent.objects.filter(verb="auth.sign_in_failed").order_by("created_at", "id"))
    assert [e.changes["identifier"] for e in failed] == [owner.email, "nobody@nowhere.example"]
    assert failed[0].target_id == str(owner.pk) and failed[0].actor is None
    assert failed[1].target_type is None and failed[1].target_id == ""  # unknown email: no target
    assert failed[0].changes["ip"] == "203.0.113.9" and failed[0].changes["surface"] == "staff"
    assert len(failed[0].changes["user_agent"]) == 200
    signed_in = ActivityEvent.objects.get(verb="auth.signed_in")
    assert signed_in.actor == owner and signed_in.changes["ip"] == "203.0.113.9"
    assert ActivityEvent.objects.filter(verb="auth.signed_out", actor=owner).exists()
    for secret in ("Wrong-Secret-123", "Other-Secret-456", PASSWORD):
        no_column_holds(secret)


def test_a_client_user_signing_in_on_the_staff_login_is_a_failed_sign_in(outsider):
    HttpClient().post("/accounts/login/", {"username": outsider.email, "password": PASSWORD})
    event = ActivityEvent.objects.get(verb="auth.sign_in_failed")
    assert event.changes["identifier"] == outsider.email
    no_column_holds(PASSWORD)


def test_the_jwt_endpoint_records_sign_in_failure_and_sign_out(api, owner):
    api.post("/api/v1/auth/token/", {"email": owner.email, "password": "Jwt-Wrong-789"}, format="json")
    tokens = api.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json").json()
    api.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json")
    verbs = list(ActivityEvent.objects.filter(actor=owner).values_list("verb", flat=True))
    assert "auth.signed_in" in verbs and "auth.signed_out" in verbs
    failed = ActivityEvent.objects.get(verb="auth.sign_in_failed")
    assert failed.changes["surface"] == "api" and failed.changes["identifier"] == owner.email
    no_column_holds("Jwt-Wrong-789")
    no_column_holds(tokens["refresh"][-20:])


def test_a_denied_page_and_a_denied_api_call_are_recorded(client, api_as, editor):
    client.force_login(editor)
    assert client.get("/settings/audit/").status_code == 403
    assert api_as(editor).delete(f"/api/v1/clients/{factories.client().pk}").status_code == 403
    denials = list(ActivityEvent.objects.filter(verb="access.denied", actor=editor).order_by("created_at", "id"))
    assert [(d.changes["action"], d.changes["method"]) for d in denials] == [
        ("view_audit_log", "GET"),
        ("manage_clients", "DELETE"),
    ]
    assert denials[0].changes["path"] == "/settings/audit/"


def test_a_denial_inside_a_rolled_back_transaction_is_still_recorded(client, editor, monkeypatch):
    # With ATOMIC_REQUESTS the view's transaction rolls back on the PermissionDenied; the record
    # is written by the middleware after it, so it stays.
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    target = factories.client(name="Stays Co")
    client.force_login(editor)
    assert client.post(f"/clients/{target.pk}/edit/", {"name": "Gone Co"}).status_code == 403
    assert client.get("/api/v1/activity").status_code == 403
    assert Client.objects.filter(pk=target.pk).exists()
    actions = set(ActivityEvent.objects.filter(verb="access.denied").values_list("changes__action", flat=True))
    assert actions == {"manage_clients", "view_audit_log"}


@pytest.mark.parametrize("level", ["viewer", "editor"])
def test_viewers_and_editors_cannot_open_the_audit_log(client, make_staff, level):
    client.force_login(make_staff(level))
    assert client.get("/settings/audit/").status_code == 403
    assert client.get("/settings/audit/?format=csv").status_code == 403
    assert "Audit log" not in client.get("/settings/").content.decode()


def test_viewers_cannot_read_the_activity_api(api_as, viewer):
    assert api_as(viewer).get("/api/v1/activity").status_code == 403


@pytest.fixture
def trail(owner, admin_user):
    a = factories.client(name="Alpha Bakery")
    b = factories.client(name="Beta Gym")
    record_event(owner, "client.note_added", a, {"comment": "call back"})
    record_event(admin_user, "client.status_changed", b, {"status": ["Lead", "Active"]})
    old = record_event(owner, "shoot.created", b, {})
    ActivityEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return a, b


def test_the_page_filters_by_actor_type_verb_client_dates_and_search(client, owner, admin_user, trail):
    a, b = trail
    client.force_login(owner)

    def shown(query: str) -> str:
        response = client.get("/settings/audit/?" + query)
        assert response.status_code == 200
        return response.content.decode()

    assert "note_added" in shown("") and "status_changed" in shown("")
    page = shown(f"actor_id={admin_user.pk}")
    assert "client.status_changed" in page and "client.note_added" not in page
    page = shown("verb=client.")
    assert "client.note_added" in page and "shoot.created" not in page
    page = shown(f"client_id={a.pk}")
    assert "client.note_added" in page and "client.status_changed" not in page
    page = shown(f"date_from={(timezone.localdate() - timedelta(days=1)).isoformat()}&target_type=client")
    assert "client.status_changed" in page and "shoot.created" not in page
    page = shown("search=call+back")
    assert "client.note_added" in page and "client.status_changed" not in page
    assert "No events match" in shown("verb=nothing.")


def test_the_csv_export_keeps_the_filters(client, owner, trail):
    a, _ = trail
    client.force_login(owner)
    response = client.get(f"/settings/audit/?format=csv&client_id={a.pk}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert {r["verb"] for r in rows} == {"client.created", "client.note_added"}
    assert all(r["client"] == "Alpha Bakery" for r in rows)
    assert any("call back" in r["changes"] for r in rows)


def test_the_api_has_the_same_filters(api_as, owner, admin_user, trail):
    a, _ = trail
    api = api_as(owner)
    items = api.get(f"/api/v1/activity?verb=client.&client_id={a.pk}").json()["items"]
    assert {i["verb"] for i in items} == {"client.created", "client.note_added"}
    items = api.get(f"/api/v1/activity?actor_id={admin_user.pk}").json()["items"]
    assert [i["verb"] for i in items] == ["client.status_changed"]


def test_the_page_pages_and_its_query_count_is_pinned(client, owner, django_assert_max_num_queries):
    clients = [factories.client(name=f"Co {i}") for i in range(5)]
    for i in range(120):
        record_event(owner, "client.touched", clients[i % 5], {"n": i})
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get("/settings/audit/")
    assert response.status_code == 200
    assert response.content.decode().count("client.touched") >= 49  # 50 rows a page (+ the datalist)
    assert "Page 1 of 3" in client.get("/settings/audit/").content.decode()
    with django_assert_max_num_queries(12):
        client.get("/settings/audit/?page=2&verb=client.")


def test_team_member_and_social_account_pages_show_their_trail(client, owner, editor):
    from publishing.services.accounts import social_account_create

    client.force_login(owner)
    page = client.get(f"/settings/team/{editor.team_member.pk}/").content.decode()
    assert "History and sign-ins" in page and "created" in page
    account = social_account_create(
        actor=owner, client=factories.client(name="Trail Co"), platform="facebook", external_id="pg-1",
        name="Trail Co page", token="tok-trail-123",
    )  # fmt: skip
    page = client.get(f"/social-accounts/{account.pk}/").content.decode()
    assert "History" in page and "connected" in page


def test_the_dashboard_keeps_sign_ins_out_and_the_api_shows_targetless_events(client, api_as, owner):
    HttpClient().post("/accounts/login/", {"username": "ghost@nowhere.example", "password": "x-Secret-1"})
    client.force_login(owner)
    record_event(owner, "client.created", factories.client(name="Dash Co"), {})
    page = client.get("/").content.decode()
    assert "Dash Co" in page and "ghost@nowhere.example" not in page and "sign in failed" not in page
    [item] = api_as(owner).get("/api/v1/activity?verb=auth.sign_in_failed").json()["items"]
    assert item["target_type"] is None and item["target_id"] == "" and "ghost@nowhere.example" in item["summary"]


def test_a_media_asset_page_shows_its_history(client, owner, upload):  # noqa: F811
    response = upload(("a.jpg", mf.jpeg_bytes()))
    asset_id = response.json()["items"][0]["id"]
    client.force_login(owner)
    page = client.get(f"/library/{asset_id}/").content.decode()
    assert "History" in page and "uploaded" in page
