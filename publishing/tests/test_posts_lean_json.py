"""The posts API writes its JSON without DRF's per-field machinery (``publishing.api.posts.post_out``)
and must write exactly what the declared serializers (PostOut, TargetOut) did: same keys, same
order, same values, same bytes — for every kind of post, in zones with odd offsets too."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from agency.models import Client
from portal import selectors as portal_selectors
from portal.api.serializers import ClientPostOut
from publishing import selectors
from publishing.api.posts import PostOut
from publishing.models import MediaAsset, MediaRendition, Post, PostMedia, PostTarget, TargetMedia
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


def _asset(client, n: int, *, thumbnail: bool = True) -> MediaAsset:
    asset = MediaAsset.objects.create(
        client=client, file=f"media/{client.pk}/p {n}ü.jpg", original_name=f"Photo {n} ü&<x>.jpg",
        content_type="image/jpeg", kind="photo", width=1200, height=900, bytes=1000 + n,
        sha256=hashlib.sha256(str(n).encode()).hexdigest(), status="ready",
    )  # fmt: skip
    # Another size first (it sorts before the thumbnail): a list that loads the thumbnail only
    # (``thumbnails_only``) must still answer what one that loads every size does.
    MediaRendition.objects.create(asset=asset, preset="facebook", file=f"renditions/{n}/fb.jpg", width=1200,
                                  height=630, bytes=300)  # fmt: skip
    if thumbnail:
        MediaRendition.objects.create(asset=asset, preset="thumbnail", file=f"renditions/{n}/thumb.jpg", width=320,
                                      height=240, bytes=100)  # fmt: skip
    return asset


@pytest.fixture
def posts(owner, client_a):
    # A zone whose early offsets had seconds (RFC 3339 writes those in UTC), another with :30.
    old = Client.objects.create(name="Old Town Bakery", slug="old-town", timezone="America/New_York")
    india = Client.objects.create(name="Chai & Co", slug="chai", timezone="Asia/Kolkata")
    made = []
    for client in (client_a, old, india):
        accounts = accounts_for(client, owner, platforms=("facebook", "x", "linkedin"))
        shared, own = _asset(client, len(made) * 10 + 1), _asset(client, len(made) * 10 + 2, thumbnail=False)
        full = Post.objects.create(
            client=client, title="Spring <b>lawns</b>", caption="Fresh mulch\nday 🌱", hashtags=["lawn", "#spring"],
            cta="Book now", cta_action="book", cta_url="https://example.com/book", link="https://example.com",
            topic="Lawns", notes="Call first", alt_text="A lawn", status="scheduled", created_by=owner,
            scheduled_at=timezone.now() + timedelta(days=2), submitted_at=timezone.now(),
            approved_at=timezone.now(), approved_by=owner,
        )  # fmt: skip
        PostMedia.objects.create(post=full, asset=shared, position=0)
        for i, account in enumerate(accounts.values()):
            target = PostTarget.objects.create(
                post=full, account=account, status=["scheduled", "failed", "published"][i],
                scheduled_at=full.scheduled_at, caption_override="Only here" if i == 1 else "",
                attempts=i, error_kind="rejected" if i == 1 else "", last_error="Too small" if i == 1 else "",
                published_at=timezone.now() if i == 2 else None, external_id="ext-1" if i == 2 else "",
                url="https://example.com/p/1" if i == 2 else "",
            )  # fmt: skip
            if i == 0:
                TargetMedia.objects.create(target=target, asset=own, position=0)
        bare = Post.objects.create(client=client, caption="", status="draft", hashtags=[])
        past = Post.objects.create(
            client=client, caption="Long ago", status="pending_approval", hashtags=["old"],
            scheduled_at=datetime(1880, 5, 1, 12, 0, tzinfo=UTC), missed_at=timezone.now(),
        )  # fmt: skip
        made += [full, bare, past]
    return made


def test_post_out_writes_what_the_declared_serializers_wrote(posts):
    for thumbnails_only in (False, True):
        for post in selectors.posts(thumbnails_only=thumbnails_only).filter(pk__in=[p.pk for p in posts]):
            lean, drf = PostOut().to_representation(post), PostOut().drf_representation(post)
            assert lean == drf
            assert list(lean) == list(drf) and [list(t) for t in lean["targets"]] == [list(t) for t in drf["targets"]]
            assert JSONRenderer().render(lean) == JSONRenderer().render(drf)


def test_plain_lists_write_the_same_json_in_a_fixed_number_of_queries(posts, django_assert_num_queries):
    """``selectors.posts(plain_lists=True)`` (targets and media in plain lists, fewer columns):
    the same bytes as posts loaded with every relation and size, and no query per post."""
    ids = [p.pk for p in posts]
    full = {p.pk: p for p in selectors.posts().filter(pk__in=ids)}
    # Posts (with clients), targets (with accounts), their media, thumbnails, post media, thumbnails.
    with django_assert_num_queries(6):
        plain = list(selectors.posts(plain_lists=True).filter(pk__in=ids))
        lean = [PostOut().to_representation(p) for p in plain]
        with timezone.override("Asia/Kolkata"):
            client_lean = [ClientPostOut().to_representation(p) for p in plain]
    assert len(plain) == len(posts) and not any(getattr(p, "_prefetched_objects_cache", None) for p in plain)
    render = JSONRenderer().render
    assert render(lean) == render([PostOut().drf_representation(full[p.pk]) for p in plain])
    with timezone.override("Asia/Kolkata"):
        assert render(client_lean) == render([ClientPostOut().drf_representation(full[p.pk]) for p in plain])


def test_the_list_endpoint_answers_the_same_bytes(api_as, owner, posts):
    api = api_as(owner)
    response = api.get("/api/v1/posts", {"page_size": 100})
    assert response.status_code == 200
    expected = [PostOut().drf_representation(p) for p in selectors.posts().order_by("-created_at", "-id")]
    assert response.content == JSONRenderer().render({**response.json(), "items": expected})


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_the_client_api_post_writes_what_drf_wrote(posts, zone):
    with timezone.override(zone):
        for client in {p.client for p in posts}:
            for post in portal_selectors.posts(client, thumbnails_only=True):
                serializer = ClientPostOut()
                lean, drf = serializer.to_representation(post), serializer.drf_representation(post)
                assert lean == drf and list(lean) == list(drf)
                assert JSONRenderer().render(lean) == JSONRenderer().render(drf)


def test_the_scheduled_posts_endpoint_answers_the_same_bytes(posts, settings):
    from rest_framework.test import APIClient

    from agency.models import User
    from portal.models import ClientUser

    client = posts[0].client
    user = User.objects.create_user(email="owner@client.test", password="x" * 12)
    ClientUser.objects.create(user=user, client=client, role="owner")
    api = APIClient()
    api.force_authenticate(user=user)
    response = api.get("/api/v1/client/scheduled-posts")
    assert response.status_code == 200, response.content
    with timezone.override(settings.AGENCY_TIME_ZONE):  # what the request ran in (AgencyTimezoneMiddleware)
        # Loaded the full way (QuerySets per post, every size): the endpoint reads plain lists.
        loaded = portal_selectors.posts(client).filter(status="scheduled").order_by("scheduled_at", "pk")
        expected = [ClientPostOut().drf_representation(p) for p in loaded]
    got = response.content
    want = JSONRenderer().render({**response.json(), "items": expected})
    assert expected and got == want, (got[400:560], want[400:560])
