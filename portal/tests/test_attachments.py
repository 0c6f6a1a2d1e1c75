"""Attachments for clients: their own deliverables' and requests' files through the client API
and on their own portal host — and nothing of another client's, by id, host or token."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.models import ActivityEvent, Deliverable, PortalRequest
from portal.tests.conftest import bearer
from publishing.models import Attachment
from publishing.services.attachments import attachment_add
from publishing.tests.test_attachments_api import PDF

pytestmark = pytest.mark.django_db


def pdf(name: str = "brief.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra)


@pytest.fixture
def a_things(client_a, editor):
    request = PortalRequest.objects.create(client=client_a, content="New menu photos please")
    deliverable = Deliverable.objects.create(client=client_a, title="Spring reel", status="Ready-To-Post")
    in_progress = Deliverable.objects.create(client=client_a, title="Not shown yet", status="In Progress")
    return {
        "request": request,
        "deliverable": deliverable,
        "in_progress": in_progress,
        "request_file": attachment_add(target=request, upload=pdf("menu.pdf"), uploaded_by=editor),
        "deliverable_file": attachment_add(target=deliverable, upload=pdf("final.pdf", b"1"), uploaded_by=editor),
        "hidden_file": attachment_add(target=in_progress, upload=pdf("draft.pdf", b"2"), uploaded_by=editor),
    }


@pytest.fixture
def b_things(client_b, editor):
    request = PortalRequest.objects.create(client=client_b, content="B's request")
    deliverable = Deliverable.objects.create(client=client_b, title="B's reel", status="Delivered")
    return {
        "request": request,
        "deliverable": deliverable,
        "request_file": attachment_add(target=request, upload=pdf("b-menu.pdf", b"b"), uploaded_by=editor),
        "deliverable_file": attachment_add(target=deliverable, upload=pdf("b-final.pdf", b"bb"), uploaded_by=editor),
    }


# Client API -------------------------------------------------------------------------------------


def test_a_client_lists_and_downloads_its_own_files(joe, a_things):
    api = bearer(joe)
    for kind, key in (("deliverables", "deliverable"), ("requests", "request")):
        base = f"/api/v1/client/{kind}/{a_things[key].pk}/attachments"
        listed = api.get(base).json()
        file = a_things[f"{key}_file"]
        assert [i["id"] for i in listed["items"]] == [str(file.pk)]
        assert listed["items"][0]["download_url"].endswith(f"{base}/{file.pk}/download")
        download = api.get(f"{base}/{file.pk}/download")
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_client_attaches_to_its_request_and_removes_only_its_own(joe, a_things):
    api = bearer(joe)
    base = f"/api/v1/client/requests/{a_things['request'].pk}/attachments"
    made = api.post(base, {"file": pdf("photos.pdf", b"joe")}, format="multipart")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["from_client"] is True and body["uploaded_by"] == "Joe"
    event = ActivityEvent.objects.get(verb="attachment.added", target_id=str(a_things["request"].pk), actor=joe.user)
    assert event.client_id == a_things["request"].client_id
    # The agency's file is not theirs to remove; their own is.
    refused = api.delete(f"{base}/{a_things['request_file'].pk}")
    assert refused.status_code == 403
    assert api.delete(f"{base}/{body['id']}").status_code == 204
    assert set(Attachment.objects.values_list("pk", flat=True)) == {
        a_things[k].pk for k in ("request_file", "deliverable_file", "hidden_file")
    }


def test_a_client_cannot_attach_to_a_deliverable(joe, a_things):
    api = bearer(joe)
    response = api.post(
        f"/api/v1/client/deliverables/{a_things['deliverable'].pk}/attachments", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 405
    remove = api.delete(
        f"/api/v1/client/deliverables/{a_things['deliverable'].pk}/attachments/{a_things['deliverable_file'].pk}"
    )
    assert remove.status_code == 405
    assert Attachment.objects.count() == 3


def test_a_hostile_file_from_a_client_is_refused(joe, a_things):
    response = bearer(joe).post(
        f"/api/v1/client/requests/{a_things['request'].pk}/attachments",
        {"file": SimpleUploadedFile("menu.jpg", b"<html><script>alert(document.cookie)</script></html>")},
        format="multipart",
    )
    assert response.status_code == 415
    assert "a web page (HTML)" in response.json()["error"]["message"]
    assert Attachment.objects.count() == 3


def test_another_clients_files_are_not_found(joe, a_things, b_things):
    api = bearer(joe)
    for kind, key in (("deliverables", "deliverable"), ("requests", "request")):
        theirs = b_things[key].pk
        file = b_things[f"{key}_file"].pk
        assert api.get(f"/api/v1/client/{kind}/{theirs}/attachments").status_code == 404
        assert api.get(f"/api/v1/client/{kind}/{theirs}/attachments/{file}").status_code == 404
        assert api.get(f"/api/v1/client/{kind}/{theirs}/attachments/{file}/download").status_code == 404
        # B's file under A's own thing: still not found.
        own = a_things[key].pk
        assert api.get(f"/api/v1/client/{kind}/{own}/attachments/{file}/download").status_code == 404
    attach = api.post(
        f"/api/v1/client/requests/{b_things['request'].pk}/attachments", {"file": pdf()}, format="multipart"
    )
    assert attach.status_code == 404
    remove = api.delete(f"/api/v1/client/requests/{b_things['request'].pk}/attachments/{b_things['request_file'].pk}")
    assert remove.status_code == 404
    assert Attachment.objects.filter(client=b_things["request"].client).count() == 2


def test_work_in_progress_is_not_shown_to_the_client(joe, a_things):
    api = bearer(joe)
    base = f"/api/v1/client/deliverables/{a_things['in_progress'].pk}/attachments"
    assert api.get(base).status_code == 404
    assert api.get(f"{base}/{a_things['hidden_file'].pk}/download").status_code == 404


def test_a_client_token_does_not_open_the_staff_routes(joe, a_things):
    api = bearer(joe)
    assert api.get(f"/api/v1/portal-requests/{a_things['request'].pk}/attachments").status_code == 403


def test_the_client_list_costs_the_same_for_many_files(joe, a_things, editor, django_assert_max_num_queries):
    for n in range(5):
        attachment_add(target=a_things["request"], upload=pdf(f"more-{n}.pdf", str(n).encode() * 3), uploaded_by=editor)
    api = bearer(joe)
    base = f"/api/v1/client/requests/{a_things['request'].pk}/attachments"
    api.get(base)
    with django_assert_max_num_queries(9):
        assert api.get(base).json()["total"] == 6


# Portal pages -------------------------------------------------------------------------------------


def test_the_request_page_shows_its_files_and_takes_new_ones(portal_as, client_a, joe, a_things):
    browser = portal_as(client_a, joe)
    page = browser.get(f"/requests/{a_things['request'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "menu.pdf" in html
    assert f"/requests/{a_things['request'].pk}/attachments/{a_things['request_file'].pk}/download" in html
    added = browser.post(
        f"/requests/{a_things['request'].pk}/attachments/", {"file": pdf("logo.pdf", b"x")}, HTTP_HX_REQUEST="true"
    )
    assert added.status_code == 200 and "Attached <strong>logo.pdf</strong>" in added.content.decode()
    mine = Attachment.objects.get(name="logo.pdf")
    assert mine.from_client and mine.uploaded_by == joe.user
    download = browser.get(f"/requests/{a_things['request'].pk}/attachments/{mine.pk}/download")
    assert download.status_code == 200 and download["Content-Disposition"] == 'attachment; filename="logo.pdf"'
    refused = browser.post(
        f"/requests/{a_things['request'].pk}/attachments/",
        {"file": SimpleUploadedFile("x.pdf", b"")},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400 and "x.pdf is empty" in refused.content.decode()


def test_the_deliverables_page_lists_files_for_download(
    portal_as, client_a, joe, a_things, django_assert_max_num_queries
):
    browser = portal_as(client_a, joe)
    page = browser.get("/deliverables/")
    html = page.content.decode()
    file = a_things["deliverable_file"]
    assert f"/deliverables/{a_things['deliverable'].pk}/attachments/{file.pk}/download" in html
    assert "draft.pdf" not in html  # on a deliverable still in progress
    assert browser.get(f"/deliverables/{a_things['deliverable'].pk}/attachments/{file.pk}/download").status_code == 200


def test_another_clients_host_and_files_give_nothing(portal_as, client_a, client_b, joe, bella, a_things, b_things):
    mine = portal_as(client_a, joe)
    theirs_file = b_things["request_file"].pk
    theirs = b_things["request"].pk
    assert mine.get(f"/requests/{theirs}/attachments/").status_code == 404
    assert mine.get(f"/requests/{theirs}/attachments/{theirs_file}/download").status_code == 404
    assert mine.post(f"/requests/{theirs}/attachments/{theirs_file}/remove").status_code == 404
    delivered = f"/deliverables/{b_things['deliverable'].pk}/attachments/{b_things['deliverable_file'].pk}/download"
    assert mine.get(delivered).status_code == 404
    # Joe signed in, on Bella's host (his session would not even be sent there; forced here).
    on_their_host = portal_as(client_b, joe)
    assert on_their_host.get(f"/requests/{theirs}/attachments/{theirs_file}/download").status_code == 404
    assert on_their_host.get(delivered).status_code == 404
    assert Attachment.objects.filter(client=client_b).count() == 2
