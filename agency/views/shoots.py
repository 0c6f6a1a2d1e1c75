"""Shoot pages: calendar (month/week), list, booking form with live crew-clash warnings, feeds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency import ical, permissions, selectors
from agency.filters import ShootFilter
from agency.forms import ShootForm, offer_client_campaigns
from agency.models import CalendarFeed, Client, Shoot, TeamMember
from agency.permissions import staff_required
from agency.services import feeds as feed_services
from agency.services import shoots as shoot_services
from agency.services.shoots import CrewDoubleBooked
from localbzz import calendar, zones
from localbzz.app_urls import app_url
from localbzz.forms import live_validation, process
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page

SORT_FIELDS = {"start": "start", "title": "title", "client": "client__name", "status": "status"}
DEFAULT_SORT = ("-start",)


@staff_required()
def shoot_calendar(request: HtmxRequest) -> HttpResponseBase:
    view = request.GET.get("view") or ""
    if view not in {"month", "week", "list"}:
        view = "month"
    client_id, member_id = request.GET.get("client") or None, request.GET.get("member") or None
    context: dict[str, Any] = {
        "view": view,
        "clients": Client.objects.order_by("name").only("pk", "name"),
        "members": selectors.team_member_choices(),
        "client_id": client_id,
        "member_id": member_id,
        "can_edit": permissions.can(request.user, "edit_content"),
    }
    if view == "list":
        queryset = selectors.shoots()
        if request.GET.get("format") == "csv":
            rows = filtered_queryset(request, queryset, ShootFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT)
            header = [
                "id", "title", "client", "start", "end", "time_zone", "duration_minutes", "status", "location", "crew",
            ]  # fmt: skip
            return csv_response(
                "shoots.csv",
                header,
                rows,
                lambda s: [
                    s.pk,
                    s.title,
                    s.client.name,
                    s.start.astimezone(s.client.tz).isoformat(),  # in the client's zone, like the pages
                    s.end.astimezone(s.client.tz).isoformat(),
                    s.client.timezone,
                    s.duration_minutes,
                    s.status,
                    s.location,
                    "; ".join(m.name for m in s.crew.all()),
                ],
            )
        context["listing"] = list_page(
            request, queryset, ShootFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT
        )
    else:
        period = calendar.period(view, calendar.parse_anchor(request.GET.get("date")))
        try:
            shoots = selectors.shoots_between(period.start, period.end, client_id=client_id, member_id=member_id)
        except ValidationError:
            shoots = []
        # Each shoot on its day and at its time in its client's zone (localbzz/zones.py).
        weeks = calendar.grid(period, shoots, lambda s: s.start.astimezone(s.client.tz), own_zone=True)
        context.update(period=period, weeks=weeks, count=len(shoots))
    if request.htmx and not request.htmx.boosted:
        return render(request, "agency/shoots/calendar.html#body", context)
    return render(request, "agency/shoots/calendar.html", context)


def _initial_from_query(request) -> dict:
    initial = {}
    if request.GET.get("client"):
        initial["client"] = request.GET["client"]
    if request.GET.get("start"):
        initial["start"] = request.GET["start"]
    return initial


def _override(request) -> dict:
    return {"allow_conflict": request.POST.get("allow_conflict") == "on"}


def _save(request, form, clashes: list, shoot_pk=None):
    """The save step for `process`: on a crew clash, keep who clashes with what and offer
    'book anyway' instead of saving."""

    def save(data):
        # "Book anyway" is offered beside the clash warning (_clashes.html), not as a form field.
        allow, crew = _override(request)["allow_conflict"], data.pop("crew", [])
        try:
            if shoot_pk is None:
                return shoot_services.shoot_create(actor=request.user, crew=crew, allow_conflict=allow, **data)
            data.pop("client", None)
            shoot = Shoot.objects.get(pk=shoot_pk)
            return shoot_services.shoot_update(actor=request.user, shoot=shoot, crew=crew, allow_conflict=allow, **data)
        except CrewDoubleBooked as clash:
            clashes.extend(clash.clashes)
            return None

    return save


@staff_required("edit_content")
def shoot_create(request: HttpRequest) -> HttpResponse:
    form = ShootForm(request.POST or None, initial=_initial_from_query(request))
    offer_client_campaigns(form, reverse("campaign-options"))
    live_validation(form, request.path)
    clashes: list = []
    response, shoot = process(request, form, _save(request, form, clashes))
    if response:
        return response
    if shoot:
        messages.success(request, f"“{shoot.title}” is booked for {zones.span(shoot.start, shoot.end, shoot.client)}.")
        return redirect("shoot-detail", shoot.pk)
    return render(
        request, "agency/shoots/form.html", {"form": form, "shoot": None, "clashes": clashes, **_override(request)}
    )


@staff_required("edit_content")
def shoot_edit(request: HttpRequest, pk) -> HttpResponse:
    shoot = get_object_or_404(selectors.shoots(), pk=pk)
    form = ShootForm(request.POST or None, instance=shoot, initial={"crew": list(shoot.crew.all())})
    form.fields["client"].disabled = True
    offer_client_campaigns(form, reverse("campaign-options"))
    live_validation(form, request.path)
    clashes: list = []
    response, saved = process(request, form, _save(request, form, clashes, shoot_pk=pk))
    if response:
        return response
    if saved:
        messages.success(request, f"“{saved.title}” is saved.")
        return redirect("shoot-detail", saved.pk)
    return render(
        request, "agency/shoots/form.html", {"form": form, "shoot": shoot, "clashes": clashes, **_override(request)}
    )


@require_POST
@staff_required("edit_content")
def shoot_clash_check(request: HttpRequest) -> HttpResponse:
    """Live warning while booking: who of the chosen crew is already booked at that time."""
    form = ShootForm(request.POST)
    form.is_valid()
    data, clashes = form.cleaned_data, []
    start, duration, crew = data.get("start"), data.get("duration_minutes"), data.get("crew") or []
    if start and duration and crew and data.get("status", Shoot.Status.SCHEDULED) in Shoot.ACTIVE:
        shoot_id = request.POST.get("shoot_id")
        exclude = Shoot.objects.filter(pk=shoot_id).first() if shoot_id else None
        _, end = shoot_services.shoot_timing(start, duration_minutes=duration)
        clashes = shoot_services.crew_clashes(start=start, end=end, crew=crew, exclude=exclude)
    return render(
        request,
        "agency/shoots/_clashes.html",
        {"clashes": clashes, **_override(request)},
    )


@staff_required()
def shoot_detail(request: HttpRequest, pk) -> HttpResponse:
    shoot = get_object_or_404(selectors.shoots(), pk=pk)
    return render(
        request,
        "agency/shoots/detail.html",
        {
            "shoot": shoot,
            "deliverables": selectors.deliverables().filter(shoot=shoot),
            "tasks": selectors.tasks().filter(shoot=shoot),
            "activity": selectors.activity_for(shoot),
            "can_edit": permissions.can(request.user, "edit_content"),
            "statuses": Shoot.Status.values,
        },
    )


@require_POST
@staff_required("edit_content")
def shoot_set_status(request: HttpRequest, pk) -> HttpResponse:
    shoot = get_object_or_404(Shoot, pk=pk)
    status = request.POST.get("status", "")
    if status not in Shoot.Status.values:
        messages.error(request, f"Unknown status “{status}”.")
        return redirect("shoot-detail", pk)
    try:
        shoot_services.shoot_update(actor=request.user, shoot=shoot, status=status)
        messages.success(request, f"“{shoot.title}” is now {status.lower()}.")
    except CrewDoubleBooked as clash:
        messages.error(request, f"Cannot set it back to {status.lower()}: {clash}. Edit the shoot to book anyway.")
    return redirect("shoot-detail", pk)


@require_POST
@staff_required("edit_content")
def shoot_delete(request: HttpRequest, pk) -> HttpResponse:
    shoot = get_object_or_404(Shoot, pk=pk)
    title = shoot.title
    shoot_services.shoot_delete(actor=request.user, shoot=shoot)
    messages.success(request, f"“{title}” is deleted.")
    return redirect("shoots")


# Calendar feeds ------------------------------------------------------------------------------


def _feed_url(request, feed: CalendarFeed) -> str:
    return app_url(reverse("shoot-feed", args=[feed.token]))


STAFF_FEED_KINDS: dict[str, str] = {CalendarFeed.Kind.SHOOTS: "shoot-feeds", CalendarFeed.Kind.POSTS: "post-feeds"}


@staff_required()
def feed_list(request: HttpRequest, kind: str = CalendarFeed.Kind.SHOOTS) -> HttpResponse:
    """The secret calendar links of shoots (/shoots/feeds/) or of scheduled posts (/content/feeds/)."""
    feeds = {(f.scope, f.member_id, f.client_id): f for f in CalendarFeed.objects.filter(kind=kind)}
    member = getattr(request.user, "team_member", None)
    label = "All shoots" if kind == CalendarFeed.Kind.SHOOTS else "All clients"
    rows: list[dict[str, Any]] = [
        {"label": label, "scope": "all", "target": "", "feed": feeds.get(("all", None, None))}
    ]
    if kind == CalendarFeed.Kind.SHOOTS:
        rows += [
            {
                "label": m.name,
                "scope": "member",
                "target": m.pk,
                "feed": feeds.get(("member", m.pk, None)),
                "mine": m == member,
            }
            for m in selectors.team_member_choices()
        ]
    rows += [
        {"label": c.name, "scope": "client", "target": c.pk, "feed": feeds.get(("client", None, c.pk))}
        for c in Client.objects.order_by("name").only("pk", "name")
    ]
    for row in rows:
        row["url"] = _feed_url(request, row["feed"]) if row["feed"] else None
    context = {"rows": rows, "kind": kind, "can_edit": permissions.can(request.user, "edit_content")}
    return render(request, "agency/shoots/feeds.html", context)


@require_POST
@staff_required("edit_content")
def feed_create_or_regenerate(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or CalendarFeed.Kind.SHOOTS
    if kind not in STAFF_FEED_KINDS:
        raise Http404("Unknown feed kind")
    scope = request.POST.get("scope")
    member = client = None
    if scope == CalendarFeed.Scope.MEMBER and kind == CalendarFeed.Kind.SHOOTS:
        member = get_object_or_404(TeamMember, pk=request.POST.get("target"))
    elif scope == CalendarFeed.Scope.CLIENT:
        client = get_object_or_404(Client, pk=request.POST.get("target"))
    elif scope != CalendarFeed.Scope.ALL:
        raise Http404("Unknown feed scope")
    feed = feed_services.feed_get_or_create(actor=request.user, scope=scope, member=member, client=client, kind=kind)
    if request.POST.get("regenerate"):
        feed_services.feed_regenerate(actor=request.user, feed=feed)
        messages.success(request, "A new secret link is ready; the old one no longer works.")
    else:
        messages.success(request, "The calendar link is ready: copy it into Google Calendar or Outlook.")
    return redirect(STAFF_FEED_KINDS[kind])


def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """Public, secret-token iCalendar feed (calendar apps cannot sign in) of shoots or posts.

    A client portal's feed is served only on that portal's host (portal.views.content.posts_ics).
    """
    feed = (
        CalendarFeed.objects.select_related("member__user", "client")
        .filter(token=token, kind__in=list(STAFF_FEED_KINDS))
        .first()
    )
    if feed is None:
        raise Http404("No calendar at this address; it may have been regenerated.")
    if feed.kind == CalendarFeed.Kind.SHOOTS:
        return ical.feed_response(feed, lambda s: app_url(reverse("shoot-detail", args=[s.pk])))
    return ical.feed_response(feed, lambda p: app_url(reverse("post-detail", args=[p.pk])))
