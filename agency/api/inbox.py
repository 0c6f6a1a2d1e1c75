"""Form submissions (leads; creating one is public) and portal requests over the API."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import selectors
from agency.api.serializers import (
    ClientSerializer,
    LeadApproveIn,
    LeadRejectIn,
    LeadSerializer,
    PortalRequestSerializer,
    RequestMessageSerializer,
)
from agency.filters import LeadFilter, RequestFilter
from agency.models import Lead, PortalRequest
from agency.services import inbox as services
from agency.services.activity import diff, record_event
from localbzz import rate_limits


@extend_schema_view(
    get=extend_schema(summary="List form submissions (leads); staff only", tags=["leads"]),
    post=extend_schema(
        summary="Submit the intake form (public, no sign-in; rate limited per address)", tags=["leads"], auth=[]
    ),
)
class LeadList(generics.ListCreateAPIView):
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    sort_fields = {"created_at": "created_at", "business_name": "business_name", "status": "status"}
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.leads()

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_authenticators(self):
        # A public POST must not trip over a stale session's CSRF check.
        request = getattr(self, "request", None)  # None outside a request (schema generation)
        if request is not None and request.method == "POST":
            return []
        return super().get_authenticators()

    def perform_create(self, serializer):
        wait = rate_limits.check(self.request, rate_limits.IntakeRate)
        if wait is not None:
            raise rate_limits.throttled(wait, rate_limits.intake_message(wait))
        serializer.instance = services.lead_submit(source=Lead.Source.API, **serializer.validated_data)


@extend_schema_view(
    get=extend_schema(summary="Get a form submission", tags=["leads"]),
    put=extend_schema(summary="Correct a new submission's details", tags=["leads"]),
    patch=extend_schema(summary="Correct some of a new submission's details", tags=["leads"]),
)
class LeadDetail(generics.RetrieveUpdateAPIView):
    serializer_class = LeadSerializer
    queryset = Lead.objects.all()

    def perform_update(self, serializer):
        lead = serializer.instance
        if lead.status != Lead.Status.NEW:
            raise ValidationError(
                {"non_field_errors": [f"This lead is {lead.status.lower()}; it can no longer change."]}
            )
        changed = diff(lead, list(serializer.validated_data), serializer.validated_data)
        serializer.save()
        if changed:
            record_event(self.request.user, "lead.updated", lead, changed)


@extend_schema(tags=["leads"])
class LeadApprove(APIView):
    write_action = "manage_clients"

    @extend_schema(
        summary="Approve: creates the client from the lead", request=LeadApproveIn, responses={201: ClientSerializer}
    )
    def post(self, request, pk):
        lead = get_object_or_404(Lead, pk=pk)
        data = LeadApproveIn(data=request.data)
        data.is_valid(raise_exception=True)
        overrides = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        client = services.lead_approve(actor=request.user, lead=lead, **overrides)
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["leads"])
class LeadReject(APIView):
    write_action = "manage_clients"

    @extend_schema(summary="Reject with a reason", request=LeadRejectIn, responses={200: LeadSerializer})
    def post(self, request, pk):
        lead = get_object_or_404(Lead, pk=pk)
        data = LeadRejectIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(LeadSerializer(services.lead_reject(actor=request.user, lead=lead, **data.validated_data)).data)


@extend_schema_view(
    get=extend_schema(summary="List portal requests (filter by status, priority, topic, client)", tags=["requests"]),
    post=extend_schema(summary="Log a request for a client", tags=["requests"]),
)
class RequestList(generics.ListCreateAPIView):
    serializer_class = PortalRequestSerializer
    filterset_class = RequestFilter
    sort_fields = {"created_at": "created_at", "priority": "priority", "status": "status"}
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.portal_requests()

    def perform_create(self, serializer):
        obj = services.portal_request_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = selectors.portal_requests().get(pk=obj.pk)


@extend_schema_view(
    get=extend_schema(summary="Get a portal request", tags=["requests"]),
    patch=extend_schema(summary="Change status (New, Working, Done), priority or topic", tags=["requests"]),
)
class RequestDetail(generics.RetrieveUpdateAPIView):
    serializer_class = PortalRequestSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.portal_requests()

    def perform_update(self, serializer):
        request_obj = PortalRequest.objects.get(pk=serializer.instance.pk)
        data = dict(serializer.validated_data)
        if "client" in data and data.pop("client") != request_obj.client:
            raise ValidationError({"client_id": ["A request cannot move to another client."]})
        new_status = data.pop("status", None)
        changed = diff(request_obj, ["priority", "topic", "kind", "content"], data)
        for name, value in data.items():
            setattr(request_obj, name, value)
        request_obj.save()
        if changed:
            record_event(self.request.user, "request.updated", request_obj, changed)
        if new_status:
            services.portal_request_set_status(actor=self.request.user, request=request_obj, status=new_status)
        serializer.instance = selectors.portal_requests().get(pk=request_obj.pk)


@extend_schema(tags=["requests"])
class RequestMessages(APIView):
    @extend_schema(summary="The conversation about a request", responses={200: RequestMessageSerializer(many=True)})
    def get(self, request, pk):
        obj = get_object_or_404(PortalRequest, pk=pk)
        return Response(RequestMessageSerializer(obj.messages.all(), many=True).data)

    @extend_schema(
        summary="Reply to the client", request=RequestMessageSerializer, responses={201: RequestMessageSerializer}
    )
    def post(self, request, pk):
        obj = get_object_or_404(PortalRequest, pk=pk)
        data = RequestMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.request_reply(actor=request.user, request=obj, body=data.validated_data["body"])
        return Response(RequestMessageSerializer(message).data, status=status.HTTP_201_CREATED)
