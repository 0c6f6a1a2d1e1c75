from agency.models.activity import ActivityEvent
from agency.models.clients import RESERVED_SLUGS, Campaign, Client
from agency.models.inbox import Lead, PortalRequest, RequestMessage
from agency.models.team import TeamMember, User
from agency.models.work import CalendarFeed, Deliverable, Shoot, Task, TimeEntry

__all__ = [
    "RESERVED_SLUGS",
    "ActivityEvent",
    "CalendarFeed",
    "Campaign",
    "Client",
    "Deliverable",
    "Lead",
    "PortalRequest",
    "RequestMessage",
    "Shoot",
    "Task",
    "TeamMember",
    "TimeEntry",
    "User",
]
