"""A real Chromium: an editor attaches files to a shoot (progress bar, list, download link,
remove with confirm); Joe attaches a file to his request on his own portal and sees the agency's;
Bella's portal shows none of it. Screenshots at 1440 and 390 px go to var/test-results/."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client, Deliverable, PortalRequest, Shoot
from conftest import PASSWORD
from portal.services.people import client_user_invite
from portal.tests.test_browser_portal import portal_url, settled, sign_in
from publishing.models import Attachment
from publishing.services.attachments import attachment_add
from publishing.tests.test_attachments_api import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/test-results"


def test_attach_list_remove_on_staff_and_portal_pages(page, live_server, make_staff, signed_in_page, tmp_path):
    os.makedirs(SHOTS, exist_ok=True)
    make_staff("editor", "eddie@test.local", first_name="Eddie", last_name="Editor")
    joes = Client.objects.create(name="Joe's Landscaping", slug="joes-attach", timezone="America/Chicago")
    Client.objects.create(name="Bella Bakery", slug="bella-attach")
    client_user_invite(actor=None, client=joes, email="joe@joes.example", first_name="Joe", role="owner",
                       password=PASSWORD, send_invite=False)  # fmt: skip
    start = timezone.now() + timedelta(days=3)
    shoot = Shoot.objects.create(client=joes, title="Spring patio shoot", start=start, end=start + timedelta(hours=2))
    request = PortalRequest.objects.create(client=joes, content="Can you film the new patio? Plans attached.")
    reel = Deliverable.objects.create(client=joes, title="Patio reel", kind="Reel", status="Ready-To-Post")
    attachment_add(target=reel, upload=SimpleUploadedFile("Patio reel – captions.pdf", PDF), uploaded_by=None)
    brief = tmp_path / "Shot list.pdf"
    brief.write_bytes(PDF + b" " * 400_000 + b"%%EOF")  # big enough for the bar to move

    signed_in_page("eddie@test.local")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/shoots/{shoot.pk}/")
    card = page.get_by_test_id("attachments")
    expect(card.get_by_text("No files attached")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/attachments-shoot-empty-1440.png", full_page=True)
    page.evaluate(
        """() => { window.barSeen = 0; document.addEventListener("htmx:xhr:progress", () => {
             const bar = document.querySelector("form[data-upload-progress] progress");
             if (bar && !bar.hidden) window.barSeen = Math.max(window.barSeen, bar.value); }); }"""
    )
    card.get_by_label("Attach a file").set_input_files(str(brief))
    card.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_test_id("attachments").get_by_text("Attached Shot list.pdf")).to_be_visible()
    assert page.evaluate("() => window.barSeen") > 0  # the progress bar showed and moved
    settled(page)
    card = page.get_by_test_id("attachments")
    expect(card.get_by_role("link", name="Shot list.pdf", exact=True)).to_have_attribute("download", "")
    expect(card.get_by_text("PDF · Eddie Editor")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/attachments-shoot-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    settled(page)
    card = page.get_by_test_id("attachments")
    page.screenshot(path=f"{SHOTS}/attachments-shoot-390.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # A refused file: the card says why and keeps the list.
    fake = tmp_path / "invoice.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    card.get_by_label("Attach a file").set_input_files(str(fake))
    card.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("invoice.jpg cannot be attached: it is a web page (HTML)")
    settled(page)

    # Remove, after confirming.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Shot list.pdf").click()
    expect(page.get_by_test_id("attachments").get_by_text("No files attached")).to_be_visible()
    assert not Attachment.objects.filter(shoot=shoot).exists()

    # Joe, on his own portal, attaches to his request.
    joe_portal = portal_url(live_server, "joes-attach")
    sign_in(page, joe_portal, "joe@joes.example")
    page.goto(f"{joe_portal}/requests/{request.pk}/")
    card = page.get_by_test_id("attachments")
    card.get_by_label("Attach a file").set_input_files(str(brief))
    card.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_test_id("attachments").get_by_role("link", name="Shot list.pdf", exact=True)).to_be_visible()
    settled(page)
    page.screenshot(path=f"{SHOTS}/attachments-portal-request-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=f"{SHOTS}/attachments-portal-request-390.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    attachment = Attachment.objects.get(request=request)
    assert attachment.from_client

    # His deliverables list the files to download.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{joe_portal}/deliverables/")
    expect(page.get_by_role("link", name="Patio reel – captions.pdf")).to_have_attribute("download", "")
    page.screenshot(path=f"{SHOTS}/attachments-portal-deliverables-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=f"{SHOTS}/attachments-portal-deliverables-390.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # Bella's portal host: nothing of Joe's (his session is not even sent there).
    bella_portal = portal_url(live_server, "bella-attach")
    page.goto(f"{bella_portal}/requests/{request.pk}/attachments/{attachment.pk}/download")  # a download would raise
    expect(page).to_have_url(
        f"{bella_portal}/sign-in/?next=/requests/{request.pk}/attachments/{attachment.pk}/download"
    )
