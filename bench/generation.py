"""Image generation benchmark: how long a batch of 9 images takes against a slow provider, and how
many images per second the builtin renderer draws.

1. Batch wall time. Starts the fake AI providers (generation.fakes.server) with the OpenAI-compatible
   images endpoint answering after --latency seconds (1 s), a fresh database (PostgreSQL
   --database-url, else a temporary SQLite file) and real django-q2 clusters (`manage.py qcluster`,
   --clusters × --workers), then calls image_batch_create with 9 images (Facebook, Instagram,
   Instagram story, LinkedIn, X, Google Business) and times the call until the job is final. Once
   with the Redis broker (production: REDIS_URL set) and once with the database (ORM) broker (the
   default without REDIS_URL); each: one batch on cold workers (not counted), then --runs batches.
   Prints the wall time (p50/max), the job's own duration, each item's generation time (min/max,
   and their sum: ~9 s of provider time in under 2 s of wall time when the items run concurrently),
   when the workers picked the items up, and when the library renditions were ready. The fake's
   pictures are drawn before the clock starts: a real provider draws on its own machines.
   Then the CPU one item costs besides the wait (its task, and the renditions task its upload
   queues), measured one at a time: what 9 of them add on this machine's CPUs.
2. Builtin renderer throughput, in this process: --images renders (every platform size × the
   4 styles, with and without a 12 MP library photo as background, brand colours and logo) through
   BuiltinImages.render; then --e2e images end to end on one process (image_item_run: render and
   store in the media library, then the media renditions task).

Target (issue): 9 images against a provider answering after 1 s in under 2 s of wall time. The
machine is shared: other work on its CPUs shows in the batch figures (the load average is printed).

Run: .venv/bin/python bench/generation.py [--latency 1.0] [--runs 5] [--workers 9] [--brokers redis,orm]
                                           [--images 96] [--e2e 12]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The batch: one image per line, platforms mixed; topics of different lengths (the fake provider's
# picture depends on the prompt's length, and the library keeps one asset per identical file).
BATCH = [
    ("facebook", "Spring planting weekend at the garden centre"),
    ("instagram", "Fresh sourdough loaves"),
    ("instagram_story", "Behind the counter at six in the morning"),
    ("linkedin", "We are hiring two bakers for the new shop"),
    ("x", "Ovens on: first batch out at 7"),
    ("google_business", "Our shop front on Main Street"),
    ("instagram", "Cinnamon rolls, still warm from the oven today"),
    ("facebook", "Saturday market stall"),
    ("instagram_story", "Swipe up for this week's specials and opening hours"),
]
BRAND = {"brand_colors": ["#7A3E1D", "#E8B04A", "#FBF6EC"],
         "brand_guidelines": "Warm, local, proud of the craft. Avoid: cheap, guaranteed."}  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.0, help="Seconds the fake images endpoint takes.")
    parser.add_argument("--runs", type=int, default=5, help="Measured batches per broker (after one cold batch).")
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=9, help="Workers per cluster (items mostly wait on HTTP).")
    parser.add_argument("--brokers", default="redis,orm", help="Comma-separated: redis, orm ('' for none).")
    parser.add_argument("--images", type=int, default=96, help="Builtin renders timed in this process.")
    parser.add_argument("--e2e", type=int, default=12, help="Builtin images end to end (render, store, renditions).")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/localbzz_bench_generation"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--phase", help=argparse.SUPPRESS)  # internal: one broker's batches, in a child process
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args()


# --------------------------------------------------------------------------------------------
# Set-up and clean-up
# --------------------------------------------------------------------------------------------


def database(url: str) -> str:
    """A fresh database at ``url`` if PostgreSQL answers there, else a temporary SQLite file."""
    try:
        import psycopg

        name = urlparse(url).path.lstrip("/")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return url
    except Exception as error:  # no PostgreSQL here: measure on SQLite instead, and say so
        print(f"(PostgreSQL unavailable: {error.__class__.__name__}; using SQLite)")
        return f"sqlite:///{tempfile.mkdtemp(prefix='localbzz-bench-')}/bench.sqlite3"


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        shutil.rmtree(Path(urlparse(url).path).parent, ignore_errors=True)
        return
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_flush(url: str) -> bool:
    """Empty the benchmark's own Redis database; False when Redis does not answer."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
        return True
    except Exception:
        return False


