"""A generation job tells the open pages it moved at most once a second, however many of its
items finish, and always when it settles (generation.services.images.progress_signal)."""

from __future__ import annotations

import time

import pytest

from agency.models import Client
from generation.models import GenerationItem, GenerationJob
from generation.services.images import job_refresh
from localbzz import events

pytestmark = pytest.mark.django_db(transaction=True)  # the signals go out on commit, one booked on a timer


@pytest.fixture
def told(monkeypatch):
    got: list[events.Event] = []
    monkeypatch.setattr(events, "_live_listeners", [got.extend])
    monkeypatch.setattr(events, "_listeners", [])
    return got


def about(job: GenerationJob, told: list[events.Event]) -> list[events.Event]:
    """The signals about ``job`` (a timer an earlier test booked for its own job may go off meanwhile)."""
    return [e for e in told if e.object_id == str(job.pk)]


def test_twelve_items_finishing_within_a_second_are_told_twice_not_twelve_times(told):
    client = Client.objects.create(name="Bella Bakery", slug="bella-progress")
    job = GenerationJob.objects.create(client=client, kind="image_batch", provider="builtin", total_items=13)
    items = [GenerationItem.objects.create(job=job, position=i, platform="facebook") for i in range(13)]
    started = time.monotonic()
    for item in items[:12]:  # what twelve workers do as each image is made
        GenerationItem.objects.filter(pk=item.pk).update(status="succeeded")
        job_refresh(job_id=str(job.pk))
    assert time.monotonic() - started < 0.9, "the machine is too slow for this test's second"
    assert len(about(job, told)) == 1  # the first at once
    assert all(e.type == events.JOB_PROGRESS and e.object_type == "generationjob" for e in told)
    booked = GenerationJob.objects.get(pk=job.pk).live_at
    time.sleep(1.2)
    assert len(about(job, told)) == 2  # the rest in one signal, a second after the first
    assert about(job, told)[1].created_at >= booked

    GenerationItem.objects.filter(pk=items[12].pk).update(status="failed")
    job_refresh(job_id=str(job.pk))  # the last one settles the job: told at once
    assert len(about(job, told)) == 3 and GenerationJob.objects.get(pk=job.pk).status == "partial"


def test_progress_is_never_a_webhook_or_a_notification(told, monkeypatch):
    public: list = []
    monkeypatch.setattr(events, "_listeners", [(public.extend, True)])
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-progress")
    job = GenerationJob.objects.create(client=client, kind="image_batch", provider="builtin", total_items=1)
    GenerationItem.objects.create(job=job, position=0, platform="facebook", status="succeeded")
    job_refresh(job_id=str(job.pk))
    assert len(told) == 1 and public == []
