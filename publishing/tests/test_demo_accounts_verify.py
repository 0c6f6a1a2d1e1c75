"""The demo accounts of ``make run`` (``publishing.demo``) can be verified against the fake platforms.

After an unknown outcome the engine reads the account's posts back by its id. The demo X account
once carried an id the fake's X user did not have, so every X post whose answer was lost was
"not found", sent again and refused as a duplicate while live (bench/chaos_publish.py's two
live-but-failed targets). Each text platform of the demo: a lost answer, then verification finds it.
"""

from __future__ import annotations

import pytest

from publishing import connectors
from publishing.connectors.base import Account, ErrorKind, PlatformError, PublishRequest
from publishing.demo import DEMO_ACCOUNTS

PUBLISHING_CALL = {"facebook": "feed", "x": "tweets", "linkedin": "posts"}
DEMO = [
    (slug, platform, external_id)
    for slug, accounts in DEMO_ACCOUNTS.items()
    for platform, _name, external_id, _handle in accounts
    if platform in PUBLISHING_CALL
]


@pytest.mark.parametrize(("slug", "platform", "external_id"), DEMO, ids=[f"{s}-{p}" for s, p, _ in DEMO])
def test_a_lost_answer_on_a_demo_account_is_found_by_verification(
    fake_platforms, settings, slug, platform, external_id
):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    account = Account(platform=platform, external_id=external_id, token=f"demo-{slug}-{platform}", name=slug)
    request = PublishRequest(target_id="target-1", account=account, text=f"Fresh from {slug} on {platform}")
    fake_platforms.fail(platform, "hang", PUBLISHING_CALL[platform], seconds=1.5)
    with pytest.raises(PlatformError) as caught:
        connectors.get(platform).publish(request, {})
    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME

    found = connectors.get(platform).verify(request, {})

    assert found is not None, f"{platform}: the demo account's post is live but verification does not see it"
    assert found.external_id == fake_platforms.ledger(platform=platform)[0]["external_id"]