def stop(procs: list[subprocess.Popen]) -> None:
    """Stop each process group we started: SIGTERM (qcluster stops its workers), then SIGKILL."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):  # workers of a cluster live in its group after the sentinel
            os.killpg(proc.pid, signal.SIGKILL)


def _exit_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def make_photo(size=(4000, 3000), seed=7) -> bytes:
    """A 12 MP photo-like JPEG (the kind of library photo a builtin design is drawn on)."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    w, h = size
    grad = Image.linear_gradient("L")
    im = Image.merge("RGB", [grad.resize((w, h)), grad.rotate(90).resize((w, h)), Image.new("L", (w, h), 110)])
    draw = ImageDraw.Draw(im)
    for _ in range(300):
        x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.randrange(8, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(1.5))
    im = Image.blend(im, Image.frombytes("L", (w, h), rnd.randbytes(w * h)).convert("RGB"), 0.1)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def make_logo() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.ellipse((10, 10, 390, 390), fill=(122, 62, 29, 255))
    draw.ellipse((120, 120, 280, 280), fill=(232, 176, 74, 255))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# 1. Batch wall time (one broker, in a child process with that broker's environment)
# --------------------------------------------------------------------------------------------


def fake_drawing():
    """The fake's picture maker, now serving from a cache: pictures drawn before the clock starts
    (``predraw``) cost nothing while measured. A real provider draws on its own machines; the fake
    would draw on ours (~20 ms of CPU per picture, on the same 2 CPUs as the workers)."""
    import functools

    from generation.fakes import server as fake_module

    if not hasattr(fake_module.png, "cache_info"):
        fake_module.png = functools.lru_cache(maxsize=512)(fake_module.png)
    return fake_module.png


def predraw(specs: list, guidelines: str, base_prompt: str = "", style: str = "professional") -> float:
    """Draw the fake's answers to ``specs`` (ImageSpecs, or (platform, full prompt) pairs) ahead; seconds spent."""
    from generation import presets
    from generation.providers.openai import IMAGE_SIZES

    draw, started = fake_drawing(), time.perf_counter()
    for spec in specs:
        if isinstance(spec, tuple):
            platform, prompt = spec
        else:
            platform = spec.platform
            prompt = presets.prompt_for(base_prompt=base_prompt, prompt=spec.prompt, platform=platform, style=style,
                                        guidelines=guidelines)  # fmt: skip
        width, height = presets.size_for(platform, presets.PLATFORM_PRESETS[platform].aspect_ratio)
        ratio = width / height
        shape = "square" if 0.9 <= ratio <= 1.1 else "landscape" if ratio > 1 else "portrait"
        draw(*(int(x) for x in IMAGE_SIZES[shape].split("x")), len(prompt))  # the fake's seed: the prompt's length
    return time.perf_counter() - started


