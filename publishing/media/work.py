"""Heavy image work — decoding, the privacy-clean original, renditions — in a child process that
cannot take the node: an address-space ceiling (``RLIMIT_AS``), a CPU-time limit (``RLIMIT_CPU``)
and a wall-clock timeout, plus the work budget (frames, pixels × frames) checked again before any
decode. Whatever goes wrong comes back as :class:`WorkFailed` with a sentence a person can act on.

The parent (the django-q2 worker) calls :func:`run`; the child is ``python -m publishing.media.work``
reading a JSON spec on stdin and answering JSON on stdout. The child imports no Django: only Pillow
and ``publishing.media.imaging``/``presets``.

spec: ``source`` (path), ``format`` (JPEG, PNG, …), ``clean`` (write the privacy-clean original),
``presets`` (names), ``focal`` ([x, y] or None), ``outdir``, ``max_pixels``, ``max_frames``,
``max_animation_pixels``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import signal
import subprocess
import sys
import warnings
from pathlib import Path

_BASE_DIR = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1
try:
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6") if sys.platform == "linux" else None
except OSError:  # pragma: no cover
    _LIBC = None


class WorkFailed(Exception):
    """The work could not be done; ``reason`` says why in words a person can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def megapixels(n: float) -> str:
    return f"{n / 1e6:.0f} megapixels" if n >= 1e6 else f"{n / 1e6:.1f} megapixels"


def budget_problem(fmt: str, width: int, height: int, frames: int, limits: dict) -> str | None:
    """Why a ``frames`` × ``width``×``height`` image is over the work budget, or None. One sentence
    for the upload (read from the header) and for the worker (checked again before decoding)."""
    noun = {"GIF": "GIF", "WEBP": "WebP image", "PNG": "PNG"}.get(fmt, "image")
    if width * height > limits["max_pixels"]:
        return (
            f"this {noun} is {width}×{height} ({megapixels(width * height)}); we accept up to "
            f"{megapixels(limits['max_pixels'])}. Resize it (e.g. to 8000 pixels on the long side) and upload again."
        )
    if frames > 1 and (frames > limits["max_frames"] or width * height * frames > limits["max_animation_pixels"]):
        return (
            f"this {noun} has {frames} frames of {width}×{height} ({megapixels(width * height * frames)} in all); "
            f"we accept up to {limits['max_frames']} frames and {megapixels(limits['max_animation_pixels'])} over "
            "all frames. Make it smaller or shorter (or export it as an MP4 video) and upload again."
        )
    return None


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------


def child_limits(memory_mb: int, seconds: int):
    """The ``preexec_fn`` of every heavy child (this module's and ffmpeg's poster frame): runs in
    the child between fork and exec."""
    ceiling = memory_mb * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
        os.setpgrp()  # our own group: nothing of ours outlives a timeout
        os.nice(10)  # web processes on the same node answer first
        if _LIBC is not None:  # and the child dies with the worker (a worker killed mid-rendition)
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


