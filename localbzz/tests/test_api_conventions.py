"""The list envelope, search/sort, error envelope and trailing-slash conventions."""

from __future__ import annotations

import pytest

from agency.services.activity import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(owner):
    member = owner.team_member
    for i in range(7):
        record_event(owner, f"thing.step_{i}", member, {"n": i})
    return member


def test_it_answers_lists_in_the_envelope(api_as, owner, events):
    body = api_as(owner).get("/api/v1/activity?page=2&page_size=3").json()
    assert set(body) == {"items", "total", "total_capped", "page", "page_size", "has_more", "next_cursor"}
    assert body["total"] == 8 and body["total_capped"] is False  # 7 + the team_member.created event
    assert body["page"] == 2 and body["page_size"] == 3
    assert len(body["items"]) == 3
    assert body["has_more"] is True
    last = api_as(owner).get("/api/v1/activity?page=3&page_size=3").json()
    assert len(last["items"]) == 2 and last["has_more"] is False


def test_it_pages_by_cursor_in_the_default_order(api_as, owner, events):
    api = api_as(owner)
    by_offset = [i["id"] for p in (1, 2, 3) for i in api.get(f"/api/v1/activity?page={p}&page_size=3").json()["items"]]
    seen, after = [], ""
    while True:
        body = api.get(f"/api/v1/activity?page_size=3{after}").json()
        seen += [i["id"] for i in body["items"]]
        if body["next_cursor"] is None:
            assert body["has_more"] is False
            break
        after = f"&after={body['next_cursor']}"
    assert seen == by_offset and len(seen) == 8  # the same rows in the same order, none twice
    record_event(owner, "thing.late", events, {})  # a row added meanwhile does not shift the next page
    second = api.get(
        f"/api/v1/activity?page_size=3&after={api.get('/api/v1/activity?page_size=3').json()['next_cursor']}"
    )
    assert [i["id"] for i in second.json()["items"]] == by_offset[2:5]


def test_cursor_mistakes_are_400s_that_say_what_to_do(api_as, owner, events):
    api = api_as(owner)
    cursor = api.get("/api/v1/activity?page_size=3").json()["next_cursor"]
    for query, message in [
        ("after=nonsense", "Not a cursor of this list"),
        (f"after={cursor}&sort_by=created_at", "leave out sort_by"),
        (f"after={cursor}&page=2", "either page or after"),
    ]:
        response = api.get(f"/api/v1/activity?{query}")
        assert response.status_code == 400, query
        assert message in str(response.json()["error"]["details"]["after"]), query


def test_totals_are_counted_up_to_a_cap(api_as, owner, events, monkeypatch):
    from localbzz import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    monkeypatch.setattr(listing.capped_count, "__defaults__", (5,))
    body = api_as(owner).get("/api/v1/activity?page_size=3").json()
    assert (body["total"], body["total_capped"], body["has_more"]) == (5, True, True)
    last = api_as(owner).get("/api/v1/activity?page=3&page_size=3").json()
    assert len(last["items"]) == 2 and last["has_more"] is False  # exact, past the cap


def test_it_caps_page_size_at_200(api_as, owner, events):
    response = api_as(owner).get("/api/v1/activity?page_size=201")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["page_size"] == ["Must be between 1 and 200."]
    assert api_as(owner).get("/api/v1/activity?page_size=200").status_code == 200


def test_it_refuses_a_page_that_is_not_a_number(api_as, owner):
    response = api_as(owner).get("/api/v1/activity?page=two")
    assert response.status_code == 400
    assert "whole number" in response.json()["error"]["message"]


def test_a_page_past_the_end_is_empty_not_an_error(api_as, owner, events):
    body = api_as(owner).get("/api/v1/activity?page=99").json()
    assert body["items"] == [] and body["has_more"] is False and body["total"] == 8


