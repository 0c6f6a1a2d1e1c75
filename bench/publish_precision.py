"""How precisely and how fast LocalBzz publishes: N targets due in the same second.

Starts the fake platforms (answering after --latency seconds), a fresh database (PostgreSQL
--database-url, else a temporary SQLite file), real dispatchers and django-q2 clusters as separate
processes, then schedules N targets across many accounts, all due at the same instant. Prints the
lag from the scheduled time to the fake's receipt (p50/p99/max), publishes per second, duplicates
and losses — for 100 targets due at once and for --targets (default 500).

    .venv/bin/python bench/publish_precision.py [--targets 1000] [--latency 0.1] [--workers 3 --task-size 50]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1, help="Seconds the fake platforms take to answer.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/localbzz_bench"),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="django-q2 broker; 'none' uses the database (ORM broker).",
    )
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="Worker processes per cluster.")
    parser.add_argument(
        "--task-size",
        type=int,
        default=50,
        help="PUBLISH_TASK_SIZE: targets per task, published at once by a worker's threads (one connection each).",
    )
    parser.add_argument("--logs", default="", help="A folder for the dispatchers' and clusters' output (else dropped).")
    return parser.parse_args()


def database(url: str) -> str:
    """A fresh database at ``url`` if PostgreSQL answers there, else a temporary SQLite file."""
    try:
        import psycopg

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return url
    except Exception as error:  # no PostgreSQL here: measure on SQLite instead, and say so
        print(f"(PostgreSQL unavailable: {error.__class__.__name__}; using SQLite)")
        return f"sqlite:///{tempfile.mkdtemp(prefix='localbzz-bench-')}/bench.sqlite3"


def bench_port(default: str = "") -> int:
    """A free port: the first free one of ``BENCH_PORTS`` (e.g. 9500-9599) when it is set, else of
    ``default``, else 0 (one the system picks). Every benchmark takes its ports here."""
    import socket

    ports = os.environ.get("BENCH_PORTS") or default
    if not ports:
        return 0
    low, high = (int(p) for p in ports.split("-"))
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port between {low} and {high} (BENCH_PORTS).")


def redis_ok(url: str) -> bool:
    if url == "none":
        return False
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        redis.Redis.from_url(url).flushdb()
        return True
    except Exception:
        return False


def log_file(args, name: str):
    """Where a process's output goes: ``--logs``/NAME.log, or nowhere."""
    if not args.logs:
        return subprocess.DEVNULL
    Path(args.logs).mkdir(parents=True, exist_ok=True)
    return open(Path(args.logs) / f"{name}.log", "w")  # kept open while the process runs


def main() -> None:
    args = parse_args()
    db_url = database(args.database_url)
    use_redis = redis_ok(args.redis_url)
    env = {
        # Production-like: DEBUG off (no per-query bookkeeping), persistent database connections.
        **os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "OUTBOUND_ALLOW_PRIVATE": "1", "LOG_LEVEL": "WARNING",
        "SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "localhost",
        "VAR_DIR": os.environ.get("VAR_DIR", str(ROOT / "var")), "Q_WORKERS": str(args.workers),
        "PUBLISH_TASK_SIZE": str(args.task_size),
        "PLATFORM_POLL_INTERVAL": "0.05", "PLATFORM_POLL_MAX_INTERVAL": "0.2", "Q_POLL": "0.05",
        "DB_CONN_MAX_AGE": "600",
    }  # fmt: skip
    env.pop("REDIS_URL", None)
    if use_redis:
        env["REDIS_URL"] = args.redis_url
    env["BENCH_LATENCY"] = str(args.latency)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    from publishing.fakes.server import FakePlatformServer

    server = FakePlatformServer("127.0.0.1", bench_port()).start()
    env["FAKE_PLATFORMS_URL"] = os.environ["FAKE_PLATFORMS_URL"] = server.url
    import django

    django.setup()
    server.fake.configure(**{"x.rate_limit": 100_000, "publer.rate_limit": 100_000})
    server.fake.set_latency("*", args.latency)
    print(
        f"Database: {'PostgreSQL' if db_url.startswith('postgres') else 'SQLite'} · broker: "
        f"{'Redis' if use_redis else 'database (ORM)'} · {args.dispatchers} dispatchers · {args.clusters} clusters × "
        f"{args.workers} workers × {args.task_size} threads"
        f" · fake platforms answer after {args.latency * 1000:.0f} ms · {os.cpu_count()} CPUs"
    )

    procs = []
    for _ in range(args.dispatchers):
        procs.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_dispatcher", "--poll", "0.5"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=log_file(args, f"dispatcher-{len(procs)}"),
            )
        )
    for _ in range(args.clusters):
        procs.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=log_file(args, f"cluster-{len(procs)}"),
            )
        )
    try:
        time.sleep(6)  # let the clusters start their workers
        world = setup_world()
        round_of(40, world, server)  # warm-up (imports, connections): not reported
        results = []
        for n in sorted({100, args.targets}):
            server.fake.reset()
            server.fake.configure(**{"x.rate_limit": 100_000, "publer.rate_limit": 100_000})
            server.fake.set_latency("*", args.latency)
            results.append(round_of(n, world, server))
        floor = http_floor(args.targets, args.workers * args.clusters * args.task_size, server)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        server.stop()
    print()
    columns = ["due at once", "min lag", "p50 lag", "p99 lag", "max lag", "publishes/s", "duplicates", "losses"]
    print("  ".join(f"{c:>11}" for c in columns))
    for r in results:
        lags = [f"{r[k]:>10.3f}s" for k in ("min", "p50", "p99", "max")]
        print(
            "  ".join([f"{r['n']:>11}", *lags, f"{r['rate']:>11.1f}", f"{r['duplicates']:>11}", f"{r['losses']:>11}"])
        )
    print(
        f"\nFloor, same run: {args.targets} bare POSTs to the fake (no database, no Django), "
        f"{floor['threads']} at a time from one process: {floor['rate']:.1f}/s."
    )
    print("Targets: p99 lag < 1 s for 100 due at once; >= 200 publishes/s for 1,000; 0 duplicates; 0 losses.")
    print("(Peers such as Buffer or Publer tick once a minute: a lag of up to 60 s.)")


