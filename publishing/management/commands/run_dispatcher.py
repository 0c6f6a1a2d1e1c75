"""The dispatcher: sleeps until the next target falls due, claims due targets atomically and
enqueues them as django-q2 tasks (``PUBLISH_TASK_SIZE`` claims each). Every
``PUBLISH_SWEEP_SECONDS`` it also takes back claims whose lease ran out (a dead worker, a task
the broker lost). Run one or more (claims are safe across nodes); SIGTERM/SIGINT end it after
the current round."""

from __future__ import annotations

import logging
import select
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from publishing import engine

log = logging.getLogger("publishing.dispatcher")


class Command(BaseCommand):
    help = "Publish posts on time: claim due targets and enqueue them (safe to run several)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--poll", type=float, default=0.5, help="Longest sleep between checks, in seconds.")
        parser.add_argument("--batch", type=int, default=200, help="Most targets claimed per round.")
        parser.add_argument("--once", action="store_true", help="One round, then exit (for cron or tests).")

    def handle(self, *args, poll: float, batch: int, once: bool, **options) -> None:
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        owner = engine.node_name()
        listening = self._listen()
        self.stdout.write(f"Dispatcher {owner} running (poll {poll}s, {'LISTEN/NOTIFY' if listening else 'polling'}).")
        sweep_every = getattr(settings, "PUBLISH_SWEEP_SECONDS", 2)
        swept_at = 0.0
        while self.running:
            try:
                if time.monotonic() - swept_at >= sweep_every:
                    swept_at = time.monotonic()
                    recovered = engine.sweep(owner=owner, dispatch=False)
                    if recovered["unconfirmed"] or recovered["requeued"]:
                        log.warning("Took back expired claims: %s", recovered)
                claimed = engine.dispatch_once(owner=owner, limit=batch, ahead=engine.lookahead_seconds())
            except Exception:  # keep dispatching: the next round retries; the sweeper is the safety net
                log.exception("Dispatch round failed; reconnecting")
                connection.close()
                listening = self._listen()
                time.sleep(poll)
                continue
            if claimed:
                log.info("Enqueued %d targets", claimed)
            if once:
                break
            if claimed >= batch:
                continue  # more may be due right now
            self._sleep(poll, listening, idle=claimed == 0)
        self.stdout.write("Dispatcher stopped.")

    def _stop(self, *args) -> None:
        self.running = False

    def _listen(self) -> bool:
        if connection.vendor != "postgresql":
            return False
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("LISTEN localbzz_dispatch")
        return True

    def _sleep(self, poll: float, listening: bool, idle: bool) -> None:
        due = engine.next_due_at()
        wait = poll
        if due is not None:
            wait = min(poll, (due - timezone.now()).total_seconds() - engine.lookahead_seconds())
            if wait <= 0:
                # Due but not claimable (its account or platform is paused for a rate limit):
                # wait a full round instead of spinning.
                wait = poll if idle else 0
        if wait <= 0:
            return
        if listening:
            # Wake early when a post is scheduled or published now (NOTIFY localbzz_dispatch).
            raw = connection.connection
            select.select([raw.fileno()], [], [], wait)
            for _ in raw.notifies(timeout=0):
                pass
        else:
            time.sleep(wait)
