"""Fakes of the services the notifications app talks to (a browser push service)."""
