"""A shoot's folder over the API: ``POST /api/v1/shoots/{id}/folder`` (create, or link by
``url``), ``GET /api/v1/shoots/{id}/folder/files`` (one page; ``page_token`` for the next),
``POST /api/v1/shoots/{id}/folder/import`` (a job: picked files, all, or new) and
``GET /api/v1/storage-imports/{id}`` (its progress); a deliverable's file there:
``GET/PUT/DELETE /api/v1/deliverables/{id}/storage-file``, ``POST …/storage-file/export`` (save an
attachment into the folder and link it: a job) and ``GET /api/v1/storage-exports/{id}``.
Staff: reading needs ``view``, creating ``edit_content``; API keys need ``crm`` scopes."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Deliverable, Shoot
from integrations.storage import deliverables, exports, imports, services
from integrations.storage.models import DeliverableExport, DeliverableFile, Provider, ShootFolder, StorageImport
from integrations.storage.providers import StorageError
from publishing.models import Attachment

# What each failure kind answers: (HTTP status, machine code).
_ANSWERS = {
    "invalid": (400, "invalid"),
    "conflict": (409, "conflict"),
    "not_connected": (409, "storage_not_connected"),
    "needs_reconnect": (409, "storage_needs_reconnect"),
    "not_found": (404, "storage_not_found"),
    "rate_limited": (503, "storage_rate_limited"),
    "unavailable": (502, "storage_unavailable"),
    "auth": (409, "storage_needs_reconnect"),
    "grant": (409, "storage_needs_reconnect"),
}


# What a call to the connected storage may answer besides success (documented on each endpoint).
STORAGE_FAILURES = {
    409: OpenApiResponse(description="No storage is connected, it needs reconnecting, or the folder exists already."),
    502: OpenApiResponse(description="The storage answered with an error."),
    503: OpenApiResponse(description="The storage is rate-limiting us: try again in a minute."),
}


class StorageFailure(APIException):
    def __init__(self, error: StorageError) -> None:
        self.status_code, code = _ANSWERS.get(error.kind, (502, "storage_error"))
        super().__init__(detail=error.message, code=code)


class FolderIn(serializers.Serializer):
    url = serializers.URLField(
        required=False, max_length=1000, help_text="Link this existing folder instead of creating one."
    )
    provider = serializers.ChoiceField(
        choices=Provider.choices, required=False, help_text="Which connected storage (needed when both are connected)."
    )


class FolderOut(serializers.ModelSerializer):
    class Meta:
        model = ShootFolder
        fields = ["id", "provider", "external_id", "name", "path", "web_url", "created_here", "created_at"]


class FileOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    is_folder = serializers.BooleanField()
    mime_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    checksum = serializers.CharField(help_text="Drive md5Checksum or Dropbox content_hash")
    modified = serializers.CharField()
    thumbnail_url = serializers.CharField()
    is_media = serializers.SerializerMethodField(help_text="A photo or video (what an import takes)")
    imported = serializers.SerializerMethodField(help_text="Already in the client's media library (same checksum)")

    def get_is_media(self, file) -> bool:
        return imports.is_media(file)

    def get_imported(self, file) -> bool:
        return (file.id, file.checksum) in self.context.get("imported", set())


class FilesOut(serializers.Serializer):
    folder = FolderOut()
    files = FileOut(many=True)
    next_page_token = serializers.CharField(help_text="Pass as page_token for the next page; empty on the last.")


class _ShootFolder(APIView):
    read_action = "view"
    write_action = "edit_content"
    api_area = "crm"

    def shoot(self, pk) -> Shoot:
        return get_object_or_404(Shoot.objects.select_related("client"), pk=pk)


class ShootFolderView(_ShootFolder):
    @extend_schema(
        summary="Create the shoot's folder in the connected storage (or link one by url)",
        tags=["shoots"],
        request=FolderIn,
        responses={201: FolderOut, **STORAGE_FAILURES},
    )
    def post(self, request, pk):
        shoot = self.shoot(pk)
        data = FolderIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values.get("url"):
                folder = services.link_folder(
                    shoot, values["url"], actor=request.user, provider=values.get("provider", "")
                )
            else:
                folder = services.create_folder(shoot, actor=request.user, provider=values.get("provider", ""))
        except StorageError as error:
            raise StorageFailure(error) from error
        return Response(FolderOut(folder).data, status=status.HTTP_201_CREATED)


class ShootFolderFiles(_ShootFolder):
    @extend_schema(
        summary="List the files in the shoot's folder (one page)",
        tags=["shoots"],
        parameters=[
            OpenApiParameter("page_token", str, description="next_page_token of the previous page"),
            OpenApiParameter("page_size", int, description="1-1000 (default 100)"),
        ],
        responses={200: FilesOut, **STORAGE_FAILURES},
    )
    def get(self, request, pk):
        shoot = self.shoot(pk)
        folder = ShootFolder.objects.filter(shoot=shoot).first()
        if folder is None:
            raise NotFound("This shoot has no folder yet: POST /api/v1/shoots/{id}/folder makes one.")
        raw = request.query_params.get("page_size", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise serializers.ValidationError({"page_size": ["A whole number from 1 to 1000."]})
        try:
            files, token = services.list_files(folder, page_token=request.query_params.get("page_token", ""),
                                               page_size=int(raw))  # fmt: skip
        except StorageError as error:
            raise StorageFailure(error) from error
        done = imports.imported_keys(folder.provider, files)
        body = {"folder": FolderOut(folder).data, "files": FileOut(files, many=True, context={"imported": done}).data,
                "next_page_token": token}  # fmt: skip
        return Response(body)


class ImportProblem(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name in the storage")
    message = serializers.CharField(help_text="Why it was not imported")


class ImportOut(serializers.ModelSerializer):
    shoot = serializers.UUIDField(source="folder.shoot_id", read_only=True)
    problems = ImportProblem(many=True, read_only=True, help_text="Files that failed (the last 100)")

    class Meta:
        model = StorageImport
        fields = ["id", "shoot", "mode", "status", "total", "imported", "skipped", "failed", "problems", "error",
                  "created_at", "updated_at", "finished_at"]  # fmt: skip


class ImportIn(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, min_length=1, max_length=1000,
        help_text="Storage file ids (from GET …/folder/files) to import; or give mode.",
    )  # fmt: skip
    mode = serializers.ChoiceField(
        choices=[("all", "every photo and video"), ("new", "only files new since the last import")],
        required=False,
        help_text="all (the default) or new. Files imported before are skipped either way.",
    )

    def validate(self, attrs):
        if "files" in attrs and "mode" in attrs:
            raise serializers.ValidationError("Give either files (ids to import) or mode, not both.")
        return attrs


class ShootFolderImport(_ShootFolder):
    @extend_schema(
        summary="Import the folder's photos and videos into the client's media library (a job to poll)",
        description='Body: {"files": [ids]} to import picked files, or {"mode": "all"|"new"} '
        '(no body = all). "new" reads the storage\'s change feed since the last whole-folder import '
        "(the whole folder when there was none). Files imported before (same storage file id and "
        "checksum) are skipped either way, so nothing is imported twice. One import per folder at a "
        "time: while one is active, this answers it. Poll the Location (GET /api/v1/storage-imports/{id}).",
        tags=["shoots"],
        request=ImportIn,
        responses={202: ImportOut, 400: OpenApiResponse(description="No folder, or a bad pick."), **STORAGE_FAILURES},
    )
    def post(self, request, pk):
        shoot = self.shoot(pk)
        data = ImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        folder = ShootFolder.objects.filter(shoot=shoot).first()
        if folder is None:
            raise serializers.ValidationError(
                {"folder": ["This shoot has no folder yet: create or link one (POST /api/v1/shoots/{id}/folder)."]}
            )
        if "files" in values:
            try:
                picked = imports.pick(folder, values["files"])
            except imports.BadPick as bad:
                raise serializers.ValidationError({"files": [bad.message]}) from bad
            except StorageError as error:
                raise StorageFailure(error) from error
            job, _queued = imports.start(folder, actor=request.user, mode=StorageImport.Mode.SELECTED, file_ids=picked)
        else:
            job, _queued = imports.start(folder, actor=request.user, mode=values.get("mode", "all"))
        location = reverse("api-storage-import", args=[job.pk])
        return Response(ImportOut(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class StorageImportDetail(_ShootFolder):
    @extend_schema(summary="An import job: its status and progress", tags=["shoots"], responses={200: ImportOut})
    def get(self, request, pk):
        job = get_object_or_404(StorageImport.objects.select_related("folder"), pk=pk)
        return Response(ImportOut(job).data)


class DeliverableFileIn(serializers.Serializer):
    file = serializers.CharField(max_length=200, help_text="A file id of the shoot's folder (GET …/folder/files).")


class DeliverableFileOut(serializers.ModelSerializer):
    file_id = serializers.CharField(source="external_id", read_only=True)

    class Meta:
        model = DeliverableFile
        fields = ["provider", "file_id", "name", "mime_type", "size", "checksum", "linked_at"]


class DeliverableStorageFile(_ShootFolder):
    """The deliverable's file in its shoot's folder: what the client's portal download serves."""

    def deliverable(self, pk) -> Deliverable:
        return get_object_or_404(Deliverable, pk=pk)

    @extend_schema(
        summary="The deliverable's file in the shoot's folder",
        tags=["deliverables"],
        responses={200: DeliverableFileOut, 404: OpenApiResponse(description="No file linked.")},
    )
    def get(self, request, pk):
        linked = DeliverableFile.objects.filter(deliverable=self.deliverable(pk)).first()
        if linked is None:
            raise NotFound('This deliverable has no file linked: PUT {"file": "<file id>"} links one.')
        return Response(DeliverableFileOut(linked).data)

    @extend_schema(
        summary="Link a file of the shoot's folder to the deliverable (the portal download serves it)",
        tags=["deliverables"],
        request=DeliverableFileIn,
        responses={200: DeliverableFileOut, 400: OpenApiResponse(description="No folder, or not a file in it."),
                   **STORAGE_FAILURES},
    )  # fmt: skip
    def put(self, request, pk):
        deliverable = self.deliverable(pk)
        data = DeliverableFileIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            linked = deliverables.link(deliverable, data.validated_data["file"], actor=request.user)
        except StorageError as error:
            if error.kind in ("invalid", "not_found"):
                raise serializers.ValidationError({"file": [error.message]}) from error
            raise StorageFailure(error) from error
        return Response(DeliverableFileOut(linked).data)

    @extend_schema(summary="Unlink the deliverable's file", tags=["deliverables"], responses={204: None})
    def delete(self, request, pk):
        deliverables.unlink(self.deliverable(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportIn(serializers.Serializer):
    attachment = serializers.UUIDField(help_text="The id of one of the deliverable's attachments (GET …/attachments).")


class ExportOut(serializers.ModelSerializer):
    attachment = serializers.UUIDField(source="attachment_id", read_only=True)
    deliverable = serializers.UUIDField(source="deliverable_id", read_only=True)
    attachment_name = serializers.CharField(source="attachment.name", read_only=True)
    file_id = serializers.CharField(source="external_id", read_only=True,
                                    help_text="The file made in the shoot's folder (when done).")  # fmt: skip
    file_name = serializers.CharField(read_only=True, help_text="Its name there (Dropbox may add “ (1)”).")
    error = serializers.CharField(read_only=True, help_text="Why it failed, in words a person can act on.")

    class Meta:
        model = DeliverableExport
        fields = ["id", "deliverable", "attachment", "attachment_name", "provider", "status", "file_id", "file_name",
                  "error", "created_at", "finished_at"]  # fmt: skip


class DeliverableStorageExport(_ShootFolder):
    """Save one of the deliverable's attachments into the shoot's folder and link the deliverable to it."""

    @extend_schema(
        summary="Save an attachment into the shoot's folder, then link the deliverable to it (a job)",
        description="202 with the queued job (poll GET /api/v1/storage-exports/{id}). While an export of the same "
        "attachment runs, that job is the answer; an attachment already saved into this folder is linked again "
        "(200, status done) instead of uploaded twice.",
        tags=["deliverables"],
        request=ExportIn,
        responses={202: ExportOut, 200: ExportOut,
                   400: OpenApiResponse(description="The shoot has no folder, or the attachment is not ready."),
                   404: OpenApiResponse(description="No such deliverable, or no such attachment on it."),
                   **STORAGE_FAILURES},
    )  # fmt: skip
    def post(self, request, pk):
        deliverable = get_object_or_404(Deliverable, pk=pk)
        data = ExportIn(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = get_object_or_404(Attachment, pk=data.validated_data["attachment"], deliverable=deliverable)
        try:
            job, queued = exports.start(deliverable, attachment, actor=request.user)
        except exports.ExportRefused as refused:
            raise serializers.ValidationError({"attachment": [refused.message]}) from refused
        except StorageError as error:
            raise StorageFailure(error) from error
        answer = status.HTTP_202_ACCEPTED if job.active else status.HTTP_200_OK
        location = reverse("api-storage-export", args=[job.pk])
        return Response(ExportOut(job).data, status=answer, headers={"Location": location})


class StorageExportDetail(_ShootFolder):
    @extend_schema(summary="An export to the shoot's folder: its status", tags=["deliverables"],
                   responses={200: ExportOut})  # fmt: skip
    def get(self, request, pk):
        return Response(
            ExportOut(get_object_or_404(DeliverableExport.objects.select_related("attachment"), pk=pk)).data
        )
