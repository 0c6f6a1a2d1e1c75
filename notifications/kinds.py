"""THE notification kinds: what each is about, which domain events raise it, who may ever get it,
and what each person gets by default (before they change it on their preferences page)."""

from __future__ import annotations

from dataclasses import dataclass

from agency.permissions import ACTIONS, Level


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    help: str  # shown on the preferences page: who gets it and when
    event_types: tuple[str, ...]  # localbzz.events types that raise it
    audience: str  # agency.permissions action a recipient must be allowed, or CLIENTS (a client's portal users)
    email_from: Level | None  # email on by default from this access level up; None: off by default
    push: bool = False  # browser push on by default (sent only to browsers the person turned on)

    @property
    def for_clients(self) -> bool:
        return self.audience == CLIENTS

    def offered_to(self, level: Level | None, *, client_user: bool = False) -> bool:
        if self.for_clients:
            return client_user
        return level is not None and level >= ACTIONS[self.audience]

    def default(self, level: Level | None, channel: str, *, client_user: bool = False) -> bool:
        if not self.offered_to(level, client_user=client_user):
            return False
        if channel == "push":
            return self.push
        if self.for_clients:  # a client's kinds are browser push only (their emails are EMAILS below)
            return False
        if channel == "in_app":
            return True
        return self.email_from is not None and level is not None and level >= self.email_from


CLIENTS = "client"  # the audience of the kinds a client's portal users get (browser push only)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind("approval_needed", "Waiting for approval",
             "A post is sent for approval, or a client submits content through the portal (approvers).",
             ("post.submitted",), "approve_posts", Level.ADMIN, push=True),
        Kind("changes_requested", "Changes requested",
             "An approver or the client asks for changes to a post you wrote.",
             ("post.changes_requested",), "edit_content", Level.VIEWER),
        Kind("post_scheduled", "Post scheduled",
             "A post you wrote is approved and scheduled.",
             ("post.scheduled",), "edit_content", None),
        Kind("post_published", "Post published",
             "A post you wrote went out.",
             ("post.published",), "edit_content", None),
        Kind("post_failed", "Post failed",
             "A post you wrote could not be published to an account (approvers when nobody on the team wrote it).",
             ("post.failed",), "edit_content", Level.VIEWER, push=True),
        Kind("post_missed_time", "Post missed its time",
             "A post's time passed while it waited (approval, the client, a paused account), or the client "
             "approved it late: publish it now or pick a new time (approvers and the author).",
             ("post.missed_time",), "approve_posts", Level.VIEWER),
        Kind("account_reconnect", "Account needs reconnecting",
             "A platform stopped accepting our access to a social account (admins and owners).",
             ("social_account.needs_reconnect",), "manage_accounts", Level.VIEWER),
        Kind("new_lead", "New lead",
             "A lead arrives from the intake form or the API.",
             ("lead.submitted",), "edit_content", Level.ADMIN),
        Kind("client_request", "Client requests",
             "A client request is created, answered or changes status.",
             ("portal_request.updated",), "edit_content", Level.ADMIN, push=True),
        Kind("task_assigned", "Task assigned to you",
             "Someone assigns a task to you.",
             ("task.assigned",), "view", Level.VIEWER),
        Kind("deliverable_ready", "Deliverable ready",
             "A deliverable assigned to you is Ready-To-Post or Delivered (admins when nobody is assigned).",
             ("deliverable.ready",), "view", None),
        Kind("report_ready", "Report ready",
             "A client's monthly report PDF is made (whoever asked for it; admins for the monthly round).",
             ("report.ready",), "view", None, push=True),
        # A client's portal users (the portal's notification settings): browser push only.
        Kind("client_approval", "Waiting for your approval",
             "A post is ready for you to approve before it goes out.",
             ("post.approved",), CLIENTS, None, push=True),
        Kind("client_request_update", "Your requests",
             "The agency answers one of your requests or changes its status.",
             ("portal_request.updated",), CLIENTS, None, push=True),
        Kind("client_report_ready", "Report ready",
             "Your monthly results report is ready to read.",
             ("report.ready",), CLIENTS, None, push=True),
    ]
}  # fmt: skip

# Every kind an event type raises (a staff kind and a client kind may share one event).
KINDS_BY_EVENT: dict[str, tuple[Kind, ...]] = {}
for _kind in KINDS.values():
    for _event_type in _kind.event_types:
        KINDS_BY_EVENT[_event_type] = (*KINDS_BY_EVENT.get(_event_type, ()), _kind)
KIND_BY_EVENT: dict[str, Kind] = {event_type: kinds[0] for event_type, kinds in KINDS_BY_EVENT.items()}  # "raises any?"
CHANNELS = ("in_app", "email", "push")


@dataclass(frozen=True)
class EmailKind:
    """An email to a given address (not a staff notification: no preference turns it off)."""

    key: str
    label: str
    help: str  # who gets it and when
    sent_by: str  # the module that writes it (and knows the address)


# THE emails sent to a given address, each handed to localbzz.outbox.send_email by the app that
# writes it and sent by notifications.mail. A new one: an entry here, then send_email(kind=...).
EMAILS: dict[str, EmailKind] = {
    k.key: k
    for k in [
        EmailKind("staff_invitation", "Team invitation",
                  "A new team member's one-time link to choose a password.", "agency.views.team"),
        EmailKind("password_reset", "Password reset",
                  "A one-time link to choose a new password (staff sign-in or a client's portal).", "agency.forms"),
        EmailKind("portal_invitation", "Portal invitation",
                  "A client's new portal user: a one-time link to choose a password.", "portal.services.people"),
        EmailKind("client_approval_request", "Approval request to the client",
                  "A post waits for the client's approval: a signed link, no sign-in needed.",
                  "publishing.services.notifications"),
        EmailKind("webhook_disabled", "Webhook disabled",
                  "An endpoint failed for too long and was disabled (staff who may manage integrations).",
                  "integrations.services.notifications"),
        EmailKind("monthly_report", "Monthly report",
                  "A client's monthly results as a PDF, to its portal owners (when the client has it on).",
                  "reports.services"),
    ]
}  # fmt: skip
