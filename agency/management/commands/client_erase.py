"""manage.py client_erase <slug> --yes: erase one client completely (rows, files, tokens)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agency.models import Client
from agency.services import client_data
from localbzz.text import counted


class Command(BaseCommand):
    help = "Erase one client for good: every record, stored file, token and portal user. Cannot be undone."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The client's slug (its portal subdomain).")
        parser.add_argument("--yes", action="store_true", help="Confirm: erase without asking.")

    def handle(self, *args, slug: str, yes: bool, **options):
        client = Client.objects.filter(slug=slug).first()
        if client is None:
            raise CommandError(f"No client with the slug “{slug}”. See the slugs on the Clients page.")
        if not yes:
            preview = ", ".join(
                counted(n, client_data.ERASURE_SINGULAR[label], label)
                for label, n in client_data.erasure_preview(client).items()
                if n
            )
            raise CommandError(
                f"This erases {client.name} for good ({preview or 'no records besides the client'}). "
                "Run again with --yes to confirm."
            )
        summary = client_data.client_erase(actor=None, client=client)
        self.stdout.write(
            f"Erased {summary.name} ({summary.slug}): {counted(sum(summary.rows.values()), 'record')}, "
            f"{counted(summary.files, 'file')}."
        )
        if summary.files_not_removed:
            self.stderr.write(
                f"{counted(len(summary.files_not_removed), 'stored file')} could not be removed (names in the log): "
                + ", ".join(summary.files_not_removed)
            )
