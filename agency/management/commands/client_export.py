"""manage.py client_export <slug> --out file.zip: everything of one client (records and media)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agency.models import Client
from agency.services import client_data
from localbzz.text import counted


class Command(BaseCommand):
    help = "Export everything of one client (client.json + media/) as a zip; no tokens or passwords."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The client's slug (its portal subdomain).")
        parser.add_argument("--out", required=True, help="Where to write the zip, e.g. bella-bakery.zip.")

    def handle(self, *args, slug: str, out: str, **options):
        client = Client.objects.filter(slug=slug).first()
        if client is None:
            raise CommandError(f"No client with the slug “{slug}”. See the slugs on the Clients page.")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist: create it or choose another --out.")
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as handle:
                summary = client_data.client_export(actor=None, client=client, out=handle)
            partial.replace(path)  # never a half-written zip under the requested name
        finally:
            partial.unlink(missing_ok=True)
        records = sum(summary.records.values())
        self.stdout.write(
            f"Wrote {path}: {counted(records, 'record')}, {counted(summary.files, 'file')} "
            f"({counted(summary.bytes, 'byte')})."
        )
        if summary.missing_files:
            missing = len(summary.missing_files)
            self.stderr.write(
                f"{counted(missing, 'stored file')} {'was' if missing == 1 else 'were'} missing "
                "(listed in media/MISSING.txt)."
            )
