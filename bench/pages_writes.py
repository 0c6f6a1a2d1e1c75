"""The writes a busy agency makes, for ``bench/pages.py --writes RATE`` (issue 14).

One write a turn, round-robin over ``WRITES``, each through the service the app itself calls (so
each touches the tables, activity rows and live events a real one does), on the busiest volume
client, its work and the demo owner:

===========================  =================================================================
write                        tables written
===========================  =================================================================
timer started / stopped      agency_timeentry, agency_activityevent (agency_task: To Do → In Progress)
notification arrives / read  notifications_notification
task status changed          agency_task, agency_activityevent
post rescheduled             publishing_post, publishing_posttarget, agency_activityevent
target published             publishing_posttarget, publishing_post, agency_activityevent
request comment              agency_requestmessage, agency_activityevent (agency_portalrequest)
===========================  =================================================================

``pages.py`` runs ``serve`` in a process of its own (spawned, Django set up there): it writes at
the rate asked while the bench lets it (during each wrk run of a page) and answers what it did.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass
class Agency:
    """What the writes work on, read once: the demo owner (also a team member), open tasks,
    scheduled posts and targets, and a portal request of the busiest volume client."""

    owner: Any
    member: Any
    client: Any
    tasks: list[Any]
    posts: list[Any]
    targets: list[Any]
    accounts: list[Any]
    request: Any
    turn: dict[str, int] = field(default_factory=dict)  # write name -> how many times it ran
    moved: set[Any] = field(default_factory=set)  # posts rescheduled an hour later (the next move is back)

    def next(self, name: str) -> int:
        self.turn[name] = self.turn.get(name, 0) + 1
        return self.turn[name] - 1


def agency() -> Agency:
    from django.db.models import Count

    from agency.models import Client, PortalRequest, Task, User
    from agency.services.inbox import portal_request_create
    from publishing.models import Post, PostTarget

    owner = User.objects.select_related("team_member").get(email="owner@localbzz.local")
    client = (
        Client.objects.filter(slug__startswith="vol-").annotate(n=Count("posts")).order_by("-n").first()
        or Client.objects.order_by("name").first()
    )
    open_tasks = Task.objects.filter(client=client).exclude(status=Task.Status.COMPLETED).order_by("created_at")
    later = Post.objects.filter(
        client=client, status=Post.Status.SCHEDULED, scheduled_at__gt=_now() + timedelta(days=2)
    )
    posts = list(later.order_by("scheduled_at")[:50])  # rescheduled; the targets published are other posts'
    targets = (
        PostTarget.objects.filter(post__client=client, status=PostTarget.Status.SCHEDULED, remote_state="")
        .filter(post__scheduled_at__gt=_now())
        .exclude(post__in=posts)
        .select_related("post", "account")
    )
    request = PortalRequest.objects.filter(client=client).order_by("created_at").first() or portal_request_create(
        actor=owner, client=client, content="Could we post about the new opening hours?"
    )
    return Agency(
        owner=owner,
        member=owner.team_member,
        client=client,
        tasks=list(open_tasks[:50]),
        posts=posts,
        targets=list(targets.order_by("post__scheduled_at")[:500]),
        accounts=list(client.social_accounts.all()[:2]),
        request=request,
    )


def _now():
    from django.utils import timezone

    return timezone.now()


# The writes --------------------------------------------------------------------------------------


def timer(a: Agency) -> str:
    """The owner starts a timer on a task, or stops the one running."""
    from agency.models import TimeEntry
    from agency.services.tasks import timer_start, timer_stop

    if TimeEntry.objects.filter(member=a.member, ended_at__isnull=True).exists():
        timer_stop(member=a.member)
        return "timer stopped"
    task = a.tasks[a.next("timer") % len(a.tasks)]
    timer_start(member=a.member, task=task)
    return "timer started"


def notification(a: Agency) -> str:
    """A notification arrives for the owner, or the owner reads the oldest unread one."""
    from notifications.models import Notification
    from notifications.services import notification_mark_read

    unread = Notification.objects.filter(recipient=a.owner, in_app=True, read_at__isnull=True).order_by("created_at")
    if a.next("notification") % 2 and (oldest := unread.first()) is not None:
        notification_mark_read(user=a.owner, notification=oldest)
        return "notification read"
    Notification.objects.create(
        recipient=a.owner,
        kind="post_published",
        event_id=f"bench-{uuid.uuid4()}",
        title=f"A post for {a.client.name} went out",
        link="/content/",
    )
    return "notification arrived"


def task_status(a: Agency) -> str:
    """A task moves on: To Do → In Progress → Awaiting Review → Blocked → To Do …"""
    from agency.models import Task
    from agency.services.tasks import task_update

    cycle = [Task.Status.TO_DO, Task.Status.IN_PROGRESS, Task.Status.AWAITING_REVIEW, Task.Status.BLOCKED]
    task = a.tasks[a.next("task") % len(a.tasks)]
    task.refresh_from_db()
    after = cycle[(cycle.index(task.status) + 1) % len(cycle)] if task.status in cycle else Task.Status.TO_DO
    task_update(actor=a.owner, task=task, status=after)
    return "task status changed"


def reschedule(a: Agency) -> str:
    """A scheduled post moves an hour later, or back (``post_update``, as the post's form saves it).
    A post its platforms' rules refuse (seed_volume's media are not checked against them) is
    dropped from the list, and the next one is moved."""
    from publishing.services.posts import post_update
    from publishing.services.scheduling import PostNotReady

    while a.posts:
        post = a.posts[a.next("reschedule") % len(a.posts)]
        post.refresh_from_db()
        later = post.pk not in a.moved
        try:
            post_update(actor=a.owner, post=post, scheduled_at=post.scheduled_at + timedelta(hours=1 if later else -1))
        except PostNotReady:
            a.posts.remove(post)
            continue
        a.moved.symmetric_difference_update({post.pk})
        return "post rescheduled"
    raise RuntimeError("No scheduled post that its platforms' rules let be moved")


def target_published(a: Agency) -> str:
    """A target goes out: the dispatcher's record of a success (the target published, its post's
    status settled with ``refresh_posts``, the activity row). Each target goes out once: when the
    client has none scheduled left (the database served several runs), a post is created instead."""
    from django.db import transaction

    from agency.services.activity import activity_event
    from publishing.engine import refresh_posts
    from publishing.models import PostTarget

    while a.targets:
        target = a.targets.pop(0)
        now = _now()
        with transaction.atomic():
            sent = PostTarget.objects.filter(pk=target.pk, status=PostTarget.Status.SCHEDULED).update(
                status=PostTarget.Status.PUBLISHED,
                published_at=now,
                next_attempt_at=None,
                external_id=f"bench-{target.pk.hex[:12]}",
                url=f"https://example.com/p/{target.pk.hex[:12]}",
                updated_at=now,
            )
            if sent:
                event = activity_event(
                    None, "post.target_published", target.post, {"account": str(target.account), "url": ""}
                )
                refresh_posts([target.post_id], with_events=[event], posts={target.post_id: target.post})
                return "target published"
    return post_created(a)


def post_created(a: Agency) -> str:
    """A new post for the client's accounts, waiting for approval (when no target is left to publish)."""
    from publishing.services.posts import post_create

    post_create(actor=a.owner, client=a.client, caption="Fresh bread every morning!", accounts=a.accounts)
    return "post created"


