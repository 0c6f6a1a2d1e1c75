"""Load the demo data idempotently: running it twice changes nothing the second time."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from agency import demo as agency_demo
from analytics import demo as analytics_demo
from localbzz.text import counted
from portal import demo as portal_demo
from publishing import demo as publishing_demo

# What the demo seeds count, plural → singular, so the summary says "1 post", never "1 posts".
SINGULAR = {
    "team members": "team member",
    "clients": "client",
    "shoots": "shoot",
    "deliverables": "deliverable",
    "tasks": "task",
    "leads": "lead",
    "requests": "request",
    "media files": "media file",
    "attachments": "attachment",
    "social accounts": "social account",
    "posts": "post",
    "portal users": "portal user",
    "posts waiting for a client": "post waiting for a client",
    "published posts": "published post",
    "metric snapshots": "metric snapshot",
    "follower days": "follower day",
}


def summary(created: dict[str, int]) -> str:
    """ "5 team members, 1 post waiting for a client" — each count with its noun in the right number."""
    return ", ".join(counted(n, SINGULAR[label], label) for label, n in created.items() if n)


class Command(BaseCommand):
    help = "Create (or complete) the demo agency: staff, clients and their work. Safe to run repeatedly."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = agency_demo.seed()
            owner = agency_demo.owner_user()
            created |= publishing_demo.seed(actor=owner)
            created |= publishing_demo.seed_publishing(actor=owner)
            created |= portal_demo.seed(actor=owner)
            created |= analytics_demo.seed(actor=owner)  # after the media: its posts show the demo photos
        what = summary(created) or "nothing new (already loaded)"
        self.stdout.write(self.style.SUCCESS(f"Demo data: {what}."))
