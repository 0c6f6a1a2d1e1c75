"""How much memory an export to the shoot's folder takes: the upload streams the attachment from
disk, so the uploading process should not grow by the file's size.

The fake platforms run in this process (they keep what they receive in memory, as the real
providers keep it on their disks); each upload runs in a child process that reports its own peak
resident memory (VmHWM): once streaming through ``Drive.upload`` / ``Dropbox.upload``, and once
reading the file whole first (what a multipart body would need) as the floor to compare with.
Usage: ``.venv/bin/python bench/storage_export.py [--mb 120]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import io, os, sys
import django
django.setup()
def hwm():  # peak resident set of this process image (VmHWM, reset by exec; ru_maxrss is not), KiB
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
from integrations.storage.exports import checksum_of
from integrations.storage.providers import Drive, Dropbox, Folder, Upload
provider, mode, path, token, folder_id, folder_path = sys.argv[1:7]
api = Drive() if provider == "google_drive" else Dropbox()
before = hwm()
size = os.path.getsize(path)
with open(path, "rb") as raw:
    stream = io.BytesIO(raw.read()) if mode == "whole" else raw
    checksum = checksum_of(stream, provider)
    made = api.upload(token, Folder(folder_id, "Bench", path=folder_path),
                      Upload("bench.bin", stream, size, "application/octet-stream", checksum))
assert made.size == size and made.checksum == checksum, made
after = hwm()
print(before, after)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=120, help="Size of the file uploaded (MiB; Dropbox takes ≤150).")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    os.environ.setdefault("DEBUG", "1")
    from publishing.fakes import storage as fakes
    from publishing.fakes.server import FakePlatformServer

    server = FakePlatformServer("127.0.0.1", int(os.environ.get("BENCH_PORT", "0"))).start()
    env = {**os.environ, "FAKE_PLATFORMS_URL": server.url, "PLATFORM_READ_TIMEOUT": "120"}
    drive_folder = fakes.drive_put(server.fake, "Bench", folder=True)
    fakes.dropbox_put(server.fake, "/Bench", folder=True)
    tokens = {
        "google_drive": server.fake.register_token("bench-drive", "google_drive"),
        "dropbox": server.fake.register_token("bench-dropbox", "dropbox"),
    }
    with tempfile.NamedTemporaryFile(suffix=".bin") as file:
        block = os.urandom(1024 * 1024)
        for _ in range(args.mb):
            file.write(block)
        file.flush()
        print(f"Upload of {args.mb} MiB to the fake storage; peak resident memory of the uploading process (MiB)")
        print(f"{'provider':<14}{'streamed (ours)':>18}{'read whole (floor)':>22}")
        for provider in ("google_drive", "dropbox"):
            figures = []
            for mode in ("stream", "whole"):
                folder = (drive_folder["id"], "") if provider == "google_drive" else ("/Bench", "/Bench")
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, provider, mode, file.name, tokens[provider], *folder],
                    cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                ).stdout.split()  # fmt: skip
                before, after = int(out[-2]) / 1024, int(out[-1]) / 1024
                figures.append(f"{after:.0f} (+{after - before:.0f})")
            print(f"{provider:<14}{figures[0]:>18}{figures[1]:>22}")
    server.stop()


if __name__ == "__main__":
    main()
