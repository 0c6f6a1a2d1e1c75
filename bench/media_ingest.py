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

Run: .venv/bin/python bench/media_ingest.py  [--photos N] [--video-mb N] [--skip-video]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import socket
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
    for port in range(8100, 8200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("No free port between 8100 and 8199.")


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
    args = parser.parse_args()
    bench_photos(args.photos)
    if not args.skip_video:
        bench_upload(args.video_mb)


if __name__ == "__main__":
    main()
