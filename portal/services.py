"""What a client's people may change, and how the agency gives them access.

Every function takes the client user (or the client) and refuses anything outside that client:
the caller has already looked the object up through ``portal.selectors``, and these functions
check again, because one place per rule means the rule holds whoever calls.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agency.models import Client, Deliverable, PortalRequest, RequestMessage, User
from agency.services import deliverables as deliverable_services
from agency.services import inbox as inbox_services
from agency.services.activity import record_event
from generation.contracts import CaptionSet
from generation.services.captions import caption_generate
from portal import selectors
from portal.models import ClientUser
from publishing.models import MediaAsset, Post
from publishing.services import media as media_services
from publishing.services.posts import post_client_approve, post_create, post_request_changes
from publishing.services.scheduling import MAX_AHEAD, post_schedule
from publishing.states import PostStatus as P
from publishing.states import client_side_label

# A client may move a post to no sooner than this from now: enough that it is not already being
# handed to the platform, and more than Publer's own minimum (one minute ahead).
RESCHEDULE_LEAD = timedelta(minutes=5)


class LimitReached(ValidationError):
    """The client has used its posts for this month (``str`` says when it resets and whom to ask)."""

    def __init__(self, quota: selectors.Quota):
        self.quota = quota
        super().__init__(quota.exhausted_message(), code="monthly_limit_reached")


# People -------------------------------------------------------------------------------------


def set_password_link(client_user: ClientUser) -> str:
    """A one-time link (Django's reset token: single use, expires) on the client's own portal."""
    user = client_user.user
    path = reverse(
        "portal:set-password",
        urlconf="portal.urls",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    return client_user.client.portal_url.rstrip("/") + path


def _invite_email(client_user: ClientUser, inviter) -> None:
    client, user = client_user.client, client_user.user
    who = getattr(inviter, "display_name", None) or settings.AGENCY_NAME
    send_mail(
        f"Your {client.name} portal at {settings.AGENCY_NAME}",
        f"Hello {user.first_name or ''},\n\n{who} gave you access to {client.name}'s portal, where you upload "
        f"photos and videos, submit content and see what is scheduled.\n\n"
        f"Choose your password here (the link works once and expires in {settings.PASSWORD_RESET_TIMEOUT // 86400} "
        f"days):\n\n{set_password_link(client_user)}\n\n"
        f"Afterwards, sign in at {client.portal_url} with {user.email}.",
        None,
        [user.email],
    )


@transaction.atomic
def client_user_invite(
    *,
    actor,
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
    membership = ClientUser.objects.create(
        user=user, client=client, role=role, invited_by=actor if getattr(actor, "pk", None) else None
    )
    record_event(actor, "portal_user.invited", client, {"email": email, "role": role})
    if send_invite and password is None:
        transaction.on_commit(lambda: _invite_email(membership, actor))
    return membership


NAME_SIGN_IN_DOMAIN = "sign-in-by-business-name.invalid"  # RFC 2606: .invalid never delivers


@transaction.atomic
def client_password_set(*, actor, client: Client, password: str, email: str = "") -> ClientUser:
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
def client_user_remove(*, actor, client_user: ClientUser) -> None:
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


# Content ------------------------------------------------------------------------------------


def _check_preferred(when: datetime | None) -> None:
    if when is None:
        return
    now = timezone.now()
    if when < now + RESCHEDULE_LEAD:
        raise ValidationError({"preferred_at": "Pick a time at least five minutes from now (or leave it empty)."})
    if when > now + MAX_AHEAD:
        raise ValidationError({"preferred_at": "Posts can be planned up to a year ahead."})


def _media(client: Client, media) -> list[MediaAsset]:
    ids = [m.pk if isinstance(m, MediaAsset) else m for m in media]
    if not ids:
        raise ValidationError({"media": "Pick at least one photo or video (or upload one)."})
    found = {str(a.pk): a for a in selectors.media(client).filter(pk__in=ids)}
    missing = [str(i) for i in ids if str(i) not in found]
    if missing:
        raise ValidationError({"media": "Some of these files are not in your library; upload them first."})
    return [found[str(i)] for i in dict.fromkeys(str(i) for i in ids)]


def _platforms(client: Client, platforms) -> list[str]:
    connected = [value for value, _ in selectors.connected_platforms(client)]
    chosen = list(dict.fromkeys(platforms or []))
    unknown = [p for p in chosen if p not in connected]
    if unknown:
        names = ", ".join(label for value, label in selectors.connected_platforms(client)) or "none yet"
        raise ValidationError({"platforms": f"{', '.join(unknown)}: not one of your connected platforms ({names})."})
    return chosen or connected


def check_can_submit(client: Client) -> selectors.Quota:
    """Raise LimitReached when the month's posts are used up (no lock: a quick early answer)."""
    quota = selectors.quota(client)
    if quota.remaining <= 0:
        raise LimitReached(quota)
    return quota


def content_submit(
    *,
    client_user: ClientUser,
    media,
    notes: str = "",
    topic: str = "",
    platforms=(),
    preferred_at: datetime | None = None,
    captions: CaptionSet | None = None,
    source: str = Post.Source.PORTAL,
) -> Post:
    """Submit content for the agency's approval: a post in pending_approval with the AI's captions
    (``captions`` as the client edited them, or written now).

    The monthly limit holds under concurrent submissions: the client's row is locked while the
    month is counted and the post created, so with N posts left exactly N submissions succeed.
    Captions are written before the lock, so a slow provider never holds it.
    """
    client = client_user.client
    assets = _media(client, media)
    chosen = _platforms(client, platforms)
    _check_preferred(preferred_at)
    check_can_submit(client)
    if captions is None:
        captions = caption_generate(
            client=client, media=assets, notes=notes, platforms=chosen, topic=topic, actor=client_user.user
        )
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        quota = selectors.quota(client)
        if quota.remaining <= 0:
            raise LimitReached(quota)
        accounts = list(selectors.connected_accounts(client).filter(platform__in=chosen))
        overrides = {p: text for p, text in (captions.per_platform or {}).items() if p in chosen and text.strip()}
        return post_create(
            actor=client_user.user,
            client=client,
            caption=captions.caption,
            cta=captions.cta[:200],
            hashtags=captions.hashtags,
            media=assets,
            accounts=accounts,
            overrides=overrides,
            scheduled_at=preferred_at,
            source=source,
            submit=True,
            title=(captions.topic or topic)[:200],
            topic=(captions.topic or topic)[:200],
            notes=notes.strip(),
            alt_text=captions.alt_text[:1000],
        )


def can_reschedule(post: Post, *, now: datetime | None = None) -> bool:
    """Only posts the agency scheduled, and not in the minute they are going out."""
    now = now or timezone.now()
    return (
        post.status == P.SCHEDULED and post.scheduled_at is not None and post.scheduled_at > now + timedelta(minutes=1)
    )


def mark_movable(posts):
    """Set ``post.movable`` on each post of a list a page shows (and answer the list)."""
    now = timezone.now()
    for post in posts:
        post.movable = can_reschedule(post, now=now)
    return posts


def reschedule_reason(post: Post) -> str:
    """Why a post cannot be moved (for the page and the API's 409)."""
    if post.status in {P.PUBLISHED, P.PARTIALLY_PUBLISHED, P.PUBLISHING}:
        return "This post has gone out; published posts cannot be moved."
    if post.status == P.PENDING_CLIENT_APPROVAL:
        return (
            "This post is waiting for your approval: approve it, or request changes and say the time you want; "
            "only posts the agency has scheduled can be moved."
        )
    if post.status != P.SCHEDULED:
        return (
            f"This post is {client_side_label(post.status).lower()}: only posts the agency has scheduled can be "
            "moved. Ask in a request if you need it at another time."
        )
    return "This post is going out now; it can no longer be moved."


@transaction.atomic
def post_reschedule(*, client_user: ClientUser, post: Post, when: datetime) -> Post:
    """Move a scheduled post to ``when``, on every account, here and where the post waits
    remotely (Publer) — remote first: if Publer refuses, nothing changes and the error says why."""
    if post.client_id != client_user.client_id:
        raise Post.DoesNotExist
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not can_reschedule(post):
        raise ValidationError(reschedule_reason(post), code="not_reschedulable")
    now = timezone.now()
    if when < now + RESCHEDULE_LEAD:
        raise ValidationError({"scheduled_at": "Pick a time at least five minutes from now."})
    return post_schedule(actor=client_user.user, post=post, scheduled_at=when, check_access=False)


def _waiting_for_client(client_user: ClientUser, post: Post) -> None:
    if post.client_id != client_user.client_id:
        raise Post.DoesNotExist
    if post.status != P.PENDING_CLIENT_APPROVAL:
        raise ValidationError(
            "This post is not waiting for your approval"
            + (
                " (the agency approves your posts)."
                if not client_user.client.requires_client_approval
                else f"; it is {post.get_status_display().lower()}."
            ),
            code="not_waiting_for_client",
        )


@transaction.atomic
def post_approve_by_client(*, client_user: ClientUser, post: Post, comment: str = "") -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _waiting_for_client(client_user, post)
    return post_client_approve(post=post, user=client_user.user, via="portal", comment=comment.strip())


@transaction.atomic
def post_changes_by_client(*, client_user: ClientUser, post: Post, comment: str) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _waiting_for_client(client_user, post)
    return post_request_changes(actor=client_user.user, post=post, comment=comment, by_client=True)


# Media --------------------------------------------------------------------------------------


def can_delete_media(client_user: ClientUser, asset: MediaAsset) -> bool:
    """Clients delete only what their own people uploaded (never the agency's shoots)."""
    return asset.client_id == client_user.client_id and asset.uploaded_by_id in selectors.portal_uploader_ids(
        client_user.client
    )


def media_delete_own(*, client_user: ClientUser, asset: MediaAsset) -> None:
    """Delete an upload of the client's own that no post uses (MediaInUse says which posts do)."""
    if asset.client_id != client_user.client_id:
        raise MediaAsset.DoesNotExist
    if not can_delete_media(client_user, asset):
        raise ValidationError("Files from the agency cannot be deleted here; ask the agency in a request.")
    media_services.media_delete(actor=client_user.user, asset=asset)


# Requests and deliverables -----------------------------------------------------------------


def request_create(*, client_user: ClientUser, content: str, kind: str, topic: str, priority: str) -> PortalRequest:
    if not content.strip():
        raise ValidationError({"content": "Write what you need, so the team can act on it."})
    return inbox_services.portal_request_create(
        actor=client_user.user, client=client_user.client, content=content, kind=kind, topic=topic, priority=priority
    )


@transaction.atomic
def request_reply(*, client_user: ClientUser, request: PortalRequest, body: str) -> RequestMessage:
    """A client's message on its request; a message on a finished request opens it again."""
    if request.client_id != client_user.client_id:
        raise PortalRequest.DoesNotExist
    message = inbox_services.request_reply(actor=client_user.user, request=request, body=body, from_staff=False)
    if request.status == PortalRequest.Status.DONE:
        inbox_services.portal_request_set_status(
            actor=client_user.user, request=request, status=PortalRequest.Status.NEW
        )
    return message


@transaction.atomic
def deliverable_review(
    *, client_user: ClientUser, deliverable: Deliverable, approve: bool, comment: str = ""
) -> Deliverable:
    """The client's verdict on work waiting for review: approved → Ready-To-Post; changes →
    back to In Progress with the client's feedback."""
    if deliverable.client_id != client_user.client_id:
        raise Deliverable.DoesNotExist
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if deliverable.status != Deliverable.Status.NEEDS_REVIEW:
        raise ValidationError(
            f"“{deliverable.title}” is {deliverable.status.lower()}, not waiting for your review.",
            code="not_in_review",
        )
    actor = client_user.user
    if approve:
        if comment.strip():
            deliverable_services.deliverable_update(
                actor=actor, deliverable=deliverable, client_feedback=comment.strip()
            )
        return deliverable_services.deliverable_move(
            actor=actor, deliverable=deliverable, status=Deliverable.Status.READY_TO_POST
        )
    if not comment.strip():
        raise ValidationError({"comment": "Say what should change, so the team knows what to do."})
    deliverable_services.deliverable_update(actor=actor, deliverable=deliverable, client_feedback=comment.strip())
    return deliverable_services.deliverable_move(
        actor=actor, deliverable=deliverable, status=Deliverable.Status.IN_PROGRESS
    )
