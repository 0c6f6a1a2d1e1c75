"""API answers that are files: any ``Accept`` is taken (the answer is the file itself), and an error
is still the JSON envelope, whatever the request asked for."""

from __future__ import annotations

from collections.abc import Sequence

from rest_framework.renderers import BaseRenderer, JSONRenderer


class AnyFile(BaseRenderer):
    """Lets a download be asked for with any Accept header (the answer is the file itself)."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return JSONRenderer().render(data)


class PdfFile(AnyFile):
    """Lets a request ``Accept: application/pdf`` (the answer is the file itself, never rendered)."""

    media_type = "application/pdf"
    format = "pdf"


class FileDownloadMixin:
    """For an APIView whose success is a file: errors stay JSON whatever the request accepted."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, AnyFile]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)  # type: ignore[misc]  # a mixin of DRF's APIView
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"  # type: ignore[attr-defined]  # the APIView's request
        return response
