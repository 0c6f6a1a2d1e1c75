"""Requests with their conversation, and deliverables (download, approve, request changes)."""

from __future__ import annotations

import pytest

from agency.models import Deliverable, PortalRequest, RequestMessage
from agency.services import inbox as inbox_services

pytestmark = pytest.mark.django_db


def test_a_client_raises_a_request_and_the_team_sees_it(client_a, joe, portal_as):
    browser = portal_as(client_a, joe)
    response = browser.post(
        "/requests/",
        {"kind": "Request", "topic": "Content", "priority": "Urgent", "content": "Can we post the new van?"},
    )
    request = PortalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{request.pk}/"
    assert (request.client, request.created_by, request.priority) == (client_a, joe.user, "Urgent")
    assert "Can we post the new van?" in browser.get("/requests/").content.decode()


def test_an_empty_request_gets_a_message(client_a, joe, portal_as):
    response = portal_as(client_a, joe).post(
        "/requests/", {"kind": "Request", "topic": "Content", "priority": "Normal", "content": "  "}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not PortalRequest.objects.exists()


def test_the_conversation_goes_both_ways_and_reopens_a_done_request(client_a, joe, portal_as, owner):
    request = inbox_services.portal_request_create(actor=joe.user, client=client_a, content="New menu photos?")
    inbox_services.request_reply(actor=owner, request=request, body="Yes, Thursday works.")
    inbox_services.portal_request_set_status(actor=owner, request=request, status="Done")
    browser = portal_as(client_a, joe)
    page = browser.get(f"/requests/{request.pk}/").content.decode()
    assert "Yes, Thursday works." in page and "a new message opens it again" in page
    browser.post(f"/requests/{request.pk}/", {"body": "One more thing: the patio too."})
    message = RequestMessage.objects.latest("created_at")
    assert (message.from_staff, message.author) == (False, joe.user)
    request.refresh_from_db()
    assert request.status == "New"


@pytest.fixture
def work(client_a, client_b):
    make = Deliverable.objects.create
    return {
        "review": make(
            client=client_a, title="Spring reel", status="Needs Review", file_link="https://files.example/reel"
        ),
        "ready": make(
            client=client_a, title="Patio photos", status="Ready-To-Post", file_link="https://files.example/p"
        ),
        "wip": make(client=client_a, title="Unfinished cut", status="In Progress"),
        "other": make(client=client_b, title="Bread shots", status="Needs Review"),
    }


def test_deliverables_show_review_ready_and_delivered_only(client_a, joe, portal_as, work):
    page = portal_as(client_a, joe).get("/deliverables/").content.decode()
    assert "Spring reel" in page and "Patio photos" in page and "https://files.example/p" in page
    assert "Unfinished cut" not in page and "Bread shots" not in page


def test_a_client_approves_a_deliverable(client_a, joe, portal_as, work):
    portal_as(client_a, joe).post(f"/deliverables/{work['review'].pk}/review", {"decision": "approve"})
    work["review"].refresh_from_db()
    assert work["review"].status == "Ready-To-Post"


def test_requesting_changes_needs_feedback_and_sends_it_back(client_a, joe, portal_as, work):
    browser = portal_as(client_a, joe)
    page = browser.post(f"/deliverables/{work['review'].pk}/review", {"decision": "changes"}, follow=True)
    assert "Say what should change" in page.content.decode()
    browser.post(f"/deliverables/{work['review'].pk}/review", {"decision": "changes", "comment": "Brighter, please"})
    work["review"].refresh_from_db()
    assert (work["review"].status, work["review"].client_feedback) == ("In Progress", "Brighter, please")


def test_only_work_waiting_for_review_can_be_reviewed(client_a, joe, portal_as, work):
    review = {"decision": "changes", "comment": "x"}
    page = portal_as(client_a, joe).post(f"/deliverables/{work['ready'].pk}/review", review, follow=True)
    assert "not waiting for your review" in page.content.decode()
    work["ready"].refresh_from_db()
    assert work["ready"].status == "Ready-To-Post"
