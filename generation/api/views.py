"""Generation over the API: image batches, single images, the jobs list ("tasks"), caption
suggestions and multi-platform posts. Viewers read; editors generate; only approvers publish now."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import permissions
from generation import selectors
from generation.api import serializers as s
from generation.contracts import GenerationFailed
from generation.models import GenerationJob
from generation.services import captions, images, multi_platform
from localbzz.api.errors import UnprocessableEntity
from localbzz.app_urls import app_url
from publishing.models import PostTarget
from publishing.states import TargetStatus as T


def absolute_urls(request, answer: dict) -> dict:
    """Image URLs in an answer as absolute URLs on the host the caller used (seed 004 clients fetch
    them as they are)."""
    for row in answer.get("results", []) + answer.get("platforms", []):
        if row.get("image_url", "") and row["image_url"].startswith("/"):
            row["image_url"] = app_url(row["image_url"], request=request)
    return answer


def wait_until(job: GenerationJob, settled) -> tuple[GenerationJob, bool]:
    """Re-read ``job`` until ``settled(job)`` or GENERATION_WAIT_SECONDS have passed."""
    deadline = time.monotonic() + settings.GENERATION_WAIT_SECONDS
    while True:
        job = multi_platform.retry_finish_if_due(selectors.jobs().get(pk=job.pk))
        if settled(job):
            return job, True
        if time.monotonic() >= deadline:
            return job, False
        time.sleep(0.1)


BATCH_DONE = {GenerationJob.Status.SUCCEEDED, GenerationJob.Status.PARTIAL, GenerationJob.Status.FAILED}


class ImageBatchCreate(APIView):
    write_action = "edit_content"

    @extend_schema(
        summary="Generate a batch of platform-sized images (one background task per image)",
        description="Waits up to GENERATION_WAIT_SECONDS for the images and answers 201 with the finished "
        "batch (times, absolute image URLs); past that, 202 with the batch so far: poll "
        "GET /generation/image-batches/{id}.",
        tags=["generation"],
        request=s.ImageBatchIn,
        responses={201: s.ImageBatchOut, 202: s.ImageBatchOut},
    )
    def post(self, request):
        data = s.ImageBatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = images.image_batch_create(
            actor=request.user, client=v["client"], campaign=v.get("campaign"), base_prompt=v["base_prompt"],
            style=v["style"], provider=v["provider"], model=v["model"],
            images=[images.ImageSpec(**spec) for spec in v["images"]],
        )  # fmt: skip
        job, done = wait_until(job, lambda j: j.status in BATCH_DONE)
        return Response(
            absolute_urls(request, selectors.batch_result(job)),
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )


class ImageBatchDetail(APIView):
    @extend_schema(summary="An image batch: status, counts, timings and every image", tags=["generation"],
                   responses={200: s.ImageBatchOut})  # fmt: skip
    def get(self, request, pk):
        job = get_object_or_404(selectors.jobs(), pk=pk)
        return Response(absolute_urls(request, selectors.batch_result(multi_platform.retry_finish_if_due(job))))


class ImageGenerate(APIView):
    write_action = "edit_content"

    @extend_schema(summary="Generate one image (a task: poll GET /generation/tasks/{id})", tags=["generation"],
                   request=s.ImageIn, responses={202: s.JobOut})  # fmt: skip
    def post(self, request):
        data = s.ImageIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = images.image_generate(
            actor=request.user, client=v["client"], campaign=v.get("campaign"), prompt=v["prompt"],
            provider=v["provider"], model=v["model"], platform=v["platform"], aspect_ratio=v["aspect_ratio"],
            style=v["style"],
        )  # fmt: skip
        return Response(s.JobOut(selectors.jobs().get(pk=job.pk)).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    summary="Generation tasks (jobs), newest first; filter by client and campaign",
    tags=["generation"],
    parameters=[
        OpenApiParameter("client_id", str, description="Only this client's jobs."),
        OpenApiParameter("campaign_id", str, description="Only this campaign's jobs."),
        OpenApiParameter("kind", str, enum=[k for k, _ in GenerationJob.Kind.choices]),
        OpenApiParameter("status", str, enum=[k for k, _ in GenerationJob.Status.choices]),
    ],
)
class TaskList(generics.ListAPIView):
    serializer_class = s.JobOut
    filter_backends = []  # filters are read here (ids are validated by the selector's query)

    def get_queryset(self):
        params = self.request.query_params
        filters = s.TaskFilterIn(data=params)
        filters.is_valid(raise_exception=True)
        return selectors.jobs(**{k: v for k, v in filters.validated_data.items() if v})


class TaskDetail(generics.RetrieveAPIView):
    serializer_class = s.JobOut

    @extend_schema(summary="One generation task with its inputs, timings and per-item outcome", tags=["generation"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.jobs()


class CaptionSuggest(APIView):
    write_action = "edit_content"

    @extend_schema(summary="Suggest a topic, captions per platform, hashtags and alt text", tags=["generation"],
                   request=s.CaptionIn, responses={200: s.CaptionOut})  # fmt: skip
    def post(self, request):
        data = s.CaptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            result = captions.caption_generate(
                client=v["client"], media=v["media_ids"], notes=v["notes"], platforms=v["platforms"],
                topic=v["topic"], placement=v["placement"], actor=request.user, provider=v["provider"] or None,
                cta=v["cta"], hashtags=v["hashtags"], campaign=v.get("campaign"),
            )  # fmt: skip
        except GenerationFailed as error:
            raise UnprocessableEntity(str(error)) from None
        return Response(s.CaptionOut(result).data)


def _settled(job: GenerationJob) -> bool:
    if not job.result.get("finished"):
        return False
    if job.input.get("mode") != "publish":
        return True

    return not PostTarget.objects.filter(
        post_id__in=job.result.get("posts", []), status__in=[T.PENDING, T.SCHEDULED, T.PUBLISHING, T.UNCONFIRMED]
    ).exists()


class MultiPlatformPostCreate(APIView):
    write_action = "edit_content"

    @extend_schema(
        summary="One request → a post on several platforms, with generated images",
        description="Builds each platform's caption with CTA and hashtags, generates the platform images as a "
        "batch, creates one post with a target per platform (an Instagram story is its own post) and drafts, "
        "schedules or publishes it. Publishing now needs approve access. Answers 201 once done (within "
        "GENERATION_WAIT_SECONDS), else 202: poll GET /social/multi-platform-posts/{job_id}.",
        tags=["generation"],
        request=s.MultiPlatformIn,
        responses={201: s.MultiPlatformOut, 202: s.MultiPlatformOut},
    )
    def post(self, request):
        data = s.MultiPlatformIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["publish_immediately"] and not permissions.can(request.user, "approve_posts"):
            raise PermissionDenied(permissions.denial_message(request.user, "approve_posts"))
        job = multi_platform.multi_platform_post_create(
            actor=request.user, client=v["client"], content=v["content"], cta=v["cta"], hashtags=v["hashtags"],
            platforms=v["platforms"], base_image_prompt=v["base_image_prompt"],
            platform_prompts=v["platform_prompts"], publish_immediately=v["publish_immediately"],
            schedule_time=v.get("schedule_time"), image_style=v["image_style"], image_provider=v["image_provider"],
            campaign=v.get("campaign"),
        )  # fmt: skip
        job, done = wait_until(job, _settled)
        return Response(
            absolute_urls(request, selectors.multi_platform_result(job)),
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )


class MultiPlatformPostDetail(APIView):
    @extend_schema(summary="A multi-platform post request: where it stands on each platform", tags=["generation"],
                   responses={200: s.MultiPlatformOut})  # fmt: skip
    def get(self, request, pk):
        job = get_object_or_404(selectors.jobs(kind=GenerationJob.Kind.MULTI_PLATFORM_POST), pk=pk)
        return Response(
            absolute_urls(request, selectors.multi_platform_result(multi_platform.retry_finish_if_due(job)))
        )


# Seed 004's paths, as written: the same views, marked as aliases in the docs.
_ALIAS = "Alias of {path} (the path of seed 004, kept for clients written against it)."


@extend_schema(
    summary="Alias of POST /generation/image-batches (seed 004)",
    description=_ALIAS.format(path="POST /api/v1/generation/image-batches"),
    tags=["seed aliases"],
    request=s.ImageBatchIn,
    responses={201: s.ImageBatchOut, 202: s.ImageBatchOut},
)
class SeedBatchGenerate(ImageBatchCreate):
    pass


@extend_schema(
    summary="Alias of POST /social/multi-platform-posts (seed 004)",
    description=_ALIAS.format(path="POST /api/v1/social/multi-platform-posts"),
    tags=["seed aliases"],
    request=s.MultiPlatformIn,
    responses={201: s.MultiPlatformOut, 202: s.MultiPlatformOut},
)
class SeedCreateMultiPlatformPost(MultiPlatformPostCreate):
    pass
