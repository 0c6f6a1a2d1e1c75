"""The client API's attachments: files on the client's own deliverables (read) and requests (read,
attach, remove what they attached). The views are publishing's; only how the thing is found and
who may ask differ: the thing must be the token's client's, anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from agency.models import Deliverable, PortalRequest
from portal import selectors
from portal.permissions import IsClientUser
from publishing.api.attachments import attachment_views


class ClientOwned:
    """Mixed in first: the client user's own deliverable or request, found through portal.selectors."""

    permission_classes = [IsClientUser]
    kind: str
    kwargs: dict[str, Any]
    request: Any

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # the view class after this mixin has it
        self.client = request.client_user.client
        timezone.activate(self.client.tz)

    def get_target(self) -> Deliverable | PortalRequest:
        try:
            if self.kind == "deliverable":
                return selectors.deliverable_get(self.client, self.kwargs["pk"])
            return selectors.request_get(self.client, self.kwargs["pk"])
        except (Deliverable.DoesNotExist, PortalRequest.DoesNotExist):
            raise Http404(f"You have no {self.kind} with this id.") from None

    def uploader(self) -> dict[str, Any]:
        return {"uploaded_by": self.request.user, "from_client": True}


DeliverableAttachments = attachment_views(
    kind="deliverable", route="client-deliverable", thing="your deliverable", mixin=ClientOwned,
    upload=False, remove=False,
)  # fmt: skip
RequestAttachments = attachment_views(kind="request", route="client-request", thing="your request", mixin=ClientOwned)
