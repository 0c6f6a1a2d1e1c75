"""Media for and from the fakes: sample files the fake serves, and the download platforms do.

Instagram and Google fetch ``image_url``/``video_url``/``sourceUrl`` themselves; so does the fake,
with a short timeout, and it answers the platform's error when it cannot. Only loopback URLs are
fetched (tests and the demo serve media locally); any other URL is trusted as it is, since this
machine reaches no other host.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from localbzz.net import is_loopback

# An 8×8 JPEG and a 1×1 PNG (made once with Pillow), so the fake serves real image bytes without a dependency.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19i"
    "Z2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
    "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
    "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
    "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
    "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
    "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
    "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCSiiivGPWP/9k="
)
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4UaEBAAN0AWnL+tDXAAAAAElFTkSuQmCC")
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
SAMPLES = {
    ".jpg": (JPEG, "image/jpeg"),
    ".jpeg": (JPEG, "image/jpeg"),
    ".png": (PNG, "image/png"),
    ".mp4": (MP4, "video/mp4"),
    ".mov": (MP4, "video/quicktime"),
    ".heic": (HEIC, "image/heic"),
}


def sample(name: str) -> tuple[bytes, str] | None:
    """``/_fake/media/<name>``: bytes by extension (``missing-*`` names answer 404)."""
    if name.startswith("missing"):
        return None
    for extension, found in SAMPLES.items():
        if name.lower().endswith(extension):
            return found
    return None


@dataclass
class Fetched:
    ok: bool
    reason: str = ""  # "unreachable" | "timeout" when not ok
    data: bytes = b""
    url: str = ""
    fetched: bool = True  # False: not a loopback URL, trusted without downloading

    @property
    def is_jpeg(self) -> bool:
        if not self.fetched:
            return urlsplit(self.url).path.lower().endswith((".jpg", ".jpeg"))
        return self.data.startswith(b"\xff\xd8\xff")


def fetch(url: str, timeout: float) -> Fetched:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Fetched(False, "unreachable", url=url)
    if not is_loopback(parts.hostname):
        return Fetched(True, url=url, fetched=False)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - loopback http(s) only
            return Fetched(True, data=answer.read(), url=url)
    except TimeoutError:
        return Fetched(False, "timeout", url=url)
    except (urllib.error.URLError, OSError) as exc:
        return Fetched(False, "timeout" if "timed out" in str(exc) else "unreachable", url=url)
