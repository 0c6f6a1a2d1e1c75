"""Every list's queries have an index to use (PostgreSQL): none reads a whole large table.

A few thousand rows of `seed_volume`, ANALYZE, then each page and list endpoint is requested and
every query it ran on posts, targets, media, renditions or activity is EXPLAINed with sequential
scans priced out (``enable_seqscan = off``): on tables this small the planner may rightly prefer a
sequential scan, so what is checked is that a better plan *exists*. A plan still fails when it
reads one of those tables sequentially (no index can answer the query), or reads all of it
through an index with no condition and no LIMIT stopping the read (e.g. a top-N sort of the whole
table: no index gives the order).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agency.models import User
from portal.models import ClientUser
from publishing.models import Post
from publishing.selectors import media_clients

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")

WATCHED = {
    "publishing_post",
    "publishing_posttarget",
    "publishing_postmedia",
    "publishing_mediaasset",
    "publishing_mediarendition",
    "agency_activityevent",
    "agency_task",
    "agency_timeentry",
}
STAFF_PAGES = ["/", "/content/", "/content/?view=week", "/content/?view=list", "/library/", "/tasks/"]
STAFF_API = ["/api/v1/posts", "/api/v1/media", "/api/v1/activity", "/api/v1/tasks"]
PORTAL_PAGES = ["/", "/posts/", "/posts/?view=calendar", "/media/"]
PORTAL_API = ["/api/v1/client/scheduled-posts"]


# Nodes that read all of their input before giving a row: a LIMIT above them bounds nothing below.
BLOCKING = {"Sort", "Aggregate", "Hash", "Group", "Unique", "SetOp", "WindowAgg", "Materialize"}


def _partial_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%% WHERE %%'")
        return {name for (name,) in cursor.fetchall()}


def _problems(plan: dict, partial: set[str], bounded: bool = False) -> list[str]:
    """A watched table read sequentially, or read whole through an index (no condition, not a
    partial index) without a LIMIT that stops the read (e.g. sorted afterwards: an index on the
    wrong columns)."""
    found = []
    relation = plan.get("Relation Name")
    kind = plan["Node Type"]
    if relation in WATCHED:
        conditioned = any(k in plan for k in ("Index Cond", "Recheck Cond")) or plan.get("Index Name") in partial
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {relation}")
        elif not conditioned and not bounded:
            found.append(f"every row of {relation} read ({kind} on {plan.get('Index Name')}, no condition)")
    if kind == "Limit":
        bounded = True
    elif kind in BLOCKING:
        bounded = False
    for child in plan.get("Plans", []):
        found += _problems(child, partial, bounded)
    return found


def _check(queries: list[dict], where: str, failures: list[str]) -> None:
    partial = _partial_indexes()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in WATCHED):
                    continue
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                one_line = re.sub(r"\s+", " ", sql)[:400]
                for problem in _problems(plan[0]["Plan"], partial):
                    failures.append(f"{where}: {problem} in\n    {one_line}")
        finally:
            cursor.execute("RESET enable_seqscan")


def _run(send, paths: list[str], where: str, failures: list[str]) -> None:
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = send(path)
        assert response.status_code == 200, (where, path, response.status_code)
        _check(captured.captured_queries, f"{where} {path}", failures)


@pytest.mark.django_db
def test_every_list_query_has_an_index(client):
    call_command("seed_volume", "--scale", "0.03", stdout=io.StringIO())  # 3k posts, 19k renditions, 15k events
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    failures: list[str] = []
    media_clients()  # the library's per-client counts: one whole-table count, then kept in the cache

    client.force_login(User.objects.get(email="owner@localbzz.local"))
    _run(client.get, STAFF_PAGES, "staff page", failures)
    api = APIClient()
    api.force_authenticate(User.objects.get(email="owner@localbzz.local"))
    _run(api.get, STAFF_API, "staff API", failures)
    cursor = api.get("/api/v1/posts").json()["next_cursor"]
    _run(api.get, [f"/api/v1/posts?after={cursor}"], "staff API, next page by cursor", failures)

    busiest = Post.objects.values("client_id").annotate(n=Count("pk")).order_by("-n")[0]
    person = ClientUser.objects.select_related("client").get(client_id=busiest["client_id"])
    portal = client.__class__(HTTP_HOST=f"{person.client.slug}.localhost")
    portal.force_login(person.user, backend="agency.auth_backends.StaffBackend")
    _run(portal.get, PORTAL_PAGES, "portal page", failures)
    client_api = APIClient()
    client_api.force_authenticate(person.user)
    _run(client_api.get, PORTAL_API, "client API", failures)

    assert not failures, "Queries without an index:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_the_check_catches_queries_without_an_index():
    call_command("seed_volume", "--scale", "0.01", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        list(Post.objects.order_by("-updated_at").values("pk")[:5])  # no index gives this order
        list(Post.objects.filter(topic="brunch").values("pk"))  # no index on topic
        list(Post.objects.order_by("-created_at", "-id").values("pk")[:5])  # post_created_idx
    failures: list[str] = []
    _check(captured.captured_queries, "probe", failures)
    assert len(failures) == 2, failures
    assert "updated_at" in failures[0] and "topic" in failures[1]
    assert all("publishing_post" in f for f in failures)
