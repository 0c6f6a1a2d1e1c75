"""publishing's part of a client's export and erasure (see ``agency.client_data``)."""

from __future__ import annotations

from agency import client_data as parts
from publishing.models import (
    Attachment,
    MediaAsset,
    MediaFolder,
    MediaRendition,
    MediaTag,
    Post,
    PostMedia,
    PostTarget,
    PublerConnection,
    SocialAccount,
)


def register() -> None:
    parts.register_section("posts", 200, lambda c: Post.objects.filter(client=c).order_by("created_at"))
    parts.register_section(
        "post_media", 210, lambda c: PostMedia.objects.filter(post__client=c).order_by("post_id", "position")
    )
    parts.register_section(
        "post_targets", 220, lambda c: PostTarget.objects.filter(post__client=c).order_by("created_at")
    )
    parts.register_section("media_folders", 230, lambda c: MediaFolder.objects.filter(client=c))
    parts.register_section("media_tags", 240, lambda c: MediaTag.objects.filter(client=c))
    parts.register_section(
        "media_assets",
        250,
        lambda c: MediaAsset.objects.filter(client=c).order_by("created_at").prefetch_related("tags"),
        more=lambda a: {"tags": sorted(t.name for t in a.tags.all())},
    )
    parts.register_section("media_renditions", 260, lambda c: MediaRendition.objects.filter(asset__client=c))
    parts.register_section(
        "social_accounts", 270, lambda c: SocialAccount.objects.filter(client=c).order_by("created_at")
    )
    parts.register_section("publer_connection", 280, lambda c: PublerConnection.objects.filter(client=c))
    parts.register_section("attachments", 290, lambda c: Attachment.objects.filter(client=c).order_by("created_at"))
    parts.register_files("media", 200, lambda c: parts.file_names(MediaAsset, client=c))
    parts.register_files("renditions", 210, lambda c: parts.file_names(MediaRendition, asset__client=c))
    parts.register_files("attachments", 220, lambda c: parts.file_names(Attachment, client=c))
    # Posts before social accounts: a post's targets protect the accounts they publish to.
    parts.register_erase("posts", 200, lambda c: Post.objects.filter(client=c))
    parts.register_count("posts", 200, lambda c: Post.objects.filter(client=c).count())
    parts.register_count("media files", 210, lambda c: MediaAsset.objects.filter(client=c).count())
    parts.register_count("attachments", 215, lambda c: Attachment.objects.filter(client=c).count())
    parts.register_count(
        "social accounts (and their tokens)", 220, lambda c: SocialAccount.objects.filter(client=c).count()
    )
