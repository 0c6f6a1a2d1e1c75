"""Team management: owners and admins add people and set their access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agency import permissions, selectors
from agency.forms import TeamMemberForm
from agency.models import TeamMember
from agency.permissions import staff_required
from agency.services import team as services
from localbzz.app_urls import app_url
from localbzz.outbox import send_email


def send_invite(request, member: TeamMember) -> None:
    """Email a one-time link to choose a password (Django's reset token: single use, expires)."""
    user = member.user
    link = app_url(
        reverse(
            "password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
        )
    )
    send_email(
        kind="staff_invitation",
        to=[user.email],
        subject="You are invited to LocalBzz",
        text=f"Hello {user.first_name or ''},\n\n{request.user.display_name} added you to the LocalBzz team.\n"
        f"Choose your password here (the link works once and expires in a day):\n\n{link}\n\n"
        f"Then sign in with {user.email}.",
    )


@staff_required()
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST":
        permissions.require(request.user, "manage_team")
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("is_active")
            try:
                member = services.team_member_create(actor=request.user, **data)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                send_invite(request, member)
                messages.success(
                    request, f"{member.name} is added; an invitation to set a password went to {member.email}."
                )
                return redirect("team")
    return render(
        request,
        "agency/team.html",
        {"members": selectors.team_members(), "form": form, "can_manage": permissions.can(request.user, "manage_team")},
    )


@staff_required("manage_team")
def team_member_edit(request: HttpRequest, pk) -> HttpResponse:
    member = get_object_or_404(selectors.team_members(), pk=pk)
    initial = {
        "email": member.email, "first_name": member.user.first_name, "last_name": member.user.last_name,
        "phone": member.phone, "access_level": member.access_level, "is_editor": member.is_editor,
        "is_scheduler": member.is_scheduler, "is_content_creator": member.is_content_creator,
        "is_active": member.is_active,
    }  # fmt: skip
    form = TeamMemberForm(request.POST or None, initial=initial)
    form.fields["email"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("email")
        try:
            if member.user_id == request.user.pk and (
                data["access_level"] != member.access_level or not data["is_active"]
            ):
                services.ensure_not_self_demotion(actor=request.user, member=member)
            services.team_member_update(actor=request.user, member=member, **data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"{member.name} is saved.")
            return redirect("team")
    activity = selectors.activity_for_all([member, member.user], limit=50)
    return render(request, "agency/team_edit.html", {"form": form, "member": member, "activity": activity})
