# ruff: noqa: F811 - the fake-platform fixtures are imported and taken as arguments
"""A real Chromium through the cloud-storage journey against the fake Drive: connect, make the
shoot's folder, photos arrive, pick three and import them, import the new ones, link a file to a
deliverable, and the client downloads it on the portal. (Connect posted into a redirect that the
page's CSP form-action refused: only a browser shows that.)"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from agency.models import Deliverable
from agency.tests import factories
from conftest import PASSWORD
from integrations.storage.models import ImportedFile
from portal.services.people import client_user_invite
from portal.tests.test_browser_portal import portal_url, settled, sign_in
from publishing.models import MediaAsset
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_connect_fill_pick_import_link_and_download(page, live_server, signed_in_page, make_staff, fake_platforms,
                                                    settings, sync_tasks):  # fmt: skip
    settings.GOOGLE_DRIVE_CLIENT_ID, settings.GOOGLE_DRIVE_CLIENT_SECRET = "fake-drive-client", "fake-drive-secret"
    # As in make run, where FAKE_PLATFORMS_URL is set before the settings load: the fake's
    # thumbnails are allowed pictures.
    policy = {**django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}
    policy["img-src"] = [*policy["img-src"], fake_platforms.url]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": policy}
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    joes = factories.client(name="Joe's Landscaping", slug="joes-storage")
    shoot = factories.shoot(client_=joes, title="Crew at work")
    client_user_invite(actor=owner, client=joes, email="joe@joes.example", role="owner", password=PASSWORD)

    page = signed_in_page(owner.email)
    page.goto(f"{live_server.url}/settings/storage/")
    page.get_by_role("button", name="Connect Google Drive").click()
    expect(page.get_by_text("Google Drive is connected.")).to_be_visible()

    page.goto(f"{live_server.url}/shoots/{shoot.pk}/")
    page.get_by_role("button", name="Create folder").click()
    page.get_by_role("button", name="Demo: put 12 photos in this folder").click()
    files = page.get_by_test_id("folder-file")
    expect(files).to_have_count(12)
    expect(files.locator("img").first).to_have_js_property("naturalWidth", 640)  # the thumbnail loaded
    page.get_by_role("button", name="Select all").click()
    expect(page.locator("input[name=file]:checked")).to_have_count(12)
    page.get_by_role("button", name="None").click()
    for n in range(3):
        files.nth(n).locator("input[name=file]").check()
    page.get_by_role("button", name="Import selected").click()
    progress = page.get_by_test_id("folder-import")
    expect(progress).to_contain_text("Import of the picked files finished: 3 new", timeout=60_000)  # renditions too
    assert MediaAsset.objects.filter(client=joes).count() == 3

    page.reload()
    expect(page.locator(".badge", has_text="Imported")).to_have_count(3)
    page.get_by_role("link", name="New since last import only").click()
    expect(page.get_by_test_id("folder-file")).to_have_count(9)
    settled(page)
    page.get_by_role("button", name="Import new").click()
    expect(page.get_by_test_id("folder-import")).to_contain_text("Import of new files finished: 9 new", timeout=120_000)
    assert MediaAsset.objects.filter(client=joes).count() == 12 == ImportedFile.objects.count()

    deliverable = factories.deliverable(client_=joes, shoot=shoot, title="Final reel",
                                        status=Deliverable.Status.READY_TO_POST)  # fmt: skip
    page.goto(f"{live_server.url}/deliverables/{deliverable.pk}/")
    card = page.get_by_test_id("deliverable-file")
    card.locator("input[name=file]").nth(4).check()
    card.get_by_role("button", name="Link this file").click()
    expect(card).to_contain_text("The client's portal downloads it from there.")
    linked_name = Deliverable.objects.get(pk=deliverable.pk).storage_file.name

    joe_portal = portal_url(live_server, "joes-storage")
    sign_in(page, joe_portal, "joe@joes.example")
    page.goto(f"{joe_portal}/deliverables/")
    with page.expect_download() as started:
        page.get_by_role("link", name="Download").click()
    download = started.value
    assert download.suggested_filename == linked_name
    with open(download.path(), "rb") as got:
        assert got.read(3) == b"\xff\xd8\xff"  # the JPEG from the fake Drive


def test_save_an_attachment_to_the_shoot_folder_then_the_client_downloads_it(
    page, live_server, signed_in_page, make_staff, fake_platforms, settings, sync_tasks
):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from integrations.storage import services
    from integrations.storage.models import DeliverableFile
    from publishing.services.attachments import attachment_add

    settings.GOOGLE_DRIVE_CLIENT_ID, settings.GOOGLE_DRIVE_CLIENT_SECRET = "fake-drive-client", "fake-drive-secret"
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    joes = factories.client(name="Joe's Landscaping", slug="joes-export")
    shoot = factories.shoot(client_=joes, title="Crew at work")
    client_user_invite(actor=owner, client=joes, email="joe@joes.example", role="owner", password=PASSWORD)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("cut.txt", "final cut " * 5000)
    deliverable = factories.deliverable(client_=joes, shoot=shoot, title="Final reel",
                                        status=Deliverable.Status.READY_TO_POST)  # fmt: skip
    attachment_add(target=deliverable, upload=SimpleUploadedFile("final-reel.zip", archive.getvalue()),
                   uploaded_by=owner)  # fmt: skip

    page = signed_in_page(owner.email)
    page.goto(f"{live_server.url}/settings/storage/")
    page.get_by_role("button", name="Connect Google Drive").click()
    expect(page.get_by_text("Google Drive is connected.")).to_be_visible()
    services.create_folder(shoot, actor=owner)

    page.goto(f"{live_server.url}/deliverables/{deliverable.pk}/")
    card = page.get_by_test_id("deliverable-file")
    rows = card.get_by_test_id("deliverable-export")
    expect(rows).to_contain_text("final-reel.zip")
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(rows).to_contain_text("final-reel.zip")
        card.screenshot(path=f"/tmp/h7-export-card-{width}.png")
    rows.get_by_role("button", name="Save to shoot folder").click()
    expect(card).to_contain_text("The client's portal downloads it from there.", timeout=30_000)
    expect(rows).to_contain_text("Saved")
    card.screenshot(path="/tmp/h7-export-card-saved.png")
    assert DeliverableFile.objects.get(deliverable=deliverable).name == "final-reel.zip"

    joe_portal = portal_url(live_server, "joes-export")
    sign_in(page, joe_portal, "joe@joes.example")
    page.goto(f"{joe_portal}/deliverables/")
    with page.expect_download() as started:
        page.get_by_role("link", name="Download").click()
    download = started.value
    assert download.suggested_filename == "final-reel.zip"
    with open(download.path(), "rb") as got:
        assert got.read() == archive.getvalue()
