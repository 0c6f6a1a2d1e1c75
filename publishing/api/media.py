"""The media library API: upload (several files), list, read, edit, delete."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from agency.api.cached import StaffCachedList
from agency.models import Campaign, Client
from localbzz import rate_limits
from localbzz.api.errors import Conflict, error_body
from publishing import selectors
from publishing.api.posts import as_text, iso
from publishing.media.presets import PRESETS
from publishing.media.urls import media_url
from publishing.models import MediaAsset
from publishing.services.media import edit as edit_services
from publishing.services.media import upload as upload_services
from publishing.services.media_sweep import media_retry

# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


class RenditionOut(serializers.Serializer):
    preset = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    bytes = serializers.IntegerField()
    url = serializers.CharField()
    platforms = serializers.ListField(child=serializers.CharField())


class FocalPoint(serializers.Serializer):
    x = serializers.FloatField(min_value=0, max_value=1)
    y = serializers.FloatField(min_value=0, max_value=1)


class MediaAssetOut(serializers.ModelSerializer):
    client_id = serializers.UUIDField()
    campaign_id = serializers.UUIDField(allow_null=True)
    name = serializers.CharField(source="original_name")
    folder = serializers.CharField(source="folder.name", allow_null=True, default=None)
    tags = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField()
    focal_point = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The original (signed, expires).")
    thumbnail_url = serializers.SerializerMethodField(help_text="None until the thumbnail is made.")
    poster_url = serializers.SerializerMethodField(help_text="A video's poster frame (needs ffmpeg).")
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = [
            "id", "client_id", "name", "kind", "content_type", "status", "processing_error", "width", "height",
            "duration", "bytes", "sha256", "source", "uploaded_by", "folder", "tags", "campaign_id",
            "focal_point", "url", "thumbnail_url", "poster_url", "renditions", "created_at", "updated_at",
        ]  # fmt: skip

    def get_tags(self, asset: MediaAsset) -> list[str]:
        return sorted(t.name for t in asset.tags.all())

    def get_uploaded_by(self, asset: MediaAsset) -> str | None:
        return asset.uploaded_by.display_name if asset.uploaded_by else None

    @extend_schema_field(FocalPoint(allow_null=True))
    def get_focal_point(self, asset: MediaAsset) -> dict | None:
        point = asset.focal_point
        return {"x": point[0], "y": point[1]} if point else None

    def get_url(self, asset: MediaAsset) -> str | None:
        return media_url(asset.file)

    def _rendition_url(self, asset: MediaAsset, preset: str) -> str | None:
        rendition = asset.rendition(preset)
        return media_url(rendition.file) if rendition else None

    def get_thumbnail_url(self, asset: MediaAsset) -> str | None:
        return self._rendition_url(asset, "thumbnail")

    def get_poster_url(self, asset: MediaAsset) -> str | None:
        return self._rendition_url(asset, "poster")

    @extend_schema_field(RenditionOut(many=True))
    def get_renditions(self, asset: MediaAsset) -> list[dict]:
        return renditions_out(asset)

    def to_representation(self, asset):
        return asset_out(asset)  # the fields above, written without DRF's per-field cost

    def drf_representation(self, asset) -> dict:
        """DRF's own output for the declared fields: what ``asset_out`` is held equal to (tests)."""
        return super().to_representation(asset)


class UploadedAssetOut(MediaAssetOut):
    existing = serializers.BooleanField(help_text="True: the client already had this file; this is that asset.")

    class Meta(MediaAssetOut.Meta):
        fields = [*MediaAssetOut.Meta.fields, "existing"]

    def to_representation(self, asset):
        return {**asset_out(asset), "existing": bool(asset.existing)}


def renditions_out(asset: MediaAsset) -> list[dict]:
    """An asset's sizes as RenditionOut, by preset: the serializer's field and ``asset_out`` alike."""
    return [
        {
            "preset": r.preset,
            "width": r.width,
            "height": r.height,
            "bytes": r.bytes,
            "url": media_url(r.file),
            "platforms": list(PRESETS[r.preset].platforms) if r.preset in PRESETS else [],
        }
        for r in sorted(asset.renditions.all(), key=lambda r: r.preset)
    ]


def _number(value, kind):
    return None if value is None else kind(value)


