"""django-q2 task functions of publishing: thin, the work is in the services."""

from __future__ import annotations

from publishing.services import media


def media_renditions_make(asset_id: str, version: int) -> str:
    asset = media.media_renditions_build(asset_id=asset_id, version=version)
    return "done" if asset is not None else "skipped"
