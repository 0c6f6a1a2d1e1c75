"""Leads: the public intake form (honeypot, rate limit, framing), the API, approve and reject."""

from __future__ import annotations

import pytest

from agency.models import ActivityEvent, Client, Lead

pytestmark = pytest.mark.django_db

FORM = {"contact_name": "Priya Shah", "email": "priya@example.com", "business_name": "Sunrise Yoga",
        "industry": "fitness", "location": "Austin, TX", "message": "Spring campaign please"}  # fmt: skip


def test_anyone_can_submit_the_intake_form(client):
    page = client.get("/forms/intake/")
    assert page.status_code == 200 and "Tell us about your business" in page.content.decode()
    response = client.post("/forms/intake/", FORM)
    assert "Thank you" in response.content.decode()
    lead = Lead.objects.get()
    assert lead.business_name == "Sunrise Yoga" and lead.status == "New" and lead.source == "website"


def test_missing_fields_are_shown_and_nothing_is_stored(client):
    html = client.post("/forms/intake/", {"contact_name": "No email"}).content.decode()
    assert "This field is required" in html
    assert not Lead.objects.exists()


def test_the_honeypot_swallows_bots(client):
    response = client.post("/forms/intake/", {**FORM, "company_url": "http://spam.example"})
    assert "Thank you" in response.content.decode()
    assert not Lead.objects.exists()


def test_one_address_is_rate_limited(client, settings):
    settings.INTAKE_RATE_PER_HOUR = 2
    for i in range(2):
        client.post("/forms/intake/", {**FORM, "email": f"p{i}@example.com"})
    response = client.post("/forms/intake/", FORM)
    assert response.status_code == 429 and 3590 <= int(response["Retry-After"]) <= 3600
    assert "Too many submissions from your network this hour. Try again in 60 minutes." in response.content.decode()
    assert Lead.objects.count() == 2


def test_the_form_can_be_framed_by_allowed_sites_only(client, settings):
    settings.INTAKE_FRAME_ANCESTORS = ["'self'", "https://agency.example"]
    response = client.get("/forms/intake/")
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())
    assert directives["frame-ancestors"] == "'self' https://agency.example"
    assert "X-Frame-Options" not in response
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_api_post_is_public_and_the_rest_is_staff_only(api, api_as, viewer):
    created = api.post("/api/v1/form-submissions", FORM, format="json")
    assert created.status_code == 201 and created.json()["status"] == "New"
    assert Lead.objects.get().source == "api"
    assert api.get("/api/v1/form-submissions").status_code == 401
    assert api.get(f"/api/v1/form-submissions/{created.json()['id']}").status_code == 401
    assert api_as(viewer).get("/api/v1/form-submissions").json()["total"] == 1


def test_api_post_is_rate_limited(api, settings):
    settings.INTAKE_RATE_PER_HOUR = 1
    assert api.post("/api/v1/form-submissions", FORM, format="json").status_code == 201
    limited = api.post("/api/v1/form-submissions", FORM, format="json")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert limited.json()["error"]["message"].endswith("Try again in 60 minutes.")
    assert 3590 <= int(limited["Retry-After"]) <= 3600


def test_approving_creates_the_client_prefilled_and_links_them(client, admin_user):
    lead = Lead.objects.create(**FORM, phone="555", services="Reels", budget="$800")
    client.force_login(admin_user)
    response = client.post(f"/leads/{lead.pk}/approve/", {"slug": "sunrise-yoga", "monthly_post_limit": 10})
    new_client = Client.objects.get()
    assert response["Location"] == f"/clients/{new_client.pk}/"
    assert (new_client.name, new_client.slug, new_client.primary_contact_email) == (
        "Sunrise Yoga",
        "sunrise-yoga",
        "priya@example.com",
    )
    assert new_client.monthly_post_limit == 10 and "Budget: $800" in new_client.notes
    lead.refresh_from_db()
    assert lead.status == "Approved" and lead.client == new_client and lead.decided_by == admin_user
    assert ActivityEvent.objects.filter(verb="lead.approved", target_id=str(lead.pk)).exists()


def test_a_decided_lead_cannot_be_decided_again(api_as, admin_user):
    lead = Lead.objects.create(**FORM)
    api = api_as(admin_user)
    assert (
        api.post(f"/api/v1/form-submissions/{lead.pk}/reject", {"reason": "Out of area"}, format="json").status_code
        == 200
    )
    again = api.post(f"/api/v1/form-submissions/{lead.pk}/approve", {}, format="json")
    assert again.status_code == 400 and "already rejected" in again.json()["error"]["message"]
    assert not Client.objects.exists()


def test_rejecting_needs_a_reason(api_as, admin_user):
    lead = Lead.objects.create(**FORM)
    response = api_as(admin_user).post(f"/api/v1/form-submissions/{lead.pk}/reject", {"reason": "  "}, format="json")
    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.status == "New"


def test_editors_cannot_decide(api_as, editor):
    lead = Lead.objects.create(**FORM)
    assert api_as(editor).post(f"/api/v1/form-submissions/{lead.pk}/approve", {}, format="json").status_code == 403


def test_api_approve_returns_the_client(api_as, owner):
    lead = Lead.objects.create(**FORM)
    response = api_as(owner).post(
        f"/api/v1/form-submissions/{lead.pk}/approve", {"monthly_post_limit": 5}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Sunrise Yoga" and response.json()["monthly_post_limit"] == 5


def test_staff_can_correct_a_new_lead(api_as, editor):
    lead = Lead.objects.create(**FORM)
    response = api_as(editor).patch(f"/api/v1/form-submissions/{lead.pk}", {"phone": "+1 512 555 0100"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "+1 512 555 0100"


def test_a_new_lead_has_no_client_yet_and_the_schema_says_so(owner):
    """Found by the API fuzz test: client_id is null until approval, the schema said it was a string."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    lead = Lead.objects.create(**FORM)
    response = conforms("GET", "/api/v1/form-submissions/{id}", token=staff_token(owner, PASSWORD),
                        path_parameters={"id": str(lead.pk)})  # fmt: skip
    assert response.status_code == 200 and response.json()["client_id"] is None


def test_the_trail_names_who_sent_a_lead_or_a_request_never_system():
    from agency.services import inbox
    from agency.tests import factories

    lead = inbox.lead_submit(contact_name="Priya Shah", email="priya@example.com", business_name="Sunrise Yoga")
    event = ActivityEvent.objects.get(verb="lead.submitted", target_id=str(lead.pk))
    assert event.actor_label == "Priya Shah (Website form)"
    bella = factories.client(name="Bella Bakery")
    request = inbox.portal_request_create(actor=None, client=bella, content="A seasonal tart post?")
    assert ActivityEvent.objects.get(verb="request.created", target_id=str(request.pk)).actor_label == "Bella Bakery"


def test_the_empty_lead_list_gives_the_intake_form_s_address_on_the_app_host(client, owner, settings):
    settings.APP_HOST, settings.DEBUG = "crm.agency.example", False
    client.force_login(owner)
    html = client.get("/leads/", HTTP_HOST="localhost").content.decode()
    # The address to embed on the agency's website is where the world reaches us, not the host of this request.
    assert "https://crm.agency.example/forms/intake/" in html and "http://localhost/forms/intake/" not in html
