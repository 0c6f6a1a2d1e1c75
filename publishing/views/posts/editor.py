"""The post editor: create and edit, with live per-platform checks and previews."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from agency.types import StaffRequest
from localbzz import zones
from localbzz.forms import add_errors
from localbzz.http import HtmxRequest
from publishing import delivery, rules, selectors, states
from publishing.forms import PostForm, parse_tags
from publishing.media.uploads import upload_limits
from publishing.models import MediaAsset, Post, SocialAccount
from publishing.services import posts as post_services
from publishing.services.scheduling import PostNotReady
from publishing.states import PostStatus as P


def _zone(client: Client | None) -> zoneinfo.ZoneInfo:
    return client.tz if client else zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)


def _client_from(request) -> Client | None:
    raw = request.POST.get("client") or request.GET.get("client")
    try:
        return Client.objects.filter(pk=raw).first() if raw else None
    except ValidationError:
        return None


# The editor ---------------------------------------------------------------------------------


def _initial(post: Post | None) -> dict:
    if post is None:
        return {"placement": "feed"}
    overrides = {f"override_{t.account.platform}": t.caption_override for t in post.targets.all() if t.caption_override}
    return {
        "client": post.client_id, "title": post.title, "caption": post.caption, "hashtags": " ".join(post.hashtags),
        "cta": post.cta, "accounts": [t.account_id for t in post.targets.all()],
        "media": ",".join(str(pm.asset_id) for pm in post.post_media.all()), "placement": post.placement,
        "scheduled_at": post.scheduled_at, "campaign": post.campaign_id, "link": post.link,
        "cta_action": post.cta_action, "cta_url": post.cta_url, "alt_text": post.alt_text, "notes": post.notes,
        **overrides,
    }  # fmt: skip


def _library(client: Client | None):
    if client is None:
        return []
    return list(selectors.media_assets(client=client)[:120])


def _save(request, form: PostForm, post: Post | None) -> Post:
    data, action = form.cleaned_data, request.POST.get("action", "submit")
    kwargs = form.service_kwargs()
    overrides = form.overrides()
    accounts = list(data["accounts"])
    by_account = {str(a.pk): overrides.get(a.platform, "") for a in accounts}
    if post is None:
        post = post_services.post_create(
            actor=request.user,
            client=data["client"],
            media=data["media"],
            accounts=accounts,
            overrides=by_account,
            campaign=data["campaign"],
            scheduled_at=data["scheduled_at"],
            submit=action != "draft",
            **kwargs,
        )
    else:
        post = post_services.post_update(
            actor=request.user,
            post=post,
            media=data["media"],
            accounts=accounts,
            overrides=by_account,
            campaign=data["campaign"],
            scheduled_at=data["scheduled_at"],
            **kwargs,
        )
        if action != "draft" and post.status in {P.DRAFT, P.CHANGES_REQUESTED}:
            post = post_services.post_submit(actor=request.user, post=post)
    if action == "approve":
        post_services.post_approve(actor=request.user, post=post, scheduled_at=data["scheduled_at"])
    return post


def _editor(request: HtmxRequest, post: Post | None) -> HttpResponse:
    client = post.client if post else _client_from(request)
    with timezone.override(_zone(client)):
        bound = request.method == "POST" and "switch_client" not in request.POST
        form = PostForm(
            request.POST if bound else None,
            client=client,
            initial=_initial(post) if post else {**_initial(None), "client": client.pk if client else None},
        )
        if post is not None:
            form.fields["client"].disabled = True
        problems = None
        if bound and form.is_valid():
            if request.POST.get("action") == "approve" and not permissions.can(request.user, "approve_posts"):
                raise PermissionDenied(permissions.denial_message(request.user, "approve_posts"))
            try:
                saved = _save(request, form, post)
            except PostNotReady as error:
                problems = error.by_target
                form.add_error(None, "The post is saved, but it cannot be scheduled yet: fix what is listed below.")
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _saved_message(saved, was=post.status if post else None))
                return redirect("post-detail", saved.pk)
        selected = [i for i in (form["media"].value() or "").split(",") if i]
        context = {
            "form": form, "post": post, "client": client, "library": _library(client), "selected": selected,
            "problems": problems, "can_approve": permissions.can(request.user, "approve_posts"),
            "zone": _zone(client), "platform_labels": rules.PLATFORM_LABELS, "upload_limits": upload_limits(),
        }  # fmt: skip
        if request.htmx and "switch_client" in request.GET:
            return render(request, "publishing/posts/editor.html#editor", context)
        return render(request, "publishing/posts/editor.html", context)


def _saved_message(post: Post, was: str | None = None) -> str:
    if was in {P.APPROVED, P.SCHEDULED} and post.status == P.PENDING_APPROVAL:
        return (
            "Saved. Your changes need approval again, so the post is no longer scheduled: it goes out once "
            "someone who can approve posts approves and schedules it."
        )
    if post.status == P.SCHEDULED:
        return f"Approved and scheduled for {zones.when(post.scheduled_at, post.client)}."
    if post.status == P.PENDING_CLIENT_APPROVAL:
        return f"Approved; {post.client.name} has been asked to approve it too."
    if post.status == P.PENDING_APPROVAL:
        return "Sent for approval."
    return f"Saved ({post.get_status_display().lower()})."


@staff_required("edit_content")
def post_create(request: StaffRequest) -> HttpResponse:
    return _editor(request, None)


@staff_required("edit_content")
def post_edit(request: StaffRequest, pk: str) -> HttpResponse:
    post = get_object_or_404(selectors.posts(), pk=pk)
    if post.status not in states.EDITABLE:
        messages.error(request, f"This post is {post.get_status_display().lower()}; it can no longer be edited.")
        return redirect("post-detail", pk)
    return _editor(request, post)


@require_POST
@staff_required("edit_content")
def post_check(request: HttpRequest) -> HttpResponse:
    """Live per-platform counters, problems and previews while typing (nothing is saved)."""
    client = _client_from(request)
    accounts = (
        list(SocialAccount.objects.filter(client=client, pk__in=request.POST.getlist("accounts"))) if client else []
    )
    ids = [i for i in request.POST.get("media", "").split(",") if i]
    assets = (
        {str(a.pk): a for a in MediaAsset.objects.filter(client=client, pk__in=ids).prefetch_related("renditions")}
        if client and ids
        else {}
    )
    media = [assets[i] for i in ids if i in assets]
    draft = Post(
        caption=request.POST.get("caption", ""),
        cta=request.POST.get("cta", ""),
        hashtags=parse_tags(request.POST.get("hashtags", "")),
    )
    placement = request.POST.get("placement", "feed")
    cta = {"action_type": request.POST.get("cta_action"), "url": request.POST.get("cta_url", "")}
    cards = []
    for platform in sorted({a.platform for a in accounts}, key=rules.PLATFORMS.index):
        text = draft.text_for(request.POST.get(f"override_{platform}", "").strip())
        problems, choices = rules.check(
            platform,
            text=text,
            media=[delivery.media_facts(a) for a in media],
            placement=placement,
            cta=cta if cta["action_type"] and platform == "google_business" else None,
        )
        limit = rules.limits_for(platform, placement)
        cards.append(
            {
                "platform": platform,
                "label": rules.PLATFORM_LABELS[platform],
                "text": text,
                "length": rules.text_length(platform, text),
                "limit": limit.text,
                "hashtags": len(rules.hashtags(text)),
                "hashtag_limit": limit.hashtags,
                "problems": problems,
                "notes": [c.note for c in choices if c and c.note],
                "thumbs": media[:4],
            }
        )
    return render(request, "publishing/posts/_checks.html", {"cards": cards, "has_accounts": bool(accounts)})