def phase_batch(args) -> None:
    _exit_on_sigterm()
    from generation.fakes.server import DEFAULT_KEY, FakeAIServer

    server = FakeAIServer("127.0.0.1", 0).start()
    server.fake.set_latency("images", args.latency)
    os.environ.update({"GENERATION_IMAGE_PROVIDER": "openai", "GENERATION_OPENAI_BASE_URL": f"{server.url}/openai/v1",
                       "GENERATION_OPENAI_API_KEY": DEFAULT_KEY})  # fmt: skip
    import django

    django.setup()
    from django.conf import settings

    broker = "Redis" if settings.REDIS_URL else "database (ORM)"
    load = os.getloadavg()[0]  # before our clusters start (still counting what ran in the last minute)
    print(
        f"\n-- Broker: {broker} · {args.clusters} cluster(s) × {args.workers} workers · poll "
        f"{settings.Q_CLUSTER['poll']} s · provider openai (fake, images answer after {args.latency:g} s, "
        f"{'b64' if settings.GENERATION_OPENAI_IMAGE_B64 else 'URL then download'}; its pictures drawn ahead) · "
        f"load average {load:.2f}",
        flush=True,
    )
    procs: list[subprocess.Popen] = []
    pids = Path(args.result + ".pids")
    results = []
    try:
        for _ in range(args.clusters):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "qcluster"],
                    cwd=ROOT,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            pids.write_text(" ".join(str(p.pid) for p in procs))
        time.sleep(3)  # the clusters fork their workers; the cold batch below waits for the rest
        cold = one_batch("cold", server)
        header = (f"{'batch':>6} {'wall':>7} {'final at':>8} {'job.dur':>8} {'enqueue':>8} {'1st pickup':>10} "
                  f"{'last pickup':>11} "
                  f"{'item min':>9} {'item max':>9} {'item sum':>9} {'ok':>4} {'renditions':>11}")  # fmt: skip
        print(
            "(from the call: wall = the job seen final, final at = its finished_at; job.dur = its started_at →"
            " finished_at; pickups = items' started_at; item = generation_time; renditions = all 9 in the library)"
        )
        print(header)
        print_row("cold", cold)
        for i in range(args.runs):
            time.sleep(0.3)
            result = one_batch(f"run{i + 1}", server)
            print_row(f"{i + 1}", result)
            results.append(result)
    finally:
        stop(procs)
        server.stop()
    Path(args.result).write_text(json.dumps({"broker": broker, "cold": cold, "runs": results, "load": load}))


def print_row(label: str, r: dict) -> None:
    print(f"{label:>6} {r['wall']:>6.2f}s {r['job_finished']:>7.2f}s "
          f"{r['job_duration']:>7.2f}s {r['enqueue']:>7.3f}s {r['first_pickup']:>9.3f}s "
          f"{r['last_pickup']:>10.3f}s {min(r['item_times']):>8.2f}s {max(r['item_times']):>8.2f}s "
          f"{sum(r['item_times']):>8.2f}s {r['succeeded']:>2}/{len(r['item_times'])} "
          f"{r['renditions']:>10.2f}s", flush=True)  # fmt: skip


def one_batch(tag: str, server) -> dict:
    from agency.models import Client
    from generation.models import FINAL_JOB, GenerationJob
    from generation.services.images import ImageSpec, image_batch_create
    from publishing.models import MediaAsset

    # A new client per batch: the library keeps one asset per identical file and client.
    client = Client.objects.create(name=f"Bench Bakery {tag}", slug=f"bench-gen-{tag}-{secrets.token_hex(3)}", **BRAND)
    specs = [ImageSpec(prompt=topic, platform=platform) for platform, topic in BATCH]
    predraw(specs, client.brand_guidelines, "Harbour Street Bakery")
    calls, drawn = server.fake.calls("images"), fake_drawing().cache_info().misses
    wall_start, started = time.time(), time.perf_counter()
    job = image_batch_create(actor=None, client=client, images=specs, base_prompt="Harbour Street Bakery")
    enqueued = time.perf_counter() - started
    deadline = started + 120
    while GenerationJob.objects.filter(pk=job.pk).values_list("status", flat=True).first() not in FINAL_JOB:
        if time.perf_counter() > deadline:
            raise SystemExit(f"Batch {tag} not final after 120 s: are the workers running?")
        time.sleep(0.01)
    wall = time.perf_counter() - started
    job.refresh_from_db()
    items = list(job.items.all())
    assets = [item.asset_id for item in items if item.asset_id]
    while MediaAsset.objects.filter(pk__in=assets, status=MediaAsset.Status.PROCESSING).exists():
        if time.perf_counter() > deadline:
            break
        time.sleep(0.02)
    renditions = time.perf_counter() - started
    errors = sorted({item.error for item in items if item.error})
    if fake_drawing().cache_info().misses > drawn:
        print(f"   batch {tag}: the fake drew {fake_drawing().cache_info().misses - drawn} pictures while measured")
    if errors:
        print(f"   batch {tag}: {job.failed_items} failed: {'; '.join(errors)[:300]}")
    return {
        "wall": wall,
        "enqueue": enqueued,
        "job_duration": job.duration or 0.0,
        "status": job.status,
        "succeeded": job.succeeded_items,
        "item_times": [item.generation_time or 0.0 for item in items],
        "first_pickup": min(item.started_at.timestamp() for item in items) - wall_start,
        "last_pickup": max(item.started_at.timestamp() for item in items) - wall_start,
        "last_item_done": max(item.finished_at.timestamp() for item in items) - wall_start,
        "job_finished": job.finished_at.timestamp() - wall_start,
        "renditions": renditions,
        "provider_calls": server.fake.calls("images") - calls,
        "fake_drew": fake_drawing().cache_info().misses - drawn,  # pictures not drawn ahead (should be 0)
    }


