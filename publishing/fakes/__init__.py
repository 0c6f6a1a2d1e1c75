"""Fake platform servers: real HTTP on loopback, faithful to docs/platform-contracts.md.

``server.FakePlatformServer`` serves every platform from one port under the prefixes of
``localbzz.platform_urls``; ``core.FakePlatforms`` holds the ledger and the switches.
``manage.py run_fake_platforms`` runs it; the ``fake_platforms`` pytest fixture starts one per
test session and resets it between tests. Built on ``localbzz.fakekit`` (server, routing, switches).
"""
