"""The API as schemathesis sees it: our OpenAPI schema, the Django WSGI app in-process, and the
checks every answer must pass. Used by the fuzz test and by the regression tests of what it found
(``conforms(...)`` replays one exact request through the same checks)."""

from __future__ import annotations

from functools import cache
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# No 5xx; bodies match their schema; status codes and content types are documented.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


class InProcessWSGI(WSGIHandler):
    """Django's WSGI app, minus the per-request connection recycling: the test transaction holds
    the connection (django.test.Client does the same)."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@cache
def api_schema():
    """What /api/v1/schema serves (the same generator), with the app to call attached."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = InProcessWSGI()
    return loaded


def conforms(method: str, path: str, *, token: str | None = None, headers: dict | None = None, **case: Any):
    """Send one request (``path`` is the schema's template, e.g. ``/api/v1/posts/{id}``) and run the
    checks on its answer; returns the response (``.status_code``, ``.json()``)."""
    operation = api_schema()[path][method.upper()]
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if "body" in case:
        case.setdefault("media_type", "application/json")
    return operation.Case(**case).call_and_validate(headers=sent, checks=CHECKS)


def staff_token(user, password: str) -> str:
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/auth/token", {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["access"]