def run_phase(broker: str, args, env: dict, tmp: Path) -> dict | None:
    result = tmp / f"{broker}.json"
    child_env = {**env}
    child_env.pop("REDIS_URL", None)
    if broker == "redis":
        if not redis_flush(args.redis_url):
            print(f"\n-- Broker: Redis at {args.redis_url} does not answer; skipped")
            return None
        child_env["REDIS_URL"] = args.redis_url
    argv = [sys.executable, __file__, "--phase", broker, "--result", str(result), "--latency", str(args.latency),
            "--runs", str(args.runs), "--clusters", str(args.clusters), "--workers", str(args.workers)]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=ROOT, env=child_env)
    try:
        proc.wait(timeout=300)
    except BaseException:
        proc.terminate()
        proc.wait(timeout=30)
        raise
    finally:  # whatever happened to the child, no cluster of it outlives this benchmark
        pids = Path(str(result) + ".pids")
        if pids.exists():
            for pid in (int(p) for p in pids.read_text().split()):
                try:
                    if b"qcluster" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.killpg(pid, signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    pass
        if broker == "redis":
            redis_flush(args.redis_url)
    if proc.returncode != 0 or not result.exists():
        print(f"(the {broker} phase failed: exit {proc.returncode})")
        return None
    return json.loads(result.read_text())


def bench_item_cost(server) -> dict:
    """What one batch item costs the CPUs besides the provider's wait: the items of a batch run one
    at a time in this process (no contention; the fake answers at once, its pictures drawn ahead),
    counting CPU time (of this thread while the fake serves from others, of the process for renditions):
    the task (image_item_run: provider call and crop, storing in the library, recounting the job),
    of which the provider call and crop alone, and the renditions task the upload queues."""
    from agency.models import Client
    from generation.providers import image_provider
    from generation.services.images import ImageSpec, _brief, image_batch_create, image_item_run
    from publishing.models import MediaAsset
    from publishing.services.media.renditions import media_renditions_build

    server.fake.set_latency("images", 0)
    rows, fake_png = [], 0.0
    for warm in (True, False):  # the first batch warms imports and connections
        client = Client.objects.create(name=f"Bench item cost {warm}", slug=f"bench-gen-cost-{int(warm)}", **BRAND)
        specs = [ImageSpec(prompt=topic, platform=platform) for platform, topic in BATCH]
        drawing = predraw(specs, client.brand_guidelines, "Harbour Street Bakery")  # the same 9 in both batches
        fake_png = max(drawing, fake_png)
        job = image_batch_create(actor=None, client=client, images=specs, base_prompt="Harbour Street Bakery",
                                 provider="openai")  # fmt: skip
        for item in job.items.select_related("job__client"):
            cpu = time.thread_time()
            image_provider("openai").render(_brief(item))
            render = time.thread_time() - cpu
            cpu = time.thread_time()
            image_item_run(item_id=str(item.pk))
            task = time.thread_time() - cpu
            asset = MediaAsset.objects.get(generation_items__pk=item.pk)
            cpu = time.process_time()  # renditions use threads of their own; the fake is idle meanwhile
            media_renditions_build(asset_id=str(asset.pk), version=asset.render_version)
            if not warm:
                rows.append((render, task, time.process_time() - cpu))
    out = {"fake_png_ms": 1000 * fake_png, "render_ms": 1000 * statistics.fmean(r[0] for r in rows),
           "task_ms": 1000 * statistics.fmean(r[1] for r in rows),
           "renditions_ms": 1000 * statistics.fmean(r[2] for r in rows)}  # fmt: skip
    cpus = os.cpu_count() or 1
    out["floor"] = len(BATCH) * out["task_ms"] / 1000 / cpus
    out["rendering"] = len(BATCH) * out["renditions_ms"] / 1000 / cpus
    print(f"\n-- CPU one batch item costs besides the wait (items run one at a time in one process, CPU time):\n"
          f"item task {out['task_ms']:.0f} ms (of which provider call and crop {out['render_ms']:.0f} ms)"
          f" · renditions task {out['renditions_ms']:.0f} ms → 9 items on {cpus} CPUs: ≥ {out['floor']:.2f} s after "
          f"the wait, + {out['rendering']:.2f} s of renditions on the same CPUs · not counted: the fake drawing "
          f"the 9 pictures, {out['fake_png_ms']:.0f} ms (drawn ahead)")  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------
# 2. Builtin renderer throughput (this process)
# --------------------------------------------------------------------------------------------


def bench_builtin(args, photo: bytes, logo: bytes) -> dict | None:
    from generation import presets
    from generation.providers.base import ImageBrief
    from generation.providers.builtin_images import BuiltinImages, headline_of

    if args.images <= 0:
        return None
    maker = BuiltinImages()
    platforms = list(presets.PLATFORM_PRESETS)
    styles = list(presets.STYLES)
    briefs = []
    for i in range(args.images):  # consecutive renders vary photo, platform and style: any count is a fair mix
        bg, platform, style = i % 2 == 1, platforms[(i // 2) % len(platforms)], styles[(i // 12) % len(styles)]
        topic = BATCH[i % len(BATCH)][1]
        width, height = presets.size_for(platform, presets.PLATFORM_PRESETS[platform].aspect_ratio)
        prompt = presets.prompt_for(base_prompt="Harbour Street Bakery", prompt=topic, platform=platform, style=style,
                                    guidelines=BRAND["brand_guidelines"])  # fmt: skip
        brief = ImageBrief(prompt=prompt, headline=headline_of(topic), style=style, width=width, height=height,
                           platform=platform, brand_colours=tuple(BRAND["brand_colors"]), logo=logo,
                           background=photo if bg else b"", business="Harbour Street Bakery", seed=i)  # fmt: skip
        briefs.append(brief)
    maker.render(briefs[0])  # warm-up: fonts, imports
    timings = []
    started = time.perf_counter()
    for brief in briefs:
        t = time.perf_counter()
        maker.render(brief)
        timings.append((brief.platform, f"{brief.width}×{brief.height}", brief.style, bool(brief.background),
                        time.perf_counter() - t))  # fmt: skip
    total = time.perf_counter() - started
    print(f"\n-- Builtin renderer: {len(briefs)} renders in one process (BuiltinImages.render; brand colours and "
          "logo; background: none, or a 12 MP JPEG library photo)")  # fmt: skip
    print(f"{'platform':<16} {'size':>10} {'no photo':>9} {'with photo':>11}")
    for platform in platforms:
        rows = [t for t in timings if t[0] == platform]
        if not rows:
            continue
        plain = [t[4] for t in rows if not t[3]]
        photod = [t[4] for t in rows if t[3]]
        print(f"{platform:<16} {rows[0][1]:>10} {_ms(plain):>9} {_ms(photod):>11}")
    by_style = "  ".join(f"{s} {_ms([t[4] for t in timings if t[2] == s])}" for s in styles)
    print(f"by style (mean): {by_style}")
    plain = [t[4] for t in timings if not t[3]]
    photod = [t[4] for t in timings if t[3]]
    out = {
        "n": len(timings),
        "rate": len(timings) / total,
        "mean_ms": 1000 * total / len(timings),
        "rate_plain": len(plain) / sum(plain) if plain else 0.0,
        "rate_photo": len(photod) / sum(photod) if photod else 0.0,
    }
    print(f"all: {out['rate']:.1f} images/s ({out['mean_ms']:.0f} ms each) · without photo "
          f"{out['rate_plain']:.1f}/s · with photo {out['rate_photo']:.1f}/s")  # fmt: skip
    return out


def _ms(values: list[float]) -> str:
    return f"{1000 * statistics.fmean(values):.0f} ms" if values else "-"


def bench_builtin_e2e(count: int, photo: bytes, logo: bytes) -> dict | None:
    """Builtin images end to end on one process: image_item_run (render, store in the library)
    and the renditions task the upload queues (run here, not on a worker)."""
    if count <= 0:
        return None
    from django.core.files.base import ContentFile

    from agency.models import Client
    from generation import presets
    from generation.models import GenerationItem
    from generation.services.images import ImageSpec, image_batch_create, image_item_run
    from publishing.models import MediaAsset
    from publishing.services.media.renditions import media_renditions_build
    from publishing.services.media.upload import media_upload

    client = Client.objects.create(name="Harbour Street Bakery", slug="bench-gen-builtin", **BRAND)
    client.logo.save("logo.png", ContentFile(logo), save=True)
    background = media_upload(client=client, files=[ContentFile(photo, name="shop.jpg")])[0].asset
    media_renditions_build(asset_id=str(background.pk), version=background.render_version)
    platforms, styles = list(presets.PLATFORM_PRESETS), list(presets.STYLES)
    items: list[GenerationItem] = []
    batch = 0
    while len(items) < count:
        # Batches of 3: every platform with and without the photo within 4 batches, a style each.
        specs = [ImageSpec(prompt=BATCH[(batch * 3 + i) % len(BATCH)][1], platform=platforms[(batch * 3 + i) % 6])
                 for i in range(min(3, count - len(items)))]  # fmt: skip
        job = image_batch_create(actor=None, client=client, images=specs, provider="builtin",
                                 style=styles[batch % len(styles)], background=background if batch // 2 % 2 else None,
                                 base_prompt="Harbour Street Bakery")  # fmt: skip
        items += list(job.items.all())
        batch += 1
    run_s, renditions_s = [], []
    started = time.perf_counter()
    for item in items:
        t = time.perf_counter()
        image_item_run(item_id=str(item.pk))
        run_s.append(time.perf_counter() - t)
        item.refresh_from_db()
        asset = MediaAsset.objects.get(pk=item.asset_id)
        t = time.perf_counter()
        media_renditions_build(asset_id=str(asset.pk), version=asset.render_version)
        renditions_s.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    ok = GenerationItem.objects.filter(pk__in=[i.pk for i in items], status="succeeded").count()
    out = {"n": len(items), "ok": ok, "run_ms": 1000 * statistics.fmean(run_s),
           "renditions_ms": 1000 * statistics.fmean(renditions_s), "rate": len(items) / total,
           "rate_run": len(items) / sum(run_s)}  # fmt: skip
    print(f"\n-- Builtin end to end, one process: {len(items)} images ({batch} batches of 3, a style each, half "
          "of them on the 12 MP library photo, client logo)")  # fmt: skip
    print(f"image_item_run (render + store in the library): {out['run_ms']:.0f} ms each, {out['rate_run']:.1f}/s · "
          f"renditions task: {out['renditions_ms']:.0f} ms each · together {out['rate']:.1f} images/s · "
          f"{ok}/{len(items)} succeeded")  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    if args.phase:
        phase_batch(args)
        return
    _exit_on_sigterm()
    brokers = [b.strip() for b in args.brokers.split(",") if b.strip()]
    if set(brokers) - {"redis", "orm"}:
        raise SystemExit(f"--brokers: a comma-separated list of redis and orm (or empty), not {args.brokers!r}")
    tmp = Path(tempfile.mkdtemp(prefix="localbzz-bench-generation-"))
    db_url = database(args.database_url)
    env = {
        # Production-like: DEBUG off, persistent database connections; files in a scratch directory.
        **os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "OUTBOUND_ALLOW_PRIVATE": "1", "LOG_LEVEL": "WARNING",
        "SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "localhost", "VAR_DIR": str(tmp / "var"), "MEDIA_ROOT": str(tmp / "media"),
        "Q_WORKERS": str(args.workers), "DB_CONN_MAX_AGE": "600", "DJANGO_SETTINGS_MODULE": "localbzz.settings",
    }  # fmt: skip
    env.pop("REDIS_URL", None)
    for name in [k for k in env if k.startswith("GENERATION_")]:  # the defaults of settings, nothing inherited
        env.pop(name)
    batches: dict[str, dict | None] = {}
    builtin = e2e = cost = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        print(
            f"Database: {'PostgreSQL' if db_url.startswith('postgres') else 'SQLite'} · {os.cpu_count()} CPUs · "
            f"load average {os.getloadavg()[0]:.2f} (other work on this machine shows in the batch figures)"
        )
        for broker in brokers:
            batches[broker] = run_phase(broker, args, env, tmp)
        # In this process (no cluster runs now: what the uploads queue stays in the scratch database).
        from generation.fakes.server import DEFAULT_KEY, FakeAIServer

        server = FakeAIServer("127.0.0.1", 0).start()
        os.environ.update({**env, "GENERATION_OPENAI_BASE_URL": f"{server.url}/openai/v1",
                           "GENERATION_OPENAI_API_KEY": DEFAULT_KEY})  # fmt: skip
        import django

        django.setup()
        try:
            cost = bench_item_cost(server)
        finally:
            server.stop()
        photo, logo = make_photo(), make_logo()
        builtin = bench_builtin(args, photo, logo)
        e2e = bench_builtin_e2e(args.e2e, photo, logo)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        drop_database(db_url)
        shutil.rmtree(tmp, ignore_errors=True)
    summary(args, batches, cost, builtin, e2e)


def summary(args, batches: dict, cost: dict | None, builtin: dict | None, e2e: dict | None) -> None:
    print("\n== Summary")
    print(f"9-image batch, provider answering after {args.latency:g} s, {args.clusters} cluster(s) × {args.workers} "
          f"workers (wall = image_batch_create called → job final; {args.runs} runs after a cold one):")  # fmt: skip
    names = {"redis": "Redis broker (production)", "orm": "ORM broker (no REDIS_URL)"}
    for broker, data in batches.items():
        if not data or not data["runs"]:
            print(f"  {names.get(broker, broker):<27} not measured")
            continue
        runs = data["runs"]
        walls = [r["wall"] for r in runs]
        p50, worst = statistics.median(walls), max(walls)
        item_sum = statistics.fmean(sum(r["item_times"]) for r in runs)
        items = [t for r in runs for t in r["item_times"]]
        verdict = "MET" if worst < 2 else ("met at p50 only" if p50 < 2 else "NOT met")
        failed = sum(len(r["item_times"]) - r["succeeded"] for r in runs)
        duration = statistics.median(r["job_duration"] for r in runs)
        settle = 1000 * max(r["job_finished"] - r["last_item_done"] for r in runs)
        print(f"  {names.get(broker, broker):<27} wall p50 {p50:.2f} s · max {worst:.2f} s · job.duration p50 "
              f"{duration:.2f} s · items {min(items):.2f}–{max(items):.2f} s, "
              f"sum {item_sum:.1f} s ({item_sum / p50:.1f}× concurrency) · last pickup "
              f"{max(r['last_pickup'] for r in runs):.2f} s · settled ≤ {settle:.0f} ms after the last item · "
              f"cold batch {data['cold']['wall']:.2f} s · failed items {failed} · "
              f"load average at start {data['load']:.1f} · target < 2 s: {verdict}")  # fmt: skip
    if cost:
        print(f"  CPU per item besides the wait: task {cost['task_ms']:.0f} ms, then renditions "
              f"{cost['renditions_ms']:.0f} ms → ×9 on {os.cpu_count()} CPUs ≥ {cost['floor']:.2f} s + "
              f"{cost['rendering']:.2f} s, on top of the {args.latency:g} s wait")  # fmt: skip
    if builtin:
        print(f"Builtin renderer, one process: {builtin['rate']:.1f} images/s ({builtin['mean_ms']:.0f} ms each) over "
              f"{builtin['n']} renders · {builtin['rate_plain']:.1f}/s without a photo, {builtin['rate_photo']:.1f}/s "
              "on a 12 MP photo")  # fmt: skip
    if e2e:
        print(f"Builtin end to end, one process: {e2e['rate']:.1f} images/s (render + store {e2e['run_ms']:.0f} ms, "
              f"renditions {e2e['renditions_ms']:.0f} ms each) over {e2e['n']} images")  # fmt: skip


if __name__ == "__main__":
    main()
