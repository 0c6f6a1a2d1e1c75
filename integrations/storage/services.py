"""Connecting the agency's storage, keeping its tokens fresh, and shoot folders.

OAuth: ``start`` puts a state and a PKCE verifier in the session and answers the provider's
authorize URL; ``finish`` checks the state, exchanges the code and saves the connection (tokens
encrypted). ``authorized`` runs a provider call with a fresh access token: refreshed ahead of its
expiry, and once more when the provider refuses it; a refused refresh marks the connection
``needs_reconnect`` and raises :class:`NeedsReconnect`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from agency.models import Shoot
from agency.types import Actor, acting_user
from integrations.storage.models import Provider, ShootFolder, StorageConnection
from integrations.storage.providers import Drive, Dropbox, Folder, StorageError, StorageFile, TokenSet, client

SESSION_KEY = "storage_oauth"
REFRESH_AHEAD = timedelta(seconds=60)
T = TypeVar("T")


class NeedsReconnect(StorageError):
    def __init__(self, connection: StorageConnection) -> None:
        super().__init__(
            "needs_reconnect",
            f"The {connection.get_provider_display()} connection needs to be reconnected "
            "(Settings → Integrations → Cloud storage).",
        )


class NotConnected(StorageError):
    def __init__(self, message: str) -> None:
        super().__init__("not_connected", message)


# OAuth -------------------------------------------------------------------------------------------


def start(session: SessionBase, provider: str, redirect_uri: str) -> str:
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session[SESSION_KEY] = {"provider": provider, "state": state, "verifier": verifier, "redirect_uri": redirect_uri}
    return client(provider).authorize_url(state=state, redirect_uri=redirect_uri, challenge=challenge)


def finish(session: SessionBase, provider: str, *, code: str, state: str, actor: Actor) -> StorageConnection:
    pending = session.pop(SESSION_KEY, None)
    if not pending or pending["provider"] != provider or not secrets.compare_digest(pending["state"], state or ""):
        raise StorageError("invalid", "This sign-in link is stale or was not started here: connect again.")
    if not code:
        raise StorageError("invalid", "The provider did not grant access (no code came back).")
    tokens = client(provider).exchange(code, redirect_uri=pending["redirect_uri"], verifier=pending["verifier"])
    if not tokens.refresh_token:
        raise StorageError("invalid", "The provider granted no offline access (no refresh token): connect again.")
    connection = StorageConnection.objects.filter(provider=provider).first() or StorageConnection(provider=provider)
    _store(connection, tokens)
    connection.refresh_token = tokens.refresh_token
    connection.status = StorageConnection.Status.CONNECTED
    connection.last_error = ""
    connection.scope = tokens.scope[:500]
    connection.account_label = (tokens.account or getattr(actor, "email", ""))[:200]
    connection.connected_by = acting_user(actor)
    connection.save()
    return connection


def _store(connection: StorageConnection, tokens: TokenSet) -> None:
    connection.access_token = tokens.access_token
    if tokens.refresh_token:
        connection.refresh_token = tokens.refresh_token
    connection.expires_at = timezone.now() + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None


def disconnect(connection: StorageConnection) -> None:
    """Forget the tokens (shoot folders stay linked: they work again after a reconnect)."""
    connection.delete()


# Fresh tokens ------------------------------------------------------------------------------------


def refresh(connection: StorageConnection) -> None:
    """A new access token from the refresh token; a refused refresh → needs_reconnect."""
    try:
        tokens = client(connection.provider).refresh(connection.refresh_token)
    except StorageError as error:
        if error.kind == "grant":
            _mark_needs_reconnect(connection, error.message)
            raise NeedsReconnect(connection) from error
        raise
    _store(connection, tokens)
    connection.save(update_fields=["access_token_encrypted", "refresh_token_encrypted", "expires_at", "updated_at"])


def _mark_needs_reconnect(connection: StorageConnection, why: str) -> None:
    connection.status = StorageConnection.Status.NEEDS_RECONNECT
    connection.last_error = why[:500]
    connection.save(update_fields=["status", "last_error", "updated_at"])


def authorized(connection: StorageConnection, call: Callable[[str], T]) -> T:
    if connection.status == StorageConnection.Status.NEEDS_RECONNECT:
        raise NeedsReconnect(connection)
    if connection.expires_at and connection.expires_at - REFRESH_AHEAD <= timezone.now():
        refresh(connection)
    try:
        return call(connection.access_token)
    except StorageError as error:
        if error.kind != "auth":
            raise
    refresh(connection)
    try:
        return call(connection.access_token)
    except StorageError as error:
        if error.kind == "auth":  # a brand-new token refused: the grant itself is gone
            _mark_needs_reconnect(connection, error.message)
            raise NeedsReconnect(connection) from error
        raise


# Shoot folders -----------------------------------------------------------------------------------


def connection_for(provider: str = "") -> StorageConnection:
    """The connection to use: the named provider's, else the only one."""
    connections = list(StorageConnection.objects.all())
    if provider:
        if provider not in Provider.values:
            raise StorageError(
                "invalid", f"Unknown storage provider “{provider}”: use one of {', '.join(Provider.values)}."
            )
        found = [c for c in connections if c.provider == provider]
        if not found:
            label = Provider(provider).label
            raise NotConnected(f"{label} is not connected: connect it under Settings → Integrations → Cloud storage.")
        return found[0]
    if not connections:
        raise NotConnected(
            "No cloud storage is connected: connect Google Drive or Dropbox under Settings → Integrations."
        )
    if len(connections) > 1:
        raise StorageError("invalid", "Both Google Drive and Dropbox are connected: say which (provider).")
    return connections[0]


