"""What a file attached to a shoot, deliverable or request may be — THE attachment rule.

Photos and videos are the media library's: the same types, size limits and checks
(``probe.probe_file``: type by content, pixel and frame budget, whole without decoding). On top of
those, the documents agencies and clients share: PDF, Word, Excel and PowerPoint (the Office Open
XML formats) and ZIP archives, up to ``ATTACHMENT_MAX_DOCUMENT_BYTES``. The type is decided by the
content, never the name or the browser's word; a document must be whole (a PDF ends with
``%%EOF``, a ZIP's central directory is readable). Everything else — web pages, SVG, scripts,
programs, old binary Office files — is refused with a message that says what it is and what we take.
"""

from __future__ import annotations

import os
import unicodedata
import zipfile

from django.conf import settings

from publishing.media.probe import FileProblem, Probe, human_bytes, probe_file, sniff, sniff_file

ACCEPTED = "photos (JPEG, PNG, WebP, GIF, HEIC), videos (MP4, MOV) or documents (PDF, Word, Excel, PowerPoint, ZIP)"
# Sniffed format → (content type, the extensions a name may keep; the first is given otherwise).
DOCUMENT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "PDF": ("application/pdf", ("pdf",)),
    "DOCX": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
    "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "PPTX": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)),
    "ZIP": ("application/zip", ("zip",)),
}
MEDIA_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",), "GIF": ("gif",), "HEIF": ("heic", "heif"),
    "MP4": ("mp4", "m4v"), "MOV": ("mov",),
}  # fmt: skip
# The part every Office Open XML file of that kind has (their ZIP also holds [Content_Types].xml).
_OOXML_PARTS = {"word/document.xml": "DOCX", "xl/workbook.xml": "XLSX", "ppt/presentation.xml": "PPTX"}
_EOF_WINDOW = 2048  # "%%EOF" sits in the last bytes of a whole PDF (after it, at most whitespace or junk)


def accept_attribute() -> str:
    """An ``<input type=file accept>`` of every extension above (the server decides by content)."""
    extensions = [
        *(e for _, known in DOCUMENT_TYPES.values() for e in known),
        *(e for k in MEDIA_EXTENSIONS.values() for e in k),
    ]
    return ",".join(f".{e}" for e in extensions)


def max_document_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_DOCUMENT_BYTES)


def checked_name(name: str) -> str:
    """The file name as sent, refused when it cannot be a name a person gave a file."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    if not base or set(base) <= {"."} or any(unicodedata.category(ch) == "Cc" for ch in base):
        raise FileProblem(
            name or "",
            "bad_filename",
            "The file has no usable name (empty, only dots, or control characters). Rename it and upload again.",
        )
    return base


def name_for(display: str, fmt: str) -> str:
    """``display`` with an extension that says what the file really is (content decides): a JPEG
    sent as ``notes.html`` is kept as ``notes.jpg``, so nobody opens it as a web page later."""
    known = DOCUMENT_TYPES[fmt][1] if fmt in DOCUMENT_TYPES else MEDIA_EXTENSIONS[fmt]
    stem, extension = os.path.splitext(display)
    if not extension and stem.startswith("."):  # ".pdf": an extension without a name
        stem, extension = "", stem
    stem = stem or "attachment"
    return f"{stem}{extension}" if extension[1:].lower() in known else f"{stem}.{known[0]}"


def probe_attachment(path: str, *, name: str, size: int) -> Probe:
    """Decide what the attachment at ``path`` is and that it is whole; raise FileProblem otherwise."""
    fmt, what, head = sniff_file(path, name=name, size=size)
    if fmt is not None:  # a photo or video: the media library's rules, all of them
        return probe_file(path, name=name, size=size)
    document = _document_format(path, head, name)
    if document is None:
        raise FileProblem(name, "unsupported_type", f"{name} cannot be attached: it is {what}. Attach {ACCEPTED}.", 415)
    limit = max_document_bytes()
    if size > limit:
        raise FileProblem(
            name,
            "too_large",
            f"{name} is {human_bytes(size)}; documents can be at most {human_bytes(limit)}. "
            "Compress it or split it, or share it through the shoot's cloud folder.",
            413,
        )
    if document == "PDF" and not _pdf_is_whole(path, size):
        raise FileProblem(
            name, "damaged", f"{name} is not a whole PDF (it is cut off or damaged). Save or export it again."
        )
    return Probe("document", document, DOCUMENT_TYPES[document][0])


def _document_format(path: str, head: bytes, name: str) -> str | None:
    if head.startswith(b"%PDF-"):
        return "PDF"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:  # reads the central directory at the end: a cut-off or damaged archive fails here
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(
            name, "damaged", f"{name} is not a whole ZIP or Office file (it is cut off or damaged). Save it again."
        ) from None
    if any(n.endswith("vbaProject.bin") for n in names):
        raise FileProblem(
            name,
            "unsupported_type",
            f"{name} cannot be attached: it is an Office file with macros, which can run code. "
            "Save it without macros (as .docx, .xlsx or .pptx) and attach that.",
            415,
        )
    if "[Content_Types].xml" in names:
        for part, kind in _OOXML_PARTS.items():
            if part in names:
                return kind
    return "ZIP"


def _pdf_is_whole(path: str, size: int) -> bool:
    with open(path, "rb") as fh:
        fh.seek(max(0, size - _EOF_WINDOW))
        return b"%%EOF" in fh.read()


def refused_too_large(name: str, head: bytes, size: int) -> FileProblem:
    """The message for a file the upload handler stopped writing (past the largest limit of all)."""
    fmt = sniff(head)[0]
    if fmt in ("MP4", "MOV"):
        noun, limit = "videos", settings.MEDIA_MAX_VIDEO_BYTES
    elif fmt is not None:
        noun, limit = "photos", settings.MEDIA_MAX_IMAGE_BYTES
    else:
        noun, limit = "documents", max_document_bytes()
    return FileProblem(
        name,
        "too_large",
        f"{name} is larger than {human_bytes(max(limit, size - 1))}; {noun} can be at most {human_bytes(limit)}. "
        "Make it smaller and attach that.",
        413,
    )
