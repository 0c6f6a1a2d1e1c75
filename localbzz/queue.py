"""Background work: every domain enqueues django-q2 tasks through here.

Tasks are enqueued after the surrounding transaction commits, so a worker never picks up a job
whose rows it cannot see yet, and a rolled-back change never leaves a job behind.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

_BROKERS: dict[int, Broker] = {}


def broker() -> Broker:
    """One django-q2 broker per process: without one, every async_task makes a new broker and,
    on Redis, a new connection (~2.5 ms each: most of a dispatcher's work, and 12–56 ms for a
    batch of nine images)."""
    return _BROKERS.setdefault(os.getpid(), get_broker())


def enqueue(task: str, *args: Any, group: str | None = None, **kwargs: Any) -> None:
    """Run ``task`` (a dotted path to a function in some ``tasks.py``) on a worker after commit."""
    options = {"group": group} if group else {}
    transaction.on_commit(lambda: async_task(task, *args, broker=broker(), **options, **kwargs))


# Shutdown: one flag shared by a cluster's processes -------------------------------------------

_STOPPING = None  # a multiprocessing.RawValue made by the cluster's master before it forks


def share_stop_flag() -> None:
    """Make the stop flag that the cluster's forked processes share (call in the master, before
    the cluster starts)."""
    global _STOPPING

    _STOPPING = multiprocessing.get_context("fork").RawValue("b", 0)


def request_stop(*_: object) -> None:
    """The cluster is stopping: running tasks finish what is in flight and hand back the rest."""
    if _STOPPING is not None:
        _STOPPING.value = 1


def stopping() -> bool:
    return bool(_STOPPING is not None and _STOPPING.value)
