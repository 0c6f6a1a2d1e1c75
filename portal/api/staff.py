"""Staff endpoints about portal access: set a client's password (seed 000), list and invite people."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Client
from portal import selectors
from portal.models import ClientUser
from portal.services import people as portal_people


class SetPasswordIn(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    email = serializers.EmailField(
        required=False, help_text="Whose password; empty: the client's owner (made from its primary contact)."
    )


class PortalUserOut(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.display_name")
    has_password = serializers.BooleanField(source="user.has_usable_password")
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)

    class Meta:
        model = ClientUser
        fields = ["id", "email", "name", "role", "has_password", "last_login", "created_at"]


class InviteIn(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(ClientUser.Role.choices, default=ClientUser.Role.MEMBER)


@extend_schema(
    tags=["clients"],
    summary="Set the portal password of a client's person (or of its owner)",
    request=SetPasswordIn,
    responses={200: PortalUserOut},
)
class ClientSetPassword(APIView):
    write_action = "manage_clients"

    def post(self, request, client_id):
        client = get_object_or_404(Client, pk=client_id)
        data = SetPasswordIn(data=request.data)
        data.is_valid(raise_exception=True)
        membership = portal_people.client_password_set(
            actor=request.user,
            client=client,
            password=data.validated_data["password"],
            email=data.validated_data.get("email", ""),
        )
        return Response(PortalUserOut(membership).data)


class PortalUserList(serializers.Serializer):
    items = PortalUserOut(many=True)


class ClientPortalUsers(APIView):
    read_action = "view"
    write_action = "manage_clients"

    @extend_schema(tags=["clients"], summary="Who can sign in to a client's portal", responses=PortalUserList)
    def get(self, request, client_id):
        client = get_object_or_404(Client, pk=client_id)
        return Response({"items": PortalUserOut(selectors.portal_users(client), many=True).data})

    @extend_schema(
        tags=["clients"],
        summary="Invite a person to a client's portal (they get a one-time link by email)",
        request=InviteIn,
        responses={201: PortalUserOut},
    )
    def post(self, request, client_id):
        client = get_object_or_404(Client, pk=client_id)
        data = InviteIn(data=request.data)
        data.is_valid(raise_exception=True)
        membership = portal_people.client_user_invite(actor=request.user, client=client, **data.validated_data)
        return Response(PortalUserOut(membership).data, status=status.HTTP_201_CREATED)
