"""Fixtures shared with the portal's tests: two clients, each with its portal owner."""

from portal.tests.conftest import bella, client_a, client_b, joe  # noqa: F401
