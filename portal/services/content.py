"""A client's posts: submitting content (within the monthly limit), moving a scheduled post, and
the client's own approval or change request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency.models import Client
from generation.contracts import CaptionSet
from generation.services.captions import caption_generate
from portal import selectors
from portal.models import ClientUser
from publishing.models import MediaAsset, Post
from publishing.services.posts import post_client_approve, post_create, post_request_changes
from publishing.services.scheduling import MAX_AHEAD, post_schedule
from publishing.states import PostStatus as P
from publishing.states import client_side_label

# A client may move a post to no sooner than this from now: enough that it is not already being
# handed to the platform, and more than Publer's own minimum (one minute ahead).
RESCHEDULE_LEAD = timedelta(minutes=5)

PostsT = TypeVar("PostsT", bound=Iterable[Post])


class LimitReached(ValidationError):
    """The client has used its posts for this month (``str`` says when it resets and whom to ask)."""

    def __init__(self, quota: selectors.Quota):
        self.quota = quota
        super().__init__(quota.exhausted_message(), code="monthly_limit_reached")


def _check_preferred(when: datetime | None) -> None:
    if when is None:
        return
    now = timezone.now()
    if when < now + RESCHEDULE_LEAD:
        raise ValidationError({"preferred_at": "Pick a time at least five minutes from now (or leave it empty)."})
    if when > now + MAX_AHEAD:
        raise ValidationError({"preferred_at": "Posts can be planned up to a year ahead."})


def _media(client: Client, media: Iterable[MediaAsset | UUID | str]) -> list[MediaAsset]:
    ids = [m.pk if isinstance(m, MediaAsset) else m for m in media]
    if not ids:
        raise ValidationError({"media": "Pick at least one photo or video (or upload one)."})
    found = {str(a.pk): a for a in selectors.media(client).filter(pk__in=ids)}
    missing = [str(i) for i in ids if str(i) not in found]
    if missing:
        raise ValidationError({"media": "Some of these files are not in your library; upload them first."})
    return [found[str(i)] for i in dict.fromkeys(str(i) for i in ids)]


def _platforms(client: Client, platforms: Iterable[str]) -> list[str]:
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
    media: Iterable[MediaAsset | UUID | str],
    notes: str = "",
    topic: str = "",
    platforms: Iterable[str] = (),
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


def mark_movable(posts: PostsT) -> PostsT:
    """Set ``post.movable`` on each post of a list a page shows (and answer the list)."""
    now = timezone.now()
    for post in posts:
        post.movable = can_reschedule(post, now=now)  # read by the templates
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
