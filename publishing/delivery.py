"""From our rows to a connector's request, and back: which connector, which media version, which
credentials; what a dead token or a rate limit does to an account."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import IO

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from agency.services.activity import record_event
from localbzz.crypto import SecretUnreadable
from publishing import connectors, rules
from publishing.connectors import base
from publishing.media.urls import media_public_url
from publishing.models import MediaAsset, PlatformPause, PostTarget, SocialAccount


class NotDeliverable(Exception):
    """The target cannot be sent as it is (missing media version, unreadable token, …)."""


def media_facts(asset: MediaAsset) -> rules.MediaFacts:
    renditions = {
        r.preset: {"mime": "image/jpeg", "bytes": r.bytes, "width": r.width, "height": r.height}
        for r in asset.renditions.all()
    }
    return rules.MediaFacts(
        name=asset.original_name,
        kind=asset.kind,
        mime=asset.content_type,
        bytes=asset.bytes,
        width=asset.width,
        height=asset.height,
        duration=asset.duration,
        ready=asset.status == MediaAsset.Status.READY,
        renditions=renditions,
    )


def target_assets(target: PostTarget) -> list[MediaAsset]:
    """The media a target sends, with renditions loaded: its own (TargetMedia) or else the post's.
    Uses what was prefetched (``engine._load_many`` loads a whole batch's media at once)."""
    own = [tm.asset for tm in _media_rows(target, "target_media")]
    if own:
        return own
    return [pm.asset for pm in _media_rows(target.post, "post_media")]


def _media_rows(owner, relation: str):
    if relation in getattr(owner, "_prefetched_objects_cache", {}):
        return getattr(owner, relation).all()
    return getattr(owner, relation).select_related("asset").prefetch_related("asset__renditions")


def _media_item(asset: MediaAsset, choice: str, alt_text: str) -> base.MediaItem:
    if choice and choice != "original":
        rendition = next((r for r in asset.renditions.all() if r.preset == choice), None)
        if rendition is None:
            raise NotDeliverable(
                f"The {choice.replace('_', ' ')} version of {asset.original_name} is missing; "
                "open it in the media library to make it again."
            )
        file: FieldFile
        width: int | None
        height: int | None
        file, mime, size, width, height = (
            rendition.file,
            "image/jpeg",
            rendition.bytes,
            rendition.width,
            rendition.height,
        )
    else:
        file, mime, size, width, height = asset.file, asset.content_type, asset.bytes, asset.width, asset.height
    return base.MediaItem(
        kind=asset.kind,
        url=media_public_url(file),
        mime=mime,
        bytes=size,
        width=width,
        height=height,
        duration=asset.duration,
        alt_text=alt_text,
        filename=asset.original_name,
        open=_opener(file),
    )


def _opener(file: FieldFile) -> Callable[[], IO[bytes]]:
    return lambda: file.open("rb")


def account_credentials(account: SocialAccount) -> base.Account:
    try:
        if account.route == SocialAccount.Route.PUBLER:
            connection = getattr(account.client, "publer", None)
            if connection is None:
                raise NotDeliverable(f"{account.client.name} has no Publer key; add it under the client's accounts.")
            extra = {**account.extra, "workspace_id": account.client.publer_workspace_id, "network": account.platform,
                     "account_id": account.external_id}  # fmt: skip
            return base.Account(
                platform="publer",
                external_id=account.external_id,
                token=connection.api_key,
                name=account.name,
                extra=extra,
            )
        return base.Account(
            platform=account.platform,
            external_id=account.external_id,
            token=account.token,
            name=account.name,
            extra=dict(account.extra),
        )
    except SecretUnreadable:
        raise NotDeliverable(
            "The stored token cannot be read with the current encryption keys; reconnect the account."
        ) from None


def build_request(target: PostTarget, *, on_checkpoint: Callable[[dict], None] | None = None) -> base.PublishRequest:
    post = target.post
    assets = target_assets(target)
    choices = list(target.media_choices or [])
    if len(choices) != len(assets):  # not validated at scheduling time (e.g. publish now): decide now
        problems, picked = rules.check(
            target.account.platform, text=target.text, media=[media_facts(a) for a in assets], placement=post.placement
        )
        if problems:
            raise NotDeliverable("; ".join(p.message for p in problems))
        choices = [c.source if c else "original" for c in picked]
    cta = None
    if post.cta_action and target.account.platform == "google_business":
        cta = {"action_type": post.cta_action, "url": post.cta_url}
    return base.PublishRequest(
        target_id=str(target.pk),
        account=account_credentials(target.account),
        text=target.text,
        media=tuple(_media_item(a, c, post.alt_text) for a, c in zip(assets, choices, strict=True)),
        placement=post.placement,
        link=post.link,
        cta=cta,
        scheduled_at=target.scheduled_at or post.scheduled_at,
        on_checkpoint=on_checkpoint,
    )


_CONNECTORS: dict[tuple[int, str], base.Connector] = {}


def connector_for(account: SocialAccount) -> base.Connector:
    """This process's connector for the account's platform. Connectors hold no per-post state,
    so one per platform per process keeps its HTTP connections alive between posts."""
    platform = "publer" if account.route == SocialAccount.Route.PUBLER else account.platform
    key = (os.getpid(), platform)  # a worker forked from a parent gets its own sessions
    if key not in _CONNECTORS:
        _CONNECTORS[key] = connectors.get(platform)
    return _CONNECTORS[key]


def reconnect_message(account: SocialAccount, detail: str = "") -> str:
    """What to do about a dead connection. ``detail``, the classified error's message, already says
    what to do (errors.reconnect): it only gains "then press Retry" — never a second "reconnect"."""
    if detail:
        return detail if "press Retry" in detail else f"{detail.rstrip('. ')}, then press Retry."
    where = "the client's Publer workspace" if account.route == SocialAccount.Route.PUBLER else "Social accounts"
    return (
        f"{account.get_platform_display()} no longer accepts our access to {account.name}. "
        f"Reconnect the account under {where}, then press Retry."
    )


@transaction.atomic
def mark_needs_reconnect(account: SocialAccount, reason: str) -> None:
    """A dead token: the account stops posting until someone reconnects it; staff are told."""
    changed = SocialAccount.objects.filter(pk=account.pk, status=SocialAccount.Status.CONNECTED).update(
        status=SocialAccount.Status.NEEDS_RECONNECT, status_reason=reason[:300]
    )
    if changed:  # the event tells admins and owners (notifications/: kind "account_reconnect")
        record_event(None, "social_account.needs_reconnect", account, {"reason": reason[:200]})


def slow_down(account: SocialAccount, seconds: float, scope: str) -> None:
    """Honour a rate limit: pause this account (or the whole platform) for ``seconds``."""
    until = timezone.now() + timedelta(seconds=seconds)
    if scope == "app":
        platform = "publer" if account.route == SocialAccount.Route.PUBLER else account.platform
        PlatformPause.objects.update_or_create(
            platform=platform, defaults={"paused_until": until, "reason": "rate limited"}
        )
    else:
        SocialAccount.objects.filter(pk=account.pk).update(paused_until=until)
