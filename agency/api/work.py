"""Shoots, deliverables, tasks and time over the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import selectors
from agency.api.serializers import (
    DeliverableSerializer,
    ShootSerializer,
    TaskSerializer,
    TimeEntryIn,
    TimeEntrySerializer,
)
from agency.filters import DeliverableFilter, ShootFilter, TaskFilter
from agency.models import Client, Deliverable, Shoot, Task, TeamMember
from agency.services import deliverables as deliverable_services
from agency.services import shoots as shoot_services
from agency.services import tasks as task_services
from agency.services.shoots import CrewDoubleBooked
from localbzz.api.errors import Conflict

ALLOW_CONFLICT = OpenApiParameter(
    "allow_conflict", bool, description="Book even when crew members are double-booked (also accepted in the body)."
)
SHOOT_SORT = {"start": "start", "title": "title", "status": "status", "client": "client__name"}
CONFLICT_RESPONSE = OpenApiResponse(description="Crew double-booked: `details.clashes` says who and with what.")


def _allow_conflict(request, data: dict) -> bool:
    flag = data.pop("allow_conflict", False)
    return bool(flag) or request.query_params.get("allow_conflict", "").lower() in {"1", "true", "yes"}


def _conflict(error: CrewDoubleBooked) -> Conflict:
    exc = Conflict(
        {
            "message": f"Crew double-booked: {error}. Send allow_conflict=true to book anyway.",
            "clashes": [c.as_dict() for c in error.clashes],
        }
    )
    return exc


class ClientScoped:
    """Nested lists under /clients/{pk}/...: 404 for an unknown client."""

    kwargs: dict[str, Any]  # the view's URL arguments

    def client(self) -> Client:
        return get_object_or_404(Client, pk=self.kwargs["pk"])


@extend_schema_view(
    get=extend_schema(summary="List shoots", tags=["shoots"]),
    post=extend_schema(
        summary="Book a shoot (409 when crew are double-booked)",
        tags=["shoots"],
        parameters=[ALLOW_CONFLICT],
        responses={201: ShootSerializer, 409: CONFLICT_RESPONSE},
    ),
)
class ShootList(generics.ListCreateAPIView):
    serializer_class = ShootSerializer
    filterset_class = ShootFilter
    sort_fields = SHOOT_SORT
    default_sort = ("start",)

    def get_queryset(self):
        return selectors.shoots()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        allow = _allow_conflict(self.request, data)
        try:
            serializer.instance = shoot_services.shoot_create(actor=self.request.user, allow_conflict=allow, **data)
        except CrewDoubleBooked as error:
            raise _conflict(error) from None


@extend_schema_view(get=extend_schema(summary="List a client's shoots", tags=["shoots"]))
class ClientShootList(ClientScoped, generics.ListAPIView):
    queryset = Shoot.objects.none()  # schema hint; rows come from get_queryset
    serializer_class = ShootSerializer
    filterset_class = ShootFilter
    sort_fields = SHOOT_SORT
    default_sort = ("start",)

    def get_queryset(self):
        return selectors.shoots().filter(client=self.client())


@extend_schema_view(
    get=extend_schema(summary="Get a shoot", tags=["shoots"]),
    put=extend_schema(
        summary="Replace a shoot",
        tags=["shoots"],
        parameters=[ALLOW_CONFLICT],
        responses={200: ShootSerializer, 409: CONFLICT_RESPONSE},
    ),
    patch=extend_schema(
        summary="Change a shoot (reschedule, crew, status)",
        tags=["shoots"],
        parameters=[ALLOW_CONFLICT],
        responses={200: ShootSerializer, 409: CONFLICT_RESPONSE},
    ),
    delete=extend_schema(summary="Delete a shoot", tags=["shoots"]),
)
class ShootDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ShootSerializer

    def get_queryset(self):
        return selectors.shoots()

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        allow = _allow_conflict(self.request, data)
        if data.pop("client", serializer.instance.client) != serializer.instance.client:
            raise ValidationError({"client_id": ["A shoot cannot move to another client; book a new one."]})
        crew = data.pop("crew", None)
        try:
            serializer.instance = shoot_services.shoot_update(
                actor=self.request.user, shoot=serializer.instance, crew=crew, allow_conflict=allow, **data
            )
        except CrewDoubleBooked as error:
            raise _conflict(error) from None

    def perform_destroy(self, instance):
        shoot_services.shoot_delete(actor=self.request.user, shoot=instance)


DELIVERABLE_SORT = {"due_date": "due_date", "title": "title", "status": "status", "created_at": "created_at"}


@extend_schema_view(
    get=extend_schema(summary="List deliverables", tags=["deliverables"]),
    post=extend_schema(summary="Add a deliverable", tags=["deliverables"]),
)
class DeliverableList(generics.ListCreateAPIView):
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter
    sort_fields = DELIVERABLE_SORT
    default_sort = ("due_date", "created_at")

    def get_queryset(self):
        return selectors.deliverables()

    def perform_create(self, serializer):
        serializer.instance = deliverable_services.deliverable_create(
            actor=self.request.user, **serializer.validated_data
        )


@extend_schema_view(get=extend_schema(summary="List a client's deliverables", tags=["deliverables"]))
class ClientDeliverableList(ClientScoped, generics.ListAPIView):
    queryset = Deliverable.objects.none()  # schema hint
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter
    sort_fields = DELIVERABLE_SORT
    default_sort = ("due_date", "created_at")

    def get_queryset(self):
        return selectors.deliverables().filter(client=self.client())


@extend_schema_view(get=extend_schema(summary="List a shoot's deliverables", tags=["deliverables"]))
class ShootDeliverableList(generics.ListAPIView):
    queryset = Deliverable.objects.none()  # schema hint
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter
    sort_fields = DELIVERABLE_SORT
    default_sort = ("due_date", "created_at")

    def get_queryset(self):
        return selectors.deliverables().filter(shoot=get_object_or_404(Shoot, pk=self.kwargs["pk"]))


@extend_schema_view(
    get=extend_schema(summary="Get a deliverable", tags=["deliverables"]),
    put=extend_schema(summary="Replace a deliverable", tags=["deliverables"]),
    patch=extend_schema(summary="Change a deliverable (send a status to move it)", tags=["deliverables"]),
    delete=extend_schema(summary="Delete a deliverable", tags=["deliverables"]),
)
class DeliverableDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = DeliverableSerializer

    def get_queryset(self):
        return selectors.deliverables()

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("client", serializer.instance.client) != serializer.instance.client:
            raise ValidationError({"client_id": ["A deliverable cannot move to another client."]})
        serializer.instance = deliverable_services.deliverable_update(
            actor=self.request.user, deliverable=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        deliverable_services.deliverable_delete(actor=self.request.user, deliverable=instance)


TASK_SORT = {
    "created_at": "created_at",
    "due_date": "due_date",
    "priority": "priority",
    "status": "status",
    "name": "name",
}


@extend_schema_view(
    get=extend_schema(summary="List tasks", tags=["tasks"]),
    post=extend_schema(summary="Add a task", tags=["tasks"]),
)
class TaskList(generics.ListCreateAPIView):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    sort_fields = TASK_SORT
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.tasks()

    def perform_create(self, serializer):
        serializer.instance = task_services.task_create(actor=self.request.user, **serializer.validated_data)


@extend_schema_view(get=extend_schema(summary="List a client's tasks", tags=["tasks"]))
class ClientTaskList(ClientScoped, generics.ListAPIView):
    queryset = Task.objects.none()  # schema hint
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    sort_fields = TASK_SORT
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.tasks().filter(client=self.client())


@extend_schema_view(get=extend_schema(summary="List a team member's tasks", tags=["tasks"]))
class MemberTaskList(generics.ListAPIView):
    queryset = Task.objects.none()  # schema hint
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    sort_fields = TASK_SORT
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.tasks().filter(assignee=get_object_or_404(TeamMember, pk=self.kwargs["pk"]))


@extend_schema_view(
    get=extend_schema(summary="Get a task", tags=["tasks"]),
    put=extend_schema(summary="Replace a task", tags=["tasks"]),
    patch=extend_schema(summary="Change a task", tags=["tasks"]),
    delete=extend_schema(summary="Delete a task and its time entries", tags=["tasks"]),
)
class TaskDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.tasks()

    def perform_update(self, serializer):
        task = Task.objects.get(pk=serializer.instance.pk)
        updated = task_services.task_update(actor=self.request.user, task=task, **serializer.validated_data)
        serializer.instance = selectors.tasks().get(pk=updated.pk)

    def perform_destroy(self, instance):
        task_services.task_delete(actor=self.request.user, task=Task.objects.get(pk=instance.pk))


def _member(request) -> TeamMember:
    member = getattr(request.user, "team_member", None)
    if member is None:
        raise PermissionDenied("Only team members track time.")
    return member


@extend_schema(tags=["tasks"])
class TaskTimer(APIView):
    """Your timer on a task: POST starts it (stopping any other of yours), DELETE stops it."""

    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored

    @extend_schema(summary="Start your timer on this task", request=None, responses={201: TimeEntrySerializer})
    def post(self, request, pk):
        task = get_object_or_404(Task, pk=pk)
        entry = task_services.timer_start(member=_member(request), task=task).entry
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stop your running timer", request=None, responses={200: TimeEntrySerializer})
    def delete(self, request, pk):
        entry = task_services.timer_stop(member=_member(request))
        if entry is None:
            raise NotFound("You have no running timer.")
        return Response(TimeEntrySerializer(entry).data)


@extend_schema(tags=["tasks"])
class TaskTimeEntries(APIView):
    @extend_schema(summary="Time entries of a task", responses={200: TimeEntrySerializer(many=True)})
    def get(self, request, pk):
        task = get_object_or_404(Task, pk=pk)
        return Response(TimeEntrySerializer(selectors.time_entries(task), many=True).data)

    @extend_schema(
        summary="Log time on a task after the fact", request=TimeEntryIn, responses={201: TimeEntrySerializer}
    )
    def post(self, request, pk):
        task = get_object_or_404(Task, pk=pk)
        data = TimeEntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        start = data.validated_data["started_at"]
        entry = task_services.time_entry_add(
            actor=request.user,
            member=_member(request),
            task=task,
            started_at=start,
            ended_at=start + timedelta(minutes=data.validated_data["minutes"]),
            note=data.validated_data.get("note", ""),
        )
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
