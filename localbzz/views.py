"""Project-level pages: the health check and the error pages (the dashboard is in ``hub.views``)."""

from __future__ import annotations

import functools
import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_q.models import OrmQ

from localbzz.api.errors import error_json
from localbzz.http import note_denied_action

API_ROOT = "/api/"  # every answer under it, errors included, is JSON

logger = logging.getLogger(__name__)


@functools.cache
def _service_worker_script() -> bytes:
    return (settings.BASE_DIR / "static" / "js" / "sw.js").read_bytes()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js`` on the staff host and on every portal host: the browser-push service worker
    (``static/js/sw.js``). Served from the site root, its scope is the whole site; a script from
    /static/ could only control /static/ without the ``Service-Worker-Allowed`` header."""
    response = HttpResponse(_service_worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # a new version is picked up at the next visit
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers and the task broker answers."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # report, never raise, from a health check
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            _redis(settings.REDIS_URL).ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
    else:
        # The ORM broker is the database itself: its queue table must be reachable.
        try:
            OrmQ.objects.exists()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503)


@functools.cache
def _redis(url: str):
    """One client (and its connection pool) per URL for the process: a health check every few
    seconds must not open a new connection each time."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_ROOT) or request.path_info.startswith(API_ROOT)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return error_json(400, "The request could not be understood; check its format.")
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "You do not have access to this page."
    note_denied_action(request, getattr(exception, "action", ""))  # for agency.audit's record of the 403
    if _is_api(request):
        return error_json(403, message)
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return error_json(404, f"No API endpoint at {request.path}. See /api/docs/ for the list.")
    return render(request, "404.html", status=404)


@csrf_exempt  # it changes nothing; without this, a POST with a cookie got Django's HTML CSRF page
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any path under /api/ that no route takes (other versions, unversioned seed paths): the JSON
    envelope, with or without DEBUG."""
    hint = " The API lives under /api/v1/." if not request.path.startswith("/api/v1/") else ""
    return error_json(404, f"No API endpoint at {request.path}.{hint} See /api/docs/ for the list.")


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_json(500, "Something went wrong on our side. It has been logged; try again shortly.")
    # No context processors: the failure may be in one of them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
