from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_healthz_checks_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_dead_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/auth/token:" in text
    assert "has_more" in text  # the list envelope is described


@pytest.mark.django_db
def test_api_docs_are_served_offline(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/docs/redoc/").status_code == 200


@pytest.mark.django_db
def test_healthz_reuses_its_redis_connection(client, settings, monkeypatch):
    import os

    import redis

    from localbzz import views

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.REDIS_URL = url
    views._redis.cache_clear()
    connects = []
    real_connect = redis.connection.Connection._connect  # opens a socket
    monkeypatch.setattr(redis.connection.Connection, "_connect", lambda self: connects.append(1) or real_connect(self))
    for _ in range(5):
        response = client.get("/healthz")
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert len(connects) == 1  # one connection, kept for the next checks
    views._redis.cache_clear()
