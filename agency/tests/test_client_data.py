"""A client's data: the export holds every record and media file but no secret; erasure removes
every row and stored file of the client (and nothing of other clients); owners only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from agency.models import ActivityEvent, CalendarFeed, Client, Lead, PortalRequest, Task, TimeEntry
from agency.services import feeds
from agency.services.inbox import request_reply
from agency.services.tasks import timer_start
from agency.tests import factories
from conftest import PASSWORD
from generation.models import GenerationJob
from portal.services.people import client_user_invite
from publishing.models import MediaAsset, MediaRendition, Post, PublerConnection, SocialAccount
from publishing.services import accounts as account_services
from publishing.services import scheduling
from publishing.tests import media_files as mf
from publishing.tests.conftest import client_a, stored_files, upload  # noqa: F401  (fixtures)
from publishing.tests.posting import approved_post

pytestmark = pytest.mark.django_db

SECRETS = ["fb-secret-token-111", "fb-refresh-secret-222", "publer-secret-key-333"]


def build(owner, editor, upload_as, *, name: str, slug: str) -> dict:
    """A client with something in every table that refers to it."""
    client = factories.client(name=name, slug=slug)
    suffix = slug.replace("-", "")
    account = account_services.social_account_create(
        actor=owner, client=client, platform="facebook", name=f"{name} page", external_id=f"pg-{suffix}",
        token=f"{SECRETS[0]}-{suffix}", refresh_token=f"{SECRETS[1]}-{suffix}",
    )  # fmt: skip
    account_services.publer_connect(actor=owner, client=client, workspace_id="ws-1", api_key=f"{SECRETS[2]}-{suffix}")
    response = upload_as(("shop.jpg", mf.jpeg_bytes()), client=client)
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(client=client)
    post = approved_post(owner, client, [account], caption=f"Hello from {name}", media=[asset])
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(days=1))
    shoot = factories.shoot(client_=client)
    deliverable = factories.deliverable(client_=client, shoot=shoot)
    task = factories.task(client=client, deliverable=deliverable, name=f"Edit {name} reel")
    timer_start(member=editor.team_member, task=task)
    lead = Lead.objects.create(contact_name="Pat", email=f"pat@{slug}.example", business_name=name, client=client)
    request = PortalRequest.objects.create(client=client, content=f"Please post {name} news")
    request_reply(actor=owner, request=request, body="On it")
    GenerationJob.objects.create(client=client, kind="captions", provider="builtin")
    feeds.feed_get_or_create(actor=owner, scope="client", client=client, kind="posts")
    member = client_user_invite(
        actor=None, client=client, email=f"boss@{slug}.example", first_name="Boss", role="owner",
        password=PASSWORD, send_invite=False,
    )  # fmt: skip
    tokens = APIClient().post("/api/v1/client/login", {"email": member.user.email, "password": PASSWORD}).json()
    portal = HttpClient(HTTP_HOST=f"{slug}.localhost")
    assert portal.post("/sign-in/", {"identifier": member.user.email, "password": PASSWORD}).status_code == 302
    return {"client": client, "asset": asset, "post": post, "task": task, "lead": lead, "user": member.user,
            "tokens": tokens, "portal": portal}  # fmt: skip


@pytest.fixture
def two_clients(owner, editor, upload, sync_tasks, django_capture_on_commit_callbacks):  # noqa: F811
    def upload_as(*files, client):
        return upload(*files, client=client)

    with django_capture_on_commit_callbacks(execute=True):
        a = build(owner, editor, upload_as, name="Alpha Bakery", slug="alpha-bakery")
        b = build(owner, editor, upload_as, name="Beta Gym", slug="beta-gym")
    assert MediaRendition.objects.filter(asset=a["asset"]).exists()  # renditions were made
    return a, b


def test_the_export_has_the_records_and_media_and_no_secret(client, owner, two_clients):
    a, b = two_clients
    client.force_login(owner)
    response = client.get(f"/clients/{a['client'].pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-bakery-export-')
    body = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(body))
    data = json.loads(archive.read("client.json"))
    assert data["client"]["name"] == "Alpha Bakery"
    assert [p["caption"] for p in data["posts"]] == ["Hello from Alpha Bakery"]
    assert len(data["post_targets"]) == 1 and len(data["time_entries"]) == 1
    assert [t["name"] for t in data["tasks"]] == ["Edit Alpha Bakery reel"]
    assert [r["content"] for r in data["requests"]] == ["Please post Alpha Bakery news"]
    assert [m["body"] for m in data["request_messages"]] == ["On it"]
    assert [lead["email"] for lead in data["leads"]] == ["pat@alpha-bakery.example"]
    assert [u["email"] for u in data["portal_users"]] == ["boss@alpha-bakery.example"]
    assert data["social_accounts"][0]["name"] == "Alpha Bakery page"
    assert len(data["publer_connection"]) == 1 and data["client"]["publer_workspace_id"] == "ws-1"
    assert len(data["generation_jobs"]) == 1 and data["activity"]
    assert "Beta Gym" not in archive.read("client.json").decode()
    names = archive.namelist()
    assert f"media/{a['asset'].file.name}" in names
    assert archive.read(f"media/{a['asset'].file.name}") == a["asset"].file.open("rb").read()
    renditions = MediaRendition.objects.filter(asset=a["asset"])
    assert all(f"media/{r.file.name}" in names for r in renditions)
    for secret in SECRETS + [a["user"].password, a["tokens"]["refresh_token"]]:
        assert secret.encode() not in body  # the zip is deflated: check the content too
        assert all(secret.encode() not in archive.read(n) for n in names)
    exported_keys = {
        key for section in ("social_accounts", "publer_connection") for row in data[section] for key in row
    }
    assert not {"token_encrypted", "refresh_token_encrypted", "api_key_encrypted"} & exported_keys
    assert "token_expires_at" in exported_keys  # only when it expires, not the token
    assert ActivityEvent.objects.filter(verb="client.exported", client=a["client"], actor=owner).exists()


def remaining_rows(client_pk) -> dict[str, int]:
    """Rows still referring to the client, in every table with a foreign key to Client."""
    left = {}
    for rel in Client._meta.related_objects:
        n = rel.related_model._base_manager.filter(**{rel.field.attname: client_pk}).count()
        if n:
            left[rel.related_model._meta.label] = n
    return left


def test_erasing_removes_every_row_file_and_token_and_leaves_others(
    client,
    owner,
    two_clients,
    stored_files,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    a, b = two_clients
    pk = a["client"].pk
    files_a = [a["asset"].file.name, *MediaRendition.objects.filter(asset=a["asset"]).values_list("file", flat=True)]
    files_before = stored_files()
    assert set(files_a) <= set(files_before)
    b_rows = {model: model.objects.count() for model in (Post, SocialAccount, MediaAsset, Task, Lead)}

    from publishing.approval_links import make_token

    approval = make_token(a["post"])
    assert HttpClient().get(f"/approve/{approval}/").status_code == 200
    client.force_login(owner)
    assert client.post(f"/clients/{pk}/erase/", {"confirm": "alpha bakery"}).status_code == 400  # not the name
    assert Client.objects.filter(pk=pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/clients/{pk}/erase/", {"confirm": "Alpha Bakery"})
    assert response.status_code == 302

    assert not Client.objects.filter(pk=pk).exists()
    assert remaining_rows(pk) == {}
    assert not Task.objects.filter(pk=a["task"].pk).exists() and not Lead.objects.filter(pk=a["lead"].pk).exists()
    assert not TimeEntry.objects.filter(task_id=a["task"].pk).exists()
    assert not type(a["user"]).objects.filter(pk=a["user"].pk).exists()
    assert not OutstandingToken.objects.filter(user_id=a["user"].pk).exists()
    assert not OutstandingToken.objects.filter(token=a["tokens"]["refresh_token"]).exists()
    assert a["portal"].get("/posts/").status_code == 404  # the portal is gone
    assert not any(s.get_decoded().get("_auth_user_id") == str(a["user"].pk) for s in Session.objects.all())
    assert not SocialAccount.objects.filter(client_id=pk).exists()
    assert not PublerConnection.objects.filter(client_id=pk).exists()
    assert not CalendarFeed.objects.filter(client_id=pk).exists()
    assert not ActivityEvent.objects.filter(target_id=str(a["user"].pk)).exists()
    assert HttpClient().get(f"/approve/{approval}/").status_code == 404  # the approval link opens nothing
    left = stored_files()
    assert not set(files_a) & set(left)
    assert not any(name.startswith(f"clients/{pk}") for name in left)

    # Beta Gym is untouched.
    assert remaining_rows(b["client"].pk)
    assert {model: model.objects.count() for model in b_rows} == {m: n - 1 for m, n in b_rows.items()}
    assert b["asset"].file.name in left
    assert b["portal"].get("/posts/").status_code == 200
    erased = ActivityEvent.objects.get(verb="client.erased")
    assert erased.client_id is None and erased.changes["slug"] == "alpha-bakery" and erased.changes["rows"]
    assert "Hello from" not in json.dumps(erased.changes)


def test_a_file_that_cannot_be_removed_is_reported_not_fatal(owner, two_clients, monkeypatch, caplog,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    from django.core.files.storage import FileSystemStorage

    from agency.services import client_data

    a, _ = two_clients

    def refuse(storage, name):
        raise PermissionError("read-only")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        summary = client_data.client_erase(actor=owner, client=a["client"])
    assert not Client.objects.filter(pk=a["client"].pk).exists()
    assert a["asset"].file.name in summary.files_not_removed
    assert a["asset"].file.name in caplog.text and SECRETS[0] not in caplog.text


@pytest.mark.parametrize("level", ["editor", "admin"])
def test_only_owners_export_or_erase(client, make_staff, level):
    target = factories.client(name="Kept Co")
    client.force_login(make_staff(level))
    assert client.get(f"/clients/{target.pk}/export/").status_code == 403
    assert client.post(f"/clients/{target.pk}/erase/", {"confirm": "Kept Co"}).status_code == 403
    assert client.get(f"/clients/{target.pk}/erase/").status_code == 403
    assert Client.objects.filter(pk=target.pk).exists()
    assert "Export data" not in client.get(f"/clients/{target.pk}/").content.decode()


def test_the_commands_export_and_erase(owner, tmp_path, capsys):
    target = factories.client(name="Cmd Co", slug="cmd-co")
    out = tmp_path / "cmd.zip"
    call_command("client_export", "cmd-co", "--out", str(out))
    assert json.loads(zipfile.ZipFile(out).read("client.json"))["client"]["slug"] == "cmd-co"
    with pytest.raises(CommandError, match="--yes"):
        call_command("client_erase", "cmd-co")
    with pytest.raises(CommandError, match="No client"):
        call_command("client_erase", "nope", "--yes")
    call_command("client_erase", "cmd-co", "--yes")
    assert not Client.objects.filter(pk=target.pk).exists()
    assert ActivityEvent.objects.filter(verb="client.erased", actor_label="system").exists()
    assert "Erased Cmd Co" in capsys.readouterr().out


@pytest.mark.slow
def test_the_export_memory_stays_flat_with_large_files(owner, tmp_path):
    import os
    import tracemalloc

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from agency.services import client_data

    target = factories.client(name="Big Co", slug="big-co")
    size = 48 * 1024 * 1024
    for i in range(2):
        name = default_storage.save(f"media/big-co/video-{i}.mp4", ContentFile(b""))
        with open(default_storage.path(name), "wb") as handle:
            for _ in range(size // (1024 * 1024)):
                handle.write(os.urandom(1024 * 1024))
        MediaAsset.objects.create(client=target, file=name, original_name=f"v{i}.mp4", content_type="video/mp4",
                                  kind="video", bytes=size, status="ready", sha256=f"{i:064x}")  # fmt: skip
    tracemalloc.start()
    with open(tmp_path / "big.zip", "wb") as out:
        summary = client_data.client_export(actor=owner, client=target, out=out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert summary.files == 2 and summary.bytes == 2 * size
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while exporting {2 * size / 1e6:.0f} MB"
    assert zipfile.ZipFile(tmp_path / "big.zip").getinfo("media/media/big-co/video-1.mp4").file_size == size


def test_the_client_page_has_one_delete_action_the_erasure(client, owner, admin_user):
    target = factories.client(name="Kept Co")
    client.force_login(owner)
    page = client.get(f"/clients/{target.pk}/").content.decode()
    assert page.count("Delete client") == 1 and "Erase client" not in page
    assert f'href="/clients/{target.pk}/erase/"' in page
    assert "Delete Kept Co for good" in client.get(f"/clients/{target.pk}/erase/").content.decode()
    assert client.post(f"/clients/{target.pk}/delete/", {"confirm": target.slug}).status_code == 404  # no second way
    client.force_login(admin_user)
    assert "Delete client" not in client.get(f"/clients/{target.pk}/").content.decode()