def comment(a: Agency) -> str:
    """The team answers the client's request (a message and its activity row)."""
    from agency.services.inbox import request_reply

    request_reply(actor=a.owner, request=a.request, body=f"On it — draft {a.next('comment') + 1} is in the calendar.")
    return "comment"


WRITES: list[tuple[str, Callable[[Agency], str]]] = [
    ("timer", timer),
    ("notification", notification),
    ("task status", task_status),
    ("reschedule", reschedule),
    ("target published", target_published),
    ("comment", comment),
]


def write_round_robin(a: Agency) -> Callable[[], tuple[str, str]]:
    """The next write, each call: (its name, what it did — or the error it raised)."""
    turns = itertools.cycle(WRITES)

    def one() -> tuple[str, str]:
        name, write = next(turns)
        try:
            return name, write(a)
        except Exception as error:
            return name, f"failed: {type(error).__name__}: {error}"

    return one


def serve(conn, rate: float) -> None:
    """In the writer process: on "start" write ``rate`` times a second until "stop", then send
    back what was done; "quit" ends it. Writes fall behind (and the achieved rate says so) when
    one takes longer than 1 / ``rate`` seconds."""
    import logging

    import django

    django.setup()
    logging.getLogger("django-q").setLevel(logging.WARNING)  # a line per task the writes enqueue
    one = write_round_robin(agency())
    conn.send("ready")
    while (message := conn.recv()) != "quit":
        if message != "start":
            continue
        started = time.monotonic()
        done: dict[str, int] = {}
        failures: list[str] = []
        n = 0
        while not conn.poll(max(0.0, started + (n + 0.5) / rate - time.monotonic())):  # mid-slot
            name, outcome = one()
            n += 1
            failed = outcome.startswith("failed")
            done[f"{name} failed" if failed else outcome] = done.get(f"{name} failed" if failed else outcome, 0) + 1
            if failed and len(failures) < 5:
                failures.append(f"{name}: {outcome}")
        conn.recv()  # the "stop"
        conn.send({"writes": n, "seconds": time.monotonic() - started, "done": done, "failures": failures})
