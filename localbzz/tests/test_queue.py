from __future__ import annotations

import pytest
from django.db import transaction
from django_q.models import OrmQ

from localbzz.queue import enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_jobs_are_enqueued_only_after_commit():
    with transaction.atomic():
        enqueue("math.floor", 1.5)
        assert OrmQ.objects.count() == 0
    assert OrmQ.objects.count() == 1


def test_a_rolled_back_change_leaves_no_job():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("math.floor", 1.5)
        raise RuntimeError("boom")
    assert OrmQ.objects.count() == 0


@pytest.mark.django_db
def test_sync_tasks_runs_jobs_in_process_at_commit(sync_tasks, django_capture_on_commit_callbacks):
    from django_q.models import Success

    with django_capture_on_commit_callbacks(execute=True):
        enqueue("math.floor", 2.5)
    assert OrmQ.objects.count() == 0
    assert Success.objects.get().result == 2
