"""Attachments API: files on a shoot, deliverable or request — list, upload, read, download, remove.

The staff routes are ``/shoots|deliverables|portal-requests/{id}/attachments[/{attachment_id}[/download]]``;
the client API (portal.api.attachments) subclasses these views with its own way to find the thing
(its own deliverables and requests only) and its own permission.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Deliverable, PortalRequest, Shoot
from localbzz import rate_limits
from localbzz.api.downloads import FileDownloadMixin
from localbzz.api.errors import Conflict, error_body
from localbzz.api.input import refuse_a_body
from publishing import selectors
from publishing.media.attachments import ACCEPTED
from publishing.media.probe import FileProblem
from publishing.models import Attachment
from publishing.services import attachments as services
from publishing.views.files import attachment_download, attachment_problem

TAGS = ["attachments"]


class AttachmentOut(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by_label", help_text="Who attached it, in words.")
    download_url = serializers.SerializerMethodField(help_text="GET it with the same credentials: the file itself.")

    class Meta:
        model = Attachment
        fields = [
            "id", "name", "kind", "content_type", "bytes", "sha256", "status", "processing_error",
            "uploaded_by", "from_client", "created_at", "download_url",
        ]  # fmt: skip

    def get_download_url(self, attachment: Attachment) -> str:
        request = self.context["request"]
        view = self.context["view"]
        kwargs = {"pk": view.kwargs["pk"], "attachment_id": attachment.pk}
        return request.build_absolute_uri(reverse(view.download_route, kwargs=kwargs))


NO_FILE = "No file arrived. Choose a file (its name must not be empty or only dots) and send it as `file`."


class AttachmentIn(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file gets our message, not DRF's
        use_url=False,
        error_messages={
            "required": NO_FILE,
            "invalid": NO_FILE,
            "no_name": "The file has no name. Rename it and upload.",
        },
        help_text=f"One file: {ACCEPTED}. Its type is read from its content, not its name.",
    )


def refused(problem: FileProblem) -> Response:
    return Response(
        error_body(problem.code, problem.message, {"file": [{"name": problem.name, "code": problem.code}]}),
        status=problem.status,
    )


class _Attachments:
    """What the staff and client views share: which thing the URL names, and its attachments."""

    api_area = "crm"  # an API key's scope (integrations.scopes): shoots, deliverables, requests are CRM
    kind: ClassVar[str]  # "shoot" | "deliverable" | "request"
    route: ClassVar[str]  # the URL name prefix, e.g. "api-shoot"
    kwargs: dict[str, Any]
    request: Any

    @property
    def download_route(self) -> str:
        return f"{self.route}-attachment-download"

    def get_target(self) -> Shoot | Deliverable | PortalRequest:
        try:
            return selectors.attachment_target(self.kind, self.kwargs["pk"])
        except (Shoot.DoesNotExist, Deliverable.DoesNotExist, PortalRequest.DoesNotExist):
            raise Http404(f"No {self.kind} has this id.") from None

    def get_attachment(self) -> Attachment:
        found = selectors.attachments_of(self.get_target()).filter(pk=self.kwargs["attachment_id"]).first()
        if found is None:
            raise Http404(f"No attachment of this {self.kind} has this id.")
        return found

    def uploader(self) -> dict[str, Any]:
        return {"uploaded_by": self.request.user, "from_client": False}


class AttachmentList(_Attachments, generics.ListAPIView):
    read_action = "view"
    write_action = "edit_content"
    serializer_class = AttachmentOut
    parser_classes = [MultiPartParser]
    throttle_classes = rate_limits.UPLOAD_THROTTLES
    queryset = Attachment.objects.none()  # schema hint

    def get_queryset(self):
        return selectors.attachments_of(self.get_target())

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(target=target, upload=data.validated_data["file"], **self.uploader())
        except FileProblem as problem:
            return refused(problem)
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDetail(_Attachments, generics.GenericAPIView):
    read_action = "view"
    write_action = "edit_content"
    serializer_class = AttachmentOut

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_attachment()).data)

    def delete(self, request, *args, **kwargs):
        refuse_a_body(request)
        attachment = self.get_attachment()
        if not services.may_remove(request.user, attachment):
            raise exceptions.PermissionDenied("Only the person who attached this file, or the agency, can remove it.")
        services.attachment_remove(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentDownload(FileDownloadMixin, _Attachments, generics.GenericAPIView):
    read_action = "view"

    def get(self, request, *args, **kwargs):
        attachment = self.get_attachment()
        problem = attachment_problem(attachment)
        if problem is not None:  # the envelope, not the pages' plain text
            raise (exceptions.NotFound if problem[0] == 404 else Conflict)(problem[1])
        return attachment_download(attachment)


def attachment_views(
    *, kind: str, route: str, thing: str, mixin: type | None = None, upload: bool = True, remove: bool = True
) -> tuple[type[APIView], type[APIView], type[APIView]]:
    """The list, detail and download views for ``kind``, documented for ``thing`` ("a shoot", "your
    request"); ``mixin`` (first among the bases) changes how the thing is found and who may ask."""
    bases: tuple[type, ...] = (mixin,) if mixin else ()
    attrs = {"kind": kind, "route": route, "__doc__": f"Files attached to {thing}: {ACCEPTED}."}
    name = "".join(part.title() for part in route.split("-"))
    methods = ["get", "head", "options"]
    listed: dict[str, Any] = {
        "get": extend_schema(tags=TAGS, summary=f"List the files attached to {thing}, newest first")
    }
    if upload:
        listed["post"] = extend_schema(
            tags=TAGS,
            summary=f"Attach a file to {thing} (multipart, one `file`)",
            request={"multipart/form-data": AttachmentIn},
            responses={
                201: AttachmentOut,
                400: OpenApiResponse(description="An empty file, or a file name that cannot be used."),
                413: OpenApiResponse(description="Too large for its kind, or too many pixels or frames."),
                415: OpenApiResponse(description=f"Not one of: {ACCEPTED}."),
            },
        )
    detailed: dict[str, Any] = {
        "get": extend_schema(tags=TAGS, summary=f"One file attached to {thing}, with its download URL")
    }
    if remove:
        detailed["delete"] = extend_schema(
            tags=TAGS, summary=f"Remove a file from {thing}", request=None, responses={204: None}
        )
    list_class = type(
        f"{name}AttachmentList",
        (*bases, AttachmentList),
        {**attrs, "http_method_names": [*methods, *["post"] * upload]},
    )
    detail_class = type(
        f"{name}AttachmentDetail",
        (*bases, AttachmentDetail),
        {**attrs, "http_method_names": [*methods, *["delete"] * remove]},
    )
    list_view = extend_schema_view(**listed)(list_class)
    detail_view = extend_schema_view(**detailed)(detail_class)
    download_view = extend_schema_view(
        get=extend_schema(
            tags=TAGS,
            summary=f"Download a file attached to {thing} (always as a download, never shown inline)",
            responses={
                (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, under its name."),
                404: OpenApiResponse(description="No such attachment here, or its file is no longer in storage."),
                409: OpenApiResponse(description="The file is still being prepared (photo metadata), or failed."),
            },
        )
    )(type(f"{name}AttachmentDownload", (*bases, AttachmentDownload), attrs))
    return list_view, detail_view, download_view


ShootAttachments = attachment_views(kind="shoot", route="api-shoot", thing="a shoot")
DeliverableAttachments = attachment_views(kind="deliverable", route="api-deliverable", thing="a deliverable")
RequestAttachments = attachment_views(kind="request", route="api-request", thing="a client's request")
