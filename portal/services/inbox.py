"""A client's requests to the agency and its review of deliverables."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from agency.models import Deliverable, PortalRequest, RequestMessage
from agency.services import deliverables as deliverable_services
from agency.services import inbox as inbox_services
from portal.models import ClientUser


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
