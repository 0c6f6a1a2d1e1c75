"""Media ingest benchmark: how fast photos become platform renditions, and how much memory a
large video upload costs the web process.

1. Makes its own 12-megapixel JPEGs with realistic detail (landscape and portrait), then runs, on
   the same files in the same run:
   - our pipeline (publishing.media.imaging): clean the original (decode check, orient, strip
     location), then the thumbnail and the six platform renditions from one decode;
   - a naive Pillow pipeline: full decode, orient, and each rendition resized from the full image;
   - libvips (pyvips thumbnail with an attention crop per rendition), when pyvips is importable.
   Prints images per second and the ratios (targets: at least 2× naive, at least libvips).
2. Starts gunicorn (one worker) on a scratch database and uploads a 500 MB MP4 through the real
   POST /api/v1/media, sampling the worker's resident memory from /proc; prints the peak above
   the idle process (target: under 100 MB).
3. Hostile files: gunicorn with 4 sync workers and a django-q2 cluster (2 workers) on a scratch
   database; four heavy files at once through the client API (POST /api/v1/client/media/upload):
   an animated GIF of 100 frames of 2000×2000 (~390 KB) and a one-colour 9990×9990 PNG (~300 KB),
   two of each, while /healthz is asked every 100 ms. Prints each upload's time to answer and
   status, /healthz latency (max, p50), and how long each asset takes to settle (ready, or failed
   with its reason); targets: uploads < 3 s, /healthz < 1 s, settled < 90 s, no 5xx. Beside it,
   the floor of the old way: what decoding the same files in the request cost (measured here).

Run: .venv/bin/python bench/media_ingest.py  [--photos N] [--video-mb N] [--skip-video] [--skip-hostile]
     BENCH_PORTS=9400-9499 picks the ports; BENCH_DATABASE_URL (PostgreSQL) the scratch database of
     part 3 (default: SQLite in a scratch folder).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
os.environ.setdefault("DEBUG", "1")

from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402
from publish_precision import bench_port  # noqa: E402  (bench/ is on the path when run as a script)

# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A 12 MP photo-like JPEG: lit gradient, hundreds of soft shapes, fine texture and sensor noise,
    with camera EXIF including GPS (so the strip step has work to do)."""
    rnd = random.Random(seed)
    w, h = size
    grad = Image.linear_gradient("L")
    im = Image.merge("RGB", [grad.resize((w, h)), grad.rotate(90).resize((w, h)), Image.new("L", (w, h), 110)])
    draw = ImageDraw.Draw(im)
    for _ in range(400):
        x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.randrange(8, 260)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    for _ in range(3000):  # fine texture: foliage, fabric, brickwork
        x, y = rnd.randrange(w), rnd.randrange(h)
        draw.line((x, y, x + rnd.randrange(-12, 12), y + rnd.randrange(-12, 12)), fill=(rnd.randrange(256),) * 3)
    im = im.filter(ImageFilter.GaussianBlur(1.5))
    noise = Image.frombytes("L", (w, h), rnd.randbytes(w * h)).convert("RGB")
    im = Image.blend(im, noise, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Bench Camera", "Model 12"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 44.0, 54.0), "W", (73.0, 59.0, 9.0)
    im.save(path, "JPEG", quality=90, exif=exif.tobytes())


def ours(path: Path, scratch: Path) -> None:
    from publishing.media import imaging, presets

    cleaned = imaging.clean_original(str(path), "JPEG")
    original = scratch / "original.jpg"
    original.write_bytes(cleaned.data)
    imaging.render(str(original), [presets.THUMBNAIL, *presets.PRESETS.values()])


def naive(path: Path, scratch: Path) -> None:
    from publishing.media import presets

    with Image.open(path) as im:
        im.load()
        full = ImageOps.exif_transpose(im).convert("RGB")
    out = io.BytesIO()
    full.save(out, "JPEG", quality=95)  # the stripped original
    for preset in [presets.THUMBNAIL, *presets.PRESETS.values()]:
        if preset.crop:
            resized = ImageOps.fit(full, (preset.width, preset.height), Image.Resampling.LANCZOS)
        else:
            scale = min(preset.width / full.width, preset.height / full.height)
            resized = full.resize((round(full.width * scale), round(full.height * scale)), Image.Resampling.LANCZOS)
        resized.save(io.BytesIO(), "JPEG", quality=86)


def libvips(path: Path, scratch: Path) -> None:
    import pyvips

    from publishing.media import presets

    strip = {"keep": "none"} if pyvips.at_least_libvips(8, 15) else {"strip": True}
    for preset in [presets.THUMBNAIL, *presets.PRESETS.values()]:
        if preset.crop:
            image = pyvips.Image.thumbnail(str(path), preset.width, height=preset.height, crop="attention")
        else:
            image = pyvips.Image.thumbnail(str(path), preset.width, height=preset.height)
        image.jpegsave_buffer(Q=86, **strip)


def time_pipeline(fn, photos: list[Path], scratch: Path) -> float:
    fn(photos[0], scratch)  # warm-up: imports, caches
    started = time.perf_counter()
    for photo in photos:
        fn(photo, scratch)
    return time.perf_counter() - started


def bench_photos(count: int) -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("pyvips").setLevel(logging.WARNING)
    try:
        import pyvips

        vips = f"libvips {pyvips.version(0)}.{pyvips.version(1)}"
    except (ImportError, OSError):
        pyvips, vips = None, None
    with tempfile.TemporaryDirectory(prefix="localbzz-bench-") as tmp:
        scratch = Path(tmp)
        photos = []
        for i in range(count):
            path = scratch / f"photo-{i}.jpg"
            make_photo(path, (4000, 3000) if i % 2 == 0 else (3000, 4000), seed=i)
            photos.append(path)
        mb = sum(p.stat().st_size for p in photos) / len(photos) / 1e6
        print(f"Photos: {count} JPEGs of 12 MP (4000×3000 and 3000×4000, quality 90, {mb:.1f} MB on average, with GPS)")
        print("Each: clean original + thumbnail + 6 platform renditions (JPEG quality 86)\n")
        rows = [("LocalBzz (draft decode, one decode, 2 threads)", ours),
                ("naive Pillow (full decode, each from full size)", naive)]  # fmt: skip
        if pyvips is not None:
            rows.append((f"{vips} (pyvips thumbnail, attention crop)", libvips))
        results = {}
        print(f"{'pipeline':<52} {'images/s':>9} {'s/image':>8}")
        for label, fn in rows:
            seconds = time_pipeline(fn, photos, scratch)
            results[fn.__name__] = count / seconds
            print(f"{label:<52} {count / seconds:>9.2f} {seconds / count:>8.3f}")
        line = f"\nours / naive: {results['ours'] / results['naive']:.2f}× (target ≥ 2×)"
        if "libvips" in results:
            line += f"    ours / libvips: {results['ours'] / results['libvips']:.2f}× (target ≥ 1×)"
        else:
            line += "    libvips: not installed (pip install 'pyvips[binary]' to compare)"
        print(line)


# --------------------------------------------------------------------------------------------
# Video upload memory
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    return bench_port("8100-8199")


def make_video(path: Path, megabytes: int, scratch: Path) -> None:
    """A real MP4 (ffmpeg's test pattern, or hand-made boxes without ffmpeg) padded with a 'free'
    box to the size asked for: every byte is uploaded, hashed and stored like a real video."""
    clip = scratch / "clip.mp4"
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=30:duration=3",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)], check=True)  # fmt: skip
        head = clip.read_bytes()
    else:
        box = lambda kind, payload: (8 + len(payload)).to_bytes(4, "big") + kind + payload  # noqa: E731
        head = (
            box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + box(b"moov", box(b"mvhd", bytes(100))) + box(b"mdat", bytes(64))
        )
    pad = megabytes * 1024 * 1024 - len(head)
    with open(path, "wb") as fh:
        fh.write(head)
        fh.write(pad.to_bytes(4, "big") + b"free")
        chunk = os.urandom(1024 * 1024)
        remaining = pad - 8
        while remaining > 0:
            fh.write(chunk[: min(len(chunk), remaining)])
            remaining -= min(len(chunk), remaining)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def bench_upload(megabytes: int) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="localbzz-bench-upload-"))
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(scratch / "var"), "SECRET_KEY": "bench-" + uuid.uuid4().hex,
           "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}", "MEDIA_ROOT": str(scratch / "media"),
           "TMPDIR": str(scratch), "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("REDIS_URL", None)
    python = sys.executable
    server = None
    try:
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = (
            "from agency.services.team import team_member_create; from agency.models import Client;"
            "from rest_framework_simplejwt.tokens import AccessToken;"
            "m = team_member_create(actor=None, email='bench@localbzz.local', access_level='editor');"
            "c = Client.objects.create(name='Bench', slug='bench');"
            "print(AccessToken.for_user(m.user), c.pk)"
        )
        out = subprocess.run([python, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout.split()  # fmt: skip
        token, client_id = out[-2], out[-1]
        video = scratch / "big.mp4"
        make_video(video, megabytes, scratch)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "localbzz.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
             "--timeout", "600", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        worker = _wait_for_worker(server, port)
        headers = {"Authorization": f"Bearer {token}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", "/api/v1/media", headers=headers)  # warm-up: every import done
        assert conn.getresponse().read() and True
        time.sleep(0.5)
        idle = rss_kb(worker)

        peak = [idle]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(worker))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        boundary = uuid.uuid4().hex
        before = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n{client_id}\r\n"
                  f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.mp4\"\r\n"
                  "Content-Type: video/mp4\r\n\r\n").encode()  # fmt: skip
        after = f"\r\n--{boundary}--\r\n".encode()
        size = video.stat().st_size
        started = time.perf_counter()
        conn.putrequest("POST", "/api/v1/media")
        conn.putheader("Authorization", headers["Authorization"])
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(before) + size + len(after)))
        conn.endheaders()
        conn.send(before)
        with open(video, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                conn.send(chunk)
        conn.send(after)
        response = conn.getresponse()
        body = json.loads(response.read() or b"{}")
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        peak_kb = max(peak[0], rss_kb(worker))
        if response.status != 201:
            raise SystemExit(f"Upload failed: {response.status} {body}")
        item = body["items"][0]
        print(f"\nUpload memory: a {megabytes} MB MP4 through POST /api/v1/media (gunicorn, 1 sync worker, "
              "its RSS sampled from /proc every 10 ms)")  # fmt: skip
        print(
            f"idle RSS {idle / 1024:.1f} MB · peak RSS {peak_kb / 1024:.1f} MB · "
            f"peak above idle {(peak_kb - idle) / 1024:.1f} MB (target < 100 MB) · "
            f"upload {seconds:.1f} s ({megabytes / seconds:.0f} MB/s) · stored {item['bytes'] / 1024 / 1024:.0f} MB, "
            f"{item['width']}×{item['height']}, {item['duration']} s"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Hostile files: four heavy uploads at once
# --------------------------------------------------------------------------------------------


def make_hostile(scratch: Path) -> dict[str, Path]:
    """Two different GIFs and two different PNGs (the same bytes twice would be one asset)."""
    made = {}
    for i in range(2):
        gif, png = scratch / f"party-{i}.gif", scratch / f"flat-{i}.png"
        frames = [Image.new("L", (2000, 2000), (n * 37 + i) % 256) for n in range(100)]
        frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
        Image.new("RGB", (9990, 9990), (200, 30 + i, 30)).save(png, "PNG")
        made[gif.name], made[png.name] = gif, png
    return made


def old_way_seconds(path: Path) -> float:
    """What the request used to spend: every frame decoded (and re-encoded for an animation)."""
    started = time.perf_counter()
    Image.MAX_IMAGE_PIXELS = None
    with Image.open(path) as im:
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            im.load()
    return time.perf_counter() - started


def _http(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, data, time.perf_counter() - started


def bench_hostile() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="localbzz-bench-hostile-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch / 'bench.sqlite3'}"
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(scratch / "var"), "SECRET_KEY": "bench-" + uuid.uuid4().hex,
           "DATABASE_URL": database, "MEDIA_ROOT": str(scratch / "media"), "TMPDIR": str(scratch),
           "LOG_LEVEL": "WARNING", "Q_WORKERS": "2", "RATE_LIMIT_UPLOAD": "10000/hour"}  # fmt: skip
    env.pop("REDIS_URL", None)
    python = sys.executable
    procs: list[subprocess.Popen] = []
    tag = uuid.uuid4().hex[:8]  # a PostgreSQL scratch database may be reused: fresh people each run
    try:
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = (
            "from agency.services.team import team_member_create; from agency.models import Client;"
            "from portal.services.people import client_user_invite;"
            "from rest_framework_simplejwt.tokens import AccessToken;"
            f"m = team_member_create(actor=None, email='bench-{tag}@localbzz.local', access_level='editor');"
            f"c = Client.objects.create(name='Bench {tag}', slug='bench-{tag}');"
            f"client_user_invite(actor=None, client=c, email='joe-{tag}@bench.local', first_name='Joe', role='owner',"
            " password='bench-password-123', send_invite=False);"
            "print(AccessToken.for_user(m.user))"
        )
        staff_token = subprocess.run([python, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout.split()[-1]  # fmt: skip
        files = make_hostile(scratch)
        port = free_port()
        procs.append(subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "localbzz.wsgi", "-b", f"127.0.0.1:{port}", "-w", "4",
             "--timeout", "120", "--log-level", "warning"], cwd=ROOT, env=env))  # fmt: skip
        _wait_for_worker(procs[0], port)
        procs.append(subprocess.Popen([python, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        login = json.dumps({"email": f"joe-{tag}@bench.local", "password": "bench-password-123"}).encode()
        status, body, _ = _http(port, "POST", "/api/v1/client/login", login, {"Content-Type": "application/json"})
        assert status == 200, body
        client_token = json.loads(body)["access_token"]

        health: list[float] = []
        health_statuses: list[int] = []
        done = threading.Event()

        def probe_health():
            while not done.is_set():
                try:
                    code, _, took = _http(port, "GET", "/healthz")
                except OSError:
                    code, took = 0, 60.0
                health.append(took)
                health_statuses.append(code)
                time.sleep(0.1)

        prober = threading.Thread(target=probe_health, daemon=True)
        prober.start()
        time.sleep(0.5)
        results: list[tuple[str, int, float, dict]] = []

        def upload(name: str, path: Path):
            boundary = uuid.uuid4().hex
            body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'
                    ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
            code, data, took = _http(port, "POST", "/api/v1/client/media/upload", body, {
                "Authorization": f"Bearer {client_token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
            results.append((name, code, took, json.loads(data or b"{}")))

        uploads = [threading.Thread(target=upload, args=(name, path)) for name, path in files.items()]
        started = time.perf_counter()
        for thread in uploads:
            thread.start()
        for thread in uploads:
            thread.join()
        settled: dict[str, tuple[str, float, str]] = {}
        ids = {r[3]["items"][0]["id"]: r[0] for r in results if r[1] in (200, 201)}
        while len(settled) < len(ids) and time.perf_counter() - started < 180:
            for asset_id in ids:
                if asset_id in settled:
                    continue
                _, data, _ = _http(port, "GET", f"/api/v1/media/{asset_id}", headers={
                    "Authorization": f"Bearer {staff_token}"})  # fmt: skip
                item = json.loads(data)
                if item["status"] != "processing":
                    settled[asset_id] = (item["status"], time.perf_counter() - started, item["processing_error"])
            time.sleep(0.25)
        done.set()
        prober.join()

        print("\nHostile files: 2 × GIF (100 frames of 2000×2000) + 2 × PNG (9990×9990, one colour) at once "
              "through POST /api/v1/client/media/upload (gunicorn 4 sync workers, django-q2 2 workers)")  # fmt: skip
        for kind, path in list(files.items())[:2]:
            print(f"  {kind}: {path.stat().st_size / 1024:.0f} KB on the wire; the old way decoded it in the request: "
                  f"{old_way_seconds(path):.1f} s (floor, this machine, now)")  # fmt: skip
        for name, code, took, data in sorted(results):
            message = data.get("error", {}).get("message", "")[:110] if code >= 400 else "stored"
            print(f"  upload {name:<10} → {code} in {took:.2f} s (target < 3 s)  {message}")
        for asset_id, name in sorted(ids.items(), key=lambda kv: kv[1]):
            state, at, error = settled.get(asset_id, ("still processing", float("nan"), ""))
            print(f"  asset {name:<10} {state} {at:.1f} s after the uploads began (target < 90 s) {error[:80]}")
        ordered = sorted(health)
        print(f"  /healthz during it: {len(health)} probes, max {ordered[-1] * 1000:.0f} ms, "
              f"p50 {ordered[len(ordered) // 2] * 1000:.0f} ms (target < 1 s), "
              f"non-200: {sum(1 for c in health_statuses if c != 200)}")  # fmt: skip
        print(f"  5xx answers: {sum(1 for r in results if r[1] >= 500)}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_for_worker(server: subprocess.Popen, port: int) -> int:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
                return int(children[0])
        except (OSError, IndexError):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--video-mb", type=int, default=500)
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true")
    parser.add_argument("--only-hostile", action="store_true")
    args = parser.parse_args()
    if not args.only_hostile:
        bench_photos(args.photos)
        if not args.skip_video:
            bench_upload(args.video_mb)
    if not args.skip_hostile:
        bench_hostile()


if __name__ == "__main__":
    main()