def http_floor(n: int, threads: int, server) -> dict:
    """What the network part alone allows on this machine now: n POSTs to the fake's Facebook feed
    (same latency), ``threads`` at a time, from one process."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    server.fake.reset()
    server.fake.set_latency("*", float(os.environ.get("BENCH_LATENCY", "0.1")))
    session_of = {}

    def post(i: int) -> None:
        import threading

        session = session_of.setdefault(threading.get_ident(), requests.Session())
        session.post(f"{server.url}/graph/v23.0/10001/feed", data={"message": f"floor {i}", "access_token": "demo-x"})

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(post, range(n)))
    return {"threads": threads, "rate": n / (time.monotonic() - started)}


def setup_world():
    from agency.models import Client, User
    from agency.services.team import team_member_create
    from publishing.tests.posting import accounts_for

    owner = team_member_create(actor=None, email="bench-owner@localbzz.local", access_level="owner").user
    accounts = []
    for i in range(20):
        client = Client.objects.create(name=f"Bench client {i}", slug=f"bench-{i}")
        accounts += list(accounts_for(client, owner, platforms=("facebook", "linkedin", "x")).values())
    return {"owner": User.objects.get(pk=owner.pk), "accounts": accounts}


def round_of(n: int, world: dict, server) -> dict:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from publishing.models import Post, PostMedia, PostTarget

    accounts = world["accounts"]
    due = (timezone.now() + timedelta(seconds=10)).replace(microsecond=0)
    posts = Post.objects.bulk_create(
        [
            Post(
                client_id=accounts[i % len(accounts)].client_id,
                caption=f"Bench post {i} {time.time_ns()}",
                status=Post.Status.SCHEDULED,
                scheduled_at=due,
            )
            for i in range(n)
        ]
    )
    PostTarget.objects.bulk_create(
        [
            PostTarget(
                post=p,
                account=accounts[i % len(accounts)],
                status="scheduled",
                scheduled_at=due,
                next_attempt_at=due,
                media_choices=[],
            )
            for i, p in enumerate(posts)
        ]
    )
    assert not PostMedia.objects.exists()
    connection.close()
    ids = {str(t) for t in PostTarget.objects.filter(post__in=posts).values_list("pk", flat=True)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (
            not PostTarget.objects.filter(post__in=posts)
            .exclude(status__in=["published", "failed", "canceled"])
            .exists()
        ):
            break
        time.sleep(0.25)
    ledger = [e for e in server.fake.ledger() if e.get("target_id") in ids]
    by_target: dict[str, list] = {}
    for entry in ledger:
        by_target.setdefault(entry["target_id"], []).append(entry)
    lags = sorted(min(e["received"] for e in entries) - due.timestamp() for entries in by_target.values())
    received = sorted(e["received"] for e in ledger)
    published = PostTarget.objects.filter(post__in=posts, status="published").count()
    span = (received[-1] - received[0]) if len(received) > 1 else 1
    return {
        "n": n,
        "min": lags[0] if lags else float("nan"),
        "p50": statistics.median(lags) if lags else float("nan"),
        "p99": lags[min(len(lags) - 1, int(round(0.99 * len(lags))) - 1)] if lags else float("nan"),
        "max": lags[-1] if lags else float("nan"),
        "rate": len(received) / span if span else float(len(received)),
        "duplicates": sum(len(v) - 1 for v in by_target.values()),
        "losses": n - published + (published - len(by_target) if published > len(by_target) else 0),
    }


if __name__ == "__main__":
    main()