def asset_out(asset: MediaAsset) -> dict:
    """MediaAssetOut's fields, in its order, from an asset loaded by ``selectors.media_assets``:
    the same JSON as DRF wrote (``MediaAssetOut.drf_representation``; publishing/tests/test_media_api.py
    holds them equal), without ~25 fields per asset through DRF (a page of 50 spent a third of its
    time there). Times in the active zone, as DRF's DateTimeField."""
    zone = timezone.get_current_timezone()
    thumbnail, poster = asset.rendition("thumbnail"), asset.rendition("poster")
    folder = asset.folder
    return {
        "id": str(asset.pk),
        "client_id": as_text(asset.client_id),
        "name": as_text(asset.original_name),
        "kind": as_text(asset.kind),
        "content_type": as_text(asset.content_type),
        "status": as_text(asset.status),
        "processing_error": as_text(asset.processing_error),
        "width": _number(asset.width, int),
        "height": _number(asset.height, int),
        "duration": _number(asset.duration, float),
        "bytes": _number(asset.bytes, int),
        "sha256": as_text(asset.sha256),
        "source": as_text(asset.source),
        "uploaded_by": asset.uploaded_by.display_name if asset.uploaded_by else None,
        "folder": None if folder is None else as_text(folder.name),
        "tags": sorted(t.name for t in asset.tags.all()),
        "campaign_id": as_text(asset.campaign_id),
        "focal_point": {"x": asset.focal_x, "y": asset.focal_y} if asset.focal_point else None,
        "url": media_url(asset.file),
        "thumbnail_url": media_url(thumbnail.file) if thumbnail else None,
        "poster_url": media_url(poster.file) if poster else None,
        "renditions": renditions_out(asset),
        "created_at": iso(asset.created_at, zone),
        "updated_at": iso(asset.updated_at, zone),
    }


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


class TagsField(serializers.ListField):
    """Tags as a JSON list, repeated form fields, or one comma-separated string."""

    child = serializers.CharField(max_length=200, allow_blank=True)

    def to_internal_value(self, data):
        return upload_services.normalise_tags(super().to_internal_value([data] if isinstance(data, str) else data))


class MediaUploadIn(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more photos (JPEG, PNG, WebP, GIF, HEIC) or videos (MP4, MOV).",
    )
    client_id = serializers.UUIDField()
    folder = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tags = TagsField(required=False)
    campaign_id = serializers.UUIDField(required=False, allow_null=True)


class MediaUpdateIn(serializers.Serializer):
    tags = TagsField(required=False)
    folder = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    campaign_id = serializers.UUIDField(required=False, allow_null=True)
    focal_point = FocalPoint(required=False, allow_null=True, help_text="Null: back to the automatic crop.")


class MediaListQuery(serializers.Serializer):
    accepts_unknown_fields = True  # the query string also carries page, page_size, search, sort_by…
    client_id = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(MediaAsset.Kind.choices, required=False)
    tag = serializers.CharField(required=False)
    folder = serializers.CharField(required=False, help_text="Folder name.")
    source = serializers.ChoiceField(MediaAsset.Source.choices, required=False)  # type: ignore[assignment]  # a field, not Field.source

    campaign_id = serializers.UUIDField(required=False)
    since = serializers.DateField(required=False, help_text="Uploaded on or after (YYYY-MM-DD).")
    until = serializers.DateField(required=False, help_text="Uploaded on or before (YYYY-MM-DD).")


def _client(client_id) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise exceptions.ValidationError({"client_id": ["No client has this id."]})
    return client


def _campaign(campaign_id, client_id) -> Campaign | None:
    if not campaign_id:
        return None
    campaign = Campaign.objects.filter(pk=campaign_id, client_id=client_id).first()
    if campaign is None:
        raise exceptions.ValidationError({"campaign_id": ["No campaign of this client has this id."]})
    return campaign


def uploaded_items(client: Client, results: list[upload_services.UploadResult], out=None) -> list[dict]:
    """The uploaded assets, loaded with their renditions, as ``out`` (UploadedAssetOut) shows them."""
    loaded = selectors.media_assets(client=client).in_bulk([r.asset.pk for r in results])
    items = []
    for result in results:
        asset = loaded[result.asset.pk]
        asset.existing = not result.created
        items.append((out or UploadedAssetOut)(asset).data)
    return items


MEDIA_UPLOADED = inline_serializer("MediaUploaded", {"items": UploadedAssetOut(many=True)})


def upload_status(results: list[upload_services.UploadResult]) -> int:
    """201 when something new was stored; 200 when every file was already in the library."""
    return status.HTTP_201_CREATED if any(r.created for r in results) else status.HTTP_200_OK


def rejected_response(exc: upload_services.MediaRejected) -> Response:
    problems = exc.problems
    code = problems[0].code if len({p.code for p in problems}) == 1 else "invalid_files"
    details = {"files": [{"name": p.name, "code": p.code, "message": p.message} for p in problems]}
    return Response(error_body(code, str(exc), details), status=exc.status)


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


