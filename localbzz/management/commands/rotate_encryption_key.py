"""Re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEYS key."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from localbzz import crypto


class Command(BaseCommand):
    help = "Re-encrypt stored tokens and API keys with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        with transaction.atomic():
            for label, field in crypto.ENCRYPTED_FIELDS:
                model = apps.get_model(label)
                for obj in model.objects.exclude(**{field: ""}).select_for_update().only("pk", field):
                    setattr(obj, field, crypto.rotate(getattr(obj, field)))
                    obj.save(update_fields=[field])
                    total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} secrets with the newest key."))
