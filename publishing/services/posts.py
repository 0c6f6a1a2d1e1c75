"""Writes about posts: create, edit, submit, approve (staff, then optionally the client),
request changes, reject. Scheduling and publishing are in ``publishing.services.scheduling``.

Every change of state goes through ``publishing.states`` and lands in the post's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency import permissions
from agency.models import Campaign, Client
from agency.services.activity import diff, record_event
from agency.types import Actor, acting_user
from publishing import states
from publishing.models import MediaAsset, Post, PostMedia, PostTarget, SocialAccount, TargetMedia
from publishing.services import missed, publer, scheduling
from publishing.services.missed import client_approved_late
from publishing.services.notifications import client_approval_requested
from publishing.services.scheduling import post_schedule
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T

CONTENT_FIELDS = [
    "title", "caption", "hashtags", "cta", "cta_action", "cta_url", "link", "placement", "topic", "notes", "alt_text",
]  # fmt: skip


def _clean_hashtags(tags: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for tag in tags or ():
        tag = str(tag).strip().lstrip("#").strip()
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            out.append(tag)
    return out


def _media_of(client: Client, media: Iterable[MediaAsset | str]) -> list[MediaAsset]:
    ids = [m.pk if isinstance(m, MediaAsset) else m for m in media]
    found = {str(a.pk): a for a in MediaAsset.objects.filter(pk__in=ids, client=client)}
    missing = [str(i) for i in ids if str(i) not in found]
    if missing:
        raise ValidationError({"media": f"These media are not in {client.name}'s library: {', '.join(missing)}."})
    return [found[str(i)] for i in ids]


def _accounts_of(client: Client, accounts: Iterable[SocialAccount | str]) -> list[SocialAccount]:
    ids = [a.pk if isinstance(a, SocialAccount) else a for a in accounts]
    found = {str(a.pk): a for a in SocialAccount.objects.filter(pk__in=ids, client=client)}
    missing = [str(i) for i in ids if str(i) not in found]
    if missing:
        raise ValidationError({"accounts": f"These accounts do not belong to {client.name}: {', '.join(missing)}."})
    chosen = [found[str(i)] for i in ids]
    disabled = [str(a) for a in chosen if a.status == SocialAccount.Status.DISABLED]
    if disabled:
        raise ValidationError({"accounts": f"Disabled accounts cannot post: {', '.join(disabled)}."})
    return chosen


def _set_media(post: Post, media: list[MediaAsset]) -> None:
    PostMedia.objects.filter(post=post).delete()
    PostMedia.objects.bulk_create([PostMedia(post=post, asset=a, position=i) for i, a in enumerate(media)])


def _set_targets(post: Post, accounts: list[SocialAccount], overrides: Mapping[str, str | None]) -> None:
    """Targets for exactly these accounts; targets that have gone out are never touched."""
    keep = {a.pk for a in accounts}
    post.targets.filter(status__in=[T.PENDING, T.SCHEDULED]).exclude(account_id__in=keep).delete()
    existing = {t.account_id: t for t in post.targets.all()}
    for account in accounts:
        override = (overrides or {}).get(str(account.pk), (overrides or {}).get(account.platform, ""))
        target = existing.get(account.pk)
        if target is None:
            PostTarget.objects.create(post=post, account=account, caption_override=override or "")
        elif override is not None and target.caption_override != override:
            target.caption_override = override
            target.save(update_fields=["caption_override", "updated_at"])


def _set_target_media(post: Post, target_media: dict[str, list[MediaAsset | str]]) -> None:
    """Give targets their own media (keys: account id or platform), replacing what they had."""
    for target in post.targets.select_related("account"):
        wanted = target_media.get(str(target.account_id), target_media.get(target.account.platform))
        if wanted is None:
            continue
        chosen = _media_of(post.client, wanted)
        TargetMedia.objects.filter(target=target).delete()
        TargetMedia.objects.bulk_create([TargetMedia(target=target, asset=a, position=i) for i, a in enumerate(chosen)])


@transaction.atomic
def post_create(
    *,
    actor: Actor,
    client: Client,
    caption: str = "",
    hashtags: Iterable[str] = (),
    media: Iterable[MediaAsset | str] = (),
    accounts: Iterable[SocialAccount | str] = (),
    overrides: dict[str, str] | None = None,
    campaign: Campaign | None = None,
    scheduled_at: datetime | None = None,
    source: str = Post.Source.STAFF,
    submit: bool = True,
    client_approved: bool = False,
    target_media: dict[str, list[MediaAsset | str]] | None = None,
    **content: Any,
) -> Post:
    """Create a post with its media (ordered) and one target per account.

    ``submit`` puts it straight into the approval queue (and counts it toward the client's month);
    otherwise it stays a draft. ``overrides`` maps an account id or a platform to its own text;
    ``target_media`` maps an account id or a platform to its own media (instead of the post's).
    """
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")
    if campaign is not None and campaign.client_id != client.pk:
        raise ValidationError({"campaign": "That campaign belongs to another client."})
    chosen_media, chosen_accounts = _media_of(client, media), _accounts_of(client, accounts)
    now = timezone.now()
    post = Post.objects.create(
        client=client,
        campaign=campaign,
        hashtags=_clean_hashtags(hashtags),
        caption=caption.strip(),
        scheduled_at=scheduled_at,
        source=source,
        created_by=acting_user(actor),
        status=P.PENDING_APPROVAL if submit else P.DRAFT,
        submitted_at=now if submit else None,
        client_approved_at=now if client_approved else None,
        **content,
    )
    _set_media(post, chosen_media)
    _set_targets(post, chosen_accounts, overrides or {})
    if target_media:
        _set_target_media(post, target_media)
    record_event(
        actor,
        "post.created",
        post,
        {"status": post.status, "source": source, "accounts": [str(a) for a in chosen_accounts]},
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor: Actor,
    post: Post,
    media: Iterable[MediaAsset | str] | None = None,
    accounts: Iterable[SocialAccount | str] | None = None,
    overrides: dict[str, str] | None = None,
    campaign: Campaign | None | str = "keep",
    **changes: Any,
) -> Post:
    """Edit a post that has not gone out. Changes by someone who cannot approve send an
    approved or scheduled post back for approval (unscheduled, also in Publer); once some of it is
    going out, such an edit is refused with what to do instead."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in states.EDITABLE:
        raise ValidationError(f"This post is {post.get_status_display().lower()}; it can no longer be edited.")
    unknown = set(changes) - set(CONTENT_FIELDS) - {"scheduled_at"}
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")
    if "hashtags" in changes:
        changes["hashtags"] = _clean_hashtags(changes["hashtags"])
    changed = diff(post, CONTENT_FIELDS, changes)
    for name, value in changes.items():
        if name != "scheduled_at":
            setattr(post, name, value)
    if not isinstance(campaign, str):  # the one string is "keep": leave it as it is
        if campaign is not None and campaign.client_id != post.client_id:
            raise ValidationError({"campaign": "That campaign belongs to another client."})
        if campaign != post.campaign:
            changed["campaign"] = [str(post.campaign or ""), str(campaign or "")]
            post.campaign = campaign
    if media is not None:
        chosen = _media_of(post.client, media)
        if [a.pk for a in chosen] != list(post.post_media.values_list("asset_id", flat=True)):
            changed["media"] = [post.post_media.count(), len(chosen)]
            _set_media(post, chosen)
    if accounts is not None or overrides is not None:
        chosen_accounts = (
            _accounts_of(post.client, accounts) if accounts is not None else [t.account for t in post.targets.all()]
        )
        before = sorted(str(t.account) for t in post.targets.all())
        _set_targets(post, chosen_accounts, overrides or {})
        after = sorted(str(a) for a in chosen_accounts)
        if before != after:
            changed["accounts"] = [before, after]
        if overrides:
            changed["overrides"] = sorted(overrides)
    if changed and post.status in {P.APPROVED, P.SCHEDULED} and not permissions.can(actor, "approve_posts"):
        _back_to_approval(post)
        old = states.move_post(post, P.PENDING_APPROVAL)
        changed["status"] = [old, P.PENDING_APPROVAL]
    post.save()
    if changed:
        record_event(actor, "post.edited", post, changed)
    if "scheduled_at" in changes and changes["scheduled_at"] != post.scheduled_at:
        if post.status == P.SCHEDULED and changes["scheduled_at"]:
            post_schedule(actor=actor, post=post, scheduled_at=changes["scheduled_at"])
        else:
            post.scheduled_at = changes["scheduled_at"]
            post.save(update_fields=["scheduled_at", "updated_at"])
    return post


def _back_to_approval(post: Post) -> None:
    """An approved or scheduled post edited by someone who cannot approve goes back for approval:
    nothing of it may go out until it is approved again. Refused (nothing changes) once some of it
    is going out or has gone out; posts Publer holds are deleted there first (a refusal by Publer
    leaves everything as it was)."""
    busy = list(post.targets.select_related("account").filter(status__in=[T.PUBLISHING, T.UNCONFIRMED, T.PUBLISHED]))
    if busy:
        where = ", ".join(f"{t.account} ({t.get_status_display().lower()})" for t in busy)
        raise ValidationError(
            f"This post is already going out ({where}), so an edit can no longer send it back for approval. "
            "Ask someone who can approve posts to make the change, or cancel the accounts it has not reached."
        )
    held = list(
        post.targets.select_related("account__client__publer", "post")
        .filter(status=T.SCHEDULED)
        .exclude(remote_state="")
    )
    if held:
        publer.cancel_remote(held)  # raises with Publer's reason: the transaction leaves everything as it was
        PostTarget.objects.filter(pk__in=[t.pk for t in held]).update(
            status=T.PENDING, next_attempt_at=None, remote_state="", external_id="", url="", checkpoint={}
        )
    _unschedule(post)


def _unschedule(post: Post) -> None:
    post.targets.filter(status=T.SCHEDULED, remote_state="").update(status=T.PENDING, next_attempt_at=None)


@transaction.atomic
def post_submit(*, actor: Actor, post: Post) -> Post:
    """A draft (or a post sent back with changes) goes to the approval queue."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    old = states.move_post(post, P.PENDING_APPROVAL)
    post.submitted_at = post.submitted_at or timezone.now()
    post.save(update_fields=["status", "submitted_at", "updated_at"])
    record_event(actor, "post.submitted", post, {"status": [old, post.status]})
    return post


@transaction.atomic
def post_approve(
    *, actor: Actor, post: Post, comment: str = "", scheduled_at: datetime | None = None, schedule: bool = True
) -> Post:
    """Staff approval. Where the client must also approve, the post waits for the client (who
    gets a signed link); otherwise it is approved and, with a time (and ``schedule``), scheduled."""
    permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().select_related("client").get(pk=post.pk)
    needs_client = post.client.requires_client_approval and not post.client_approved_at
    old = states.move_post(post, P.PENDING_CLIENT_APPROVAL if needs_client else P.APPROVED)
    post.approved_by, post.approved_at = acting_user(actor), timezone.now()
    post.missed_at = None  # a new wait: the sweeper tells the agency again if its time has still passed
    wanted = scheduled_at or post.scheduled_at
    if needs_client and scheduled_at:
        post.scheduled_at = scheduled_at  # scheduled once the client approves
    post.save()
    record_event(
        actor, "post.approved", post, {"status": [old, post.status], **({"comment": comment} if comment else {})}
    )
    if needs_client:
        transaction.on_commit(lambda: client_approval_requested(post))
    elif wanted and schedule:
        post_schedule(actor=actor, post=post, scheduled_at=wanted)
    return post


@transaction.atomic
def post_client_approve(*, post: Post, user: Actor = None, via: str = "portal", comment: str = "") -> Post:
    """The client's approval (portal, or the signed link in the email)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    old = states.move_post(post, P.APPROVED)
    post.client_approved_at = timezone.now()
    post.save(update_fields=["status", "client_approved_at", "updated_at"])
    changes = {"status": [old, post.status], "via": via, **({"comment": comment} if comment else {})}
    record_event(user, "post.client_approved", post, changes)
    if post.scheduled_at and post.scheduled_at > timezone.now():
        post_schedule(actor=user, post=post, scheduled_at=post.scheduled_at, check_access=False)
    else:  # its time has passed (or it never had one): publish at once or tell the agency
        client_approved_late(post, user)
    return post


@transaction.atomic
def post_request_changes(*, actor: Actor, post: Post, comment: str, by_client: bool = False) -> Post:
    if not comment.strip():
        raise ValidationError({"comment": "Say what should change, so the author knows what to do."})
    if not by_client:
        permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().get(pk=post.pk)
    old = states.move_post(post, P.CHANGES_REQUESTED)
    _unschedule(post)
    post.save(update_fields=["status", "updated_at"])
    record_event(
        actor,
        "post.changes_requested",
        post,
        {"status": [old, post.status], "comment": comment.strip(), "by": "client" if by_client else "agency"},
    )
    return post


@transaction.atomic
def post_reject(*, actor: Actor, post: Post, reason: str) -> Post:
    permissions.require(actor, "approve_posts")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the post is rejected (the author sees it)."})
    post = Post.objects.select_for_update().get(pk=post.pk)
    old = states.move_post(post, P.REJECTED)
    post.targets.filter(status__in=[T.PENDING, T.SCHEDULED]).update(status=T.CANCELED, next_attempt_at=None)
    post.save(update_fields=["status", "updated_at"])
    record_event(actor, "post.rejected", post, {"status": [old, post.status], "comment": reason.strip()})
    return post


@transaction.atomic
def post_delete_draft(*, actor: Actor, post: Post) -> None:
    """Drafts nobody submitted may be deleted outright; anything else is canceled instead."""
    if post.status != P.DRAFT:
        raise ValidationError("Only drafts can be deleted; cancel the post instead.")
    record_event(actor, "post.deleted", post, {"caption": post.caption[:80]})
    post.delete()


@transaction.atomic
def post_missed_resolve(*, actor: Actor, post: Post, scheduled_at: datetime | None = None) -> Post:
    """The agency's one step for a post that missed its time: ``scheduled_at`` None publishes it
    now, else it gets that time. A post still waiting for the agency is approved on the way; one
    waiting for the client keeps waiting, with the new time (the client is asked again)."""
    permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().select_related("client").get(pk=post.pk)
    if post.status not in missed.WAITING_FOR:
        raise ValidationError(f"This post is {post.get_status_display().lower()}; there is no missed time to fix.")
    if post.status == P.PENDING_APPROVAL:
        if scheduled_at is None and post.client.requires_client_approval and not post.client_approved_at:
            raise ValidationError(
                f"{post.client.name} approves its posts too, so this one cannot go out yet; pick a new time "
                "and it goes to them for approval."
            )
        if scheduled_at is not None:
            scheduling.check_time(scheduled_at)
        post = post_approve(actor=actor, post=post, scheduled_at=scheduled_at, schedule=scheduled_at is not None)
        return scheduling.post_publish_now(actor=actor, post=post) if scheduled_at is None else post
    if post.status == P.PENDING_CLIENT_APPROVAL:
        if scheduled_at is None:
            raise ValidationError(
                f"{post.client.name} has not approved this post yet, so it cannot go out; pick a new time "
                "and it waits for their approval."
            )
        scheduling.check_time(scheduled_at)
        old_time, post.scheduled_at, post.missed_at = post.scheduled_at, scheduled_at, None
        post.save(update_fields=["scheduled_at", "missed_at", "updated_at"])
        record_event(actor, "post.edited", post, {"scheduled_at": [old_time, scheduled_at]})
        transaction.on_commit(lambda: client_approval_requested(post))
        return post
    if scheduled_at is None:
        return scheduling.post_publish_now(actor=actor, post=post)
    return scheduling.post_schedule(actor=actor, post=post, scheduled_at=scheduled_at)
