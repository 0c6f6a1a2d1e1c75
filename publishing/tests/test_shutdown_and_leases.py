"""Stopping and losing workers, with real processes on PostgreSQL: SIGTERM to each process group
(what honcho and systemd send) ends the cluster, the dispatcher and the fake platforms without a
SIGKILL and leaves every target finished or handed back; a publish in flight keeps its lease
alive (heartbeat); claims of a SIGKILLed cluster, or whose task the broker lost, are taken back
by the dispatcher's sweep and published exactly once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from agency.models import Client
from publishing import engine
from publishing.models import PostTarget
from publishing.tests.posting import accounts_for
from publishing.tests.test_guarantees import ROOT, TERMINAL, _schedule, processes, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Tested on PostgreSQL (SKIP LOCKED, several processes).")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exactly_once(fake_platforms, targets) -> None:
    for target in targets:
        entries = fake_platforms.ledger(target_id=str(target.pk))
        assert len(entries) == 1, (target.pk, target.status, entries)


def _fake_platforms_process(env: dict) -> tuple[subprocess.Popen, str]:
    """``manage.py run_fake_platforms`` with one publish hanging (a request in flight at the stop)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_fake_platforms", "--port", str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    control = {"faults": [{"platform": "facebook", "operation": "feed", "kind": "hang", "seconds": 60}]}
    for _ in range(100):
        try:
            request = urllib.request.Request(
                f"{url}/_fake/control", data=json.dumps(control).encode(), method="POST",
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            urllib.request.urlopen(request, timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    hanging = f"{url}/graph/v23.0/10001/feed?access_token=demo-facebook&message=hang"
    threading.Thread(target=_ignore_errors, args=(hanging,), daemon=True).start()
    return proc, url


def _ignore_errors(url: str) -> None:
    with contextlib.suppress(OSError):
        urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b""), timeout=90).read()


def test_sigterm_to_each_group_stops_every_process_and_hands_back_what_is_in_flight(fake_platforms, owner):
    fake_platforms.set_latency("facebook", 0.5)
    # Two publishes hang far longer than the shutdown grace: they are in flight at the stop.
    fake_platforms.fail("facebook", "hang", operation="feed", times=2, seconds=60)
    client = Client.objects.create(name="Stop Test", slug="stop-test")
    accounts = {client.pk: accounts_for(client, owner, platforms=("facebook",))}
    with processes(fake_platforms.url, dispatchers=1, clusters=1, workers=2, redis=True) as running:
        platforms, _ = _fake_platforms_process(running["env"])
        posts = _schedule(owner, 8, [client], accounts, seconds_ahead=3)
        targets = PostTarget.objects.filter(post__in=posts)
        assert wait_until(lambda: targets.filter(phase="sending").count() >= 2, timeout=60), "nothing in flight"
        time.sleep(1)  # the platforms' server has its hanging request by now
        group = [*running["dispatchers"], *running["clusters"], platforms]
        for proc in group:  # like honcho: every process group at once
            os.killpg(proc.pid, signal.SIGTERM)
        ended = {}
        for proc in group:
            try:
                ended[proc.args[2]] = proc.wait(timeout=10)  # honcho would SIGKILL after 5 s; 10 s is the bar
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                ended[proc.args[2]] = "hung: needed SIGKILL"
        assert ended == {"run_dispatcher": 0, "qcluster": 0, "run_fake_platforms": 0}
        assert not [p.pid for p in group if subprocess.run(["pgrep", "-g", str(p.pid)]).returncode == 0]

        # Nothing is left claimed: finished, or handed back (the hanging ones to be verified).
        statuses = dict(targets.values_list("pk", "status"))
        assert set(statuses.values()) <= {"published", "scheduled", "unconfirmed"}, statuses
        assert not targets.exclude(lease_owner="").exists()
        hung = targets.filter(status="unconfirmed")
        assert hung.count() == 2, statuses
        assert all("checking with the platform" in e for e in hung.values_list("last_error", flat=True))

        # Started again, the hung ones are verified (they did go out) and the rest published, once.
        running["start"]("dispatchers")
        running["start"]("clusters")
        assert wait_until(lambda: not targets.exclude(status__in=TERMINAL).exists(), timeout=90)
    assert set(targets.values_list("status", flat=True)) == {"published"}
    _exactly_once(fake_platforms, targets)


def test_an_in_flight_publish_keeps_its_lease_and_a_sigkilled_clusters_claims_are_settled(fake_platforms, owner):
    # Every Facebook publish hangs 20 s (beyond the 15 s lease) before it answers: only the
    # heartbeat keeps the claim; the read timeout (30 s) is longer still.
    fake_platforms.fail("facebook", "hang", operation="feed", times=3, seconds=20)
    client = Client.objects.create(name="Lease Test", slug="lease-test")
    accounts = {client.pk: accounts_for(client, owner, platforms=("facebook",))}
    with processes(fake_platforms.url, dispatchers=1, clusters=1, workers=1, redis=True,
                   PUBLISH_VERIFY_DELAY_SECONDS="0") as running:  # fmt: skip
        posts = _schedule(owner, 3, [client], accounts, seconds_ahead=2)
        targets = PostTarget.objects.filter(post__in=posts)
        assert wait_until(lambda: targets.filter(phase="sending").count() == 3, timeout=60), "nothing in flight"
        first = dict(targets.values_list("pk", "lease_until"))
        # Renewed while in flight (not by a checkpoint: a text post has none) — and never swept.
        assert wait_until(
            lambda: all(t.lease_until and t.lease_until > first[t.pk] for t in targets.all()), timeout=30
        ), "the lease was not renewed while the publish was in flight"
        assert set(targets.values_list("status", flat=True)) == {"publishing"}

        victim = running["clusters"][0]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        running["start"]("clusters")  # the dispatcher's sweep alone must find the dead claims
        assert wait_until(lambda: not targets.exclude(status__in=TERMINAL).exists(), timeout=120)
        print(f"\nclaims of the SIGKILLed cluster settled {time.monotonic() - killed_at:.1f} s after the kill")
    assert set(targets.values_list("status", flat=True)) == {"published"}
    _exactly_once(fake_platforms, targets)


def test_claims_whose_task_the_broker_lost_are_taken_back_and_published(fake_platforms, owner, settings):
    settings.PUBLISH_LEASE_SECONDS = 3
    client = Client.objects.create(name="Lost Task", slug="lost-task")
    accounts = {client.pk: accounts_for(client, owner, platforms=("facebook", "x"))}
    posts = _schedule(owner, 3, [client], accounts, seconds_ahead=0)
    targets = PostTarget.objects.filter(post__in=posts)
    lost = engine.claim_due(owner="lost-node")  # claimed, but its tasks never reach a worker
    assert {c.target_id for c in lost} == {str(pk) for pk in targets.values_list("pk", flat=True)}
    assert set(targets.values_list("status", flat=True)) == {"publishing"}
    with processes(fake_platforms.url, dispatchers=1, clusters=1, workers=1, redis=True):
        assert wait_until(lambda: not targets.exclude(status__in=TERMINAL).exists(), timeout=60)
    assert set(targets.values_list("status", flat=True)) == {"published"}
    assert set(targets.values_list("attempts", flat=True)) == {1}  # the lost claim gave its attempt back
    _exactly_once(fake_platforms, targets)
