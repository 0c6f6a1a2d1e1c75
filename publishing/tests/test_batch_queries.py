"""A worker publishes a batch of claims with a constant number of queries: one load of the targets
with their posts, accounts and media, one UPDATE flipping them to "sending", one to record the
results, one per post status, one INSERT of the activity — not ~11 queries per target."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing import engine
from publishing.models import Post, PostTarget
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for, approved_post, schedule_due

pytestmark = pytest.mark.django_db

PLATFORMS = ("facebook", "linkedin", "x")


@pytest.fixture
def batch_of(fake_platforms, owner, client_a, sync_tasks, django_capture_on_commit_callbacks):
    """``batch_of(n, platforms, photo)``: n one-target posts due now, claimed; answers the claims."""
    accounts = accounts_for(client_a, owner, platforms=("facebook", "linkedin", "x"))
    with django_capture_on_commit_callbacks(execute=True):
        image = media_upload(client=client_a, files=[ContentFile(jpeg_bytes(photo()), name="loaf.jpg")])[0].asset

    made = iter(range(1000))

    def make(n: int, platforms=("facebook", "linkedin", "x"), with_photo: bool = False) -> list[engine.Claim]:
        for i in range(n):
            account = accounts[platforms[i % len(platforms)]]
            post = approved_post(
                owner, client_a, [account], caption=f"Loaf {next(made)}", media=[image] if with_photo else []
            )
            schedule_due(owner, post)
        claims = engine.claim_due(owner="test")
        assert len(claims) == n
        return claims

    return make


def _queries(claims) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        engine.run_claims(claims)
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def _all_published_once(fake_platforms) -> None:
    targets = {str(pk) for pk in PostTarget.objects.values_list("pk", flat=True)}
    assert PostTarget.objects.exclude(status="published").count() == 0
    assert Post.objects.exclude(status="published").count() == 0
    published = [e["target_id"] for e in fake_platforms.ledger() if e.get("external_id")]
    assert sorted(published) == sorted(targets)


def test_a_batch_costs_the_same_queries_for_2_or_12_targets(batch_of, fake_platforms):
    two = _queries(batch_of(2))
    twelve = _queries(batch_of(12))
    assert len(twelve) == len(two), "\n".join(q[:150] for q in twelve)
    # Load 3 (targets with post and account, target media, post media), flip 2 (lock, UPDATE),
    # record 6 (lock, UPDATE, lock posts, their targets' statuses, UPDATE posts, INSERT activity).
    assert len(twelve) <= 11, "\n".join(twelve)
    _all_published_once(fake_platforms)


def test_photos_add_two_queries_a_batch_and_only_their_checkpoints_per_target(batch_of, fake_platforms):
    two = _queries(batch_of(2, platforms=("x",), with_photo=True))
    twelve = _queries(batch_of(12, platforms=("x",), with_photo=True))
    checkpoints = [q for q in twelve if q.startswith('UPDATE "publishing_posttarget" SET "checkpoint"')]
    assert len(checkpoints) == 12  # X's uploaded media id, saved before the tweet (a retry resumes)
    assert len(twelve) - len(checkpoints) == len(two) - 2, "\n".join(twelve)
    assert len(twelve) - len(checkpoints) <= 13  # the media's assets and renditions: +2 a batch
    _all_published_once(fake_platforms)
