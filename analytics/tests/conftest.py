"""Analytics tests use publishing's fake platforms (real HTTP on loopback) and clients, and the
portal's client users."""

from portal.tests.conftest import bella, joe  # noqa: F401
from publishing.tests.conftest import _fake_platform_server, client_a, client_b, fake_platforms  # noqa: F401
