from agency.models.activity import ActivityEvent
from agency.models.team import TeamMember, User

__all__ = ["ActivityEvent", "TeamMember", "User"]
