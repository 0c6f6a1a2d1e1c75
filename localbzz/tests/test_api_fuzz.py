"""API fuzzing: schemathesis generates requests for every operation of our own OpenAPI schema
(/api/v1/schema, read at run time, so new endpoints are fuzzed as soon as they exist) and sends
them in-process to the Django WSGI app, on the pytest-django test database, as the demo owner
(staff operations) or the demo client Joe (``/api/v1/client…`` operations), each with a real
bearer token. Every answer must not be a 5xx, must match its documented schema, use a documented
status code and a documented content type.

The demo data (``seed_demo``) is loaded first; path parameters are mostly taken from the ids that
the operation's own collection lists (``/api/v1/posts`` for ``/api/v1/posts/{id}``…), so detail
and action endpoints reach real objects, and sometimes left as generated (unknown ids → 404).

Bounded: ``FUZZ_MAX_EXAMPLES`` examples per operation (default 30: about two minutes for the ~100
operations on two cores) and 10 s per request (a request that hangs, e.g. on the internet, fails),
derandomized so CI is reproducible; ``FUZZ_RANDOM=1`` explores other inputs, ``FUZZ_MAX_EXAMPLES``
goes deeper, ``FUZZ_COVERAGE=1`` adds schemathesis's coverage pass (every boundary and wrong type of
every parameter, several minutes more). Nothing leaves the machine: publishing goes to the fake
platforms, generation uses the builtin providers, and background tasks are only enqueued (on commit,
which a test transaction never reaches).
"""

from __future__ import annotations

import os
import zlib
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient

from localbzz.tests.openapi import CHECKS, api_schema
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401  (used by fuzz_auth)

CLIENT_PREFIXES = ("/api/v1/client/", "/api/v1/client-portal/")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") not in ("", "0")
# Phase.explicit is schemathesis's schema examples and its coverage pass (every boundary and wrong
# type of every parameter): thorough but unbounded by max_examples, so it is opt-in (FUZZ_COVERAGE=1).
COVERAGE = os.environ.get("FUZZ_COVERAGE", "") not in ("", "0")
PHASES = [Phase.explicit, Phase.generate] if COVERAGE else [Phase.generate]

# Where the known values of a path parameter are listed, when it is not the collection in front
# of it ("/api/v1/posts/{id}" → "/api/v1/posts"): {path template prefix: (list path, field)}.
KNOWN_VALUES_FROM = {
    "/api/v1/client/content/{post_id}": ("/api/v1/client/scheduled-posts", "id"),
    "/api/v1/client-portal/{subdomain}": ("/api/v1/clients", "slug"),
    # Joe's own requests and deliverables (the demo's client token is Joe's).
    "/api/v1/client/requests/{id}": ("/api/v1/client-portal/joes-landscaping/requests", "id"),
    "/api/v1/client/deliverables/{id}": ("/api/v1/client-portal/joes-landscaping/deliverables", "id"),
}


