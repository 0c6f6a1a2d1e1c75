"""The static files storage outside DEBUG: whitenoise's compressed manifest storage, each file's URL
worked out once per process.

``{% static %}`` runs several times on every page (stylesheet, scripts, icon), and each call looked
the name up in the manifest, cleaned and quoted it again: about a tenth of a kept page's CPU. The
manifest is read when the process starts and does not change while it runs (a deploy restarts it).
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:  # a name missing from the manifest raises, and is not kept
            url = self._urls[name] = super().url(name)
        return url
