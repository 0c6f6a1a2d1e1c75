"""Where every platform lives: the real hosts, or one fake server under path prefixes.

Pure data (no Django imports): ``settings.py`` builds ``PLATFORM_URLS`` from it, and the test
fixture that starts the fake platforms (``publishing/tests/conftest.py``) points the same keys at
the fake's port. The fake server (``publishing/fakes``) routes these prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping

# Graph API version for every Meta call (Facebook, Instagram, Meta OAuth).
META_GRAPH_VERSION = "v23.0"

# key: (real URL, path prefix on the fake server). Connectors join paths onto these bases.
PLATFORMS: dict[str, tuple[str, str]] = {
    "facebook_graph": (f"https://graph.facebook.com/{META_GRAPH_VERSION}", f"graph/{META_GRAPH_VERSION}"),
    "facebook_graph_video": (
        f"https://graph-video.facebook.com/{META_GRAPH_VERSION}",
        f"graph-video/{META_GRAPH_VERSION}",
    ),
    "meta_oauth_dialog": (
        f"https://www.facebook.com/{META_GRAPH_VERSION}/dialog/oauth",
        f"facebook/{META_GRAPH_VERSION}/dialog/oauth",
    ),
    "facebook_web": ("https://www.facebook.com", "facebook-web"),
    "linkedin_api": ("https://api.linkedin.com", "linkedin"),
    "linkedin_oauth": ("https://www.linkedin.com/oauth/v2", "linkedin-oauth/oauth/v2"),
    "linkedin_web": ("https://www.linkedin.com", "linkedin-web"),
    "x_api": ("https://api.x.com", "x"),
    "x_oauth_authorize": ("https://x.com/i/oauth2/authorize", "x-oauth/i/oauth2/authorize"),
    "x_oauth_token": ("https://api.x.com/2/oauth2/token", "x/2/oauth2/token"),
    "x_web": ("https://x.com", "x-web"),
    "google_business": ("https://mybusiness.googleapis.com/v4", "gbp/v4"),
    # Business Profile Performance API: a location's daily views, calls, direction requests, website clicks.
    "google_business_performance": ("https://businessprofileperformance.googleapis.com/v1", "gbp-performance/v1"),
    "publer": ("https://app.publer.com/api/v1", "publer/api/v1"),
    # Cloud storage (docs/storage-contracts.md)
    "google_oauth_authorize": ("https://accounts.google.com/o/oauth2/v2/auth", "google-accounts/o/oauth2/v2/auth"),
    "google_oauth_token": ("https://oauth2.googleapis.com/token", "google-oauth2/token"),
    "google_drive": ("https://www.googleapis.com/drive/v3", "drive/v3"),
    "google_drive_upload": ("https://www.googleapis.com/upload/drive/v3", "upload/drive/v3"),
    "dropbox_authorize": ("https://www.dropbox.com/oauth2/authorize", "dropbox-www/oauth2/authorize"),
    "dropbox_api": ("https://api.dropboxapi.com", "dropbox-api"),
    "dropbox_content": ("https://content.dropboxapi.com", "dropbox-content"),
}


def platform_urls(fake_base: str = "", overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every platform base URL: real hosts, or ``<fake_base>/<prefix>`` when a fake base is given.

    ``overrides`` (e.g. from ``PLATFORM_URL_<KEY>`` environment variables) win over both.
    """
    fake_base = fake_base.rstrip("/")
    urls = {key: (f"{fake_base}/{prefix}" if fake_base else real) for key, (real, prefix) in PLATFORMS.items()}
    urls.update({key: value.rstrip("/") for key, value in (overrides or {}).items() if value})
    return urls
