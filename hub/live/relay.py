"""Without Redis (``LIVE_RELAY = "tail"``, the one-process ``make run``): the web process reads the
events that any process (the worker, the dispatcher, itself) committed from the database.

Every ``LIVE_TAIL_INTERVAL`` seconds one task per event loop reads the activity trail added
since it last looked (by primary key, looking a little behind the last
one seen so a transaction that committed out of order is still caught; the keys already sent are
remembered) and hands them to ``fanout`` like the ``layer`` relay would; and the generation jobs
whose pages are due to hear of their progress (``GenerationJob.live_at``, the one change told to
pages that is no activity). It starts with the first socket and reads nothing older than its start.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from agency.models import ActivityEvent
from generation.models import GenerationJob
from hub.live import fanout
from localbzz.events import JOB_PROGRESS, Event, events_of, live_event

logger = logging.getLogger(__name__)

LOOK_BEHIND = 50  # keys below the last one seen that are read again (and skipped when already sent)
BATCH = 500


class Cursor:
    """The rows of one table added since the last look, each once."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.last: int | None = None
        self.seen: set[int] = set()
        self.order: deque[int] = deque()

    def new_rows(self) -> list:
        if self.last is None:
            self.last = self.queryset.order_by("-pk").values_list("pk", flat=True).first() or 0
            return []
        rows = [
            row
            for row in self.queryset.filter(pk__gt=self.last - LOOK_BEHIND).order_by("pk")[:BATCH]
            if row.pk not in self.seen
        ]
        for row in rows:
            self.seen.add(row.pk)
            self.order.append(row.pk)
            self.last = max(self.last, row.pk)
        while len(self.order) > 4 * LOOK_BEHIND + BATCH:
            self.seen.discard(self.order.popleft())
        return rows


class Progress:
    """The generation jobs whose ``live_at`` came due since the last look, each stamp once."""

    WINDOW = timedelta(seconds=5)  # stamps this far back are read again (a late commit)

    def __init__(self):
        self.since = timezone.now()
        self.sent: dict[tuple, datetime] = {}

    def due(self) -> list[Event]:
        now = timezone.now()
        rows = GenerationJob.objects.filter(live_at__gt=self.since - self.WINDOW, live_at__lte=now).values_list(
            "pk", "client_id", "live_at"
        )
        out = []
        for pk, client_id, at in rows:
            assert at is not None  # (filtered on it)
            if (pk, at) not in self.sent:
                self.sent[(pk, at)] = at
                out.append(
                    live_event(JOB_PROGRESS, object_type="generationjob", object_id=pk, client_id=client_id, at=at)
                )
        self.since = now
        self.sent = {key: at for key, at in self.sent.items() if at > now - 2 * self.WINDOW}
        return out


class Tail:
    def __init__(self):
        self.activities = Cursor(ActivityEvent.objects.select_related("target_type"))
        self.progress = Progress()

    def poll(self) -> list[fanout.Message]:
        events = [event for activity in self.activities.new_rows() for event in events_of(activity, live=True)]
        return fanout.messages_for(events + self.progress.due())

    async def run(self, layer) -> None:
        while True:
            try:
                messages = await database_sync_to_async(self.poll)()
                await fanout.send_async(messages, layer)
            except Exception:  # a database hiccup must not end live updates for good
                logger.exception("Reading live updates from the database failed")
            await asyncio.sleep(settings.LIVE_TAIL_INTERVAL)


_tasks: dict[int, asyncio.Task] = {}


def ensure_started(layer) -> asyncio.Task | None:
    """Start the tail for this event loop (once) when this process relays by tailing."""
    if settings.LIVE_RELAY != "tail":
        return None
    loop = asyncio.get_running_loop()
    task = _tasks.get(id(loop))
    if task is None or task.done():
        task = _tasks[id(loop)] = loop.create_task(Tail().run(layer), name="live-tail")
    return task


def stop_all() -> None:
    """Cancel the tails (tests; a server stopping cancels its loop's tasks anyway)."""
    for task in _tasks.values():
        task.cancel()
    _tasks.clear()
