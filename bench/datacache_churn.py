"""How often the kept pages stay hits while the agency writes (issue 14): one data version for
everything (the old rule) against a version per table (``localbzz.datacache`` now).

Needs a PostgreSQL database filled by ``seed_volume`` (it writes to it: use a copy) and Redis:

    createdb -T localbzz_volume localbzz_churn
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/localbzz_churn DEBUG=1 \\
        .venv/bin/python bench/datacache_churn.py [--rounds 4] [--redis-url redis://127.0.0.1:6379/1]

In one process (Django's test client, signed in as the demo owner), for each rule: the cache is
emptied (``FLUSHDB`` on ``--redis-url``: give it a database of its own), the calendar's month,
the content list, the library and the dashboard are seen once, then ``--rounds`` times a stream of
typical writes — a timer started, the timer stopped, a notification read, a post published (its
target and the post marked published and the activity row, as the publishing engine writes them),
a task renamed (``task_update``) — each followed by a view of the four pages. For each page it
prints how many of those views were hits (its kept fragment served, not built) and the mean CPU
per view; then, for the new rule, which write kept which page. The old rule is the new code with
every kept value depending on every watched table: any write drops it, as one version did.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {  # page -> (path, the name of the kept fragment that is its body)
    "calendar": ("/content/", "content-calendar"),
    "content list": ("/content/?view=list", "content-list"),
    "library": ("/library/", "library"),
    "dashboard": ("/", "dashboard"),
}
WRITES = ("timer started", "timer stopped", "notification read", "post published", "task edited")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()
    os.environ["REDIS_URL"] = args.redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    import django

    django.setup()
    results = {rule: run(rule, args.rounds) for rule in ("old", "new")}
    views = args.rounds * len(WRITES)
    print(f"\n{views} views of each page, each right after a write ({args.rounds} rounds of: {', '.join(WRITES)})")
    print(f"{'page':<14} {'hits, old':>10} {'hits, new':>10} {'CPU ms/view, old':>17} {'new':>6}")
    for page in PAGES:
        old, new = results["old"], results["new"]
        print(
            f"{page:<14} {old['hits'][page]:>6}/{views:<3} {new['hits'][page]:>6}/{views:<3} "
            f"{old['cpu'][page] / views:>17.1f} {new['cpu'][page] / views:>6.1f}"
        )
    print("\nNew rule, the pages each write kept (hits / views):")
    for write in WRITES:
        kept = ", ".join(f"{page} {results['new']['by_write'][write, page]}/{args.rounds}" for page in PAGES)
        print(f"  {write:<18} {kept}")


def run(rule: str, rounds: int) -> dict:
    from django.core.cache import cache
    from django.db import reset_queries, transaction
    from django.test import Client as Browser
    from django.utils import timezone

    from agency.models import Task, User
    from agency.services.activity import record_event
    from agency.services.tasks import task_update, timer_start, timer_stop
    from localbzz import datacache
    from notifications.models import Notification
    from notifications.services import notification_mark_read
    from publishing.models import Post, PostTarget

    cache.clear()
    datacache._local.clear()
    owner = User.objects.select_related("team_member").get(email="owner@localbzz.local")
    member = owner.team_member
    task = Task.objects.order_by("-created_at").first()
    upcoming = Post.objects.filter(status="scheduled", scheduled_at__gt=timezone.now()).order_by("scheduled_at")
    posts = list(upcoming[:rounds])
    notes = [
        Notification.objects.create(
            recipient=owner,
            kind="post_failed",
            event_id=f"churn-{rule}-{i}-{time.time()}",
            title="A post could not be published",
        )  # fmt: skip
        for i in range(rounds)
    ]
    browser = Browser(HTTP_HOST="localhost")
    browser.force_login(owner)

    def publish(post: Post) -> None:
        now = timezone.now()
        with transaction.atomic():
            PostTarget.objects.filter(post=post).update(status="published", published_at=now, updated_at=now)
            Post.objects.filter(pk=post.pk).update(status="published", updated_at=now)
            record_event(None, "post.published", post, {})

    def write(kind: str, i: int) -> None:
        if kind == "timer started":
            timer_start(member=member, task=task)
        elif kind == "timer stopped":
            timer_stop(member=member)
        elif kind == "notification read":
            notification_mark_read(user=owner, notification=notes[i])
        elif kind == "post published":
            publish(posts[i % len(posts)])
        else:
            task.refresh_from_db()
            task_update(actor=owner, task=task, name=f"{task.name.split(' #')[0]} #{rule}{i}")

    built: list[str] = []
    real_fragment, real_build = datacache.fragment, datacache._build

    def fragment(name, parts, build, **kwargs):
        return real_fragment(name, parts, lambda: built.append(name) or build(), **kwargs)

    def every_table(build, before):  # the old rule: a value depends on every watched table
        value, read = real_build(build, before)
        return value, (None if read is None else dict(before))

    datacache.fragment = fragment
    if rule == "old":
        datacache._build = every_table
    hits: dict[str, int] = defaultdict(int)
    cpu: dict[str, float] = defaultdict(float)
    by_write: dict[tuple[str, str], int] = defaultdict(int)
    try:
        for path, _name in PAGES.values():
            assert browser.get(path).status_code == 200, path
        for i in range(rounds):
            for kind in WRITES:
                write(kind, i)
                for page, (path, name) in PAGES.items():
                    built.clear()
                    reset_queries()
                    start = time.process_time()
                    assert browser.get(path).status_code == 200, path
                    cpu[page] += (time.process_time() - start) * 1000
                    if name not in built:
                        hits[page] += 1
                        by_write[kind, page] += 1
    finally:
        datacache.fragment, datacache._build = real_fragment, real_build
        timer_stop(member=member)
    print(f"{rule} rule: done", file=sys.stderr)
    return {"hits": hits, "cpu": cpu, "by_write": by_write}


if __name__ == "__main__":
    main()
