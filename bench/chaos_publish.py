"""Publishing under faults and crashes: is every post published exactly once, and how late?

Per run: a fresh database (PostgreSQL) with the demo data (`seed_demo`), the fake platforms in
this process (answering after --latency s), 2 dispatchers and 2 django-q2 clusters as separate
processes (Redis broker; workers read with PLATFORM_READ_TIMEOUT=2). 200 posts on the demo
accounts that take text (Facebook, LinkedIn, X; every such account of the post's client) fall due
within 3 s. Faults: publishes that hang 6 s (past the read timeout: unknown outcome), 5xx and 429
answers. One second into the due window one cluster and one dispatcher are SIGKILLed (the whole
process group, mid-publish) and started again 3 s later. At the end every process gets SIGTERM.

Printed per run, from the fake's ledger and the database: duplicates (a target received more
than once), missing (never received and not failed), live-but-failed (received, yet marked
failed), failed, lag from the scheduled time to the first receipt (p50/p99/max), how long after
the kill the last target in flight at the kill settled, and how long each process took to stop.

    .venv/bin/python bench/chaos_publish.py [--runs 3] [--posts 200] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish_precision import bench_port, database, redis_ok  # noqa: E402

TEXT_PLATFORMS = ("facebook", "linkedin", "x")
FAULTS = [  # (platform, publish operation, kind, times, params)
    ("facebook", "feed", "hang", 3, {"seconds": 6}),
    ("linkedin", "posts", "hang", 2, {"seconds": 6}),
    ("x", "tweets", "hang", 2, {"seconds": 6}),
    ("facebook", "feed", "http_500", 4, {}),
    ("linkedin", "posts", "http_500", 4, {}),
    ("x", "tweets", "http_500", 4, {}),
    ("x", "tweets", "rate_limit", 2, {"seconds": 5}),  # 429, the window resets in 5 s (x-rate-limit-reset)
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/localbzz_chaos"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--workers", type=int, default=2, help="Worker processes per cluster.")
    parser.add_argument(
        "--no-hangs", action="store_true", help="Leave out the hang faults (isolates the crash recovery)."
    )
    parser.add_argument("--task-size", type=int, default=8, help="PUBLISH_TASK_SIZE (threads per worker).")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    env = _env(args)
    rows = [run(args, env, i + 1) for i in range(args.runs)]
    print()
    columns = ["run", "targets", "duplicates", "missing", "live+failed", "failed", "p50 lag", "p99 lag", "max lag",
               "kill→settled", "stop (max)"]  # fmt: skip
    print("  ".join(f"{c:>12}" for c in columns))
    for r in rows:
        cells = [r["run"], r["targets"], r["duplicates"], r["missing"], r["live_failed"], r["failed"]]
        times = [f"{r[k]:.2f}s" for k in ("p50", "p99", "max", "settled", "stop")]
        print("  ".join(f"{c:>12}" for c in [*cells, *times]))
    print(
        "\nTargets: 0 duplicates, 0 missing, 0 live-but-failed; the targets in flight at the kill settle "
        "within 30 s; every process stops within 10 s of SIGTERM."
    )


def _env(args) -> dict:
    env = {
        **os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING", "OUTBOUND_ALLOW_PRIVATE": "1",
        "SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "localhost", "VAR_DIR": os.environ.get("VAR_DIR", str(ROOT / "var")),
        "Q_WORKERS": str(args.workers), "PUBLISH_TASK_SIZE": str(args.task_size), "Q_POLL": "0.05",
        "PLATFORM_READ_TIMEOUT": "2", "PLATFORM_POLL_INTERVAL": "0.05", "PLATFORM_POLL_MAX_INTERVAL": "0.2",
        "PUBLISH_BACKOFF_BASE_SECONDS": "1", "PUBLISH_VERIFY_DELAY_SECONDS": "2", "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": args.redis_url,
    }  # fmt: skip
    return env


def run(args, env: dict, number: int) -> dict:
    db_url = database(args.database_url)
    if not db_url.startswith("postgres") or not redis_ok(args.redis_url):
        sys.exit("The chaos bench needs PostgreSQL and Redis (--database-url, --redis-url).")
    env["DATABASE_URL"] = db_url
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    from publishing.fakes.server import FakePlatformServer

    server = FakePlatformServer("127.0.0.1", bench_port()).start()
    env["FAKE_PLATFORMS_URL"] = os.environ["FAKE_PLATFORMS_URL"] = server.url
    subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from django.db import connection

    connection.close()  # a fresh database each run
    procs = {"dispatcher": [], "cluster": []}

    def start(kind: str) -> subprocess.Popen:
        command = ["run_dispatcher", "--poll", "0.5"] if kind == "dispatcher" else ["qcluster"]
        proc = subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs[kind].append(proc)
        return proc

    for kind in ("dispatcher", "dispatcher", "cluster", "cluster"):
        start(kind)
    try:
        time.sleep(8)  # the clusters start their workers; the demo media renditions get made
        server.fake.reset()
        server.fake.configure(**{"x.rate_limit": 100_000, "publer.rate_limit": 100_000})
        server.fake.set_latency("*", args.latency)
        for platform, operation, kind, times, params in FAULTS:
            if args.no_hangs and kind == "hang":
                continue
            server.fake.fail(platform, kind, operation=operation, times=times, **params)
        due, targets = schedule(args.posts)
        print(f"Run {number}: {args.posts} posts, {len(targets)} targets due within 3 s of {due[0]:%H:%M:%S}")
        wait_for(due[0].timestamp() + 1.0)
        kill_at = time.time()
        from django.db.models import Q

        held = Q(status__in=["publishing", "unconfirmed"]) | ~Q(lease_owner="")  # incl. reserved ahead of time
        in_flight = set(_target_model().objects.filter(held, pk__in=targets).values_list("pk", flat=True))
        victims = [procs["cluster"][0], procs["dispatcher"][0]]
        for proc in victims:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        print(f"  SIGKILLed a cluster and a dispatcher with {len(in_flight)} targets claimed")
        time.sleep(3)
        start("cluster")
        start("dispatcher")
        settled_at = watch(targets, in_flight, timeout=240)
    finally:
        stops = stop_all([p for kind in procs.values() for p in kind if p.poll() is None])
    report = measure(server, targets, in_flight, settled_at, kill_at)
    server.stop()
    report.update(run=number, stop=max(stops.values()) if stops else 0.0)
    for key in ("duplicates", "missing", "live_failed", "failed"):
        if report[f"{key}_ids"]:
            print(f"  {key}: {report[f'{key}_ids'][:5]}")
    print(f"  processes stopped after SIGTERM in: {', '.join(f'{v:.1f}s' for v in stops.values())}")
    return report


def _target_model():
    from publishing.models import PostTarget

    return PostTarget


def schedule(n: int):
    """``n`` posts on the demo clients' text accounts, due at 20 instants spread over 3 s."""
    from datetime import timedelta

    from django.utils import timezone

    from publishing.models import Post, PostTarget, SocialAccount

    accounts = list(
        SocialAccount.objects.filter(platform__in=TEXT_PLATFORMS, route="direct", status="connected").order_by("pk")
    )
    by_client: dict = {}
    for account in accounts:
        by_client.setdefault(account.client_id, []).append(account)
    clients = sorted(by_client)
    start = (timezone.now() + timedelta(seconds=12)).replace(microsecond=0)
    due = [start + timedelta(seconds=3 * i / 20) for i in range(20)]
    posts = Post.objects.bulk_create(
        [
            Post(
                client_id=clients[i % len(clients)],
                caption=f"Chaos post {i} {time.time_ns()}",
                status=Post.Status.SCHEDULED,
                scheduled_at=due[i % 20],
            )
            for i in range(n)
        ]  # fmt: skip
    )
    rows = [
        PostTarget(post=p, account=a, status="scheduled", scheduled_at=p.scheduled_at, next_attempt_at=p.scheduled_at,
                   media_choices=[])
        for p in posts for a in by_client[p.client_id]
    ]  # fmt: skip
    PostTarget.objects.bulk_create(rows)
    return due, [str(t.pk) for t in rows]


