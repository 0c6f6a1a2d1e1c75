"""django-q2 task functions of generation: thin, the work is in the services."""

from __future__ import annotations

from generation.services.images import image_item_run as run


def image_item_run(item_id: str) -> str:
    return run(item_id=item_id)
