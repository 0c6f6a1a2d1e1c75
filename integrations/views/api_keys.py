"""Staff page for API keys (admins and owners): make (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agency.permissions import staff_required
from integrations import scopes, selectors
from integrations.forms import ApiKeyForm
from integrations.models import ApiKey
from integrations.services import api_keys as services
from localbzz.forms import process


@staff_required("manage_integrations")
def api_key_list(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    response, saved = process(request, form, lambda data: services.api_key_create(actor=request.user, **data))
    if response:
        return response
    new_key = None
    if saved:
        key, new_key = saved
        messages.success(request, f"The key “{key.name}” is made. Copy it now: it is shown only this once.")
        form = ApiKeyForm()
    return render(
        request,
        "integrations/api_keys/list.html",
        {"keys": selectors.api_keys(), "form": form, "new_key": new_key, "areas": scopes.AREAS},
    )


@require_POST
@staff_required("manage_integrations")
def api_key_revoke(request: HttpRequest, pk) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    services.api_key_revoke(actor=request.user, key=key)
    messages.success(request, f"The key “{key.name}” is revoked: requests with it now answer 401.")
    return redirect("api-keys")