def wait_for(unix: float) -> None:
    while time.time() < unix:
        time.sleep(min(0.05, unix - time.time()) if unix > time.time() else 0)


def watch(targets: list[str], in_flight: set, timeout: float) -> dict:
    """Poll until every target is published, failed or canceled; answers when each settled."""
    from django.db import connection

    PostTarget = _target_model()
    settled_at: dict[str, float] = {}
    deadline = time.time() + timeout
    while time.time() < deadline and len(settled_at) < len(targets):
        now = time.time()
        for pk in PostTarget.objects.filter(
            pk__in=[t for t in targets if t not in settled_at], status__in=["published", "failed", "canceled"]
        ).values_list("pk", flat=True):
            settled_at[str(pk)] = now
        time.sleep(0.25)
    connection.close()
    return settled_at


def stop_all(procs: list[subprocess.Popen]) -> dict[int, float]:
    started = time.monotonic()
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    took = {}
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, started + 10 - time.monotonic()))
            took[proc.pid] = time.monotonic() - started
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            took[proc.pid] = float("inf")
            print(f"  {proc.args[2]} did not stop within 10 s of SIGTERM: SIGKILLed")
    return took


def measure(server, targets: list[str], in_flight: set, settled_at: dict, kill_at: float) -> dict:
    PostTarget = _target_model()
    rows = {str(pk): (status, when) for pk, status, when in PostTarget.objects.filter(pk__in=targets).values_list(
        "pk", "status", "scheduled_at")}  # fmt: skip
    received: dict[str, list[float]] = {}
    for entry in server.fake.ledger():
        if entry.get("target_id") in rows and entry.get("state") != "deleted":
            received.setdefault(entry["target_id"], []).append(entry["received"])
    duplicates = [t for t, times in received.items() if len(times) > 1]
    missing = [t for t, (status, _) in rows.items() if t not in received and status != "failed"]
    live_failed = [t for t, (status, _) in rows.items() if t in received and status == "failed"]
    failed = [t for t, (status, _) in rows.items() if status == "failed"]
    lags = sorted(min(times) - rows[t][1].timestamp() for t, times in received.items())
    in_flight_settled = max((settled_at.get(str(t), float("inf")) - kill_at for t in in_flight), default=0.0)
    return {
        "targets": len(rows),
        "duplicates": len(duplicates), "duplicates_ids": duplicates,
        "missing": len(missing), "missing_ids": missing,
        "live_failed": len(live_failed), "live_failed_ids": live_failed,
        "failed": len(failed), "failed_ids": failed,
        "p50": statistics.median(lags) if lags else float("nan"),
        "p99": lags[min(len(lags) - 1, int(round(0.99 * len(lags))) - 1)] if lags else float("nan"),
        "max": lags[-1] if lags else float("nan"),
        "settled": in_flight_settled,
    }  # fmt: skip


if __name__ == "__main__":
    main()