@extend_schema(tags=["media"])
class MediaListCreate(StaffCachedList, generics.ListAPIView):  # GET kept until a table it read is written
    read_action = "view"
    write_action = "edit_content"
    serializer_class = MediaAssetOut
    parser_classes = [MultiPartParser]
    throttle_classes = rate_limits.UPLOAD_THROTTLES
    search_fields = ["original_name", "tags__name"]
    sort_fields = {
        "created_at": "created_at",
        "name": "original_name",
        "bytes": "bytes",
        "width": "width",
        "duration": "duration",
    }
    default_sort = ("-created_at", "-id")

    def get_queryset(self):
        query = MediaListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        client = _client(filters.pop("client_id")) if "client_id" in filters else None
        return selectors.media_assets(client=client, **filters)

    @extend_schema(summary="List media (filter by client, kind, tag, folder, source, campaign, dates)",
                   parameters=[MediaListQuery])  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Upload photos and videos (multipart, several `files`)",
        request={"multipart/form-data": MediaUploadIn},
        responses={
            201: MEDIA_UPLOADED,
            200: OpenApiResponse(
                MEDIA_UPLOADED, description="Every file was already in the library: the existing assets."
            ),
            413: OpenApiResponse(description="A file is too large, has too many pixels, or too many files."),
            415: OpenApiResponse(description="A file is not a photo or video we take."),
        },
    )
    def post(self, request, *args, **kwargs):
        data = MediaUploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        client = _client(values["client_id"])
        try:
            results = upload_services.media_upload(
                client=client,
                files=values["files"],
                uploaded_by=request.user,
                folder=values.get("folder") or None,
                tags=values.get("tags", []),
                campaign=_campaign(values.get("campaign_id"), client.pk),
            )
        except upload_services.MediaRejected as exc:
            return rejected_response(exc)
        return Response({"items": uploaded_items(client, results)}, status=upload_status(results))


@extend_schema(tags=["media"])
class MediaRetry(generics.GenericAPIView):
    write_action = "edit_content"
    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored
    serializer_class = MediaAssetOut

    @extend_schema(
        summary="Retry an asset whose processing failed (cleaning the original and making its sizes)",
        request=None,
        responses={202: MediaAssetOut, 409: OpenApiResponse(description="The asset has not failed.")},
    )
    def post(self, request, asset_id):
        try:
            asset = selectors.media_asset_get(asset_id=asset_id, client=None)
        except MediaAsset.DoesNotExist:
            raise Http404 from None
        if asset.status != MediaAsset.Status.FAILED:
            raise Conflict(f"Only a failed asset can be retried; this one is {asset.get_status_display().lower()}.")
        media_retry(actor=request.user, asset=asset)
        asset = selectors.media_asset_get(asset_id=asset_id, client=None)
        return Response(MediaAssetOut(asset).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["media"])
class MediaDetail(generics.GenericAPIView):
    read_action = "view"
    write_action = "edit_content"
    serializer_class = MediaAssetOut

    def get_object(self) -> MediaAsset:
        try:
            return selectors.media_asset_get(asset_id=self.kwargs["asset_id"], client=None)
        except MediaAsset.DoesNotExist:
            raise Http404 from None

    @extend_schema(summary="One media asset with the URLs of its original, thumbnail and renditions")
    def get(self, request, asset_id):
        return Response(MediaAssetOut(self.get_object()).data)

    @extend_schema(summary="Edit tags, folder, campaign or focal point (moving it re-renders)",
                   request=MediaUpdateIn, responses=MediaAssetOut)  # fmt: skip
    def patch(self, request, asset_id):
        asset = self.get_object()
        data = MediaUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kwargs = {}
        if "tags" in values:
            kwargs["tags"] = values["tags"]
        if "folder" in values:
            kwargs["folder"] = values["folder"] or None
        if "campaign_id" in values:
            kwargs["campaign"] = _campaign(values["campaign_id"], asset.client_id)
        if "focal_point" in values:
            point = values["focal_point"]
            kwargs["focal_point"] = (point["x"], point["y"]) if point else None
        edit_services.media_update(actor=request.user, asset=asset, **kwargs)
        return Response(MediaAssetOut(self.get_object()).data)

    @extend_schema(summary="Delete an asset and its files (refused while a scheduled post uses it)",
                   responses={204: None, 409: OpenApiResponse(description="A scheduled post uses it.")})  # fmt: skip
    def delete(self, request, asset_id):
        try:
            edit_services.media_delete(actor=request.user, asset=self.get_object())
        except edit_services.MediaInUse as exc:
            raise Conflict({"message": str(exc), "uses": exc.uses}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
