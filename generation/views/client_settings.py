"""The AI tab of a client's page (registered in GenerationConfig.ready, loaded with htmx): who
writes the client's captions and makes its images, and in which style."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from agency import permissions
from agency.models import Client
from agency.permissions import require, staff_required
from generation.forms import GenerationSettingsForm
from generation.models import GenerationSettings
from generation.services.client_settings import FIELDS, generation_settings_update
from localbzz.http import HtmxRequest


@staff_required()
def client_generation_settings(request: HtmxRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    current = GenerationSettings.objects.filter(client=client).first()
    initial = {name: getattr(current, name, "") for name in FIELDS}
    form = GenerationSettingsForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST":
        require(request.user, "manage_clients")
        if form.is_valid():
            generation_settings_update(actor=request.user, client=client, **form.cleaned_data)
            if not request.htmx:
                messages.success(request, f"{client.name}'s AI settings are saved.")
                return redirect("client-tab", client.pk, "ai")
            saved = True
    can_manage = permissions.can(request.user, "manage_clients")
    context = {"client": client, "form": form, "saved": saved, "can_manage": can_manage}
    return render(request, "generation/client_settings.html", context, status=400 if form.errors else 200)
