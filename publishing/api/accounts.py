"""Social accounts over the API: list, create (manual token), verify, delete."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Client
from publishing import selectors
from publishing.filters import SocialAccountFilter
from publishing.models import SocialAccount
from publishing.services import accounts as services


class PostingSlot(serializers.Serializer):
    day = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday.")
    time = serializers.CharField(help_text="HH:MM in the account's time zone.")


class SocialAccountOut(serializers.ModelSerializer):
    client_id = serializers.UUIDField()
    posting_slots = PostingSlot(many=True, help_text='Times "add to queue" uses.')
    has_token = serializers.SerializerMethodField()

    class Meta:
        model = SocialAccount
        fields = [
            "id", "client_id", "platform", "route", "name", "handle", "external_id", "status", "status_reason",
            "timezone", "posting_slots", "token_expires_at", "last_verified_at", "has_token", "created_at",
        ]  # fmt: skip

    def get_has_token(self, account) -> bool:
        return bool(account.token_encrypted)


class SocialAccountIn(serializers.Serializer):
    client_id = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), source="client")
    platform = serializers.ChoiceField(choices=SocialAccount.Platform.choices)
    route = serializers.ChoiceField(choices=SocialAccount.Route.choices, default="direct")
    name = serializers.CharField(max_length=200)
    handle = serializers.CharField(required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=200)
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Access token (direct accounts). Stored encrypted; never returned.",
    )
    timezone = serializers.CharField(required=False, allow_blank=True, default="", source="timezone_name")
    posting_slots = PostingSlot(many=True, required=False, default=list)
    extra = serializers.DictField(required=False, default=dict, help_text="Free-form details of the platform.")


class VerifyOut(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    account = SocialAccountOut()


@extend_schema_view(
    get=extend_schema(summary="List social accounts", tags=["social accounts"]),
    post=extend_schema(
        summary="Add an account with a token (admins)",
        tags=["social accounts"],
        request=SocialAccountIn,
        responses={201: SocialAccountOut},
    ),  # fmt: skip
)
class SocialAccountList(generics.ListCreateAPIView):
    serializer_class = SocialAccountOut
    filterset_class = SocialAccountFilter
    sort_fields = {"name": "name", "platform": "platform", "created_at": "created_at"}
    default_sort = ("client__name", "platform", "name")
    write_action = "manage_accounts"

    def get_queryset(self):
        return selectors.social_accounts()

    def create(self, request, *args, **kwargs):
        data = SocialAccountIn(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.social_account_create(actor=request.user, **data.validated_data)
        return Response(SocialAccountOut(account).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a social account", tags=["social accounts"]),
    delete=extend_schema(
        summary="Delete an account (disabled instead if it has posted)",
        tags=["social accounts"],
        responses={
            204: OpenApiResponse(description="Deleted."),
            200: OpenApiResponse(SocialAccountOut, description="It has posted: disabled instead, here it is."),
        },
    ),
)
class SocialAccountDetail(generics.RetrieveDestroyAPIView):
    serializer_class = SocialAccountOut
    queryset = SocialAccount.objects.all()
    write_action = "manage_accounts"

    def destroy(self, request, *args, **kwargs):
        outcome = services.social_account_delete(actor=request.user, account=self.get_object())
        if outcome == "deleted":
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(SocialAccountOut(self.get_object()).data)


class SocialAccountVerify(APIView):
    write_action = "manage_accounts"
    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored

    @extend_schema(
        summary="Check the token with the platform (marks needs_reconnect when dead)",
        tags=["social accounts"],
        request=None,
        responses={200: VerifyOut},
    )
    def post(self, request, pk):
        account = get_object_or_404(SocialAccount, pk=pk)
        ok, message = services.social_account_verify(actor=request.user, account=account)
        account.refresh_from_db()
        return Response({"ok": ok, "message": message, "account": SocialAccountOut(account).data})
