"""Lists kept in the cache by ``localbzz.datacache``: the rows of an HTML list page and the JSON
body of an API list, so a list none of whose tables was written since is not built again.

The same rule as every fragment: a list is kept with the versions of the tables its build read,
and a write to any of them shows at once; sixty seconds bound what time alone changes. A kept
list's key holds:

- the **audience** the caller names: the permission level for staff (and the person where the
  rows depend on who looks: their running timer), the client for the portal and the client API.
  A viewer never gets a fragment built for another audience;
- the **query string**, normalized (its parameters sorted), so ``?page=2&status=x`` and
  ``?status=x&page=2`` share one entry;
- the host (staff or which portal), the active time zone and today's date, and, through
  ``datacache.fragment``, a tag of ``SECRET_KEY`` (rows hold signed URLs).

Never a whole HTML page: the CSRF token and the CSP nonce are per request. A fragment is rendered
with a placeholder for each and the request's own is put in when it is served (``html``), so rows
with a POST form can be kept too.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from localbzz import datacache


def query_key(request: HttpRequest) -> str:
    """The request's query string with its parameters in one order (each parameter's values keep
    theirs: a repeated parameter's order can mean something)."""
    return urlencode(sorted(request.GET.lists()), doseq=True)


def _parts(request: HttpRequest, audience: tuple, query: bool = True) -> tuple:
    # The host and the query hashed: a key stays short (and free of spaces) whatever they hold.
    where = f"{request.get_host()}?{query_key(request) if query else ''}"
    return (
        *audience,
        timezone.get_current_timezone_name(),
        timezone.localdate(),
        hashlib.sha256(where.encode()).hexdigest()[:32],
    )


@functools.lru_cache(maxsize=4)
def _placeholders(secret: str) -> tuple[str, str]:
    """Stand-ins for the CSRF token and the CSP nonce while a fragment is rendered: derived from
    the secret key, so no text a person types can be taken for one."""
    tag = hmac.new(secret.encode(), b"localbzz.listcache.placeholders", hashlib.sha256).hexdigest()[:24]
    return f"csrf{tag}", f"nonce{tag}"


def html(
    request: HttpRequest,
    name: str,
    audience: tuple,
    template: str,
    context: Callable[[], dict],
    *,
    query: bool = True,
) -> SafeString:
    """``template`` (a template or ``template#partial``) rendered with ``context()``, kept for
    ``audience`` and this request's query (see the module doc; ``query=False`` for a fragment that
    does not read it); ``context`` is called only when the fragment is not kept. The request's
    CSRF token and CSP nonce are put in on the way out."""
    csrf, nonce = _placeholders(settings.SECRET_KEY)

    def build() -> str:
        return render_to_string(template, {**context(), "csrf_token": csrf, "csp_nonce": nonce}, request)

    text = datacache.fragment(name, _parts(request, audience, query), build)
    if csrf in text:
        text = text.replace(csrf, get_token(request))
    if nonce in text:
        text = text.replace(nonce, conditional_escape(str(getattr(request, "csp_nonce", ""))))  # as {{ csp_nonce }}
    return mark_safe(text)  # noqa: S308 — rendered by a template (escaped there), placeholders are ours


if TYPE_CHECKING:  # the mixin's methods call a DRF list view's (it goes first among its bases)
    _ListView = generics.ListAPIView
else:
    _ListView = object


class CachedList(_ListView):
    """A mixin for DRF list views (put it first among the bases): a GET's body is kept for the
    audience ``list_audience(request)`` names and the query (see the module doc).

    The view's ``list_data(request)`` builds the body (by default DRF's own list: filter, sort,
    paginate, serialize); errors (a bad filter's 400) are raised, never kept. JSON answers are
    kept rendered, so a kept page is neither unpickled into objects nor rendered again; other
    formats (the browsable API) are built each time.
    """

    list_cache_name: str = ""

    def list_audience(self, request) -> tuple:
        raise NotImplementedError("Name who may read the kept list (permission level, client).")

    def list_data(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs).data

    def list(self, request, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if type(renderer) is not JSONRenderer:
            return Response(self.list_data(request, *args, **kwargs))
        name = self.list_cache_name or type(self).__name__
        context = self.get_renderer_context()

        def build() -> bytes:
            return renderer.render(self.list_data(request, *args, **kwargs), request.accepted_media_type, context)

        parts = (*self.list_audience(request), request.accepted_media_type)  # "; indent=4" renders otherwise
        return RenderedResponse(datacache.fragment(name, _parts(request, parts), build))


class RenderedResponse(Response):
    """A ``Response`` whose JSON is already rendered (a kept list). ``.data`` reads it back for
    whoever asks (tests); the served answer never needs it."""

    _data: Any = None

    def __init__(self, body: bytes):
        super().__init__(None)
        self._body = body

    @property
    def rendered_content(self) -> bytes:  # type: ignore[override]  # DRF renders bytes; Django's stub says str
        self["Content-Type"] = self.content_type or self.accepted_renderer.media_type
        return self._body

    @property
    def data(self):
        if self._data is None:
            self._data = json.loads(self._body)
        return self._data

    @data.setter
    def data(self, value) -> None:
        self._data = value
