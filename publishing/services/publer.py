"""Targets whose schedule Publer holds: reschedule and cancel them there first, and read back
what Publer published once their time has passed."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency.services.activity import record_event
from publishing import delivery, engine
from publishing.connectors.base import PlatformError
from publishing.connectors.publer import PublerConnector
from publishing.models import PostTarget, SocialAccount
from publishing.states import TargetStatus as T

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=30)  # how long after its time a post may take to show as published in Publer


def _refused(action: str, target: PostTarget, error: PlatformError) -> ValidationError:
    return ValidationError(
        f"Publer refused to {action} the post on {target.account}: {error.message} Nothing was changed here."
    )


def cancel_remote(targets: list[PostTarget]) -> None:
    """Delete scheduled posts in Publer. Raises ValidationError (nothing changed) if Publer refuses."""
    connector = PublerConnector()
    for target in targets:
        if not target.external_id:
            continue
        try:
            connector.delete(delivery.account_credentials(target.account), [target.external_id])
        except PlatformError as error:
            raise _refused("cancel", target, error) from None


def reschedule_remote(targets: list[PostTarget], when: datetime) -> None:
    """Move scheduled posts in Publer to ``when``; raises ValidationError if Publer refuses."""
    connector = PublerConnector()
    for target in targets:
        request = replace(delivery.build_request(target), scheduled_at=when)
        try:
            update = connector.update(request, target.external_id)
        except PlatformError as error:
            raise _refused("move", target, error) from None
        PostTarget.objects.filter(pk=target.pk).update(
            external_id=update.post_id or target.external_id,
            scheduled_at=when,
            checkpoint={
                **target.checkpoint,
                "post_id": update.post_id,
                **({"job_id": update.job_id} if update.job_id else {}),
            },
        )
        record_event(None, "post.publer_rescheduled", target.post, {"account": str(target.account), "how": update.how})


def sync_due(*, now: datetime | None = None) -> int:
    """Read back Publer-held targets whose time has passed: published, failed, or still waiting."""
    now = now or timezone.now()
    due = list(
        PostTarget.objects.select_related("account__client__publer", "post")
        .filter(status=T.SCHEDULED, remote_state="scheduled", scheduled_at__lte=now - timedelta(minutes=1))
        .filter(account__route=SocialAccount.Route.PUBLER)
    )
    settled = 0
    connector = PublerConnector()
    for target in due:
        try:
            credentials = delivery.account_credentials(target.account)
            account_ids = (target.account.external_id,)
            found = {
                p.id: p
                for state in ("published", "failed")
                for p in connector.list_posts(credentials, state=state, account_ids=account_ids)
            }
        except (PlatformError, delivery.NotDeliverable) as error:
            log.warning("Publer read-back failed for target %s: %s", target.pk, error)
            continue
        post = found.get(target.external_id)
        with transaction.atomic():
            if post and post.state == "published":
                PostTarget.objects.filter(pk=target.pk, status=T.SCHEDULED).update(
                    status=T.PUBLISHED, remote_state="published", url=post.post_link or target.url, published_at=now
                )
                record_event(
                    None, "post.target_published", target.post, {"account": str(target.account), "via": "Publer"}
                )
            elif (post and post.state == "failed") or (
                target.scheduled_at is not None and target.scheduled_at < now - GRACE
            ):
                reason = (
                    "Publer reports the post failed; open the Publer workspace for its reason, then retry."
                    if post
                    else "Publer has not published the post 30 minutes after its time; check the Publer workspace."
                )
                PostTarget.objects.filter(pk=target.pk, status=T.SCHEDULED).update(
                    status=T.FAILED, remote_state="", error_kind="rejected", last_error=reason
                )
                record_event(
                    None, "post.target_failed", target.post, {"account": str(target.account), "reason": reason}
                )
            else:
                continue
            engine.refresh_post(target.post_id)
            settled += 1
    return settled
