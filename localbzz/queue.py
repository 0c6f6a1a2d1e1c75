"""Background work: every domain enqueues django-q2 tasks through here.

Tasks are enqueued after the surrounding transaction commits, so a worker never picks up a job
whose rows it cannot see yet, and a rolled-back change never leaves a job behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_q.tasks import async_task


def enqueue(task: str, *args: Any, group: str | None = None, **kwargs: Any) -> None:
    """Run ``task`` (a dotted path to a function in some ``tasks.py``) on a worker after commit."""
    options = {"group": group} if group else {}
    transaction.on_commit(lambda: async_task(task, *args, **options, **kwargs))
