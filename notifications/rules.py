"""Who is told what, per notification kind — one function per kind, from a domain event.

Each rule reads the event's object (the post, lead, request, ...) and answers a :class:`Draft`:
the people who should hear about it and the words they get (title, short body, what to do, a link).
Preferences and the "never the actor" rule are applied by ``services.notify_event``; rules only
decide who the event concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from agency import permissions
from agency.models import Client, Deliverable, Lead, PortalRequest, Task, User
from localbzz import zones
from localbzz.app_urls import portal_url
from localbzz.events import Event
from publishing.models import Post, SocialAccount
from publishing.states import PostStatus
from reports.models import Report


@dataclass
class Draft:
    recipients: list = field(default_factory=list)  # users
    title: str = ""
    body: str = ""
    action: str = ""
    link: str = ""
    link_label: str = "Open"


def _staff(user) -> list:
    """[user] when the user is active agency staff (a portal client never gets staff notifications)."""
    return [user] if user is not None and permissions.is_staff_member(user) else []


_PRELOADED: ContextVar[dict | None] = ContextVar("preloaded_posts", default=None)


@contextmanager
def posts_preloaded(events: list[Event]) -> Iterator[None]:
    """Inside, the rules read the posts of ``events`` from one query instead of one each."""
    ids = {e.object_id for e in events if e.object_type == "post"}
    posts = Post.objects.select_related("client", "created_by").filter(pk__in=ids) if ids else []
    token = _PRELOADED.set({str(p.pk): p for p in posts})
    try:
        yield
    finally:
        _PRELOADED.reset(token)


def _post(event: Event) -> Post | None:
    preloaded = _PRELOADED.get()
    if preloaded is not None and event.object_id in preloaded:
        return preloaded[event.object_id]
    return Post.objects.select_related("client", "created_by").filter(pk=event.object_id).first()


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def _when(moment, zone=None) -> str:
    return zones.when(moment, zone, zones.LONG)


def approval_needed(event: Event) -> Draft | None:
    post = _post(event)
    if post is None:
        return None
    by_client = post.source == Post.Source.PORTAL
    who = f"{post.client.name} (client portal)" if by_client else event.actor_label
    return Draft(
        recipients=permissions.staff_who_can("approve_posts"),
        title=f"Waiting for approval: {post}",
        body=f"{who} sent a post for {post.client.name} for approval. {_quote(post.caption)}",
        action="Review it, then approve it, request changes or reject it.",
        link=reverse("post-detail", args=[post.pk]),
        link_label="Review the post",
    )


def changes_requested(event: Event) -> Draft | None:
    post = _post(event)
    if post is None:
        return None
    by = f"{post.client.name} (the client)" if event.changes.get("by") == "client" else event.actor_label
    return Draft(
        recipients=_staff(post.created_by),
        title=f"Changes requested: {post}",
        body=f"{by} asked for changes: {_quote(str(event.changes.get('comment', '')), 300)}",
        action="Edit the post as asked, then send it for approval again.",
        link=reverse("post-detail", args=[post.pk]),
        link_label="Edit the post",
    )


def post_scheduled(event: Event) -> Draft | None:
    post = _post(event)
    if post is None or post.status != Post.Status.SCHEDULED:
        return None
    when = _when(post.scheduled_at, post.client) or "as soon as possible"
    return Draft(
        recipients=_staff(post.created_by),
        title=f"Scheduled: {post}",
        body=f"Your post for {post.client.name} goes out {when}.",
        action="Nothing to do; you will hear when it is published.",
        link=reverse("post-detail", args=[post.pk]),
        link_label="See the post",
    )


def post_published(event: Event) -> Draft | None:
    post = _post(event)
    if post is None:
        return None
    partly = str(event.changes.get("status", ["", ""])[-1]) == "partially_published"
    return Draft(
        recipients=_staff(post.created_by),
        title=f"{'Partly published' if partly else 'Published'}: {post}",
        body=(
            f"Your post for {post.client.name} went out"
            + (" to some of its accounts; others failed." if partly else " to every account.")
        ),
        action="Open the post to see the failed accounts and retry them." if partly else "",
        link=reverse("post-detail", args=[post.pk]),
        link_label="See the results",
    )


def post_failed(event: Event) -> Draft | None:
    if event.verb != "post.target_failed":  # the post's own "failed" status repeats the target's failure
        return None
    post = _post(event)
    if post is None:
        return None
    account = event.changes.get("account", "an account")
    reason = str(event.changes.get("reason", "")) or "The platform gave no reason."
    return Draft(
        recipients=_staff(post.created_by) or permissions.staff_who_can("approve_posts"),
        title=f"Failed on {account}: {post}",
        body=f"{account} did not publish the post for {post.client.name}. The platform said: {reason}",
        action=(
            "Fix what the platform's message asks (reconnect the account, or edit the caption or media), "
            "then press Retry on the post page."
        ),
        link=reverse("post-detail", args=[post.pk]),
        link_label="Open the post and retry",
    )


def post_missed_time(event: Event) -> Draft | None:
    post = _post(event)
    if post is None:
        return None
    planned = _when(post.scheduled_at)
    recipients = {u.pk: u for u in [*permissions.staff_who_can("approve_posts"), *_staff(post.created_by)]}
    problem = event.changes.get("problem")
    return Draft(
        recipients=list(recipients.values()),
        title=f"Missed its time: {post}",
        body=(
            f"{event.changes.get('reason', 'Its time passed while it waited.')} "
            f"({post.client.name}{f', planned for {planned}' if planned else ''}). It has not gone out."
            + (f" The platform check said: {problem}" if problem else "")
        ),
        action="Publish it now or pick a new time, in one step on the post page.",
        link=reverse("post-detail", args=[post.pk]),
        link_label="Publish now or pick a time",
    )


def account_reconnect(event: Event) -> Draft | None:
    account = SocialAccount.objects.select_related("client").filter(pk=event.object_id).first()
    if account is None:
        return None
    return Draft(
        recipients=permissions.staff_who_can("manage_accounts"),
        title=f"Reconnect {account} for {account.client.name}",
        body=(
            f"{account.get_platform_display()} stopped accepting our access to {account.name} "
            f"({account.client.name}): {event.changes.get('reason', '')}"
        ),
        action="Posts to this account fail until it is reconnected. Reconnect it, then retry the failed posts.",
        link=reverse("social-accounts"),
        link_label="Reconnect the account",
    )


def new_lead(event: Event) -> Draft | None:
    lead = Lead.objects.filter(pk=event.object_id).first()
    if lead is None:
        return None
    wants = f" Wants: {lead.services}." if lead.services else ""
    return Draft(
        recipients=permissions.staff_who_can("edit_content"),
        title=f"New lead: {lead.business_name}",
        body=f"{lead.contact_name} ({lead.email}) from {lead.business_name} got in touch.{wants}",
        action="Read the lead, then approve it (it becomes a client) or reject it.",
        link=reverse("lead-detail", args=[lead.pk]),
        link_label="Open the lead",
    )


def client_request(event: Event) -> Draft | None:
    request = PortalRequest.objects.select_related("client").filter(pk=event.object_id).first()
    if request is None:
        return None
    what = {
        "request.created": "sent a new request",
        "request.replied": "wrote in a request",
        "request.status_changed": "changed the status of a request",
    }.get(event.verb, "updated a request")
    said = event.changes.get("comment") or request.content
    return Draft(
        recipients=permissions.staff_who_can("edit_content"),
        title=f"{request.client.name}: {request.get_kind_display().lower()} about {request.topic.lower()}",
        body=f"{event.actor_label} {what}: {_quote(str(said))}",
        action="Open the request to read the conversation and answer.",
        link=reverse("request-detail", args=[request.pk]),
        link_label="Open the request",
    )


def task_assigned(event: Event) -> Draft | None:
    task = Task.objects.select_related("assignee__user", "client").filter(pk=event.object_id).first()
    if task is None or task.assignee is None:
        return None
    due = f" Due {task.due_date:%a %d %b}." if task.due_date else ""
    for_client = f" for {task.client.name}" if task.client is not None else ""
    return Draft(
        recipients=_staff(task.assignee.user),
        title=f"Task for you: {task.name}",
        body=f"{event.actor_label} assigned you a task{for_client}.{due}",
        action="Open the task to see what is needed.",
        link=reverse("task-detail", args=[task.pk]),
        link_label="Open the task",
    )


def deliverable_ready(event: Event) -> Draft | None:
    deliverable = Deliverable.objects.select_related("assignee__user", "client").filter(pk=event.object_id).first()
    done = {Deliverable.Status.READY_TO_POST, Deliverable.Status.DELIVERED}
    if deliverable is None or deliverable.status not in done:
        return None
    ready = deliverable.status == Deliverable.Status.READY_TO_POST
    recipients = _staff(deliverable.assignee.user if deliverable.assignee else None) or permissions.staff_who_can(
        "manage_clients"
    )
    return Draft(
        recipients=recipients,
        title=f"{'Ready to post' if ready else 'Delivered'}: {deliverable.title}",
        body=f"{event.actor_label} moved {deliverable.title} ({deliverable.client.name}) to {deliverable.status}.",
        action="Schedule it as a post." if ready else "Nothing to do unless the client comes back with feedback.",
        link=reverse("deliverable-detail", args=[deliverable.pk]),
        link_label="Open the deliverable",
    )


def report_ready(event: Event) -> Draft | None:
    report = Report.objects.select_related("client", "requested_by").filter(pk=event.object_id).first()
    if report is None:
        return None
    return Draft(
        recipients=_staff(report.requested_by) or permissions.staff_who_can("manage_clients"),
        title=f"Report ready: {report.client.name}, {report.month:%B %Y}",
        body=f"The {report.month:%B %Y} results report for {report.client.name} is made.",
        action="Read it, then send it to the client or let the monthly email do it.",
        link=reverse("report-download", args=[report.client_id, report.slug]),
        link_label="Open the PDF",
    )


# A client's portal users: the links are absolute URLs on the client's portal ------------------------


def _portal_people(client: Client) -> list:
    """The active portal users of ``client`` (none when its portal is switched off)."""
    if not client.portal_enabled:
        return []
    return list(User.objects.filter(client_user__client=client, is_active=True))


def _on_portal(client: Client, name: str, *args: object) -> str:
    return portal_url(client.slug, reverse(f"portal:{name}", args=args, urlconf="portal.urls"))


def client_approval(event: Event) -> Draft | None:
    post = _post(event)
    if post is None or post.status != PostStatus.PENDING_CLIENT_APPROVAL:
        return None
    when = _when(post.scheduled_at, post.client)
    return Draft(
        recipients=_portal_people(post.client),
        title="A post is waiting for your approval",
        body=f"{_quote(post.caption, 120)}" + (f" Planned for {when}." if when else ""),
        action="Approve it, or tell us what to change.",
        link=_on_portal(post.client, "post", post.pk),
        link_label="Review the post",
    )


def client_request_update(event: Event) -> Draft | None:
    if event.verb == "request.status_changed" and str(event.changes.get("status", ["", ""])[-1]) != "Done":
        return None  # "Working" follows the agency's first answer, which the client is told about
    if event.verb not in {"request.replied", "request.status_changed"}:  # e.g. the client's own new request
        return None
    request = PortalRequest.objects.select_related("client").filter(pk=event.object_id).first()
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    if request is None or not _staff(actor):  # only what the agency does is news to the client
        return None
    if event.verb == "request.replied":
        title = f"{settings.AGENCY_NAME} answered your request"
        body = f"{request.topic}: {_quote(str(event.changes.get('comment', '')), 140)}"
    else:
        title, body = "Your request is done", f"{request.topic}: {_quote(request.content, 140)}"
    return Draft(
        recipients=_portal_people(request.client),
        title=title,
        body=body,
        action="Open the request to read the conversation.",
        link=_on_portal(request.client, "request", request.pk),
        link_label="Open the request",
    )


def client_report_ready(event: Event) -> Draft | None:
    report = Report.objects.select_related("client").filter(pk=event.object_id).first()
    if report is None:
        return None
    return Draft(
        recipients=_portal_people(report.client),
        title=f"Your {report.month:%B} report is ready",
        body=f"How your social media did in {report.month:%B %Y}: reach, followers and your best posts.",
        action="Read it on your results page.",
        link=_on_portal(report.client, "results"),
        link_label="See your results",
    )


RULES: dict[str, Callable[[Event], Draft | None]] = {
    "approval_needed": approval_needed,
    "changes_requested": changes_requested,
    "post_scheduled": post_scheduled,
    "post_published": post_published,
    "post_failed": post_failed,
    "post_missed_time": post_missed_time,
    "account_reconnect": account_reconnect,
    "new_lead": new_lead,
    "client_request": client_request,
    "task_assigned": task_assigned,
    "deliverable_ready": deliverable_ready,
    "report_ready": report_ready,
    "client_approval": client_approval,
    "client_request_update": client_request_update,
    "client_report_ready": client_report_ready,
}
