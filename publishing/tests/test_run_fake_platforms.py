"""``manage.py run_fake_platforms`` serves every platform on the port it is given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    low, high = (int(p) for p in os.environ.get("FAKE_PLATFORMS_PORT_RANGE", "0-0").split("-"))
    for port in range(low, high + 1) if low else [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


@pytest.mark.slow
def test_it_serves_the_fakes_until_stopped():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_fake_platforms",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--latency",
            "0.05",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                state = requests.get(f"{base}/_fake/control", timeout=1).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the fake platforms did not start")
        posted = requests.post(
            f"{base}/x/2/tweets", json={"text": "hello"}, headers={"Authorization": "Bearer demo-cli"}, timeout=5
        )
        assert state["latency"] == {"*": 0.05}
        assert posted.status_code == 201
        assert requests.get(f"{base}/_fake/ledger", timeout=5).json()["total"] == 1
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"Fake platforms on http://127.0.0.1:{port}" in output
