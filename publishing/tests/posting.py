"""Builders for publishing tests: a client with an account on every platform (demo tokens the
fake platforms accept), approved posts, and running the engine by hand."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agency.models import Client
from publishing import engine
from publishing.models import Post, PostTarget, SocialAccount
from publishing.services import accounts as account_services
from publishing.services import posts as post_services
from publishing.services import scheduling

EXTERNAL_IDS = {
    "facebook": "100200300",
    "instagram": "17841400000000001",
    "linkedin": "urn:li:organization:424242",
    "x": "998877",
    "google_business": "accounts/111/locations/222",
}


def accounts_for(client: Client, actor, platforms=tuple(EXTERNAL_IDS)) -> dict[str, SocialAccount]:
    """One account per platform, each with its own demo token ("demo-<platform>") so a test can expire one."""
    return {
        p: account_services.social_account_create(
            actor=actor,
            client=client,
            platform=p,
            name=f"{client.name} {p}",
            external_id=EXTERNAL_IDS[p],
            token=f"demo-{p}",
        )
        for p in platforms
    }


def publer_account(client: Client, actor, platform: str = "facebook", account_id: str = "pub-acct-1") -> SocialAccount:
    account_services.publer_connect(actor=actor, client=client, workspace_id="ws-1", api_key="demo-publer-key")
    return account_services.social_account_create(
        actor=actor,
        client=client,
        platform=platform,
        name=f"{client.name} {platform} (Publer)",
        external_id=account_id,
        route="publer",
    )


def approved_post(actor, client: Client, accounts, *, caption="Fresh sourdough this morning", media=(), **kw) -> Post:
    post = post_services.post_create(
        actor=actor, client=client, caption=caption, accounts=list(accounts), media=media, **kw
    )
    post.status = Post.Status.APPROVED
    post.save(update_fields=["status"])
    return post


def schedule_due(actor, post: Post, seconds_ago: int = 1) -> Post:
    """Schedule ``post`` and pretend its time came ``seconds_ago``."""
    scheduling.post_schedule(actor=actor, post=post, scheduled_at=timezone.now() + timedelta(seconds=30))
    PostTarget.objects.filter(post=post, account__route="direct").update(
        next_attempt_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return post


def run_due(owner: str = "test") -> list[str]:
    """What a dispatcher + worker do, in this process: claim due targets and run each task."""
    outcomes = []
    for claim in engine.claim_due(owner=owner):
        run = engine.verify if claim.verify else engine.publish
        outcomes.append(run(claim.target_id, claim.token))
    return outcomes


def make_due_now(post: Post) -> None:
    PostTarget.objects.filter(post=post, status__in=["scheduled", "unconfirmed"]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
