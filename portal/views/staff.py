"""Staff side of the portal: who of a client may sign in, invitations and one-time links."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from localbzz.forms import add_errors
from portal import selectors
from portal.forms import InviteForm
from portal.http import PortalHttpRequest
from portal.services import people as portal_people


@staff_required("view")
def portal_users(request: PortalHttpRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    can_manage = permissions.can(request.user, "manage_clients")
    form = InviteForm(request.POST or None, initial={"role": "owner"})
    if request.method == "POST":
        permissions.require(request.user, "manage_clients")
        if form.is_valid():
            try:
                invited = portal_people.client_user_invite(actor=request.user, client=client, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, f"Invited {invited.user.email}: an email with a link to set a password is on the way."
                )
                return redirect("client-portal-users", client_id=client.pk)
    return render(
        request,
        "portal/staff_users.html",
        {"client": client, "members": selectors.portal_users(client), "form": form, "can_manage": can_manage,
         "link": request.session.pop("portal_link", None)},
    )  # fmt: skip


def _member(client_id, member_id):
    member = selectors.portal_users(get_object_or_404(Client, pk=client_id)).filter(pk=member_id).first()
    if member is None:
        raise Http404("No such portal user.")
    return member


@require_POST
@staff_required("manage_clients")
def portal_user_link(request: HttpRequest, client_id, member_id) -> HttpResponse:
    """A fresh one-time set-password link, shown once to the staff member (to send themselves)."""
    member = _member(client_id, member_id)
    request.session["portal_link"] = {"email": member.user.email, "url": portal_people.set_password_link(member)}
    return redirect("client-portal-users", client_id=client_id)


@require_POST
@staff_required("manage_clients")
def portal_user_remove(request: PortalHttpRequest, client_id, member_id) -> HttpResponse:
    member = _member(client_id, member_id)
    try:
        portal_people.client_user_remove(actor=request.user, client_user=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.email} can no longer sign in to the portal.")
    return redirect("client-portal-users", client_id=client_id)