def test_it_searches_and_sorts(api_as, owner, events):
    body = api_as(owner).get("/api/v1/activity?search=step_3").json()
    assert [item["verb"] for item in body["items"]] == ["thing.step_3"]
    asc = api_as(owner).get("/api/v1/activity?sort_by=verb&sort_order=asc").json()["items"]
    desc = api_as(owner).get("/api/v1/activity?sort_by=verb&sort_order=desc").json()["items"]
    assert [i["verb"] for i in asc] == sorted(i["verb"] for i in asc)
    assert [i["verb"] for i in desc] == list(reversed([i["verb"] for i in asc]))


def test_unknown_sort_field_says_what_is_allowed(api_as, owner):
    error = api_as(owner).get("/api/v1/activity?sort_by=password").json()["error"]
    assert error["code"] == "invalid"
    assert "Allowed: created_at, verb" in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/activity", "/api/v1/activity/"])
def test_paths_answer_with_and_without_trailing_slash(api_as, owner, path):
    assert api_as(owner).get(path).status_code == 200


def test_unknown_api_path_answers_the_error_envelope(api_as, owner):
    response = api_as(owner).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "/api/docs/" in response.json()["error"]["message"]


def test_anonymous_gets_401_in_the_envelope(api):
    response = api.get("/api/v1/activity")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated" and "Bearer" in error["message"]


def test_non_staff_gets_403_in_the_envelope(api_as, outsider):
    response = api_as(outsider).get("/api/v1/activity")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "This is for agency staff only.",
        "details": {},
    }


def test_wrong_method_gets_405_in_the_envelope(api_as, owner):
    response = api_as(owner).delete("/api/v1/activity")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_validation_errors_name_the_fields(api):
    response = api.post("/api/v1/auth/token", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["details"]) == {"email", "password"}
    assert "email: This field is required." in error["message"]


def test_list_query_count_does_not_grow_with_rows(api_as, owner, django_assert_max_num_queries):
    member = owner.team_member
    for i in range(60):
        record_event(owner, "thing.bulk", member, {"i": i})
    client = api_as(owner)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/activity?page_size=50").json()["items"]) == 50


# Found by the API fuzz test (test_api_fuzz.py) --------------------------------------------------


def test_unsafe_methods_on_unknown_api_paths_get_the_json_404_not_a_csrf_page(owner):
    """A POST with a session cookie to a path no route matches got Django's HTML CSRF page (403)."""
    from django.test import Client as HttpClient

    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(owner)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(browser, method)("/api/v1/campaigns/null,null", {}, content_type="application/json")
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_bad_query_parameters_answer_a_documented_400(owner):
    """Filters, page_size and sort_order are validated: the 400 must be in the schema of GET lists."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    token = staff_token(owner, PASSWORD)
    for path, query in [
        ("/api/v1/campaigns", {"status": "AAA"}),
        ("/api/v1/activity", {"sort_order": "AAA"}),
        ("/api/v1/team-members", {"page_size": 201}),
    ]:
        response = conforms("GET", path, token=token, query=query)
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "invalid"


def test_a_page_far_past_the_end_is_empty_not_a_server_error(owner):
    """?page=39180076076021080064 made SQL's OFFSET overflow (bigint): 500."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    response = conforms("GET", "/api/v1/campaigns", token=staff_token(owner, PASSWORD),
                        query={"page": 39180076076021080064, "page_size": 30})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["has_more"] is False


def test_date_time_filters_take_any_offset_and_refuse_impossible_dates(owner):
    """An offset PostgreSQL refuses (beyond ±15:59, e.g. -21:44) reached SQL: 500."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    token = staff_token(owner, PASSWORD)
    for path, name in [("/api/v1/posts", "scheduled_after"), ("/api/v1/shoots", "starts_before"),
                       ("/api/v1/activity", "since")]:  # fmt: skip
        response = conforms("GET", path, token=token, query={name: "0303-04-30T23:10:52.0649-21:44"})
        assert response.status_code == 200, path
        refused = conforms("GET", path, token=token, query={name: "0001-01-01T00:00:00+05:00"})
        assert refused.status_code == 400, path
        assert name in refused.json()["error"]["details"]
