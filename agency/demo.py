"""Demo data for `make run`: the agency team, two clients and their work. Idempotent."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from agency.models import Client, Deliverable, Lead, PortalRequest, Task, TeamMember, User
from agency.services import clients, deliverables, feeds, inbox, shoots, tasks, team

DEMO_PASSWORD = "localbzz-demo"
DEMO_CLIENT_SLUGS = ["joes-landscaping", "bella-bakery"]

STAFF = [
    # email, first, last, access level, roles
    ("owner@localbzz.local", "Olivia", "Owner", "owner", ("is_editor", "is_scheduler")),
    ("admin@localbzz.local", "Adam", "Admin", "admin", ("is_scheduler",)),
    ("maya@localbzz.local", "Maya", "Lens", "editor", ("is_content_creator", "is_editor")),
    ("leo@localbzz.local", "Leo", "Frame", "editor", ("is_content_creator",)),
    ("viewer@localbzz.local", "Vic", "Viewer", "viewer", ()),
]

CLIENTS: list[dict[str, Any]] = [
    {
        "name": "Joe's Landscaping",
        "slug": "joes-landscaping",
        "industry": "landscaping",
        "location": "Austin, TX",
        "website": "https://joes-landscaping.example",
        "primary_contact_name": "Joe Alvarez",
        "primary_contact_email": "joe@joes-landscaping.example",
        "primary_contact_phone": "+1 512 555 0142",
        "timezone": "America/Chicago",
        "shoot_frequency": "Monthly",
        "default_reels": 2,
        "default_photos": 10,
        "default_carousels": 2,
        "monthly_post_limit": 8,
        "brand_colors": ["#2F6B3A", "#A3C76D", "#F4F1E8"],
        "brand_guidelines": "Friendly, hands-on and local. Show real yards and real crews. "
        "Tone: warm, practical, proud of the work. Avoid: cheap, guaranteed.",
        "description": "Family-run landscaping and yard care in Austin since 2009.",
    },
    {
        "name": "Bella Bakery",
        "slug": "bella-bakery",
        "industry": "bakery",
        "location": "Portland, OR",
        "website": "https://bella-bakery.example",
        "primary_contact_name": "Bella Rossi",
        "primary_contact_email": "bella@bella-bakery.example",
        "primary_contact_phone": "+1 503 555 0199",
        "timezone": "America/Los_Angeles",
        "shoot_frequency": "Quarterly",
        "default_reels": 1,
        "default_photos": 12,
        "default_carousels": 3,
        "monthly_post_limit": 12,
        "brand_colors": ["#8C3B2E", "#F2D7B6", "#FFF8F0"],
        "brand_guidelines": "Cosy, sensory, early-morning bakery warmth. Tone: playful, inviting. "
        "Words to use: fresh, handmade, golden. Avoid: diet, guilt.",
        "description": "Neighbourhood Italian bakery: sourdough, cornetti and celebration cakes.",
    },
]


def demo_logins() -> list[tuple[str, str]]:
    return [(f"Staff {level}", email) for email, _, _, level, _ in STAFF]


def _at(days: int, hour: int, minute: int = 0, zone: zoneinfo.ZoneInfo | None = None) -> datetime:
    """``hour`` in ``zone`` (default: the agency's time zone) on the day ``days`` from the agency's today.

    One today for every client: each client's own today would put Chicago a day ahead of Portland
    for two hours every night, and two plans drawn on different days would book the crew twice."""
    agency_zone = zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)
    day = timezone.localdate(timezone=agency_zone) + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), zone or agency_zone)


def seed() -> dict[str, int]:
    created = {"team members": 0, "clients": 0, "shoots": 0, "deliverables": 0, "tasks": 0, "leads": 0, "requests": 0}
    for email, first, last, level, roles in STAFF:
        if User.objects.filter(email=email).exists():
            continue
        team.team_member_create(
            actor=None,
            email=email,
            first_name=first,
            last_name=last,
            password=DEMO_PASSWORD,
            access_level=level,
            is_editor="is_editor" in roles,
            is_scheduler="is_scheduler" in roles,
            is_content_creator="is_content_creator" in roles,
        )
        created["team members"] += 1

    owner = owner_user()
    maya, leo = (TeamMember.objects.get(user__email=e) for e in ("maya@localbzz.local", "leo@localbzz.local"))
    for data in CLIENTS:
        if Client.objects.filter(slug=data["slug"]).exists():
            continue
        client = clients.client_create(actor=owner, **data)
        created["clients"] += 1
        _seed_client_work(client, owner, maya, leo, created)

    if not Lead.objects.exists():
        inbox.lead_submit(
            contact_name="Priya Shah",
            email="priya@sunrise-yoga.example",
            business_name="Sunrise Yoga Studio",
            industry="fitness",
            location="Austin, TX",
            timezone="America/Chicago",  # as the intake form asks: a Texas business, not the agency's zone
            services="Monthly reels and a spring campaign",
            budget="$800/month",
            message="We are opening a second studio in April and want to build buzz.",
        )
        inbox.lead_submit(
            contact_name="Marco Bianchi",
            email="marco@bianchi-auto.example",
            business_name="Bianchi Auto Repair",
            industry="automotive",
            location="Round Rock, TX",
            timezone="America/Chicago",
            services="Photos of the shop and team",
        )
        created["leads"] += 2

    feeds.feed_get_or_create(actor=owner, scope="all")
    return created


def _seed_client_work(client: Client, owner: User, maya: TeamMember, leo: TeamMember, created: dict) -> None:
    is_joe = client.slug == "joes-landscaping"
    campaign = clients.campaign_create(
        actor=owner,
        client=client,
        status="active",
        name="Spring refresh" if is_joe else "Holiday cakes",
        goal="Book 20 spring clean-ups" if is_joe else "Sell out holiday cake pre-orders",
        brief="Before/after yard transformations, crew at work, happy customers."
        if is_joe
        else "Close-ups of cakes being decorated; the team at 5 am; pre-order reminder.",
    )
    # (days from today, hour at the client's, status, title, crew): each client's own shoots, on days of their own,
    # so no one of the crew is booked twice (the booking refuses a clash: no allow_conflict here).
    shoot_plan = (
        [
            (-12, 9, "Completed", "Backyard makeover — before", [maya]),
            (0, 10, "Scheduled", "Crew at work", [maya, leo]),
            (9, 8, "Scheduled", "Finished gardens", [leo]),
            (20, 14, "Postponed", "Team portraits", [maya]),
        ]
        if is_joe
        else [
            (-10, 7, "Completed", "Storefront and pastry case", [maya]),
            (1, 7, "Scheduled", "Morning bake", [maya, leo]),
            (11, 8, "Scheduled", "Cake decorating", [leo]),
            (22, 14, "Postponed", "Team portraits", [maya]),
        ]
    )
    booked = []
    for days, hour, status, title, crew in shoot_plan:
        booked.append(
            shoots.shoot_create(
                actor=owner,
                client=client,
                title=title,
                start=_at(days, hour, zone=client.tz),  # a shoot's time is the client's (localbzz/zones.py)
                duration_minutes=150,
                crew=crew,
                status=status,
                campaign=campaign,
                location="4410 Oak Hollow Dr, Austin" if is_joe else "Bella Bakery, 12 Alder St, Portland",
            )
        )
        created["shoots"] += 1
    statuses = Deliverable.PIPELINE
    items = (
        [
            ("Before/after reel", "Reel"),
            ("Spring offer carousel", "Carousel"),
            ("Crew photo set", "Photo"),
            ("Lawn care tips reel", "Reel"),
            ("Client testimonial", "Other"),
        ]
        if is_joe
        else [
            ("Sourdough reel", "Reel"),
            ("Cake gallery carousel", "Carousel"),
            ("Pastry photo set", "Photo"),
            ("Pre-order announcement", "Photo"),
            ("Behind the counter reel", "Reel"),
        ]
    )
    for i, (title, kind) in enumerate(items):
        deliverable = deliverables.deliverable_create(
            actor=owner,
            client=client,
            title=title,
            kind=kind,
            shoot=booked[0],
            campaign=campaign,
            due_date=timezone.localdate() + timedelta(days=(-3 if i == 0 else i * 4)),
            assignee=leo if i % 2 else maya,
            status=statuses[min(i, len(statuses) - 1)],
            caption="",
            posting_instructions="Post Tue/Thu mornings.",
        )
        created["deliverables"] += 1
        if i < 3:
            task = tasks.task_create(
                actor=owner,
                name=f"Edit {title.lower()}",
                client=client,
                deliverable=deliverable,
                assignee=leo if i % 2 else maya,
                priority=["High", "Medium", "Low"][i],
                estimate_minutes=90,
                due_date=deliverable.due_date,
                status=Task.Status.IN_PROGRESS if i == 0 else Task.Status.TO_DO,
            )
            created["tasks"] += 1
            tasks.time_entry_add(
                actor=owner,
                member=leo if i % 2 else maya,  # the task's assignee
                task=task,
                started_at=timezone.now() - timedelta(days=i + 1, hours=3),
                ended_at=timezone.now() - timedelta(days=i + 1, hours=1, minutes=20),
                note="First cut",
            )
    request = inbox.portal_request_create(
        actor=None,
        client=client,
        topic=PortalRequest.Topic.CONTENT,
        priority=PortalRequest.Priority.URGENT if is_joe else PortalRequest.Priority.NORMAL,
        content="Can we push the spring offer post to Friday? We are fully booked this week."
        if is_joe
        else "We have a new seasonal tart — could it be in next week's posts?",
    )
    created["requests"] += 1
    if not is_joe:
        inbox.request_reply(actor=owner, request=request, body="Love it — we will shoot it on Thursday morning.")


def owner_user() -> User:
    return User.objects.get(email=STAFF[0][0])
