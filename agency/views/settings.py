from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agency import selectors, services
from agency.forms import ProfileForm
from agency.permissions import can, staff_required


@staff_required()
def settings_page(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "team_member", None)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.team.profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your profile is saved.")
            return redirect("settings")
    else:
        form = ProfileForm(
            initial={
                "first_name": request.user.first_name,
                "last_name": request.user.last_name,
                "phone": member.phone if member else "",
            }
        )
    return render(
        request,
        "agency/settings.html",
        {
            "form": form,
            "member": member,
            "team": selectors.team_members().filter(is_active=True),
            "perms_manage_integrations": can(request.user, "manage_integrations"),
        },
    )
