"""Filters of publishing lists, shared by the pages and the API."""

from __future__ import annotations

import django_filters as df

from localbzz.listing import DateTimeFilter, SearchFilterSet
from publishing.models import Post, SocialAccount
from publishing.states import PostStatus


class PostFilter(SearchFilterSet):
    search_fields = ("caption", "title", "client__name", "topic")
    client_id = df.UUIDFilter(field_name="client_id")
    campaign_id = df.UUIDFilter(field_name="campaign_id")
    status = df.MultipleChoiceFilter(choices=PostStatus.choices)
    platform = df.ChoiceFilter(
        choices=SocialAccount.Platform.choices, field_name="targets__account__platform", distinct=True
    )
    source = df.ChoiceFilter(choices=Post.Source.choices)
    scheduled_after = DateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    scheduled_before = DateTimeFilter(field_name="scheduled_at", lookup_expr="lt")

    class Meta:
        model = Post
        fields = ["client_id", "campaign_id", "status", "platform", "source", "scheduled_after", "scheduled_before"]


class SocialAccountFilter(SearchFilterSet):
    search_fields = ("name", "handle", "client__name")
    client_id = df.UUIDFilter(field_name="client_id")
    platform = df.ChoiceFilter(choices=SocialAccount.Platform.choices)
    status = df.ChoiceFilter(choices=SocialAccount.Status.choices)
    route = df.ChoiceFilter(choices=SocialAccount.Route.choices)

    class Meta:
        model = SocialAccount
        fields = ["client_id", "platform", "status", "route"]
