from agency.services import activity, team

__all__ = ["activity", "team"]
