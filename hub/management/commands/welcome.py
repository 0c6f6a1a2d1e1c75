from __future__ import annotations

from django.core.management.base import BaseCommand

from agency import demo
from localbzz.app_urls import app_base, portal_url
from portal import demo as portal_demo


class Command(BaseCommand):
    help = "Print where everything is and the demo sign-ins (used by `make run`; APP_HOST says where)."

    def handle(self, *args, **options) -> None:
        base = app_base()
        portal = portal_url(demo.DEMO_CLIENT_SLUGS[0])
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
        staff = demo.demo_logins()
        portals = [
            (f"{client.name} portal", email, portal_url(client.slug)) for client, email in portal_demo.portal_logins()
        ]
        width = max(len(label) for label, *_ in [*staff, *portals])  # one column, however long a name
        lines += [f"    {label:<{width}}  {email}" for label, email in staff]
        lines += [f"    {label:<{width}}  {email}  at {url}" for label, email, url in portals]
        lines.append("")
        self.stdout.write("\n".join(lines))
