"""The analytics API from the outside: staff endpoints, the client's own endpoint on both hosts,
clear 400s, unknown parameters refused, and the schema."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import selectors
from analytics.tests.factories import account, followers, published
from analytics.tests.platforms import publish
from portal.tests.conftest import bearer, host_of
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(client_a, client_b):
    """Client A and B each published one post in November 2026 (UTC clients)."""
    fa, fb = account(client_a, "facebook"), account(client_b, "facebook")
    when = datetime(2026, 11, 10, 15, tzinfo=client_a.tz)
    pa = published(client_a, [fa], when, {"facebook": {"impressions": 1200, "likes": 60, "comments": 6}},
                   title="A's post")  # fmt: skip
    pb = published(client_b, [fb], when, {"facebook": {"impressions": 9000, "likes": 900}}, title="B's post")
    followers(fa, date(2026, 11, 1), 100)
    followers(fa, date(2026, 11, 30), 130)
    return {"a": client_a, "b": client_b, "pa": pa, "pb": pb}


NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def test_staff_read_a_client_s_analytics(two, api_as, viewer):
    response = api_as(viewer).get(f"/api/v1/clients/{two['a'].pk}/analytics", NOVEMBER)
    assert response.status_code == 200, response.json()
    body = response.json()
    expected = selectors.client_analytics(client=two["a"], start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert body["totals"] == expected.totals and body["totals"]["impressions"] == 1200
    assert body["totals"]["engagements"] == 66 and body["totals"]["saves"] is None
    assert body["period"]["previous_from"] == "2026-10-02" and len(body["series"]) == 30
    assert [t["title"] for t in body["top_posts"]] == ["A's post"]
    assert body["followers"][0]["change"] == 30 and body["by_platform"][0]["platform"] == "facebook"
    assert body["engagement_rate"] == pytest.approx(66 / 1200)


def test_the_platform_filter_and_the_default_period(two, api_as, viewer):
    url = f"/api/v1/clients/{two['a'].pk}/analytics"
    assert api_as(viewer).get(url, {**NOVEMBER, "platform": "x"}).json()["totals"]["impressions"] is None
    body = api_as(viewer).get(url).json()
    today = timezone.now().astimezone(two["a"].tz).date()
    assert body["period"]["to"] == today.isoformat() and len(body["series"]) == 28


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "2026-13-01", "to": "2026-12-01"}, "from", "wrong format"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "ends before it starts"),
        ({"from": "2026-11-01"}, "to", "both from and to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to", "at most 366 days"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from", "between 2000-01-01"),
        ({**NOVEMBER, "platform": "myspace"}, "platform", "not a valid choice"),
        ({**NOVEMBER, "colour": "red"}, "colour", "Unknown field"),
        ({**NOVEMBER, "campaign_id": "8a1f6a5e-0000-4000-8000-000000000000"}, "campaign_id", "No campaign"),
    ],
)
def test_bad_input_gets_a_clear_400(two, api_as, viewer, query, field, words):
    response = api_as(viewer).get(f"/api/v1/clients/{two['a'].pk}/analytics", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert words.lower() in str(error["details"][field]).lower(), error


def test_unknown_client_is_404_and_outsiders_are_refused(two, api_as, outsider, joe):
    assert APIClient().get(f"/api/v1/clients/{two['a'].pk}/analytics").status_code in (401, 403)
    assert api_as(outsider).get(f"/api/v1/clients/{two['a'].pk}/analytics").status_code == 403
    # A client's token cannot use the staff endpoint, not even for its own client.
    assert bearer(joe).get(f"/api/v1/clients/{two['a'].pk}/analytics").status_code in (401, 403)
    assert bearer(joe).get(f"/api/v1/posts/{two['pa'].pk}/metrics").status_code in (401, 403)


def test_post_metrics_for_staff(two, api_as, viewer):
    response = api_as(viewer).get(f"/api/v1/posts/{two['pa'].pk}/metrics")
    assert response.status_code == 200
    [target] = response.json()["targets"]
    assert target["platform"] == "facebook" and target["figures"]["impressions"] == 1200
    assert target["figures"]["reach"] is None and target["history"] == []
    assert api_as(viewer).get(f"/api/v1/posts/{two['pa'].pk}/metrics", {"x": 1}).status_code == 400


@pytest.mark.parametrize("host", ["app", "own portal", "other portal"])
def test_a_client_sees_only_its_own_analytics_on_every_host(two, joe, host):
    api = bearer(joe)
    extra = {"app": {}, "own portal": {"HTTP_HOST": host_of(two["a"])},
             "other portal": {"HTTP_HOST": host_of(two["b"])}}[host]  # fmt: skip
    response = api.get("/api/v1/client/analytics", NOVEMBER, **extra)
    assert "B's post" not in response.content.decode() and "9000" not in response.content.decode()
    if host != "app":  # the API lives on the app host; a portal host answers it 404
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["client_id"] == str(two["a"].pk) and body["totals"]["impressions"] == 1200
    assert "B's post" not in response.content.decode() and "9000" not in response.content.decode()


def test_a_client_cannot_name_another_client(two, joe, bella):
    api = bearer(joe)
    assert api.get("/api/v1/client/analytics", {**NOVEMBER, "client_id": str(two["b"].pk)}).status_code == 400
    december = datetime(2026, 12, 5, 15, tzinfo=two["b"].tz)  # outside November, whenever the test runs
    other = published(two["b"], [account(two["b"], "x")], december, {"x": {"impressions": 5}})
    from agency.models import Campaign

    b_campaign = Campaign.objects.create(client=two["b"], name="B only")
    other.campaign = b_campaign
    other.save()
    response = api.get("/api/v1/client/analytics", {**NOVEMBER, "campaign_id": str(b_campaign.pk)})
    assert response.status_code == 400 and "No campaign" in str(response.json())
    assert bearer(bella).get("/api/v1/client/analytics", NOVEMBER).json()["totals"]["impressions"] == 9000
    assert APIClient().get("/api/v1/client/analytics").status_code == 401


def test_refresh_now_through_the_api(fake_platforms, api_as, owner, viewer, client_a):
    target = publish(owner, client_a, accounts_for(client_a, owner, ("x",))["x"], fake_platforms)
    url = f"/api/v1/posts/{target.post_id}/metrics/refresh"
    assert api_as(viewer).post(url).status_code == 403  # viewers read; refreshing asks the platforms
    response = api_as(owner).post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["targets"][0]["figures"]["impressions"] is not None
    again = api_as(owner).post(url)
    assert again.status_code == 429 and "try again in" in again.json()["error"]["message"]
    assert api_as(owner).post(url, {"force": True}, format="json").status_code == 400


def test_the_schema_documents_the_endpoints(api_as, viewer):
    schema = api_as(viewer).get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/clients/{client_id}/analytics", "/api/v1/posts/{id}/metrics",
                 "/api/v1/posts/{id}/metrics/refresh", "/api/v1/client/analytics"):  # fmt: skip
        assert path in schema["paths"], sorted(p for p in schema["paths"] if "metric" in p or "analytic" in p)
    params = {p["name"] for p in schema["paths"]["/api/v1/client/analytics"]["get"]["parameters"]}
    assert {"from", "to", "platform", "campaign_id"} <= params
