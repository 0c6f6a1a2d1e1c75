"""Background work: every domain enqueues django-q2 tasks through here.

Tasks are enqueued after the surrounding transaction commits, so a worker never picks up a job
whose rows it cannot see yet, and a rolled-back change never leaves a job behind.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import transaction
from django_q.tasks import async_task

_BROKERS: dict[int, object] = {}


def broker():
    """One django-q2 broker per process: without one, every async_task makes a new broker and,
    on Redis, a new connection (~2.5 ms each: most of a dispatcher's work, and 12–56 ms for a
    batch of nine images)."""
    from django_q.brokers import get_broker

    return _BROKERS.setdefault(os.getpid(), get_broker())


def enqueue(task: str, *args: Any, group: str | None = None, **kwargs: Any) -> None:
    """Run ``task`` (a dotted path to a function in some ``tasks.py``) on a worker after commit."""
    options = {"group": group} if group else {}
    transaction.on_commit(lambda: async_task(task, *args, broker=broker(), **options, **kwargs))
