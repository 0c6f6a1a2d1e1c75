"""A client's owners manage who of their business uses the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from localbzz.forms import add_errors
from portal import selectors
from portal.forms import InviteForm
from portal.http import PortalHttpRequest
from portal.models import ClientUser
from portal.permissions import portal_required
from portal.services import people as portal_people


def _owner_only(request: PortalHttpRequest) -> None:
    if request.client_user.role != ClientUser.Role.OWNER:
        raise Http404("Only your portal's owners manage people.")


@portal_required
def people(request: PortalHttpRequest) -> HttpResponse:
    _owner_only(request)
    client = request.portal_client
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = portal_people.client_user_invite(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Invited {invited.user.email}: they get an email with a link to set a password.")
            return redirect("portal:people")
    return render(request, "portal/people.html", {"form": form, "members": selectors.portal_users(client)})


@require_POST
@portal_required
def person_remove(request: PortalHttpRequest, member_id) -> HttpResponse:
    _owner_only(request)
    member = selectors.portal_users(request.portal_client).filter(pk=member_id).first()
    if member is None:
        raise Http404("No such person.")
    try:
        portal_people.client_user_remove(actor=request.user, client_user=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.email} no longer has access.")
    return redirect("portal:people")
