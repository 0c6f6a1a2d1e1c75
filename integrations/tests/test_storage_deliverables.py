# ruff: noqa: F811 - the storage and portal fixtures are imported and taken as arguments
"""A deliverable linked to a file in its shoot's folder, and the client's portal download that
streams it from the (fake) storage: Range passed through, tenant rules, and friendly pages when the
file was deleted or the connection needs reconnecting."""

from __future__ import annotations

import pytest

from agency.models import ActivityEvent, Deliverable
from agency.tests import factories
from integrations.storage import services
from integrations.storage.models import DeliverableFile, StorageConnection
from integrations.tests.test_storage import drive, fake  # noqa: F401 - fixtures
from portal.tests.conftest import bella, joe, portal_as  # noqa: F401 - fixtures
from publishing.fakes import storage as fakes
from publishing.tests.conftest import _fake_platform_server, client_a, client_b, fake_platforms  # noqa: F401

pytestmark = pytest.mark.django_db
REEL = bytes(range(256)) * 40  # 10 KiB


@pytest.fixture
def reel(drive, fake, client_a, editor):
    """A Ready-To-Post deliverable of client A whose shoot has a Drive folder holding the final reel."""
    shoot = factories.shoot(client_=client_a, title="Spring garden")
    folder = services.create_folder(shoot, actor=editor)
    item = fakes.drive_put(fake.fake, "final-reel.mp4", REEL, parent=folder.external_id)
    deliverable = factories.deliverable(
        client_=client_a, shoot=shoot, title="Spring reel", status=Deliverable.Status.READY_TO_POST
    )
    return deliverable, item


def _card(client, deliverable) -> str:
    return client.get(f"/settings/storage/deliverables/{deliverable.pk}/file/", HTTP_HX_REQUEST="true").content.decode()


def test_staff_link_a_file_from_the_folder_and_the_client_downloads_it(reel, client, editor, portal_as, joe):
    deliverable, item = reel
    client.force_login(editor)
    card = _card(client, deliverable)
    assert "final-reel.mp4" in card and 'type="radio"' in card and "Link this file" in card
    linked = client.post(f"/settings/storage/deliverables/{deliverable.pk}/file/link/", {"file": item["id"]},
                         HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "final-reel.mp4" in linked and "10.0\xa0KB" in linked and 'type="radio"' not in linked
    link = DeliverableFile.objects.get(deliverable=deliverable)
    assert (link.external_id, link.size, link.checksum) == (item["id"], len(REEL), item["md5Checksum"])
    assert ActivityEvent.objects.filter(verb="deliverable.file_linked").count() == 1

    portal = portal_as(deliverable.client, joe)
    page = portal.get("/deliverables/").content.decode()
    assert f"/deliverables/{deliverable.pk}/download" in page
    whole = portal.get(f"/deliverables/{deliverable.pk}/download")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == REEL
    assert 'filename="final-reel.mp4"' in whole["Content-Disposition"] and whole["Content-Length"] == str(len(REEL))
    part = portal.get(f"/deliverables/{deliverable.pk}/download", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(REEL)}"
    assert b"".join(part.streaming_content) == REEL[100:200]


def test_only_the_clients_own_visible_deliverables_download(reel, editor, portal_as, joe, bella, client_b):
    deliverable, item = reel
    from integrations.storage import deliverables

    deliverables.link(deliverable, item["id"], actor=editor)
    assert portal_as(client_b, bella).get(f"/deliverables/{deliverable.pk}/download").status_code == 404
    # Bella on Joe's host: not his portal's user, never the file.
    assert portal_as(deliverable.client, bella).get(f"/deliverables/{deliverable.pk}/download").status_code == 404
    assert portal_as(deliverable.client).get(f"/deliverables/{deliverable.pk}/download").status_code == 302
    Deliverable.objects.filter(pk=deliverable.pk).update(status=Deliverable.Status.IN_PROGRESS)  # not shown yet
    assert portal_as(deliverable.client, joe).get(f"/deliverables/{deliverable.pk}/download").status_code == 404


def test_a_deleted_file_or_a_dead_connection_is_a_friendly_page(reel, fake, editor, portal_as, joe):
    deliverable, item = reel
    from integrations.storage import deliverables

    deliverables.link(deliverable, item["id"], actor=editor)
    portal = portal_as(deliverable.client, joe)
    fake.fail("google_drive", "deleted", "download")
    gone = portal.get(f"/deliverables/{deliverable.pk}/download")
    assert gone.status_code == 410 and "no longer in the shoot" in gone.content.decode()
    assert "Back to deliverables" in gone.content.decode()
    StorageConnection.objects.filter(provider="google_drive").update(status="needs_reconnect")
    dead = portal.get(f"/deliverables/{deliverable.pk}/download")
    assert dead.status_code == 503 and "connection needs attention" in dead.content.decode()


def test_linking_refuses_files_outside_the_folder_and_viewers(reel, fake, client, editor, viewer):
    deliverable, _item = reel
    elsewhere = fakes.drive_put(fake.fake, "other.mp4", b"x" * 10)
    client.force_login(editor)
    answer = client.post(f"/settings/storage/deliverables/{deliverable.pk}/file/link/", {"file": elsewhere["id"]},
                         HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "is not a file in the shoot" in answer and "final-reel.mp4" in answer  # the picker again
    missing = client.post(f"/settings/storage/deliverables/{deliverable.pk}/file/link/", {"file": "1nothere"},
                          HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "alert" in missing and not DeliverableFile.objects.exists()
    client.force_login(viewer)
    refused = client.post(f"/settings/storage/deliverables/{deliverable.pk}/file/link/", {"file": elsewhere["id"]})
    assert refused.status_code == 403
    assert "Link this file" not in _card(client, deliverable)


def test_a_shoot_without_a_folder_says_what_to_do(drive, client_a, client, editor):
    shoot = factories.shoot(client_=client_a)
    deliverable = factories.deliverable(client_=client_a, shoot=shoot)
    client.force_login(editor)
    assert "The shoot has no folder yet" in _card(client, deliverable)
    page = client.get(f"/deliverables/{deliverable.pk}/").content.decode()
    assert f"/settings/storage/deliverables/{deliverable.pk}/file/" in page


def test_the_api_links_reads_and_unlinks(reel, fake, api_as, editor, viewer):
    deliverable, item = reel
    url = f"/api/v1/deliverables/{deliverable.pk}/storage-file"
    api = api_as(editor)
    assert api.get(url).status_code == 404
    elsewhere = fakes.drive_put(fake.fake, "other.mp4", b"x" * 10)
    for bad in ({"file": elsewhere["id"]}, {"file": "1nothere"}, {}):
        answer = api.put(url, bad, format="json")
        assert answer.status_code == 400 and "file" in str(answer.json()), bad
    linked = api.put(url, {"file": item["id"]}, format="json")
    assert linked.status_code == 200
    assert (linked.json()["file_id"], linked.json()["name"], linked.json()["size"]) == (item["id"], "final-reel.mp4",
                                                                                       len(REEL))  # fmt: skip
    assert api.get(url).json()["checksum"] == item["md5Checksum"]
    assert api_as(viewer).get(url).status_code == 200
    assert api_as(viewer).delete(url).status_code == 403
    api = api_as(editor)  # one API client: api_as switches who it is
    assert api.delete(url).status_code == 204 and api.get(url).status_code == 404
