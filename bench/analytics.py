"""The analytics selectors and endpoint at a real agency's scale (issue 18): is a client's results
page data ready in under 200 ms?

Needs a PostgreSQL database filled by ``seed_volume`` (which also seeds the metrics). Either point
DATABASE_URL at one, or let the script make a scratch one (``<your database>_analytics_bench``),
fill it at ``--scale`` (kept for the next run; ``--drop`` drops it at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/localbzz_volume .venv/bin/python bench/analytics.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbz_h5 .venv/bin/python bench/analytics.py --make --scale 1

For the busiest volume client (most published targets) it prints, per period (28, 90 and 365 days
up to today): ``client_analytics`` in-process (median and max of ``--runs`` runs after one warm-up,
and its query count), the staff endpoint ``GET /api/v1/clients/{id}/analytics`` and the client's
``GET /api/v1/client/analytics`` (Django's test client, in-process: routing, auth, JSON), then
``agency_analytics`` over all clients. Each line shows the wall time and the CPU one run costs
(this process's plus its PostgreSQL backend's, read from /proc: on a quiet machine the wall time
is about that; on a loaded one the wall time is not the code's), set against the 200 ms floor.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FLOOR_MS = 200.0


def scratch_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_analytics_bench"))


def psql_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend serving this process's connection has used (it runs on
    this machine: /proc). With our own CPU time, what a request costs whatever the machine's load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(median wall ms, max wall ms, CPU ms per run: this process's plus PostgreSQL's)."""
    fn()  # warm-up: connections, plans, caches
    samples = []
    cpu_before, db_before = time.process_time(), backend_cpu()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_before + backend_cpu() - db_before) * 1000 / runs
    return statistics.median(samples), max(samples), cpu


def line(label: str, median: float, worst: float, cpu: float, extra: str = "") -> None:
    verdict = "under" if cpu < FLOOR_MS else "OVER"
    print(
        f"  {label:<40} wall median {median:6.1f} ms, max {median if worst < median else worst:6.1f} ms;"
        f" CPU {cpu:6.1f} ms ({verdict} the {FLOOR_MS:.0f} ms floor){extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--make", action="store_true", help="make and fill a scratch database (kept if filled)")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument("--scale", type=float, default=1.0, help="seed_volume scale for --make")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see this file's doc).")
    # Production settings (DEBUG off: no query log), as the pages bench runs them.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("RATE_LIMIT_ENABLED", "0")
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-analytics-var-"))
    # The /analytics/ page links hashed static files: collected (once) into a scratch manifest.
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="bench-analytics-static-"))
    key_file = ROOT / "var" / "field_encryption_key"  # the key `seed_demo` encrypted demo tokens with
    if "FIELD_ENCRYPTION_KEYS" not in os.environ:
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEYS"] = (
            key_file.read_text().strip() if key_file.exists() else Fernet.generate_key().decode()
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    url = base
    if args.make:
        url = scratch_url(base)
        name = urlsplit(url).path.lstrip("/")
        try:
            psql_admin(base, f'CREATE DATABASE "{name}"')
            args.fill = True
        except Exception:  # it exists: filled by an earlier run (or drop it with --drop and run again)
            args.fill = False
        os.environ["DATABASE_URL"] = url
    try:
        run(args, url)
    finally:
        if args.make and args.drop:
            from django.db import connections

            connections.close_all()
            psql_admin(base, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"')


def run(args, url: str) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from agency.models import Client, User
    from analytics import selectors
    from analytics.models import TargetMetrics
    from portal.models import ClientUser

    if args.make and args.fill:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("seed_volume", "--scale", str(args.scale), stdout=io.StringIO())
        print(f"seed_volume --scale {args.scale}: {time.monotonic() - started:.0f} s")
    busiest = (
        TargetMetrics.objects.filter(client__slug__startswith="vol-")
        .values("client")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        sys.exit("No seed_volume metrics in this database: run `manage.py seed_volume` (or use --make).")
    client = Client.objects.get(pk=busiest["client"])
    total = TargetMetrics.objects.count()
    print(f"{client.name}: {busiest['n']} published targets with figures (of {total} in the database)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    owner = (
        User.objects.filter(team_member__access_level="owner").first() or User.objects.filter(is_active=True).first()
    )
    staff = HttpClient(HTTP_HOST="localhost")
    staff.force_login(owner, backend="agency.auth_backends.StaffBackend")
    member = ClientUser.objects.filter(client=client).select_related("user").first()
    client_api = (
        HttpClient(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {portal_token(member)}") if member else None
    )
    today = timezone.now().astimezone(client.tz).date()
    for days in (28, 90, 365):
        start, end = today - timedelta(days=days - 1), today
        print(f"last {days} days ({start} to {end}):")
        with CaptureQueriesContext(connection) as queries:
            result = selectors.client_analytics(client=client, start=start, end=end)
        median, worst, cpu = timed(
            lambda s=start, e=end: selectors.client_analytics(client=client, start=s, end=e), args.runs
        )
        line("client_analytics (selector)", median, worst, cpu,
             f"  {len(queries)} queries, {result.posts_published} posts")  # fmt: skip
        query = {"from": start.isoformat(), "to": end.isoformat()}
        path = f"/api/v1/clients/{client.pk}/analytics"
        assert staff.get(path, query).status_code == 200
        line("GET /api/v1/clients/{id}/analytics", *timed(lambda p=path, q=query: staff.get(p, q), args.runs))
        if client_api is not None:
            assert client_api.get("/api/v1/client/analytics", query).status_code == 200
            line("GET /api/v1/client/analytics (JWT)", *timed(
                lambda q=query: client_api.get("/api/v1/client/analytics", q), args.runs))  # fmt: skip
    start = today - timedelta(days=27)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    line("agency_analytics, 28 days, every client",
         *timed(lambda: selectors.agency_analytics(start=start, end=today), args.runs))  # fmt: skip
    call_command("collectstatic", interactive=False, verbosity=0)
    page = staff.get("/analytics/")  # the agency page, default period (28 days): selector plus rendering
    assert page.status_code == 200, page.status_code
    line("GET /analytics/ (page, default period)", *timed(lambda: staff.get("/analytics/"), args.runs),
         f"  {len(page.content):,} bytes")  # fmt: skip
    # The client's Analytics tab on its staff page (the panel htmx loads) and its portal's Results page.
    panel = f"/clients/{client.pk}/analytics/panel/"
    page = staff.get(panel)
    assert page.status_code == 200, page.status_code
    line("GET client page's Analytics tab", *timed(lambda: staff.get(panel), args.runs),
         f"  {len(page.content):,} bytes")  # fmt: skip
    if member is not None:
        portal = HttpClient(HTTP_HOST=f"{client.slug}.localhost")
        portal.force_login(member.user, backend="agency.auth_backends.StaffBackend")
        page = portal.get("/results/")
        assert page.status_code == 200, page.status_code
        line("GET portal /results/ (Results page)", *timed(lambda: portal.get("/results/"), args.runs),
             f"  {len(page.content):,} bytes")  # fmt: skip


def portal_token(member) -> str:
    """The client's access token, as POST /api/v1/client/login makes it."""
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(member.user).access_token)


if __name__ == "__main__":
    main()
