"""The Posts, Media and Social accounts tabs of a client's page (agency's client page loads these
panels with htmx; see agency.client_tabs). Each shows a page of the client's items and links to
the full page filtered by the client."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from localbzz.listing import list_page
from publishing import selectors
from publishing.filters import PostFilter, SocialAccountFilter

POSTS_PER_PAGE = 10
MEDIA_PER_PAGE = 24


def _render(request: HttpRequest, template: str, client: Client, **context) -> HttpResponse:
    context = {"client": client, "page_url": request.path, **context}
    return render(request, f"publishing/client_panels/{template}", context)


@staff_required()
def client_posts(request: HttpRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    listing = list_page(
        request,
        selectors.posts(client=client),
        PostFilter,
        sort_fields={"scheduled_at": "scheduled_at"},
        default_sort=("-scheduled_at", "-created_at"),
        per_page=POSTS_PER_PAGE,
    )
    return _render(request, "posts.html", client, listing=listing)


@staff_required()
def client_media(request: HttpRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    page = Paginator(selectors.media_assets(client=client), MEDIA_PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "media.html", client, page=page, can_upload=permissions.can(request.user, "edit_content"))


@staff_required()
def client_accounts(request: HttpRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    listing = list_page(
        request,
        selectors.social_accounts(client=client),
        SocialAccountFilter,
        sort_fields={"platform": "platform"},
        default_sort=("platform", "name"),
    )
    return _render(
        request, "accounts.html", client, listing=listing, can_manage=permissions.can(request.user, "manage_accounts")
    )
