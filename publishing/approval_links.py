"""Signed, expiring links that let a client approve or comment on a post without signing in."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "localbzz.post-approval"


def make_token(post) -> str:
    return signing.dumps({"post": str(post.pk)}, salt=SALT, compress=True)


def read_token(token: str) -> str:
    """The post id in a valid link. Raises signing.BadSignature (also SignatureExpired)."""
    max_age = getattr(settings, "APPROVAL_LINK_DAYS", 7) * 24 * 3600
    return signing.loads(token, salt=SALT, max_age=max_age)["post"]
