"""The publishing guarantees, with real processes on PostgreSQL: two dispatchers and two django-q2
clusters publish every due target exactly once (the fake's ledger proves it), and a worker killed
with SIGKILL mid-publish leaves no duplicate and no lost target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agency.models import Client
from publishing import engine
from publishing.models import Post, PostTarget
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"published", "failed", "canceled"}


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The multi-process guarantees are tested on PostgreSQL (SKIP LOCKED, several processes).")


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def processes(fake_url: str, *, dispatchers: int, clusters: int, workers: int = 2, redis: bool = False,
              **env_overrides):  # fmt: skip
    """Start dispatchers and django-q2 clusters on the test database; stop them all afterwards.
    ``redis``: the Redis broker at TEST_REDIS_URL (emptied first) instead of the database's."""
    env = {
        **os.environ, "DATABASE_URL": _database_url(), "FAKE_PLATFORMS_URL": fake_url, "DEBUG": "1",
        "Q_WORKERS": str(workers), "PLATFORM_POLL_INTERVAL": "0.05", "PLATFORM_POLL_MAX_INTERVAL": "0.2",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT), "LOG_LEVEL": "WARNING",
        "PUBLISH_TASK_SIZE": "5",  # threads (and connections) per worker: spare a shared database server
        **env_overrides,
    }  # fmt: skip
    env.pop("REDIS_URL", None)
    if redis:
        import redis as redis_client

        if not os.environ.get("TEST_REDIS_URL"):
            pytest.skip("Set TEST_REDIS_URL to test with the Redis broker.")
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
        redis_client.Redis.from_url(env["REDIS_URL"]).flushdb()
    commands = {"dispatchers": ["run_dispatcher", "--poll", "0.2"], "clusters": ["qcluster"]}

    def start(kind: str) -> subprocess.Popen:
        """Start one more process ("dispatchers" or "clusters"), in its own process group."""
        command = [sys.executable, "manage.py", *commands[kind]]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        started[kind].append(proc)
        return proc

    started: dict[str, Any] = {"dispatchers": [], "clusters": [], "env": env, "start": start}
    for _ in range(dispatchers):
        start("dispatchers")
    for _ in range(clusters):
        start("clusters")
    try:
        yield started
    finally:
        for proc in started["dispatchers"] + started["clusters"]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in started["dispatchers"] + started["clusters"]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(check, timeout: float, every: float = 0.25, sweep: bool = False):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sweep:
            engine.sweep(owner="test-sweeper", dispatch=False)
        if check():
            return True
        time.sleep(every)
    return False


def _schedule(owner, posts_per_client: int, clients: list[Client], accounts: dict, seconds_ahead: float) -> list[Post]:
    when = timezone.now() + timedelta(seconds=seconds_ahead)
    made = []
    for client in clients:
        for i in range(posts_per_client):
            post = post_services.post_create(
                actor=owner,
                client=client,
                caption=f"{client.name} post {i} {time.time_ns()}",
                accounts=list(accounts[client.pk].values()),
            )
            Post.objects.filter(pk=post.pk).update(status=Post.Status.APPROVED)
            post.refresh_from_db()
            scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
            made.append(post)
    return made


def test_two_dispatchers_and_two_clusters_publish_every_target_exactly_once(fake_platforms, owner):
    fake_platforms.set_latency("*", 0.05)
    clients = [Client.objects.create(name=f"Guarantee {i}", slug=f"guarantee-{i}") for i in range(3)]
    accounts = {c.pk: accounts_for(c, owner, platforms=("facebook", "linkedin", "x")) for c in clients}
    with processes(fake_platforms.url, dispatchers=2, clusters=2, workers=2):
        posts = _schedule(owner, 15, clients, accounts, seconds_ahead=6)
        targets = PostTarget.objects.filter(post__in=posts)
        assert targets.count() == 135
        done = wait_until(lambda: not targets.exclude(status__in=TERMINAL).exists(), timeout=120)
    assert done, sorted(targets.values_list("status", "last_error"))[:10]
    assert set(targets.values_list("status", flat=True)) == {"published"}
    for target in targets:
        entries = [e for e in fake_platforms.ledger(target_id=str(target.pk)) if e.get("state") != "deleted"]
        assert len(entries) == 1, (target.pk, entries)
    assert {p.status for p in Post.objects.filter(pk__in=[p.pk for p in posts])} == {"published"}


def test_a_worker_killed_mid_publish_leaves_no_duplicate_and_no_loss(fake_platforms, owner):
    fake_platforms.set_latency("facebook", 2.0)  # every publish takes 2 s: the kill lands inside one
    client = Client.objects.create(name="Kill Test", slug="kill-test")
    accounts = {client.pk: accounts_for(client, owner, platforms=("facebook",))}
    with processes(fake_platforms.url, dispatchers=1, clusters=2, workers=1, PUBLISH_LEASE_SECONDS="5",
                   PUBLISH_VERIFY_DELAY_SECONDS="0") as running:  # fmt: skip
        posts = _schedule(owner, 6, [client], accounts, seconds_ahead=3)
        targets = PostTarget.objects.filter(post__in=posts)
        assert wait_until(lambda: targets.filter(phase="sending").count() >= 2, timeout=30), "nothing got to sending"
        victim = running["clusters"][0]
        os.killpg(victim.pid, signal.SIGKILL)  # the cluster and its workers, mid-HTTP
        victim.wait()
        # The survivor, the dispatcher and the sweeper (run here) finish the job.
        done = wait_until(lambda: not targets.exclude(status__in=TERMINAL).exists(), timeout=90, sweep=True)
    assert done, list(targets.values_list("status", "phase", "last_error"))
    assert set(targets.values_list("status", flat=True)) == {"published"}
    for target in targets:
        entries = fake_platforms.ledger(target_id=str(target.pk))
        assert len(entries) == 1, (target.pk, entries)