def run_limited(
    argv: list[str], *, memory_mb: int, seconds: int, stdin: bytes = b"", smaller: str = "fewer pixels or frames"
) -> subprocess.CompletedProcess:
    """Run ``argv`` under the memory ceiling (``RLIMIT_AS``), the CPU-time limit (``RLIMIT_CPU``)
    and a wall-clock timeout of ``seconds`` (the whole process group is killed). Over the time
    limit, or killed by a signal (e.g. aborted when an allocation failed under the ceiling), it
    raises WorkFailed with the reason; otherwise it answers the finished process (any exit code).
    ``smaller`` completes "Upload a smaller version (…)"."""
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "PYTHONPATH": str(_BASE_DIR)}
    proc = subprocess.Popen(  # noqa: S603 - our own argv (this module, ffmpeg), never user input
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=child_limits(memory_mb, seconds),
        cwd=_BASE_DIR,
        env=env,
    )
    try:
        out, err = proc.communicate(stdin, timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise WorkFailed(
            f"It took longer than {seconds} seconds to process (our limit per file). "
            "Upload a smaller or simpler version."
        ) from None
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise WorkFailed(
            f"It needed more than {seconds} seconds of processing (our limit per file). "
            "Upload a smaller or simpler version."
        )
    if proc.returncode < 0:
        raise over_memory(memory_mb, seconds, smaller)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def over_memory(memory_mb: int, seconds: int, smaller: str) -> WorkFailed:
    return WorkFailed(
        f"It could not be processed within our limits per file ({memory_mb} MB of memory, {seconds} seconds). "
        f"Upload a smaller version ({smaller})."
    )


def run(spec: dict, *, memory_mb: int, seconds: int) -> dict:
    """Do ``spec`` in a child process under the limits; the child's answer, or WorkFailed."""
    proc = run_limited(
        [sys.executable, "-m", "publishing.media.work"],
        memory_mb=memory_mb,
        seconds=seconds,
        stdin=json.dumps({**spec, "memory_mb": memory_mb}).encode(),
    )
    out = proc.stdout
    try:
        answer = json.loads(out or b"{}")
    except ValueError:
        answer = {}
    if answer.get("error"):
        raise WorkFailed(answer["error"])
    if proc.returncode != 0 or "renditions" not in answer:
        raise WorkFailed(
            "It could not be processed (the image may be damaged). Export it again and upload the new file."
        )
    return answer


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------


def _child(spec: dict) -> dict:
    from PIL import Image

    from publishing.media import imaging, presets

    try:  # HEIC/HEIF through pillow-heif, as in publishing.media.probe
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # pragma: no cover
        pass

    Image.MAX_IMAGE_PIXELS = spec["max_pixels"]
    with Image.open(spec["source"], formats=[spec["format"]]) as im:
        width, height = im.size
        frames = getattr(im, "n_frames", 1)
    problem = budget_problem(spec["format"], width, height, frames, spec)
    if problem:
        return {"error": problem[0].upper() + problem[1:]}
    out = Path(spec["outdir"])
    answer: dict = {"cleaned": None, "renditions": {}}
    if spec["clean"]:
        cleaned = imaging.clean_original(spec["source"], spec["format"])
        path = out / f"original.{cleaned.extension}"
        path.write_bytes(cleaned.data)
        answer["cleaned"] = {
            "path": str(path), "format": cleaned.format, "content_type": cleaned.content_type,
            "extension": cleaned.extension, "width": cleaned.width, "height": cleaned.height,
        }  # fmt: skip
        del cleaned
    wanted = [presets.THUMBNAIL if n == "thumbnail" else presets.POSTER if n == "poster" else presets.PRESETS[n]
              for n in spec["presets"]]  # fmt: skip
    focal = tuple(spec["focal"]) if spec.get("focal") else None
    for name, rendered in (imaging.render(spec["source"], wanted, focal=focal) if wanted else {}).items():
        path = out / f"{name}.jpg"
        path.write_bytes(rendered.data)
        answer["renditions"][name] = {"path": str(path), "width": rendered.width, "height": rendered.height}
    return answer


def main() -> int:
    spec = json.loads(sys.stdin.buffer.read())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            answer = _child(spec)
    except MemoryError:
        answer = {
            "error": f"It needs more memory to process than we allow per file ({spec.get('memory_mb', '?')} MB). "
            "Upload a smaller version (fewer pixels or frames)."
        }
    except Exception as exc:  # a damaged or truncated file, a decoder refusing it
        from PIL import Image

        if isinstance(exc, Image.DecompressionBombError):
            answer = {"error": "It has more pixels than we accept. Resize it and upload again."}
        else:
            what = "cut off (incomplete)" if "truncated" in str(exc).lower() else "damaged or incomplete"
            answer = {"error": f"The image could not be read: it is {what}. Export it again and upload the new file."}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