def folder_names(shoot: Shoot) -> list[str]:
    """Root folder / client / "YYYY-MM-DD Client – Title" (the shoot's date in the client's zone)."""
    client_name = _clean(shoot.client.name)
    day = timezone.localtime(shoot.start, shoot.client.tz).date().isoformat()
    return [_clean(settings.STORAGE_ROOT_FOLDER), client_name, _clean(f"{day} {client_name} – {shoot.title}")]


def _clean(name: str) -> str:
    return " ".join(name.replace("/", "-").replace("\\", "-").split())[:200] or "Untitled"


def create_folder(shoot: Shoot, *, actor: Actor, provider: str = "") -> ShootFolder:
    if hasattr(shoot, "storage_folder"):
        raise StorageError("conflict", f"This shoot already has a folder: {shoot.storage_folder.name}.")
    connection = connection_for(provider)
    api = client(connection.provider)
    names = folder_names(shoot)
    folder = authorized(connection, lambda token: api.folder_path(token, names))
    return _save(shoot, connection, folder, actor=actor, created_here=True)


def link_folder(shoot: Shoot, url: str, *, actor: Actor, provider: str = "") -> ShootFolder:
    if hasattr(shoot, "storage_folder"):
        raise StorageError("conflict", f"This shoot already has a folder: {shoot.storage_folder.name}.")
    connections = {c.provider: c for c in StorageConnection.objects.all()}
    guesses = [(p, cls.folder_ref(url)) for p, cls in (("google_drive", Drive), ("dropbox", Dropbox))]
    found = [(p, ref) for p, ref in guesses if ref and (not provider or p == provider)]
    if not found:
        raise StorageError(
            "invalid", "That is not a folder link of Google Drive (…/drive/folders/<id>) or Dropbox (…/home/<path>)."
        )
    kind, ref = found[0]
    if kind not in connections:
        raise NotConnected(f"{Provider(kind).label} is not connected: connect it under Settings → Integrations first.")
    connection = connections[kind]
    api = client(kind)
    folder = authorized(connection, lambda token: api.folder(token, ref))
    return _save(shoot, connection, folder, actor=actor, created_here=False)


def _save(
    shoot: Shoot, connection: StorageConnection, folder: Folder, *, actor: Actor, created_here: bool
) -> ShootFolder:
    with transaction.atomic():
        saved = ShootFolder.objects.create(
            shoot=shoot,
            provider=connection.provider,
            external_id=folder.id,
            path=folder.path,
            name=folder.name,
            web_url=folder.web_url,
            created_here=created_here,
            created_by=acting_user(actor),
        )
        if folder.web_url and not shoot.drive_folder_link:
            Shoot.objects.filter(pk=shoot.pk).update(drive_folder_link=folder.web_url)
    return saved


def list_files(folder: ShootFolder, *, page_token: str = "", page_size: int = 100) -> tuple[list[StorageFile], str]:
    connection = connection_for(folder.provider)
    api = client(folder.provider)
    ref = Folder(folder.external_id, folder.name, path=folder.path)
    return authorized(connection, lambda token: api.list_files(token, ref, page_token, page_size))


def _ref(folder: ShootFolder) -> Folder:
    return Folder(folder.external_id, folder.name, path=folder.path)


def full_listing(folder: ShootFolder) -> tuple[list[StorageFile], str]:
    """Every file of the folder (all pages), and the change-feed cursor taken just before the
    listing (so what changes during it shows in the next ``changes``)."""
    connection = connection_for(folder.provider)
    api = client(folder.provider)
    ref = _ref(folder)
    cursor = authorized(connection, lambda token: api.cursor(token, ref))
    found: list[StorageFile] = []
    page_token = ""
    while True:
        page, page_token = authorized(connection, partial(_list_page, api, ref, page_token))
        found += page
        if not page_token:
            return found, cursor


def _list_page(api: Drive | Dropbox, ref: Folder, page_token: str, token: str) -> tuple[list[StorageFile], str]:
    return api.list_files(token, ref, page_token, 1000)


def _changes_page(api: Drive | Dropbox, ref: Folder, cursor: str, token: str) -> tuple[list[StorageFile], str, bool]:
    return api.changes(token, ref, cursor)


def changes(folder: ShootFolder, cursor: str) -> tuple[list[StorageFile], str]:
    """The folder's files added or changed since ``cursor`` (every page), and the cursor after them.
    ``StorageError("cursor_expired")`` when the provider no longer knows the cursor."""
    connection = connection_for(folder.provider)
    api = client(folder.provider)
    ref = _ref(folder)
    found: list[StorageFile] = []
    more = True
    while more:
        page, cursor, more = authorized(connection, partial(_changes_page, api, ref, cursor))
        found += page
    return found, cursor


def file_metadata(provider: str, file_id: str) -> StorageFile:
    connection = connection_for(provider)
    api = client(provider)
    return authorized(connection, lambda token: api.metadata(token, file_id))
