"""The client API (JWT): sign in, upload, submit content, scheduled posts and reschedule, stats,
requests and deliverables. Every view answers only the token's client; anything else is 404.

Times are read and written in the client's time zone (ISO 8601 with its offset).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from agency import audit, deliverable_files
from agency.models import Deliverable, PortalRequest
from generation.contracts import GenerationFailed
from localbzz import rate_limits
from localbzz.api.downloads import FileDownloadMixin
from localbzz.api.errors import Conflict
from localbzz.api.pagination import EnvelopePagination
from localbzz.api.permissions import Public
from localbzz.listcache import CachedList
from portal import auth, selectors
from portal.api import serializers as io
from portal.permissions import IsClientUser
from portal.services import content as portal_content
from portal.services import inbox as portal_inbox
from publishing.api.media import rejected_response, upload_status, uploaded_items
from publishing.models import Post
from publishing.services.media import upload as upload_services

TAGS = ["client portal"]


class ClientAPIView(APIView):
    """Client user only; times in the client's zone."""

    permission_classes = [IsClientUser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.client = request.client_user.client
        timezone.activate(self.client.tz)


class LimitReachedError(Conflict):
    default_code = "monthly_limit_reached"


class NotReschedulable(Conflict):
    default_code = "not_reschedulable"


class GenerationUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "generation_failed"


@extend_schema(
    tags=TAGS,
    summary="Client sign-in: email or business name, and password → JWT",
    request=io.ClientLoginIn,
    responses={200: io.ClientTokensOut, 401: OpenApiResponse(description="Wrong credentials"), 429: None},
    auth=[],
)
class ClientLogin(APIView):
    permission_classes = [Public]
    authentication_classes = []
    throttle_classes = [rate_limits.LoginRate]

    def get_authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # wrong credentials are a 401 (DRF answers 403 without this)

    def post(self, request):
        data = io.ClientLoginIn(data=request.data)
        data.is_valid(raise_exception=True)
        identifier = data.validated_data.get("email") or data.validated_data.get("business_name")
        try:
            membership = auth.sign_in(request, identifier, data.validated_data["password"])
        except auth.SignInRefused as refused:
            if refused.locked_for:
                raise rate_limits.throttled(refused.locked_for, str(refused)) from None
            raise exceptions.AuthenticationFailed(str(refused), code="invalid_credentials") from None
        audit.logged_in(request, membership.user)
        refresh = RefreshToken.for_user(membership.user)
        client = membership.client
        return Response(
            {
                "access_token": str(refresh.access_token),
                "refresh_token": str(refresh),
                "token_type": "bearer",
                "expires_in": int(jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
                "client": {"id": str(client.pk), "name": client.name, "subdomain": client.slug,
                           "portal_url": client.portal_url, "role": membership.role},
            }
        )  # fmt: skip


CLIENT_UPLOADED = inline_serializer(
    "ClientUploaded",
    {"items": io.ClientMediaOut(many=True), "media_ids": serializers.ListField(child=serializers.UUIDField()),
     "media_urls": serializers.ListField(child=serializers.CharField())},
)  # fmt: skip


@extend_schema(
    tags=TAGS,
    summary="Upload photos and videos (multipart, several `files`) → their URLs and ids",
    request={"multipart/form-data": io.ClientUploadIn},
    responses={
        201: CLIENT_UPLOADED,
        200: OpenApiResponse(CLIENT_UPLOADED, description="Every file was already in the library: the existing ones."),
        413: OpenApiResponse(description="A file or the batch is too large"),
        415: OpenApiResponse(description="Not a photo or video we take"),
    },
)  # fmt: skip
class ClientMediaUpload(ClientAPIView):
    parser_classes = [MultiPartParser]
    throttle_classes = rate_limits.UPLOAD_THROTTLES

    def post(self, request):
        data = io.ClientUploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            results = upload_services.media_upload(
                client=self.client, files=data.validated_data["files"], uploaded_by=request.user
            )
        except upload_services.MediaRejected as exc:
            return rejected_response(exc)
        items = uploaded_items(self.client, results, io.ClientMediaOut)
        # A file still being cleaned has no download URL yet; its reference (the files-view path of
        # the stored name, which names the asset) works in content/submit all the same.
        names = [r.asset.file.name for r in results]
        urls = [i["url"] or reverse("media-file", kwargs={"name": n}) for i, n in zip(items, names, strict=True)]
        return Response(
            {"items": items, "media_ids": [i["id"] for i in items], "media_urls": urls},
            status=upload_status(results),
        )


@extend_schema(
    tags=TAGS,
    summary="Submit content: media + notes → a post waiting for the agency's approval, with AI captions",
    request=io.ClientSubmitIn,
    responses={
        201: io.ClientPostOut,
        409: OpenApiResponse(description="This month's posts are used up (the message says when it resets)"),
        503: OpenApiResponse(description="The captions could not be written; nothing was stored, try again"),
    },
)
class ClientContentSubmit(ClientAPIView):
    def post(self, request):
        data = io.ClientSubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        media = list(values["media_ids"])
        if values["media_urls"]:
            found, unknown = selectors.media_by_urls(self.client, values["media_urls"])
            if unknown:
                raise exceptions.ValidationError(
                    {"media_urls": [f"Not in your library: {u}. Upload it first." for u in unknown[:10]]}
                )
            media += [a.pk for a in found]
        try:
            post = portal_content.content_submit(
                client_user=request.client_user,
                media=media,
                notes=values["notes"],
                topic=values["topic"],
                platforms=values["platforms"],
                preferred_at=values["preferred_time"],
                source=Post.Source.API,
            )
        except portal_content.LimitReached as exc:
            quota = exc.quota
            raise LimitReachedError({"message": exc.messages[0], "resets_at": quota.resets_at.isoformat()}) from None
        except GenerationFailed as exc:
            raise GenerationUnavailable(f"The captions could not be written: {exc} Nothing was stored.") from None
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict") and "media" in exc.error_dict:
                raise exceptions.ValidationError({"media_ids": exc.message_dict["media"]}) from None
            raise
        return Response(io.ClientPostOut(selectors.post_get(self.client, post.pk)).data, status=status.HTTP_201_CREATED)


class WithUsagePagination(EnvelopePagination):
    """The list envelope plus ``usage``: this month's posts used, left and when the count resets."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["usage"] = {"$ref": "#/components/schemas/ClientQuotaOut"}  # see ClientStatsOut
        envelope["required"] = [*envelope["required"], "usage"]
        return envelope


@extend_schema(tags=TAGS, summary="Your scheduled posts, soonest first (with this month's usage)")
class ClientScheduledPosts(CachedList, ClientAPIView, generics.ListAPIView):
    serializer_class = io.ClientPostOut
    queryset = Post.objects.none()  # schema hint
    pagination_class = WithUsagePagination

    def get_queryset(self):
        return selectors.scheduled_posts(self.client)

    def list_audience(self, request) -> tuple:
        return ("client", self.client.pk)  # kept until a table it read is written, for the token's client only

    def list_data(self, request, *args, **kwargs):
        data = super().list_data(request, *args, **kwargs)
        data["usage"] = io.ClientQuotaOut(selectors.quota(self.client)).data
        return data


@extend_schema(
    tags=TAGS,
    summary="Move a scheduled post to a new time (every platform, and in Publer first)",
    request=io.ClientRescheduleIn,
    responses={200: io.ClientPostOut, 409: OpenApiResponse(description="Not a post you can move (and why)")},
)
class ClientReschedule(ClientAPIView):
    patch_is_partial = False  # new_scheduled_time is required

    def patch(self, request, post_id):
        data = io.ClientRescheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            post = selectors.post_get(self.client, post_id)
        except Post.DoesNotExist:
            raise Http404 from None
        when = data.validated_data["new_scheduled_time"]
        try:
            portal_content.post_reschedule(client_user=request.client_user, post=post, when=when)
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "not_reschedulable":
                raise NotReschedulable({"message": exc.messages[0], "status": post.status}) from None
            if hasattr(exc, "error_dict") and "scheduled_at" in exc.error_dict:
                raise exceptions.ValidationError({"new_scheduled_time": exc.message_dict["scheduled_at"]}) from None
            raise
        return Response(io.ClientPostOut(selectors.post_get(self.client, post.pk)).data)


@extend_schema(tags=TAGS, summary="Your figures: usage, posts by status, platforms", responses=io.ClientStatsOut)
class ClientStats(ClientAPIView):
    def get(self, request):
        return Response(io.ClientStatsOut(selectors.stats(self.client)).data)


class SubdomainScoped(ClientAPIView):
    """Seed 001's /client-portal/{subdomain}/… routes: the token's client must be the subdomain's,
    else 404 (as if nothing were there)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if kwargs.get("subdomain", "").lower() != self.client.slug:
            raise Http404


@extend_schema(tags=TAGS)
class ClientPortalRequests(SubdomainScoped, generics.ListAPIView):
    serializer_class = io.ClientRequestOut
    queryset = PortalRequest.objects.none()  # schema hint

    def get_queryset(self):
        return selectors.requests(self.client)

    @extend_schema(summary="Your requests, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Raise a request", request=io.ClientRequestIn, responses={201: io.ClientRequestOut})
    def post(self, request, subdomain):
        data = io.ClientRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = portal_inbox.request_create(
            client_user=request.client_user,
            content=values["content"],
            kind=values["request_type"],
            topic=values["topic"],
            priority=values["priority"],
        )
        return Response(io.ClientRequestOut(selectors.requests(self.client).get(pk=created.pk)).data, status=201)


@extend_schema(tags=TAGS)
class ClientPortalDeliverables(SubdomainScoped, generics.ListAPIView):
    serializer_class = io.ClientDeliverableOut
    queryset = Deliverable.objects.none()  # schema hint

    def get_queryset(self):
        return selectors.deliverables(self.client)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.with_files = deliverable_files.with_files(page if page is not None else queryset)
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_files": getattr(self, "with_files", set())}

    @extend_schema(summary="Your deliverables: waiting for review, ready, delivered")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FileNotNow(exceptions.APIException):
    """The deliverable's file cannot be had now (gone from the folder, storage needs attention)."""

    def __init__(self, unavailable: deliverable_files.FileUnavailable) -> None:
        self.status_code = unavailable.status
        super().__init__(detail=unavailable.message, code="file_unavailable")


@extend_schema(tags=TAGS)
class ClientDeliverableDownload(FileDownloadMixin, ClientAPIView):
    """The deliverable's file, streamed from the shoot's folder in the agency's storage — the same
    answer as the portal's Download (one ``Range: bytes=a-b`` passed through), or a redirect to its
    file link."""

    @extend_schema(
        summary="Download your deliverable's file",
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file under its own type and name (206 for a Range)."
            ),
            302: OpenApiResponse(description="The deliverable's file link (no file kept with us)."),
            404: OpenApiResponse(description="No such deliverable of yours, or it has no file yet."),
            410: OpenApiResponse(description="The file was deleted from the shoot's folder."),
            502: OpenApiResponse(description="The storage did not hand it over: try again later."),
            503: OpenApiResponse(description="The agency's storage connection needs attention."),
        },
    )
    def get(self, request, pk):
        try:
            deliverable = selectors.deliverable_get(self.client, pk)
        except Deliverable.DoesNotExist:
            raise Http404("You have no deliverable with this id.") from None
        try:
            answer = deliverable_files.download(deliverable, request.headers.get("Range", ""))
        except deliverable_files.FileUnavailable as unavailable:
            raise FileNotNow(unavailable) from unavailable
        if answer is not None:
            return answer
        if deliverable.file_link:
            return HttpResponseRedirect(deliverable.file_link)
        raise Http404("This deliverable has no file yet.")
