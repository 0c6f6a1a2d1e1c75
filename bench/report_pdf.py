"""The monthly PDF report of a busy client (issue 18): a month with 500 published posts, made in
under 10 s and under 5 MB?

Makes a scratch database (PostgreSQL ``<DATABASE_URL's database>_report_bench`` when DATABASE_URL
points at PostgreSQL, else a temporary SQLite file) and a temporary media folder, migrates it, and
fills one client (logo, brand colours, three accounts) with --posts published posts in last month,
each with figures and a stored 640 px picture, daily followers, the month before (for the changes)
and 40 posts scheduled next month. Then it runs the report job (``reports.services.report_generate``:
read the figures, draw the charts, scale the top posts' pictures, lay out the PDF, store it) --runs
times and prints each run's wall time, the median and the worst, the PDF's size and page count.
Everything it made is dropped at the end. Nothing is asserted.

Run: .venv/bin/python bench/report_pdf.py [--posts 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_S, TARGET_MB = 10.0, 5.0


def psql_admin(url: str, sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    scratch = Path(tempfile.mkdtemp(prefix="report-bench-"))
    if base.startswith("postgres"):
        parts = urlsplit(base)
        url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_report_bench"))
        name = urlsplit(url).path.lstrip("/")
        psql_admin(base, f'DROP DATABASE IF EXISTS "{name}"')
        psql_admin(base, f'CREATE DATABASE "{name}"')
    else:
        url, name = f"sqlite:///{scratch / 'bench.sqlite3'}", ""
    os.environ.update(DATABASE_URL=url, DEBUG="1", VAR_DIR=str(scratch), DJANGO_SETTINGS_MODULE="localbzz.settings")
    os.environ.pop("REDIS_URL", None)
    try:
        run(args, scratch)
    finally:
        from django.db import connections

        connections.close_all()
        if name:
            psql_admin(base, f'DROP DATABASE IF EXISTS "{name}"')
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, scratch: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    settings.STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(scratch / "media")},
    }
    call_command("migrate", verbosity=0)
    from agency.models import Client
    from reports.figures import previous_month
    from reports.models import Report
    from reports.services import report_generate
    from reports.tests.factories import picture, schedule_next_month, seed_month

    client = Client.objects.create(name="Bench Bakery & Café", slug="bench-bakery", brand_colors=["#7a2e0e", "#f4d35e"],
                                   monthly_post_limit=450)  # fmt: skip
    client.logo.save("logo.jpg", ContentFile(picture((122, 46, 14), side=1200)))
    month = previous_month(timezone.localdate(timezone=client.tz))
    began = time.perf_counter()
    seed_month(client, month, posts=args.posts)
    seed_month(client, previous_month(month), posts=args.posts // 2, images=0, start_index=10_000)
    schedule_next_month(client, month, count=40)
    print(f"Seeded {args.posts} published posts in {month:%B %Y} in {time.perf_counter() - began:.1f} s "
          f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}).")  # fmt: skip

    samples, size, path = [], 0, scratch / "report.pdf"
    for i in range(args.runs + 1):
        report = Report.objects.update_or_create(client=client, month=month, defaults={"status": Report.Status.QUEUED})[
            0
        ]
        started = time.perf_counter()
        assert report_generate(report_id=str(report.pk)) == "ready"
        elapsed = time.perf_counter() - started
        report.refresh_from_db()
        size = report.size
        label = "cold (first run in the process, not counted)" if i == 0 else f"run {i}"
        print(f"  {label:<46} {elapsed:6.2f} s  {size / 1_048_576:5.2f} MB")
        if i:
            samples.append(elapsed)
        path.write_bytes(report.file.read())
    # Where the time goes: reading the figures (queries, pictures) and laying out the PDF.
    from reports.content import report_content
    from reports.pdf import report_pdf

    started = time.perf_counter()
    content = report_content(client, month)
    read = time.perf_counter() - started
    started = time.perf_counter()
    report_pdf(content)
    print(f"  of which: figures and pictures {read:.2f} s, PDF layout {time.perf_counter() - started:.2f} s")
    pages = ""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "")
    median, worst = statistics.median(samples), max(samples)
    print(f"Report of {args.posts} posts: median {median:.2f} s, worst {worst:.2f} s "
          f"({'under' if worst < TARGET_S else 'OVER'} {TARGET_S:.0f} s); {size / 1_048_576:.2f} MB "
          f"({'under' if size < TARGET_MB * 1_048_576 else 'OVER'} {TARGET_MB:.0f} MB)"
          f"{f'; {pages} pages' if pages else ''}. Load average: {os.getloadavg()[0]:.2f}.")  # fmt: skip


if __name__ == "__main__":
    main()
