"""Clients, campaigns and team members over the API."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from agency import selectors
from agency.api.serializers import (
    CampaignSerializer,
    ClientListSerializer,
    ClientSerializer,
    NestedCampaignSerializer,
    TeamMemberSerializer,
)
from agency.filters import CampaignFilter, ClientFilter, TeamMemberFilter
from agency.models import Campaign, Client, TeamMember
from agency.services import clients as client_services
from agency.services import team as team_services

CLIENT_SORT = {"name": "name", "status": "status", "created_at": "created_at", "updated_at": "updated_at"}


@extend_schema_view(
    get=extend_schema(summary="List clients", tags=["clients"]),
    post=extend_schema(summary="Create a client (admins and owners)", tags=["clients"]),
)
class ClientList(generics.ListCreateAPIView):
    filterset_class = ClientFilter
    sort_fields = CLIENT_SORT
    default_sort = ("name",)
    write_action = "manage_clients"

    def get_queryset(self):
        return selectors.clients()

    def get_serializer_class(self):
        return ClientListSerializer if self.request.method == "GET" else ClientSerializer

    def perform_create(self, serializer):
        serializer.instance = client_services.client_create(actor=self.request.user, **serializer.validated_data)


@extend_schema_view(
    get=extend_schema(summary="Get a client", tags=["clients"]),
    put=extend_schema(summary="Replace a client's details", tags=["clients"]),
    patch=extend_schema(summary="Change some of a client's details", tags=["clients"]),
    delete=extend_schema(
        summary="Delete a client with its campaigns, shoots, deliverables and requests (tasks stay)", tags=["clients"]
    ),
)
class ClientDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ClientSerializer
    queryset = Client.objects.all()
    write_action = "manage_clients"

    def perform_update(self, serializer):
        serializer.instance = client_services.client_update(
            actor=self.request.user, client=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        client_services.client_delete(actor=self.request.user, client=instance)


CAMPAIGN_SORT = {"name": "name", "status": "status", "created_at": "created_at", "starts_on": "starts_on"}


@extend_schema_view(
    get=extend_schema(summary="List campaigns (filter by client_id, status, search)", tags=["campaigns"]),
    post=extend_schema(summary="Create a campaign", tags=["campaigns"]),
)
class CampaignList(generics.ListCreateAPIView):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    sort_fields = CAMPAIGN_SORT
    default_sort = ("-created_at",)

    def get_queryset(self):
        return selectors.campaigns()

    def perform_create(self, serializer):
        serializer.instance = client_services.campaign_create(actor=self.request.user, **serializer.validated_data)


@extend_schema_view(
    get=extend_schema(summary="List a client's campaigns", tags=["campaigns"]),
    post=extend_schema(summary="Create a campaign for a client", tags=["campaigns"]),
)
class ClientCampaignList(generics.ListCreateAPIView):
    queryset = Campaign.objects.none()  # schema hint
    serializer_class = NestedCampaignSerializer
    filterset_class = CampaignFilter
    sort_fields = CAMPAIGN_SORT
    default_sort = ("-created_at",)

    def client(self) -> Client:
        return get_object_or_404(Client, pk=self.kwargs["pk"])

    def get_queryset(self):
        return selectors.campaigns().filter(client=self.client())

    def perform_create(self, serializer):
        client = self.client()
        data = dict(serializer.validated_data)
        body_client = data.pop("client_id", None)
        if body_client and body_client != client.pk:
            raise ValidationError({"client_id": ["Must match the client in the path, or be left out."]})
        serializer.instance = client_services.campaign_create(actor=self.request.user, client=client, **data)


@extend_schema_view(
    get=extend_schema(summary="Get a campaign", tags=["campaigns"]),
    put=extend_schema(summary="Replace a campaign", tags=["campaigns"]),
    patch=extend_schema(summary="Change a campaign", tags=["campaigns"]),
    delete=extend_schema(summary="Delete a campaign (linked things stay, without it)", tags=["campaigns"]),
)
class CampaignDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.select_related("client")

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("client", serializer.instance.client) != serializer.instance.client:
            raise ValidationError({"client_id": ["A campaign cannot move to another client."]})
        serializer.instance = client_services.campaign_update(
            actor=self.request.user, campaign=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        client_services.campaign_delete(actor=self.request.user, campaign=instance)


class TeamMemberIn(TeamMemberSerializer):
    password = serializers.CharField(write_only=True, required=False, min_length=10, style={"input_type": "password"})

    class Meta(TeamMemberSerializer.Meta):
        fields = [*TeamMemberSerializer.Meta.fields, "password"]


def _member_fields(validated: dict) -> dict:
    data = dict(validated)
    user = data.pop("user", {})
    return {**data, **{k: v for k, v in user.items() if k in {"first_name", "last_name", "email"}}}


@extend_schema_view(
    get=extend_schema(summary="List team members", tags=["team"]),
    post=extend_schema(summary="Add a team member (admins and owners)", tags=["team"]),
)
class TeamMemberList(generics.ListCreateAPIView):
    filterset_class = TeamMemberFilter
    sort_fields = {"email": "user__email", "name": "user__first_name", "access_level": "access_level"}
    default_sort = ("user__first_name", "user__email")
    write_action = "manage_team"

    def get_queryset(self):
        return selectors.team_members()

    def get_serializer_class(self):
        return TeamMemberIn if self.request.method == "POST" else TeamMemberSerializer

    def perform_create(self, serializer):
        data = _member_fields(serializer.validated_data)
        data.pop("is_active", None)
        serializer.instance = team_services.team_member_create(actor=self.request.user, **data)


@extend_schema_view(
    get=extend_schema(summary="Get a team member", tags=["team"]),
    put=extend_schema(summary="Replace a team member's details and access", tags=["team"]),
    patch=extend_schema(summary="Change a team member's details or access", tags=["team"]),
    delete=extend_schema(summary="Deactivate a team member (their history stays)", tags=["team"]),
)
class TeamMemberDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TeamMemberSerializer
    queryset = TeamMember.objects.select_related("user")
    write_action = "manage_team"

    def perform_update(self, serializer):
        data = _member_fields(serializer.validated_data)
        if data.pop("email", serializer.instance.email).lower() != serializer.instance.email:
            raise ValidationError({"email": ["Email addresses cannot be changed here."]})
        serializer.instance = team_services.team_member_update(
            actor=self.request.user, member=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        team_services.team_member_update(actor=self.request.user, member=instance, is_active=False)
