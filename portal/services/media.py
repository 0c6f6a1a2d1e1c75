"""A client's own uploads: deleting what its people uploaded and no post uses."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from portal import selectors
from portal.models import ClientUser
from publishing.models import MediaAsset
from publishing.services.media import edit as edit_services


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
    edit_services.media_delete(actor=client_user.user, asset=asset)
