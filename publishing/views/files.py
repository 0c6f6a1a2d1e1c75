"""Serving media stored on the filesystem, behind signed, expiring URLs (publishing.media.urls).

The signature is the permission: platforms fetch these URLs without signing in, so the view
checks the signature and expiry, never the session. With S3 storage this view is not used.
"""

from __future__ import annotations

import mimetypes
import re
import time

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from publishing.media.urls import is_incoming, signature_valid
from publishing.models import Attachment

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".gif": "image/gif",
          ".mp4": "video/mp4", ".mov": "video/quicktime"}  # fmt: skip


@require_safe
def media_file(request: HttpRequest, name: str) -> HttpResponseBase:
    expires = request.GET.get("e", "")
    if is_incoming(name) or not signature_valid(name, expires, request.GET.get("s", "")):
        return HttpResponse(
            "This media link is invalid or has expired. Reload the page you came from to get a fresh one.",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    if not default_storage.exists(name):
        return HttpResponse("This file no longer exists.", status=404, content_type="text/plain; charset=utf-8")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = _TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    size = default_storage.size(name)
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        response: HttpResponseBase = _partial(name, size, match, content_type)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = f"private, max-age={max(0, int(expires) - int(time.time()))}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _partial(name: str, size: int, match: re.Match[str], content_type: str) -> HttpResponseBase:
    """One byte range (what video players ask for when seeking)."""
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused

    def body():
        with default_storage.open(name, "rb") as fh:
            fh.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = fh.read(min(64 * 1024, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    response = StreamingHttpResponse(body(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response


def attachment_problem(attachment: Attachment) -> tuple[int, str] | None:
    """Why ``attachment`` cannot be served, as (status, message), or None when it can."""
    if attachment.status == Attachment.Status.PROCESSING:
        return (
            409,
            f"{attachment.name} is still being prepared (its photo details are being removed). Try again in a minute.",
        )
    if attachment.status == Attachment.Status.FAILED:
        return (
            409,
            f"{attachment.name} cannot be downloaded: {attachment.processing_error or 'it could not be prepared.'}",
        )
    if not default_storage.exists(attachment.file.name or ""):
        return 404, f"{attachment.name} is no longer in storage. Ask the person who attached it to attach it again."
    return None


def attachment_download(attachment: Attachment) -> HttpResponseBase:
    """THE download of an attachment, for every surface (staff and client API, staff and portal
    pages; each checks access first): always a download (``Content-Disposition: attachment``, never
    shown inline), its sniffed type, ``nosniff`` and a sandboxing CSP — so even a file a browser
    would render cannot run in our origin. A file not yet cleaned, failed or missing is not served
    (``attachment_problem`` says why; the API answers it in its envelope)."""
    problem = attachment_problem(attachment)
    if problem is not None:
        response: HttpResponseBase = HttpResponse(
            problem[1], status=problem[0], content_type="text/plain; charset=utf-8"
        )
    else:
        response = FileResponse(
            default_storage.open(attachment.file.name or "", "rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
