"""Who may use a client's portal: invitations, passwords, removal."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agency.models import Client, User
from agency.services.activity import record_event
from agency.types import Actor, acting_user
from localbzz.app_urls import portal_url
from localbzz.outbox import send_email
from portal import selectors
from portal.models import ClientUser


def set_password_link(client_user: ClientUser) -> str:
    """A one-time link (Django's reset token: single use, expires) on the client's own portal."""
    user = client_user.user
    path = reverse(
        "portal:set-password",
        urlconf="portal.urls",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    return portal_url(client_user.client.slug, path)


def _invite_email(client_user: ClientUser, inviter: User | None) -> None:
    client, user = client_user.client, client_user.user
    who = getattr(inviter, "display_name", None) or settings.AGENCY_NAME
    send_email(
        kind="portal_invitation",
        to=[user.email],
        subject=f"Your {client.name} portal at {settings.AGENCY_NAME}",
        text=f"Hello {user.first_name or ''},\n\n{who} gave you access to {client.name}'s portal, where you upload "
        f"photos and videos, submit content and see what is scheduled.\n\n"
        f"Choose your password here (the link works once and expires in {settings.PASSWORD_RESET_TIMEOUT // 86400} "
        f"days):\n\n{set_password_link(client_user)}\n\n"
        f"Afterwards, sign in at {client.portal_url} with {user.email}.",
    )


@transaction.atomic
def client_user_invite(
    *,
    actor: Actor,
    client: Client,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = ClientUser.Role.MEMBER,
    password: str | None = None,
    send_invite: bool = True,
) -> ClientUser:
    """Give a person access to ``client``'s portal; without a password they get a one-time link
    to choose one (emailed after commit)."""
    email = email.strip().lower()
    if role not in ClientUser.Role.values:
        raise ValidationError({"role": f"Use one of {', '.join(ClientUser.Role.values)}."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "Someone with this email already has an account; each person has one client or a staff role."}
        )
    if password is not None:
        password_validation.validate_password(password)
    user = User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)
    membership = ClientUser.objects.create(user=user, client=client, role=role, invited_by=acting_user(actor))
    record_event(actor, "portal_user.invited", client, {"email": email, "role": role})
    if send_invite and password is None:
        transaction.on_commit(lambda: _invite_email(membership, acting_user(actor)))
    return membership


NAME_SIGN_IN_DOMAIN = "sign-in-by-business-name.invalid"  # RFC 2606: .invalid never delivers


@transaction.atomic
def client_password_set(*, actor: Actor, client: Client, password: str, email: str = "") -> ClientUser:
    """Set the portal password of one of ``client``'s people (by email), or of its owner.

    Without an email, the client's first owner is used; a client with nobody yet gets an owner
    made from its primary contact's email, or — without one — an owner who signs in with the
    business name (seed 000's "set the client's password"): its address is a never-deliverable
    placeholder (``NAME_SIGN_IN_DOMAIN``) until the agency invites someone by email.
    """
    password_validation.validate_password(password)
    users = selectors.portal_users(client)
    if email:
        membership = users.filter(user__email__iexact=email.strip()).first()
        if membership is None:
            raise ValidationError({"email": f"Nobody with this email uses {client.name}'s portal; invite them first."})
    else:
        membership = users.filter(role=ClientUser.Role.OWNER).order_by("created_at").first()
        if membership is None:
            contact = client.primary_contact_name.split(" ")[0] if client.primary_contact_name else ""
            membership = client_user_invite(
                actor=actor,
                client=client,
                email=client.primary_contact_email or f"client-{client.pk.hex}@{NAME_SIGN_IN_DOMAIN}",
                first_name=contact if client.primary_contact_email else (contact or client.name[:150]),
                role=ClientUser.Role.OWNER,
                password=password,
            )
            return membership
    membership.user.set_password(password)
    membership.user.save(update_fields=["password"])
    record_event(actor, "portal_user.password_set", client, {"email": membership.user.email})
    return membership


@transaction.atomic
def client_user_remove(*, actor: Actor, client_user: ClientUser) -> None:
    """Take away portal access (the person's account goes; what they made stays)."""
    client, email = client_user.client, client_user.user.email
    if actor is not None and getattr(actor, "pk", None) == client_user.user_id:
        raise ValidationError("You cannot remove yourself; ask another owner or the agency.")
    if client_user.role == ClientUser.Role.OWNER:
        others = ClientUser.objects.filter(client=client, role=ClientUser.Role.OWNER).exclude(pk=client_user.pk)
        if not others.exists() and getattr(actor, "client_user", None) is not None:
            raise ValidationError("Every portal needs an owner; make someone else an owner first.")
    record_event(actor, "portal_user.removed", client, {"email": email})
    client_user.user.delete()
