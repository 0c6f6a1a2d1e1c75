"""bench/pages_writes.py: each write `bench/pages.py --writes` makes succeeds on seed_volume data."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from agency.models import ActivityEvent, RequestMessage, Task, TimeEntry
from notifications.models import Notification
from publishing.models import Post, PostTarget


def _writes(monkeypatch):
    path = Path(__file__).resolve().parents[2] / "bench" / "pages_writes.py"
    spec = importlib.util.spec_from_file_location("pages_writes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "pages_writes", module)  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_every_write_of_the_bench_succeeds_and_writes_what_it_says(monkeypatch):
    call_command("seed_volume", "--scale", "0.01", stdout=io.StringIO())
    writes = _writes(monkeypatch)
    a = writes.agency()
    assert a.client.slug.startswith("vol-") and a.tasks and a.posts and a.targets and a.accounts
    one = writes.write_round_robin(a)
    target = a.targets[0]

    outcomes = [one() for _ in range(2 * len(writes.WRITES))]  # twice round: both sides of timer and notification

    assert [name for name, _ in outcomes] == [name for name, _ in writes.WRITES] * 2
    assert not [o for o in outcomes if o[1].startswith("failed")], outcomes
    assert {o for _, o in outcomes} >= {"timer started", "timer stopped", "notification arrived", "notification read"}
    assert TimeEntry.objects.filter(member=a.member, ended_at__isnull=False, task__in=a.tasks).exists()
    assert Notification.objects.filter(recipient=a.owner, event_id__startswith="bench-", read_at__isnull=False)
    assert Task.objects.filter(pk=a.tasks[0].pk).exclude(status=Task.Status.COMPLETED).exists()
    assert ActivityEvent.objects.filter(verb="post.rescheduled", actor=a.owner).count() == 2
    assert PostTarget.objects.get(pk=target.pk).status == PostTarget.Status.PUBLISHED
    assert RequestMessage.objects.filter(request=a.request, from_staff=True).count() >= 2

    a.targets.clear()  # none left to publish: a post is created instead
    posts = Post.objects.filter(client=a.client).count()
    assert writes.target_published(a) == "post created"
    assert Post.objects.filter(client=a.client).count() == posts + 1
