"""django-q2 task functions of publishing: thin, the work is in the services."""

from __future__ import annotations

from publishing import engine
from publishing.services import missed, publer
from publishing.services.attachments import attachment_clean as attachment_clean_service
from publishing.services.media.renditions import media_renditions_build
from publishing.services.media_sweep import media_sweep as sweep_media


def media_renditions_make(asset_id: str, version: int) -> str:
    asset = media_renditions_build(asset_id=asset_id, version=version)
    return "done" if asset is not None else "skipped"


def run_claims(batch: list) -> dict:
    """A batch of claims (target id, lease token, verify?) published concurrently."""
    return engine.run_claims([engine.Claim(str(target_id), token, bool(verify)) for target_id, token, verify in batch])


def media_sweep() -> dict:
    """Every five minutes (django-q2 Schedule): leftovers of crashed uploads and workers, stuck assets."""
    return {k: len(v) for k, v in sweep_media().items()}


def publish_target(target_id: str, token: str) -> str:
    return engine.publish(target_id, token)


def verify_target(target_id: str, token: str) -> str:
    return engine.verify(target_id, token)


def sweep() -> dict:
    """Every minute (django-q2 Schedule): recover expired leases, dispatch what was missed,
    read back what Publer published, tell the agency about posts that missed their time."""
    report = engine.sweep()
    report["publer"] = publer.sync_due()
    report["missed"] = missed.flag_missed()
    return report


def attachment_clean(attachment_id: str) -> str:
    """Remove a photo attachment's metadata when that needed a decode (publishing.services.attachments)."""
    return "done" if attachment_clean_service(attachment_id=attachment_id) is not None else "skipped"
