"""Load the demo data idempotently: running it twice changes nothing the second time."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from agency import demo as agency_demo
from portal import demo as portal_demo
from publishing import demo as publishing_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo agency: staff, clients and their work. Safe to run repeatedly."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = agency_demo.seed()
            owner = agency_demo.owner_user()
            created |= publishing_demo.seed(actor=owner)
            created |= publishing_demo.seed_publishing(actor=owner)
            created |= portal_demo.seed(actor=owner)
        what = ", ".join(f"{n} {label}" for label, n in created.items() if n) or "nothing new (already loaded)"
        self.stdout.write(self.style.SUCCESS(f"Demo data: {what}."))
