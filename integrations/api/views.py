"""Webhooks and API keys over the API: admins and owners only; never open to API keys themselves."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import selectors
from integrations.api.serializers import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    WebhookDeliveryOut,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
)
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import api_keys as key_services
from integrations.services.webhooks import deliveries, endpoints
from localbzz.events import EVENT_NAMES


class _Admin:
    read_action = "manage_integrations"
    write_action = "manage_integrations"
    api_area = ""  # no API key may manage webhooks or keys


@extend_schema_view(
    get=extend_schema(summary="List webhook endpoints (secrets are never listed)", tags=["webhooks"]),
)
class WebhookList(_Admin, generics.ListAPIView):
    serializer_class = WebhookEndpointOut
    filter_backends: list = []

    def get_queryset(self):
        return selectors.webhook_endpoints()

    @extend_schema(
        summary="Register a webhook endpoint; the answer holds its signing secret, once",
        tags=["webhooks"],
        request=WebhookEndpointIn,
        responses={201: WebhookEndpointCreated},
    )
    def post(self, request):
        data = WebhookEndpointIn(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = endpoints.webhook_endpoint_create(actor=request.user, **data.validated_data)
        return Response(WebhookEndpointCreated(endpoint, context={"secret": secret}).data, status=201)


class WebhookPatchIn(WebhookEndpointIn):
    url = serializers.URLField(max_length=500, required=False)


@extend_schema_view(
    get=extend_schema(summary="Get a webhook endpoint", tags=["webhooks"]),
    delete=extend_schema(summary="Delete a webhook endpoint and its delivery log", tags=["webhooks"]),
)
class WebhookDetail(_Admin, generics.RetrieveDestroyAPIView):
    serializer_class = WebhookEndpointOut
    queryset = WebhookEndpoint.objects.all()

    @extend_schema(
        summary="Change a webhook endpoint (url, description, events, all_events, is_active)",
        tags=["webhooks"],
        request=WebhookPatchIn,
        responses={200: WebhookEndpointOut},
    )
    def patch(self, request, pk):
        endpoint = self.get_object()
        data = WebhookPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in request.data}
        endpoint = endpoints.webhook_endpoint_update(actor=request.user, endpoint=endpoint, **fields)
        return Response(WebhookEndpointOut(endpoint).data)

    def perform_destroy(self, instance):
        endpoints.webhook_endpoint_delete(actor=self.request.user, endpoint=instance)


@extend_schema_view(
    get=extend_schema(
        summary="An endpoint's delivery log, newest first, with each attempt",
        tags=["webhooks"],
        parameters=[
            OpenApiParameter("status", enum=[s.value for s in WebhookDelivery.Status], required=False),
            OpenApiParameter("event_type", enum=["ping", *EVENT_NAMES], required=False),
        ],
    ),
)
class WebhookDeliveryList(_Admin, generics.ListAPIView):
    serializer_class = WebhookDeliveryOut
    filter_backends: list = []
    queryset = WebhookDelivery.objects.none()  # schema hint

    def get_queryset(self):
        endpoint = get_object_or_404(WebhookEndpoint, pk=self.kwargs["pk"])
        status_ = self.request.query_params.get("status", "")
        event_type = self.request.query_params.get("event_type", "")
        if status_ and status_ not in WebhookDelivery.Status.values:
            raise ValidationError({"status": [f"Use one of: {', '.join(WebhookDelivery.Status.values)}."]})
        if event_type and event_type not in {"ping", *EVENT_NAMES}:
            raise ValidationError({"event_type": [f"Use one of: ping, {', '.join(EVENT_NAMES)}."]})
        return selectors.webhook_deliveries(endpoint, status=status_, event_type=event_type)


class WebhookPing(_Admin, APIView):
    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored

    @extend_schema(
        summary="Send a test 'ping' event to the endpoint (one attempt, sent in the background)",
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliveryOut},
    )
    def post(self, request, pk):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        delivery = deliveries.webhook_ping(actor=request.user, endpoint=endpoint)
        return Response(WebhookDeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookRedeliver(_Admin, APIView):
    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored

    @extend_schema(
        summary="Send a delivery's payload again (same event id, new delivery id, its own retries)",
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliveryOut},
    )
    def post(self, request, pk, delivery_id):
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id, endpoint=pk)
        copy = deliveries.webhook_redeliver(actor=request.user, delivery=delivery)
        return Response(WebhookDeliveryOut(copy).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(summary="List API keys (the keys themselves are never answered)", tags=["api keys"])
)
class ApiKeyList(_Admin, generics.ListAPIView):
    serializer_class = ApiKeyOut
    filter_backends: list = []

    def get_queryset(self):
        return selectors.api_keys()

    @extend_schema(
        summary="Make an API key; the answer holds the key, once",
        tags=["api keys"],
        request=ApiKeyIn,
        responses={201: ApiKeyCreated},
    )
    def post(self, request):
        data = ApiKeyIn(data=request.data)
        data.is_valid(raise_exception=True)
        key, raw = key_services.api_key_create(actor=request.user, **data.validated_data)
        return Response(ApiKeyCreated(key, context={"raw_key": raw}).data, status=201)


@extend_schema_view(
    get=extend_schema(summary="Get an API key's details", tags=["api keys"]),
    delete=extend_schema(summary="Revoke an API key (it answers 401 from now on)", tags=["api keys"]),
)
class ApiKeyDetail(_Admin, generics.RetrieveDestroyAPIView):
    serializer_class = ApiKeyOut

    def get_queryset(self):
        return selectors.api_keys()

    def perform_destroy(self, instance):
        key_services.api_key_revoke(actor=self.request.user, key=instance)
