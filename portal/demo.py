"""Demo portal users (one owner per demo client) and a post waiting for a client's approval."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from agency.demo import DEMO_PASSWORD
from agency.models import Client
from portal.models import ClientUser
from portal.services.people import client_user_invite
from publishing.models import MediaAsset, SocialAccount
from publishing.services import posts as post_services

# slug -> (email, first name, last name); printed by `manage.py welcome`
PORTAL_USERS = {
    "joes-landscaping": ("joe@joes-landscaping.example", "Joe", "Alvarez"),  # the CRM's primary contact
    "bella-bakery": ("bella@bella-bakery.example", "Bella", "Rossi"),
}
# This client approves its posts too, so the demo shows the portal's approvals.
APPROVES_POSTS = "bella-bakery"


def portal_logins() -> list[tuple[Client, str]]:
    clients = {c.slug: c for c in Client.objects.filter(slug__in=PORTAL_USERS)}
    return [(clients[slug], email) for slug, (email, _, _) in PORTAL_USERS.items() if slug in clients]


def seed(actor) -> dict[str, int]:
    created = {"portal users": 0, "posts waiting for a client": 0}
    for slug, (email, first, last) in PORTAL_USERS.items():
        client = Client.objects.filter(slug=slug).first()
        if client is None or ClientUser.objects.filter(user__email=email).exists():
            continue
        client_user_invite(
            actor=actor, client=client, email=email, first_name=first, last_name=last,
            role=ClientUser.Role.OWNER, password=DEMO_PASSWORD, send_invite=False,
        )  # fmt: skip
        created["portal users"] += 1
    client = Client.objects.filter(slug=APPROVES_POSTS).first()
    if client is not None and not client.requires_client_approval:
        created["posts waiting for a client"] += _waiting_post(actor, client)
    return created


def _waiting_post(actor, client: Client) -> int:
    client.requires_client_approval = True
    client.save(update_fields=["requires_client_approval", "updated_at"])
    photo = MediaAsset.objects.filter(client=client, original_name="fresh-loaves.jpg").first()  # a loaf
    accounts = list(SocialAccount.objects.filter(client=client, platform__in=["facebook", "instagram"]))
    day = timezone.localdate(timezone=client.tz) + timedelta(days=3)
    post = post_services.post_create(
        actor=actor,
        client=client,
        caption="Our lemon-poppyseed loaf is back for the weekend! Pre-order by Thursday. 🍋",
        hashtags=["bakery", "portland", "weekendtreat"],
        media=[photo] if photo else [],
        accounts=accounts,
    )
    post_services.post_approve(actor=actor, post=post, scheduled_at=datetime.combine(day, time(8, 0), tzinfo=client.tz))
    return 1
