"""Social account pages: list per client, connect with OAuth (Meta, LinkedIn, X), add by token,
a client's Publer workspace and its accounts, edit posting times, verify, remove."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from agency.selectors import activity_for
from localbzz import crypto
from localbzz.app_urls import app_url
from localbzz.forms import add_errors
from publishing import selectors
from publishing.connectors import oauth
from publishing.connectors.base import PlatformError
from publishing.forms import AccountEditForm, ManualAccountForm, PublerForm, format_slots
from publishing.models import SocialAccount
from publishing.services import accounts as services

SESSION_KEY = "oauth_pending"


@staff_required()
def account_list(request: HttpRequest) -> HttpResponse:
    client_id = request.GET.get("client_id") or None
    clients = Client.objects.order_by("name")
    try:
        chosen = clients.filter(pk=client_id).first() if client_id else None
    except ValidationError:
        chosen = None
    accounts = selectors.social_accounts(client=chosen).order_by("client__name", "platform", "name")
    by_client: dict = {}
    for account in accounts:
        by_client.setdefault(account.client, []).append(account)
    if chosen and chosen not in by_client:
        by_client[chosen] = []
    can_manage = permissions.can(request.user, "manage_accounts")
    return render(
        request,
        "publishing/accounts/list.html",
        {
            "groups": by_client.items(),
            "clients": clients,
            "chosen": chosen,
            "can_manage": can_manage,
            "manual_form": ManualAccountForm(initial={"client": chosen.pk if chosen else None}),
            "publer_form": PublerForm(initial={"workspace_id": chosen.publer_workspace_id if chosen else ""}),
        },
    )


@require_POST
@staff_required("manage_accounts")
def account_add(request: HttpRequest) -> HttpResponse:
    form = ManualAccountForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            account = services.social_account_create(actor=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{account} is connected. Press Verify to check its token.")
            return redirect(f"{reverse('social-accounts')}?client_id={account.client_id}")
    messages.error(request, "Not added: " + "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('social-accounts')}?client_id={request.POST.get('client', '')}")


@staff_required("manage_accounts")
def account_edit(request: HttpRequest, pk) -> HttpResponse:
    account = get_object_or_404(SocialAccount.objects.select_related("client"), pk=pk)
    form = AccountEditForm(
        request.POST or None,
        initial={
            "name": account.name,
            "timezone": account.timezone,
            "slots": format_slots(account.posting_slots),
            "enabled": account.status != SocialAccount.Status.DISABLED,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        status = account.status
        if not data["enabled"]:
            status = SocialAccount.Status.DISABLED
        elif account.status == SocialAccount.Status.DISABLED:
            status = SocialAccount.Status.CONNECTED
        try:
            services.social_account_update(
                actor=request.user,
                account=account,
                name=data["name"],
                timezone=data["timezone"],
                posting_slots=data["slots"],
                status=status,
                token=data["token"] or None,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{account.name} is saved.")
            return redirect(f"{reverse('social-accounts')}?client_id={account.client_id}")
    context = {"account": account, "form": form, "activity": activity_for(account)}
    return render(request, "publishing/accounts/edit.html", context)


@require_POST
@staff_required("manage_accounts")
def account_verify(request: HttpRequest, pk) -> HttpResponse:
    account = get_object_or_404(SocialAccount, pk=pk)
    ok, message = services.social_account_verify(actor=request.user, account=account)
    (messages.success if ok else messages.error)(request, message)
    return redirect(f"{reverse('social-accounts')}?client_id={account.client_id}")


@require_POST
@staff_required("manage_accounts")
def account_delete(request: HttpRequest, pk) -> HttpResponse:
    account = get_object_or_404(SocialAccount, pk=pk)
    try:
        outcome = services.social_account_delete(actor=request.user, account=account)
        messages.success(
            request, f"{account.name} is {outcome}" + (" (its past results stay)." if outcome == "disabled" else ".")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('social-accounts')}?client_id={account.client_id}")


@require_POST
@staff_required("manage_accounts")
def publer_save(request: HttpRequest, client_id) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    form = PublerForm(request.POST)
    if form.is_valid():
        try:
            services.publer_connect(actor=request.user, client=client, **form.cleaned_data)
            imported = services.publer_import(actor=request.user, client=client)
            messages.success(request, f"Publer workspace saved; {imported} account(s) imported from it.")
        except (ValidationError, PlatformError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [getattr(error, "message", str(error))])))
    else:
        messages.error(request, "Give both the Publer workspace id and the API key.")
    return redirect(f"{reverse('social-accounts')}?client_id={client.pk}")


# OAuth ----------------------------------------------------------------------------------------

PROVIDERS = {"meta": oauth.meta_authorize_url, "linkedin": oauth.linkedin_authorize_url, "x": oauth.x_authorize_url}


def _callback_url(request, provider: str) -> str:
    # On the request's host, not APP_HOST: the provider must send the person back to the host
    # whose session holds the OAuth state.
    return app_url(reverse("social-oauth-callback", args=[provider]), request=request)


@staff_required("manage_accounts")
def oauth_start(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in PROVIDERS:
        raise Http404("Unknown provider")
    client = get_object_or_404(Client, pk=request.GET.get("client"))
    auth = PROVIDERS[provider](_callback_url(request, provider), state=secrets.token_urlsafe(24))
    request.session[SESSION_KEY] = {
        "provider": provider, "state": auth.state, "client": str(client.pk),
        "verifier": crypto.encrypt(auth.code_verifier) if auth.code_verifier else "",
    }  # fmt: skip
    return redirect(auth.url)


@staff_required("manage_accounts")
def oauth_callback(request: HttpRequest, provider: str) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    if pending.get("provider") != provider or not secrets.compare_digest(
        pending.get("state", ""), request.GET.get("state", "")
    ):
        messages.error(request, "That sign-in did not start here (or it expired). Start connecting again.")
        return redirect("social-accounts")
    client = get_object_or_404(Client, pk=pending["client"])
    if request.GET.get("error"):
        messages.error(
            request, f"The platform said no: {request.GET.get('error_description') or request.GET['error']}."
        )
        return redirect(f"{reverse('social-accounts')}?client_id={client.pk}")
    code, redirect_uri = request.GET.get("code", ""), _callback_url(request, provider)
    try:
        choices = _choices(provider, code, redirect_uri, crypto.decrypt(pending.get("verifier", "")))
    except PlatformError as error:
        messages.error(request, f"Could not finish connecting: {error.message}")
        return redirect(f"{reverse('social-accounts')}?client_id={client.pk}")
    # Tokens wait in the session encrypted until the person picks which accounts to add.
    request.session[SESSION_KEY] = {"provider": provider, "client": str(client.pk),
                                    "choices": crypto.encrypt(json.dumps(choices)), "state": ""}  # fmt: skip
    return render(
        request, "publishing/accounts/choose.html", {"client": client, "choices": choices, "provider": provider}
    )


def _choices(provider: str, code: str, redirect_uri: str, verifier: str) -> list[dict[str, Any]]:
    """What the person may connect, each with what it needs (tokens included)."""
    if provider == "meta":
        short = oauth.meta_exchange_code(code, redirect_uri)
        user = oauth.meta_long_lived(short.access_token)
        found: list[dict[str, Any]] = []
        for page in oauth.meta_pages(user.access_token):
            if not page.can_post:
                continue
            found.append(
                {"platform": "facebook", "external_id": page.id, "name": page.name, "token": page.access_token}
            )
            if page.instagram:
                found.append(
                    {
                        "platform": "instagram",
                        "external_id": page.instagram.id,
                        "handle": page.instagram.username,
                        "name": page.instagram.name or page.instagram.username or page.name,
                        "token": page.access_token,
                        "extra": {"page_id": page.id},
                    }
                )
        return found
    exchange = oauth.linkedin_exchange_code if provider == "linkedin" else oauth.x_exchange_code
    tokens = exchange(code, redirect_uri, verifier)
    common = {"token": tokens.access_token, "refresh_token": tokens.refresh_token,
              "token_expires_at": tokens.expires_at.isoformat() if tokens.expires_at else ""}  # fmt: skip
    if provider == "linkedin":
        me = oauth.linkedin_identity(tokens.access_token)
        found = [
            {"platform": "linkedin", "external_id": org.urn, "name": org.name, **common} for org in me.organizations
        ]
        return found + [
            {"platform": "linkedin", "external_id": me.person_urn, "name": f"{me.name} (profile)", **common}
        ]
    x_user = oauth.x_me(tokens.access_token)
    return [
        {
            "platform": "x",
            "external_id": x_user.id,
            "name": x_user.name or x_user.username,
            "handle": x_user.username,
            **common,
        }
    ]


@require_POST
@staff_required("manage_accounts")
def oauth_finish(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(SESSION_KEY, None) or {}
    if not pending.get("choices"):
        messages.error(request, "Nothing to connect (the sign-in expired). Start connecting again.")
        return redirect("social-accounts")
    client = get_object_or_404(Client, pk=pending["client"])
    choices = json.loads(crypto.decrypt(pending["choices"]))
    picked = {int(i) for i in request.POST.getlist("pick") if i.isdigit()}
    added = 0
    for index, choice in enumerate(choices):
        if index not in picked:
            continue
        existing = SocialAccount.objects.filter(
            client=client, platform=choice["platform"], external_id=choice["external_id"]
        ).first()
        if existing:  # reconnecting: a fresh token brings it back
            services.social_account_update(actor=request.user, account=existing, token=choice["token"])
        else:
            services.social_account_create(
                actor=request.user,
                client=client,
                platform=choice["platform"],
                name=choice["name"],
                external_id=choice["external_id"],
                token=choice["token"],
                handle=choice.get("handle", ""),
                extra=choice.get("extra") or {},
                refresh_token=choice.get("refresh_token", ""),
                token_expires_at=choice.get("token_expires_at") or None,
            )
        added += 1
    messages.success(request, f"{added} account(s) connected for {client.name}." if added else "Nothing was connected.")
    return redirect(f"{reverse('social-accounts')}?client_id={client.pk}")
