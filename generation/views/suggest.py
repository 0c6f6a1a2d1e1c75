""" "Suggest captions" in the post editor: the caption service reads the picked photos and videos
and what has been typed so far (as notes), and answers a caption, hashtags, CTA and alt text to
use, with each chosen platform's version. Nothing is saved on the post until the editor is."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from agency.models import Client
from agency.permissions import staff_required
from generation.contracts import GenerationFailed
from generation.services.captions import caption_generate
from publishing import rules
from publishing.forms import parse_tags
from publishing.models import SocialAccount

DEFAULT_PLATFORMS = ("instagram", "facebook")


@require_POST
@staff_required("edit_content")
def suggest_captions(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        client_id = post.get("client")
        client = Client.objects.filter(pk=client_id).first() if client_id else None
    except (ValueError, ValidationError):
        client = None
    context: dict = {"error": "", "suggestion": None}
    if client is None:
        context["error"] = "Choose a client first: suggestions use their business and brand guidelines."
        return render(request, "generation/partials/suggestion.html", context, status=422)
    accounts = SocialAccount.objects.filter(client=client, pk__in=post.getlist("accounts"))
    platforms = sorted({a.platform for a in accounts}, key=rules.PLATFORMS.index) or list(DEFAULT_PLATFORMS)
    notes = "\n".join(p for p in (post.get("caption", ""), post.get("notes", "")) if p.strip())
    media = [i for i in post.get("media", "").split(",") if i]
    if not notes.strip() and not media:
        context["error"] = "Pick a photo or write a few words about the post first: suggestions start from them."
        return render(request, "generation/partials/suggestion.html", context, status=422)
    try:
        variant = max(int(post.get("variant", "0")), 0)
    except ValueError:
        variant = 0
    try:
        suggestion = caption_generate(
            client=client,
            media=media,
            notes=notes,
            topic=post.get("title", ""),
            platforms=platforms,
            placement=post.get("placement", "feed") if post.get("placement") in {"feed", "story", "reel"} else "feed",
            actor=request.user,
            cta=post.get("cta", ""),
            hashtags=parse_tags(post.get("hashtags", "")),
            variant=variant,
        )
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "generation/partials/suggestion.html", context, status=422)
    except GenerationFailed as error:
        context["error"] = f"No suggestion this time: {error}"
        return render(request, "generation/partials/suggestion.html", context, status=502)
    context.update(
        suggestion=suggestion,
        variant=variant,
        labels=rules.PLATFORM_LABELS,
        hashtags=" ".join(f"#{t}" for t in suggestion.hashtags),
    )
    return render(request, "generation/partials/suggestion.html", context)
