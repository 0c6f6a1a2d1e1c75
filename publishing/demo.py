"""Demo media for `make run`: a few pleasant photos per demo client, drawn with Pillow (nothing is
downloaded). Uploaded through the real service, so the worker makes their renditions; running it
again finds the same files (same SHA-256) and adds nothing."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from agency.models import Client
from publishing.fakes.x import DEMO_USER_ID as X_DEMO_USER_ID
from publishing.models import Attachment, MediaAsset, Post, SocialAccount
from publishing.services import accounts as account_services
from publishing.services import posts as post_services
from publishing.services.attachments import attachment_add
from publishing.services.media.upload import media_upload

Size = tuple[int, int]


def _gradient(size: Size, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _finish(im: Image.Image, seed: int) -> bytes:
    # Seeded grain (not Image.effect_noise, which is random): the same photo every run.
    grain = Image.frombytes("L", im.size, random.Random(seed).randbytes(im.width * im.height)).convert("RGB")
    im = Image.blend(im.filter(ImageFilter.GaussianBlur(1.2)), grain, 0.05)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=88)
    return out.getvalue()


def lawn(size: Size = (1600, 1200), seed: int = 1, sky=((120, 180, 235), (250, 215, 170))) -> bytes:
    rnd = random.Random(seed)
    w, h = size
    im = _gradient(size, *sky)
    draw = ImageDraw.Draw(im)
    draw.ellipse((w * 0.68, h * 0.12, w * 0.82, h * 0.12 + w * 0.14), fill=(255, 226, 140))
    for i, colour in enumerate([(88, 150, 70), (70, 130, 55), (52, 110, 45)]):
        base = h * (0.55 + 0.12 * i)
        points = [(0, h)] + [(x, base - 60 * abs(((x / w) * (2 + i) + seed) % 2 - 1)) for x in range(0, w + 40, 40)]
        draw.polygon([*points, (w, h)], fill=colour)
    for _ in range(6):  # trees
        x, y = rnd.uniform(0.05, 0.6) * w, h * rnd.uniform(0.55, 0.7)
        draw.rectangle((x - 8, y, x + 8, y + 90), fill=(95, 65, 40))
        draw.ellipse((x - 60, y - 110, x + 60, y + 20), fill=(40 + rnd.randrange(30), 100 + rnd.randrange(40), 50))
    for _ in range(900):  # grass
        x, y = rnd.uniform(0, w), rnd.uniform(h * 0.8, h)
        draw.line(
            (x, y, x + rnd.uniform(-6, 6), y - rnd.uniform(10, 30)), fill=(60, 140 + rnd.randrange(60), 60), width=2
        )
    return _finish(im, seed)


def cupcakes(size: Size = (1200, 1500), seed: int = 2, frosting=((245, 170, 190), (250, 235, 210))) -> bytes:
    rnd = random.Random(seed)
    w, h = size
    im = _gradient(size, (255, 244, 230), (232, 200, 170))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, h * 0.72, w, h), fill=(170, 120, 80))  # counter
    for i in range(3):
        cx, base = w * (0.22 + 0.28 * i), h * 0.74
        draw.polygon(
            [(cx - 110, base - 160), (cx + 110, base - 160), (cx + 80, base), (cx - 80, base)], fill=(200, 140, 90)
        )
        colour = frosting[i % 2]
        for layer in range(4):
            r = 125 - layer * 25
            y = base - 190 - layer * 55
            draw.ellipse((cx - r, y - 45, cx + r, y + 45), fill=tuple(max(0, c - layer * 8) for c in colour))
        draw.ellipse((cx - 22, base - 420, cx + 22, base - 376), fill=(200, 30, 50))  # cherry
        for _ in range(40):  # sprinkles
            x, y = cx + rnd.uniform(-100, 100), base - rnd.uniform(200, 360)
            draw.line((x, y, x + 8, y + 4), fill=tuple(rnd.randrange(80, 256) for _ in range(3)), width=4)
    return _finish(im, seed)


def loaves(size: Size = (1600, 1067), seed: int = 3) -> bytes:
    rnd = random.Random(seed)
    w, h = size
    im = _gradient(size, (110, 80, 60), (60, 40, 30))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, h * 0.62, w, h), fill=(150, 110, 75))
    for i in range(4):
        cx, cy = w * (0.16 + 0.22 * i), h * 0.62
        draw.ellipse((cx - 150, cy - 110, cx + 150, cy + 40), fill=(205 - i * 10, 150 - i * 8, 85))
        for k in range(3):
            x = cx - 70 + k * 60
            draw.arc((x - 30, cy - 95, x + 30, cy - 35), 200, 340, fill=(240, 215, 170), width=6)
    for _ in range(300):  # flour
        x, y = rnd.uniform(0, w), rnd.uniform(h * 0.64, h)
        draw.point((x, y), fill=(235, 225, 210))
    return _finish(im, seed)


PHOTOS: dict[str, list[tuple[str, Callable[[], bytes], list[str], str]]] = {
    "joes-landscaping": [
        ("front-lawn-sunrise.jpg", lambda: lawn(), ["lawn", "before-after"], "Spring shoot"),
        (
            "backyard-evening.jpg",
            lambda: lawn(seed=4, sky=((70, 90, 160), (240, 150, 110))),
            ["backyard"],
            "Spring shoot",
        ),
        ("hedge-detail.jpg", lambda: lawn((1200, 1500), seed=7), ["detail"], "Portfolio"),
    ],
    "bella-bakery": [
        ("cupcake-trio.jpg", lambda: cupcakes(), ["cupcakes", "menu"], "Menu photos"),
        ("fresh-loaves.jpg", lambda: loaves(), ["bread", "menu"], "Menu photos"),
        (
            "mint-cupcakes.jpg",
            lambda: cupcakes(seed=5, frosting=((180, 230, 200), (250, 240, 220))),
            ["cupcakes"],
            "Specials",
        ),
    ],
}


def seed(actor=None) -> dict[str, int]:
    """Upload the demo photos of each demo client that exists; returns how many were new."""
    created = 0
    for slug, photos in PHOTOS.items():
        client = Client.objects.filter(slug=slug).first()
        if client is None:
            continue
        for name, draw, tags, folder in photos:
            results = media_upload(
                client=client, files=[ContentFile(draw(), name=name)], uploaded_by=actor, tags=tags, folder=folder
            )
            created += sum(r.created for r in results)
    return {"media files": created, "attachments": seed_attachments(actor)}


def one_page_pdf(lines: list[str]) -> bytes:
    """A real one-page PDF of a few lines of text (Helvetica), offsets and all."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -22 Td" for line in lines)
    stream = f"BT /F1 16 Tf 72 760 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed_attachments(actor=None) -> int:
    """A shot list on each demo client's first shoot, a brief on each deliverable, and a reference
    photo on its first request (once each)."""
    created = 0
    for client in Client.objects.filter(slug__in=PHOTOS):
        shoot = client.shoots.order_by("start").first()
        request = client.requests.order_by("created_at").first()
        shot_list = [f"{client.name}: shot list", "1. Wide of the front", "2. Team at work", "3. Details, close up"]
        files = [
            (shoot, "Shot list.pdf", shot_list),
            *[
                (d, "Brief.pdf", [f"{client.name}: {d.title}", f"Type: {d.kind}", "Keep it bright."])
                for d in client.deliverables.all()
            ],
            (request, "Reference photo.jpg", []),
        ]
        for target, name, lines in files:
            if (
                target is None
                or Attachment.objects.filter(**{Attachment.field_for(target): target}, name=name).exists()
            ):
                continue
            content = one_page_pdf(lines) if lines else lawn((800, 600), seed=7)
            attachment_add(target=target, upload=ContentFile(content, name=name), uploaded_by=actor)
            created += 1
    return created


