"""The signed link a client gets by email: approve a post or ask for changes, no sign-in."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from publishing import approval_links, selectors
from publishing.services import posts as post_services
from publishing.services.missed import client_approved_message
from publishing.states import PostStatus as P


@require_http_methods(["GET", "POST"])
def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        post_id = approval_links.read_token(token)
    except signing.SignatureExpired:
        return render(request, "publishing/approval_link.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "publishing/approval_link.html", {"invalid": True}, status=404)
    post = selectors.posts().filter(pk=post_id).first()
    if post is None:
        return render(request, "publishing/approval_link.html", {"invalid": True}, status=404)
    done, error, outcome = "", "", ""
    if request.method == "POST" and post.status == P.PENDING_CLIENT_APPROVAL:
        comment = request.POST.get("comment", "").strip()
        try:
            if request.POST.get("decision") == "approve":
                post = post_services.post_client_approve(post=post, via="email link", comment=comment)
                done, outcome = "approved", client_approved_message(post)
            else:
                post_services.post_request_changes(actor=None, post=post, comment=comment, by_client=True)
                done = "changes"
        except ValidationError as exc:
            error = " ".join(exc.messages)
        post = selectors.posts().get(pk=post.pk)
    return render(
        request,
        "publishing/approval_link.html",
        {
            "post": post,
            "done": done,
            "outcome": outcome,
            "error": error,
            "waiting": post.status == P.PENDING_CLIENT_APPROVAL,
        },
    )
