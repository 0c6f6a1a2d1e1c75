from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from agency import demo
from portal import demo as portal_demo


class Command(BaseCommand):
    help = "Print where everything is and the demo sign-ins (used by `make run`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options) -> None:
        base = f"http://localhost:{port}"
        portal = f"http://{demo.DEMO_CLIENT_SLUGS[0]}.{settings.PORTAL_DOMAIN}:{port}/"
        lines = [
            "",
            "  LocalBzz is starting",
            f"  Staff app      {base}/",
            f"  API docs       {base}/api/docs/   (schema: {base}/api/v1/schema/)",
            f"  Admin          {base}/admin/",
            f"  Client portal  {portal}",
            "",
            "  Demo sign-ins (password for all: " + demo.DEMO_PASSWORD + ")",
        ]
        lines += [f"    {label:<22} {email}" for label, email in demo.demo_logins()]
        for client, email in portal_demo.portal_logins():
            url = f"http://{client.slug}.{settings.PORTAL_DOMAIN}:{port}/"
            lines.append(f"    {client.name + ' portal':<22} {email}  at {url}")
        lines.append("")
        self.stdout.write("\n".join(lines))