def _token(path: str, body: dict[str, str], field: str) -> str:
    response = APIClient().post(path, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()[field]


def _items(api: APIClient, path: str, field: str) -> list[str]:
    response = api.get(path, {"page_size": 200})
    if response.status_code != 200:
        return []
    data = response.json()
    rows = data.get("items", []) if isinstance(data, dict) else data
    return [str(row[field]) for row in rows if isinstance(row, dict) and row.get(field)]


class KnownValues:
    """Path parameter values that exist, per path template and parameter, found on first use."""

    def __init__(self, staff: APIClient, client: APIClient):
        self.staff, self.client = staff, client
        self.cache: dict[tuple[str, str], list[str]] = {}

    def api_for(self, path: str) -> APIClient:
        return self.client if path.startswith(CLIENT_PREFIXES) else self.staff

    def get(self, template: str, name: str, resolved: dict[str, str]) -> list[str]:
        marker = "{" + name + "}"
        prefix = template[: template.index(marker) + len(marker)]
        parent = prefix[: -len(marker)].rstrip("/")
        key = (prefix, ",".join(f"{k}={v}" for k, v in sorted(resolved.items()) if "{" + k + "}" in parent))
        if key not in self.cache:
            self.cache[key] = self._find(prefix, parent, resolved)
        return self.cache[key]

    def _find(self, prefix: str, parent: str, resolved: dict[str, str]) -> list[str]:
        if prefix in KNOWN_VALUES_FROM:
            path, field = KNOWN_VALUES_FROM[prefix]
            return _items(self.api_for(path), path, field)
        concrete = parent.format(**resolved) if "{" in parent else parent
        api = self.api_for(parent)
        found = _items(api, concrete, "id")
        if found or "/" not in concrete.rstrip("/"):
            return found
        # A nested collection that is a field of its parent ("/posts/{id}/targets/{target_id}").
        owner_path, _, field = concrete.rpartition("/")
        response = api.get(owner_path)
        if response.status_code != 200 or not isinstance(response.json(), dict):
            return []
        rows = response.json().get(field.replace("-", "_"), [])
        return [str(row["id"]) for row in rows if isinstance(row, dict) and row.get("id")]


class FuzzAuth:
    def __init__(self, tokens: dict[str, str], known: KnownValues):
        self.tokens, self.known = tokens, known


@pytest.fixture(scope="module")
def _demo_world(django_db_setup, django_db_blocker):
    """The demo data and two bearer tokens, once for all operations, in a transaction that is
    rolled back at the end; each operation's own test runs in a savepoint inside it."""
    from django.core.management import call_command
    from django.db import transaction

    from agency.demo import DEMO_PASSWORD, STAFF
    from portal.demo import PORTAL_USERS

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        owner_email = next(email for email, _, _, level, _ in STAFF if level == "owner")
        client_email = PORTAL_USERS["joes-landscaping"][0]
        staff_token = _token("/api/v1/auth/token", {"email": owner_email, "password": DEMO_PASSWORD}, "access")
        client_token = _token(
            "/api/v1/client/login", {"email": client_email, "password": DEMO_PASSWORD}, "access_token"
        )
        staff_api, client_api = APIClient(), APIClient()
        staff_api.credentials(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
        client_api.credentials(HTTP_AUTHORIZATION=f"Bearer {client_token}")
        yield FuzzAuth({"staff": staff_token, "client": client_token}, KnownValues(staff_api, client_api))
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_auth(_demo_world, db, fake_platforms, settings) -> FuzzAuth:  # noqa: F811
    # Nothing may leave the machine: platforms are the fake ones, generation the builtin providers.
    settings.GENERATION_CAPTION_PROVIDER = "builtin"
    settings.GENERATION_IMAGE_PROVIDER = "builtin"
    return _demo_world


schema = api_schema()


def _use_known_ids(case, known: KnownValues) -> None:
    """Most of the time (decided by the generated value itself, so Hypothesis can replay it), put an
    existing id in each path parameter; otherwise keep the generated one."""
    template = case.operation.path
    resolved: dict[str, str] = {}
    params = case.path_parameters or {}
    for name in sorted(params, key=lambda name: template.index("{" + name + "}")):  # outer ids first
        value = params[name]
        values = known.get(template, name, resolved)
        digest = zlib.crc32(repr(value).encode())
        if values and digest % 5:
            case.path_parameters[name] = values[digest % len(values)]
        resolved[name] = str(case.path_parameters[name])


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=timedelta(seconds=10),
    derandomize=not RANDOM,
    phases=PHASES,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_fuzz(case, fuzz_auth):
    _use_known_ids(case, fuzz_auth.known)
    who = "client" if case.operation.path.startswith(CLIENT_PREFIXES) else "staff"
    headers: dict[str, Any] = {"Authorization": f"Bearer {fuzz_auth.tokens[who]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
