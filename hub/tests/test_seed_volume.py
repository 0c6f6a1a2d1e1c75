"""`manage.py seed_volume`: a real agency's volume of data, written in bulk."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from agency.models import ActivityEvent, Client
from publishing.models import MediaAsset, MediaRendition, Post, PostTarget


@pytest.mark.django_db(transaction=True)
def test_seed_volume_writes_the_scaled_volumes_with_realistic_distributions():
    out = io.StringIO()
    call_command("seed_volume", "--scale", "0.01", stdout=out)
    assert "Volume data in" in out.getvalue()
    volume = Post.objects.filter(client__slug__startswith="vol-")
    assert volume.count() == 1000
    assert Client.objects.filter(slug__startswith="vol-").count() == 3
    assert MediaAsset.objects.filter(client__slug__startswith="vol-").count() == 1000
    renditions = MediaRendition.objects.filter(asset__client__slug__startswith="vol-").count()
    assert 5.5 <= renditions / 1000 <= 7  # ~6.25 per asset, as in the data
    targets = PostTarget.objects.filter(post__client__slug__startswith="vol-").count()
    assert 1.6 <= targets / 1000 <= 2.2  # ~1.93 per post
    assert ActivityEvent.objects.filter(client__slug__startswith="vol-").count() == 5000
    past = volume.filter(scheduled_at__lt=timezone.now())
    published = past.filter(status=Post.Status.PUBLISHED).count()
    assert published / past.count() > 0.8  # most past posts went out…
    assert past.filter(status=Post.Status.FAILED).exists()  # …some failed
    assert volume.filter(scheduled_at__gt=timezone.now(), status=Post.Status.SCHEDULED).exists()
    sizes = sorted(
        Client.objects.filter(slug__startswith="vol-").annotate(n=Count("posts")).values_list("n", flat=True)
    )
    assert sizes[-1] > sizes[0]  # clients differ in size
    # What the platforms said: every published target has figures, recent ones a growth history.
    from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics

    published_targets = PostTarget.objects.filter(post__client__slug__startswith="vol-", status="published")
    assert TargetMetrics.objects.filter(client__slug__startswith="vol-").count() == published_targets.count()
    assert not TargetMetrics.objects.filter(client__slug__startswith="vol-").exclude(client=F("target__post__client"))
    assert MetricSnapshot.objects.filter(target__post__client__slug__startswith="vol-").exists()
    assert AccountMetrics.objects.filter(client__slug__startswith="vol-", followers__gt=0).exists()
    # Every post's targets go to its own client's accounts.
    assert not PostTarget.objects.exclude(account__client=F("post__client")).exists()
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_volume", "--scale", "0.01", stdout=io.StringIO())


def test_seed_volume_refuses_a_silly_scale():
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_volume", "--scale", "0")
