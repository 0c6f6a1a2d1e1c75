"""Portal sign-in: by email, or by business name (the client's owners), plus password.

Shared by the portal's sign-in page and ``POST /api/v1/client/login``; failed attempts are
throttled by ``localbzz.signin_throttle`` like the staff sign-in. A person of one client cannot
sign in on another client's portal: they get the same answer as a wrong password.
"""

from __future__ import annotations

from django.contrib.auth import authenticate

from agency import audit
from agency.models import Client
from localbzz import signin_throttle
from portal.models import ClientUser
from portal.permissions import client_user_of

WRONG = "Wrong email (or business name) or password. Check both and try again, or reset your password."


class SignInRefused(Exception):
    def __init__(self, message: str, *, locked_for: int = 0):
        super().__init__(message)
        self.locked_for = locked_for


def _candidates(identifier: str, client: Client | None) -> list[str]:
    """Emails to try: the one given, or the owners of the business named."""
    if "@" in identifier:
        return [identifier.lower()]
    clients = Client.objects.filter(name__iexact=identifier)
    if client is not None:
        clients = clients.filter(pk=client.pk)
    owners = ClientUser.objects.filter(client__in=clients, role=ClientUser.Role.OWNER).order_by("created_at")
    return list(owners.values_list("user__email", flat=True)[:5])


def sign_in(request, identifier: str, password: str, *, client: Client | None = None) -> ClientUser:
    """The client user these credentials name (on ``client``'s portal, when given), or
    :class:`SignInRefused` with a message a person can act on."""
    identifier = (identifier or "").strip()
    ip = signin_throttle.client_ip(request)
    wait = signin_throttle.locked_for(identifier, ip)
    if wait:
        raise SignInRefused(signin_throttle.lockout_message(wait), locked_for=wait)
    authenticate_refused = False  # authenticate() then sent user_login_failed for the audit log
    for email in _candidates(identifier, client) if identifier and password else []:
        user = authenticate(request, username=email, password=password)
        authenticate_refused = authenticate_refused or user is None
        membership = client_user_of(user)
        if membership is not None and (client is None or membership.client_id == client.pk):
            signin_throttle.clear(identifier, ip)
            return membership
    if not authenticate_refused:
        audit.login_failed(request, identifier)
    wait = signin_throttle.record_failure(identifier, ip)
    if wait:
        raise SignInRefused(signin_throttle.lockout_message(wait), locked_for=wait)
    raise SignInRefused(WRONG)
