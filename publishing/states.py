"""The state machines of posts and their targets — the one place their transitions live.

Post:   draft → pending_approval → (changes_requested → pending_approval)
        → [pending_client_approval →] approved → scheduled → publishing
        → published | partially_published | failed
        canceled from any state before publishing; rejected from review.
Target: pending → scheduled → publishing → published | failed | unconfirmed | canceled
        (a retryable failure goes back to scheduled with a later next_attempt_at;
        unconfirmed is verified against the platform → published, scheduled or failed).
"""

from __future__ import annotations

from django.db import models


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PENDING_CLIENT_APPROVAL = "pending_client_approval", "Waiting for the client"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    PARTIALLY_PUBLISHED = "partially_published", "Partly published"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"
    REJECTED = "rejected", "Rejected"


class TargetStatus(models.TextChoices):
    PENDING = "pending", "Not scheduled yet"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Checking with the platform"
    CANCELED = "canceled", "Canceled"


P, T = PostStatus, TargetStatus

# How a client reads a post's status on its own portal: the model's labels, except the two that
# say who is waiting, in the words of the portal dashboard ("With the team", "Waiting for you").
CLIENT_SIDE_LABELS: dict[str, str] = {
    PostStatus.PENDING_APPROVAL: "With the team",
    PostStatus.PENDING_CLIENT_APPROVAL: "Waiting for you",
}


def client_side_label(status: str) -> str:
    return CLIENT_SIDE_LABELS.get(status) or dict(PostStatus.choices).get(status, status)


POST_TRANSITIONS: dict[str, set[str]] = {
    P.DRAFT: {P.PENDING_APPROVAL, P.APPROVED, P.CANCELED},
    P.PENDING_APPROVAL: {P.APPROVED, P.PENDING_CLIENT_APPROVAL, P.CHANGES_REQUESTED, P.REJECTED, P.CANCELED},
    P.CHANGES_REQUESTED: {P.PENDING_APPROVAL, P.DRAFT, P.CANCELED},
    P.PENDING_CLIENT_APPROVAL: {P.APPROVED, P.CHANGES_REQUESTED, P.REJECTED, P.CANCELED},
    # APPROVED/SCHEDULED → PENDING_APPROVAL: edited by someone who cannot approve (back for approval).
    P.APPROVED: {P.SCHEDULED, P.PUBLISHING, P.CHANGES_REQUESTED, P.PENDING_APPROVAL, P.CANCELED},
    P.SCHEDULED: {
        P.SCHEDULED,
        P.APPROVED,
        P.PUBLISHING,
        P.PUBLISHED,
        P.PARTIALLY_PUBLISHED,
        P.FAILED,
        P.CANCELED,
        P.PENDING_APPROVAL,
    },  # fmt: skip
    P.PUBLISHING: {P.PUBLISHING, P.PUBLISHED, P.PARTIALLY_PUBLISHED, P.FAILED},
    P.PARTIALLY_PUBLISHED: {P.PUBLISHING, P.PUBLISHED, P.FAILED, P.PARTIALLY_PUBLISHED},
    P.FAILED: {P.PUBLISHING, P.PARTIALLY_PUBLISHED, P.PUBLISHED, P.FAILED},
    P.PUBLISHED: set(),
    P.CANCELED: set(),
    P.REJECTED: set(),
}

TARGET_TRANSITIONS: dict[str, set[str]] = {
    T.PENDING: {T.SCHEDULED, T.PUBLISHING, T.CANCELED},
    T.SCHEDULED: {T.SCHEDULED, T.PUBLISHING, T.PENDING, T.CANCELED, T.PUBLISHED, T.FAILED},
    T.PUBLISHING: {T.PUBLISHED, T.FAILED, T.UNCONFIRMED, T.SCHEDULED},
    T.UNCONFIRMED: {T.PUBLISHED, T.SCHEDULED, T.FAILED, T.UNCONFIRMED},
    T.FAILED: {T.SCHEDULED},  # a person's "retry"
    T.PUBLISHED: set(),
    T.CANCELED: set(),
}

# Posts of which nothing has gone out yet: a person may still edit them (text, media, accounts, time)
# and may still cancel them. One rule, two names for the callers that read better with one or the other.
EDITABLE = {P.DRAFT, P.PENDING_APPROVAL, P.CHANGES_REQUESTED, P.PENDING_CLIENT_APPROVAL, P.APPROVED, P.SCHEDULED}
CANCELABLE = EDITABLE
# Posts that count against a client's monthly limit (everything submitted but canceled/rejected).
NOT_COUNTED = {P.CANCELED, P.REJECTED}
TARGET_OPEN = {T.PENDING, T.SCHEDULED, T.PUBLISHING, T.UNCONFIRMED}
TARGET_DONE = {T.PUBLISHED, T.FAILED, T.CANCELED}


class InvalidTransition(Exception):
    def __init__(self, what: str, current: str, wanted: str, labels: dict[str, str]):
        self.current, self.wanted = current, wanted
        super().__init__(
            f"This {what} is {labels.get(current, current).lower()}; it cannot become "
            f"{labels.get(wanted, wanted).lower()}."
        )


def check_post(current: str, wanted: str) -> None:
    if wanted not in POST_TRANSITIONS[current]:
        raise InvalidTransition("post", current, wanted, dict(PostStatus.choices))


def move_post(post, status: str) -> str:
    """Check and set ``post.status`` (unsaved); returns the old status."""
    check_post(post.status, status)
    old, post.status = post.status, status
    return old


def check_target(current: str, wanted: str) -> None:
    if wanted not in TARGET_TRANSITIONS[current]:
        raise InvalidTransition("target", current, wanted, dict(TargetStatus.choices))


def post_outcome(target_statuses: list[str]) -> str | None:
    """A post's status from its targets once none is still open; None while some are."""
    live = [s for s in target_statuses if s != T.CANCELED]
    if any(s in TARGET_OPEN for s in target_statuses):
        return None
    if not live:
        return P.CANCELED
    published = sum(1 for s in live if s == T.PUBLISHED)
    if published == len(live):
        return P.PUBLISHED
    return P.PARTIALLY_PUBLISHED if published else P.FAILED
