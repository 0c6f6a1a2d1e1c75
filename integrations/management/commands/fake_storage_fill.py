"""``manage.py fake_storage_fill <shoot> [--count 50]``: drawn photos in a shoot's folder in the
fake Drive/Dropbox (demo only), as if the photographer had uploaded them. ``<shoot>`` is the
shoot's id or a part of its title."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from integrations.storage import demo
from integrations.storage.models import ShootFolder
from integrations.storage.providers import StorageError


class Command(BaseCommand):
    help = "Put demo photos in a shoot's folder in the fake cloud storage (make run)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("shoot", help="the shoot's id, or a part of its title")
        parser.add_argument("--count", type=int, default=50)

    def handle(self, *args, shoot: str, count: int, **options) -> None:
        folders = ShootFolder.objects.select_related("shoot")
        try:
            found = list(folders.filter(shoot_id=uuid.UUID(shoot)))
        except ValueError:
            found = list(folders.filter(shoot__title__icontains=shoot)[:2])
        if not found:
            raise CommandError(
                f"No shoot “{shoot}” with a folder: create the folder first (the shoot page's Files card)."
            )
        if len(found) > 1:
            raise CommandError(f"Several shoots with folders match “{shoot}”: give the shoot's id.")
        folder = found[0]
        try:
            made = demo.fill(folder, count)
        except StorageError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{made} photos put in {folder.get_provider_display()} folder “{folder.name}”.")
