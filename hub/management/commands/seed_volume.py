"""Fill the database with the data of a real agency after two years (a developer command).

At ``--scale 1``: 300 clients, 30 staff, 20k shoots, deliverables and tasks, 100k posts with ~193k
targets (18 months back to 6 months ahead), 100k media assets with ~625k renditions and 500k
activity events. Rows are written with PostgreSQL ``COPY`` (batched ``INSERT`` on SQLite); media
rows point at file keys that do not exist (pages show them as broken thumbnails), no image is made.

Distributions: client sizes spread over a factor of ten, most past posts published (some failed,
partly published, canceled), future posts scheduled or still in review. Runs on top of the demo data
(``seed_demo`` first) so the demo sign-ins work; every generated user's password is the demo one.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from agency.models import ActivityEvent, Client, Deliverable, Shoot, Task, TeamMember, TimeEntry, User
from analytics import volume
from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics
from portal.models import ClientUser
from publishing.media.presets import PRESETS
from publishing.models import MediaAsset, MediaRendition, Post, PostMedia, PostTarget, SocialAccount
from publishing.states import PostStatus as PS
from publishing.states import TargetStatus as TS

FULL = {
    "clients": 300,
    "staff": 30,
    "shoots": 20_000,
    "deliverables": 20_000,
    "tasks": 20_000,
    "time_entries": 40_000,
    "posts": 100_000,
    "media": 100_000,
    "activity": 500_000,
}
PASSWORD = "localbzz-demo"
Row = dict[str, Any]  # one row to write: field attname → value
INDUSTRIES = ["landscaping", "bakery", "dentistry", "fitness", "real estate", "restaurant", "salon", "auto repair"]
WORDS = ["Oak", "River", "Sunny", "Blue", "Maple", "Golden", "Urban", "Cedar", "North", "Harbor", "Pine", "Summit"]
PLATFORMS = ["instagram", "facebook", "linkedin", "x", "google_business"]
PHOTO_PRESETS = ["thumbnail", *PRESETS]  # 7 renditions of a photo
ERRORS = [
    ("auth", "The access token has expired; reconnect the account."),
    ("rejected", "The image is too small for this placement."),
    ("rate_limit", "Rate limited by the platform; retries exhausted."),
]


class Command(BaseCommand):
    help = "Fill the database with a real agency's volume of data (developer command; see README)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the full volume (e.g. 0.1).")
        parser.add_argument("--seed", type=int, default=14, help="Random seed (same seed, same data).")

    def handle(self, *args, scale: float, seed: int, **options) -> None:
        if not 0 < scale <= 5:
            raise CommandError("--scale must be above 0 and at most 5, e.g. 0.1 for a tenth.")
        if Client.objects.filter(slug__startswith="vol-").exists():
            raise CommandError("This database already holds seed_volume data; use a fresh database.")
        started = time.monotonic()
        call_command("seed_demo", stdout=self.stdout)
        self.rnd = random.Random(seed)
        self.now = timezone.now()
        n = {k: max(1, round(v * scale)) for k, v in FULL.items()}
        n["clients"], n["staff"] = max(3, n["clients"]), max(3, n["staff"])
        with transaction.atomic():
            counts = Volume(self.rnd, self.now, n).write()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
                if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
                    # The figures' visibility map, so the analytics selectors' period scans read
                    # the covering index alone from the start (autovacuum would get there later).
                    cursor.execute(f"VACUUM {TargetMetrics._meta.db_table}")
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Volume data in {time.monotonic() - started:.0f} s: {summary}."))


class Volume:
    """Generates the rows in memory, one model at a time, and writes each table in one go."""

    def __init__(self, rnd: random.Random, now: datetime, n: dict[str, int]):
        self.rnd, self.now, self.n = rnd, now, n
        self.counts: dict[str, int] = {}

    def write(self) -> dict[str, int]:
        self.staff()
        self.clients()
        self.work()
        self.media()
        self.posts()
        self.metrics()
        self.activity()
        return self.counts

    # --- helpers -------------------------------------------------------------------------------

    def pick_client(self) -> uuid.UUID:
        return self.rnd.choices(self.client_list, cum_weights=self.client_cum)[0]

    def moment(self, back_days: float, ahead_days: float) -> datetime:
        return self.now + timedelta(seconds=self.rnd.uniform(-back_days * 86400, ahead_days * 86400))

    def copy(self, model: type[models.Model], rows: list[Row], label: str | None = None) -> None:
        copy_rows(model, rows, self.now)
        key = label or str(model._meta.verbose_name_plural)
        self.counts[key] = self.counts.get(key, 0) + len(rows)

    # --- people and clients --------------------------------------------------------------------

    def staff(self) -> None:
        password = make_password(PASSWORD)
        users: list[Row] = []
        members: list[Row] = []
        levels = ["admin"] * 3 + ["viewer"] * 4 + ["editor"] * (self.n["staff"] - 7)
        for i in range(self.n["staff"]):
            uid = len(users)
            users.append(
                {"password": password, "email": f"staff{i:02d}@volume.localbzz.local", "first_name": "Staff",
                 "last_name": f"{WORDS[i % len(WORDS)]} {i}", "is_active": True, "date_joined": self.now}
            )  # fmt: skip
            members.append(
                {"id": uuid.uuid4(), "_user": uid, "access_level": levels[i % len(levels)],
                 "is_editor": i % 2 == 0, "is_scheduler": i % 3 == 0, "is_content_creator": i % 2 == 1}
            )  # fmt: skip
        ids = insert_users(users)
        for m in members:
            m["user_id"] = ids[m.pop("_user")]
        self.copy(TeamMember, members, "staff")
        self.members = [m["id"] for m in members]
        self.staff_users = ids
        self.password = password

    def clients(self) -> None:
        rnd = self.rnd
        clients: list[Row] = []
        accounts: list[Row] = []
        portal_users: list[Row] = []
        users: list[Row] = []
        for i in range(self.n["clients"]):
            industry = INDUSTRIES[i % len(INDUSTRIES)]
            name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {industry.title()} {i + 1}"
            cid = uuid.uuid4()
            clients.append(
                {"id": cid, "name": name, "slug": f"vol-{i + 1:04d}", "status": "Active" if i % 10 else "Inactive",
                 "industry": industry, "location": "Austin, TX", "timezone": rnd.choice(
                     ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London"]),
                 "monthly_post_limit": 40, "brand_colors": [], "created_at": self.moment(720, 0)}
            )  # fmt: skip
            for platform in rnd.sample(PLATFORMS, rnd.choice([2, 2, 3, 3, 4])):
                accounts.append(
                    {"id": uuid.uuid4(), "client_id": cid, "platform": platform, "name": f"{name} on {platform}",
                     "handle": f"@vol{i + 1}{platform[:2]}", "external_id": f"vol-{i + 1}-{platform}",
                     "extra": {}, "posting_slots": []}
                )  # fmt: skip
            users.append(
                {"password": self.password, "email": f"owner@vol-{i + 1:04d}.example", "first_name": "Owner",
                 "last_name": name[:100], "is_active": True, "date_joined": self.now}
            )  # fmt: skip
            portal_users.append({"id": uuid.uuid4(), "client_id": cid, "role": "owner"})
        self.copy(Client, clients)
        self.copy(SocialAccount, accounts)
        self.account_rows = accounts
        for cu, user_id in zip(portal_users, insert_users(users), strict=True):
            cu["user_id"] = user_id
        self.copy(ClientUser, portal_users, "portal users")
        # Some clients have ten times the posts (and media) of others.
        self.client_list = [c["id"] for c in clients]
        weights = [10 ** rnd.random() for _ in clients]
        self.client_cum = [sum(weights[: i + 1]) for i in range(len(weights))]
        self.accounts: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
        for a in accounts:
            self.accounts.setdefault(a["client_id"], []).append((a["id"], a["platform"]))
        self.client_names = {c["id"]: c["name"] for c in clients}

    def work(self) -> None:
        rnd, now = self.rnd, self.now
        shoots: list[Row] = []
        crew: list[Row] = []
        deliverables: list[Row] = []
        tasks: list[Row] = []
        entries: list[Row] = []
        for i in range(self.n["shoots"]):
            start = self.moment(540, 180).replace(minute=0, second=0, microsecond=0)
            minutes = rnd.choice([60, 90, 120, 180, 240])
            sid = uuid.uuid4()
            shoots.append(
                {"id": sid, "client_id": self.pick_client(), "title": f"Shoot {i + 1}", "start": start,
                 "duration_minutes": minutes, "end": start + timedelta(minutes=minutes),
                 "status": "Completed" if start < now else "Scheduled", "location": "On site"}
            )  # fmt: skip
            for member in rnd.sample(self.members, 2):
                crew.append({"shoot_id": sid, "teammember_id": member})
        for i in range(self.n["deliverables"]):
            due = self.moment(540, 120).date()
            past = due < now.date()
            deliverables.append(
                {"id": uuid.uuid4(), "client_id": self.pick_client(), "title": f"Deliverable {i + 1}",
                 "kind": rnd.choice(["Reel", "Photo", "Carousel"]),
                 "status": "Delivered" if past and rnd.random() < 0.95 else rnd.choice(Deliverable.PIPELINE[:4]),
                 "due_date": due, "assignee_id": rnd.choice(self.members)}
            )  # fmt: skip
        for i in range(self.n["tasks"]):
            created = self.moment(540, 0)
            done = created < now - timedelta(days=30) and rnd.random() < 0.9
            tasks.append(
                {"id": uuid.uuid4(), "name": f"Task {i + 1}", "client_id": self.pick_client(),
                 "status": "Completed" if done else rnd.choice(["To Do", "In Progress", "Blocked", "Awaiting Review"]),
                 "priority": rnd.choice(["High", "Medium", "Medium", "Low"]), "assignee_id": rnd.choice(self.members),
                 "estimate_minutes": rnd.choice([None, 30, 60, 120]), "due_date": (created + timedelta(days=14)).date(),
                 "completed_at": created + timedelta(days=3) if done else None, "created_at": created}
            )  # fmt: skip
        for _ in range(self.n["time_entries"]):
            task = rnd.choice(tasks)
            start = task["created_at"] + timedelta(hours=rnd.uniform(1, 200))
            entries.append(
                {"id": uuid.uuid4(), "task_id": task["id"], "member_id": rnd.choice(self.members),
                 "started_at": start, "ended_at": start + timedelta(minutes=rnd.randint(10, 180)), "source": "manual"}
            )  # fmt: skip
        self.copy(Shoot, shoots)
        self.copy(Shoot.crew.through, crew, "shoot crew")
        self.copy(Deliverable, deliverables)
        self.copy(Task, tasks)
        self.copy(TimeEntry, entries)

    # --- media and posts -----------------------------------------------------------------------

    def media(self) -> None:
        rnd = self.rnd
        assets: list[Row] = []
        renditions: list[Row] = []
        self.media_of: dict[uuid.UUID, list[uuid.UUID]] = {}
        for _ in range(self.n["media"]):
            client = self.pick_client()
            aid = uuid.uuid4()
            video = rnd.random() < 0.1
            base = f"clients/{client}/media/{aid.hex}"
            w, h = rnd.choice([(4032, 3024), (3024, 4032), (1920, 1080), (1080, 1350)])
            assets.append(
                {"id": aid, "client_id": client, "file": base + (".mp4" if video else ".jpg"),
                 "original_name": f"IMG_{rnd.randint(1000, 9999)}.{'mp4' if video else 'jpg'}",
                 "content_type": "video/mp4" if video else "image/jpeg", "kind": "video" if video else "image",
                 "width": w, "height": h, "duration": rnd.uniform(5, 60) if video else None,
                 "bytes": rnd.randint(800_000, 60_000_000 if video else 9_000_000), "sha256": aid.hex * 2,
                 "source": "upload", "status": "ready", "created_at": self.moment(560, 0)}
            )  # fmt: skip
            self.media_of.setdefault(client, []).append(aid)
            # Photos: thumbnail + the platform presets (some not made yet); videos: poster + thumbnail.
            presets = ["poster", "thumbnail"] if video else PHOTO_PRESETS[: rnd.choice([6, 7, 7, 7])]
            for preset in presets:
                renditions.append(
                    {"id": uuid.uuid4(), "asset_id": aid, "preset": preset, "file": f"{base}/{preset}.jpg",
                     "width": 640, "height": 640, "bytes": rnd.randint(40_000, 900_000)}
                )  # fmt: skip
        self.copy(MediaAsset, assets)
        self.copy(MediaRendition, renditions)

    def posts(self) -> None:
        rnd, now = self.rnd, self.now
        posts: list[Row] = []
        post_media: list[Row] = []
        targets: list[Row] = []
        for i in range(self.n["posts"]):
            client = self.pick_client()
            pid = uuid.uuid4()
            when = self.moment(548, 182).replace(second=0, microsecond=0)
            created = min(now, when - timedelta(days=rnd.uniform(1, 30)))
            status, target_status = _statuses(rnd, when < now)
            source = rnd.choice(["staff", "staff", "staff", "portal", "api", "generation"])
            posts.append(
                {"id": pid, "client_id": client, "title": f"Post {i + 1}",
                 "caption": f"Something new at {self.client_names[client]} this week. Come and see!",
                 "hashtags": ["local", "smallbusiness"], "placement": "feed", "status": status,
                 "scheduled_at": when, "source": source, "created_by_id": rnd.choice(self.staff_users),
                 "submitted_at": created if source == "portal" else None,
                 "approved_at": created if status not in (PS.DRAFT, PS.PENDING_APPROVAL) else None,
                 "published_at": when if status in (PS.PUBLISHED, PS.PARTIALLY_PUBLISHED) else None,
                 "created_at": created, "updated_at": when if when < now else created}
            )  # fmt: skip
            media = self.media_of.get(client) or []
            for position, asset in enumerate(rnd.sample(media, min(len(media), rnd.choice([1, 1, 1, 2, 3])))):
                post_media.append({"post_id": pid, "asset_id": asset, "position": position})
            accounts = self.accounts[client]
            chosen = rnd.sample(accounts, min(len(accounts), rnd.choice([1, 2, 2, 2, 3])))
            for j, (account, platform) in enumerate(chosen):
                ts = target_status[j % len(target_status)]
                error = rnd.choice(ERRORS) if ts == TS.FAILED else ("", "")
                targets.append(
                    {"id": uuid.uuid4(), "post_id": pid, "account_id": account, "status": ts, "scheduled_at": when,
                     "next_attempt_at": when if ts == TS.SCHEDULED else None, "attempts": 1 if when < now else 0,
                     "checkpoint": {}, "media_choices": [],
                     "external_id": f"{platform}-{pid.hex[:12]}" if ts == TS.PUBLISHED else "",
                     "url": f"https://{platform}.example/p/{pid.hex[:12]}" if ts == TS.PUBLISHED else "",
                     "published_at": when if ts == TS.PUBLISHED else None, "error_kind": error[0],
                     "last_error": error[1], "created_at": created, "updated_at": when if when < now else created}
                )  # fmt: skip
        self.copy(Post, posts)
        self.copy(PostMedia, post_media, "post media")
        self.copy(PostTarget, targets, "targets")
        self.post_ids = [(p["id"], p["client_id"], p["title"], p["created_at"]) for p in posts]
        self.targets, self.client_of_post = targets, {p["id"]: p["client_id"] for p in posts}

    def metrics(self) -> None:
        """What the platforms said: figures of every published target, recent growth, daily followers."""
        platforms = {a["id"]: a["platform"] for a in self.account_rows}
        rows, snapshots = volume.metric_rows(self.rnd, self.now, self.targets, self.client_of_post, platforms)
        self.copy(TargetMetrics, rows, "target metrics")
        self.copy(MetricSnapshot, snapshots, "metric snapshots")
        self.copy(AccountMetrics, volume.follower_rows(self.rnd, self.now, self.account_rows), "follower days")

    def activity(self) -> None:
        rnd = self.rnd
        post_type = ContentType.objects.get_for_model(Post).pk
        verbs = ["post.created", "post.updated", "post.approved", "post.scheduled", "post.published", "post.failed"]
        rows: list[Row] = []
        for _ in range(self.n["activity"]):
            pid, client, title, created = rnd.choice(self.post_ids)
            actor = rnd.choice(self.staff_users)
            rows.append(
                {"actor_id": actor, "actor_label": "Staff", "verb": rnd.choice(verbs), "target_type_id": post_type,
                 "target_id": str(pid), "target_label": title, "client_id": client,
                 "changes": {"status": ["approved", "scheduled"]},
                 "created_at": min(self.now, created + timedelta(hours=rnd.uniform(0, 72)))}
            )  # fmt: skip
        rows.sort(key=lambda r: r["created_at"])  # ids grow with time, as they do for real
        self.copy(ActivityEvent, rows, "activity events")


def _statuses(rnd: random.Random, past: bool) -> tuple[str, list[str]]:
    """A post's status and its targets' statuses: most past posts published, some failed."""
    if past:
        r = rnd.random()
        if r < 0.88:
            return PS.PUBLISHED, [TS.PUBLISHED]
        if r < 0.92:
            return PS.FAILED, [TS.FAILED]
        if r < 0.95:
            return PS.PARTIALLY_PUBLISHED, [TS.PUBLISHED, TS.FAILED]
        if r < 0.98:
            return PS.CANCELED, [TS.CANCELED]
        return PS.REJECTED, [TS.PENDING]
    r = rnd.random()
    if r < 0.75:
        return PS.SCHEDULED, [TS.SCHEDULED]
    if r < 0.85:
        return PS.APPROVED, [TS.PENDING]
    if r < 0.93:
        return PS.PENDING_APPROVAL, [TS.PENDING]
    return PS.DRAFT, [TS.PENDING]


def insert_users(rows: list[Row]) -> list[int]:
    """Users have integer ids from a sequence: bulk_create returns them (PostgreSQL and SQLite)."""
    users = User.objects.bulk_create([User(**row) for row in rows], batch_size=1000)
    return [u.pk for u in users]


def copy_rows(model: type[models.Model], rows: list[Row], now: datetime) -> None:
    """Write ``rows`` (field attname → value) into ``model``'s table; unset fields get their
    default (auto_now fields: ``now``). COPY on PostgreSQL, batched INSERTs elsewhere."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    if "id" in rows[0]:
        fields = list(model._meta.concrete_fields)
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif isinstance(f, (models.CharField, models.TextField, models.FileField)):
            defaults[f.attname] = ""
    columns = [f.column for f in fields if f.column]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}

    native = connection.vendor == "postgresql"  # psycopg adapts UUIDs, datetimes and dates itself

    def values(row: Row) -> tuple[Any, ...]:
        out = []
        for f in fields:
            v = row[f.attname] if f.attname in row else defaults[f.attname]
            if f.attname in json_fields:
                v = json.dumps(v)
            elif not native:
                v = f.get_db_prep_save(v, connection)
            out.append(v)
        return tuple(out)

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if native:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (names from the model)
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, [values(r) for r in rows[start : start + 5000]])
