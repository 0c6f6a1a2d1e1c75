"""Analytics tests use publishing's fake platforms (real HTTP on loopback) and its clients."""

from publishing.tests.conftest import _fake_platform_server, client_a, client_b, fake_platforms  # noqa: F401
