"""django-q2 task functions of analytics: thin, the work is in ``analytics.services.sync``."""

from __future__ import annotations

from analytics.services import sync


def sync_posts() -> dict[str, int]:
    """Every five minutes (Schedule "analytics.sync_posts"): published posts whose ladder step is due."""
    return sync.sync_due().as_dict()


def sync_accounts() -> dict[str, int]:
    """Every hour (Schedule "analytics.sync_accounts"): accounts not yet read on their local day."""
    return sync.sync_accounts().as_dict()