# Social accounts and posts -----------------------------------------------------------------------
# Demo accounts carry demo tokens ("demo-…"), which the fake platforms (`run_fake_platforms`,
# started by `make run`) accept: a demo post really goes out, to the fakes.

DEMO_ACCOUNTS = {
    "joes-landscaping": [
        ("facebook", "Joe's Landscaping", "5550001", ""),
        ("instagram", "joes.landscaping", "17841455500001", "joes.landscaping"),
        ("google_business", "Joe's Landscaping — Austin", "accounts/5550001/locations/42", ""),
        # the fake's X user for a token it did not issue, so that reading the account's posts back
        # (verification) finds what its token posted
        ("x", "Joe's Landscaping", X_DEMO_USER_ID, "joeslandscaping"),
    ],
    "bella-bakery": [
        ("facebook", "Bella Bakery", "5550101", ""),
        ("instagram", "bella.bakes", "17841455500101", "bella.bakes"),
        ("linkedin", "Bella Bakery", "urn:li:organization:5550101", ""),
    ],
}
SLOTS = [{"day": d, "time": t} for d in range(5) for t in ("09:30", "17:30")]


def seed_publishing(actor) -> dict[str, int]:
    """Demo social accounts and a few posts in different states, for the demo clients that exist."""
    created = {"social accounts": 0, "posts": 0}
    for slug, accounts in DEMO_ACCOUNTS.items():
        client = Client.objects.filter(slug=slug).first()
        if client is None:
            continue
        for platform, name, external_id, handle in accounts:
            if SocialAccount.objects.filter(client=client, platform=platform, external_id=external_id).exists():
                continue
            account_services.social_account_create(
                actor=actor,
                client=client,
                platform=platform,
                name=name,
                external_id=external_id,
                handle=handle,
                token=f"demo-{slug}-{platform}",
                posting_slots=SLOTS,
            )
            created["social accounts"] += 1
        if Post.objects.filter(client=client).exists():
            continue
        connected = list(SocialAccount.objects.filter(client=client))
        photos = {a.original_name: a for a in MediaAsset.objects.filter(client=client)}
        feed = [a for a in connected if a.platform in {"facebook", "instagram"}]
        tomorrow = timezone.localdate(timezone=client.tz) + timedelta(days=1)
        plans = _plans(slug)
        for i, (caption, tags, state, photo) in enumerate(plans):
            post = post_services.post_create(
                actor=actor,
                client=client,
                caption=caption,
                hashtags=tags,
                media=[photos[photo]] if photo in photos else [],  # the photo the caption talks about
                accounts=feed,
                submit=state != "draft",
            )
            if state == "scheduled":
                when = datetime.combine(tomorrow + timedelta(days=i), time(9, 30), tzinfo=client.tz)
                post_services.post_approve(actor=actor, post=post, scheduled_at=when)
            created["posts"] += 1
    return created


def _plans(slug: str) -> list[tuple[str, list[str], str, str]]:
    """(caption, hashtags, state, the demo photo it shows) per post."""
    if slug == "joes-landscaping":
        return [
            ("Spring clean-up season is here! 🌱 We turned this tired backyard into a weekend retreat.",
             ["landscaping", "austin", "springcleanup"], "scheduled", "backyard-evening.jpg"),
            ("Before → after: a front lawn we brought back to life in two visits.", ["lawncare", "austin"], "pending",
             "front-lawn-sunrise.jpg"),
            ("Hedge trimming tips for a tidy summer (draft — add the crew photo).", ["gardening"], "draft",
             "hedge-detail.jpg"),
        ]  # fmt: skip
    return [
        ("Fresh sourdough, out of the oven at 7 every morning. 🍞", ["bakery", "sourdough", "portland"], "scheduled",
         "fresh-loaves.jpg"),
        ("New this week: mint cupcakes for spring! Which flavour next?", ["cupcakes", "portland"], "pending",
         "mint-cupcakes.jpg"),
    ]  # fmt: skip
