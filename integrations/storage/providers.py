"""HTTP clients of Google Drive v3 and Dropbox v2 (docs/storage-contracts.md), on the one
outbound shell (``localbzz.net.OutboundHTTP``). Reads (listing, metadata) are retried on
timeouts, 429 and 5xx (Retry-After honoured); a folder create is not (a retry could make two).

Every failure is a :class:`StorageError` whose ``kind`` the services act on: ``auth`` (the access
token is dead: refresh), ``grant`` (the refresh token is dead: reconnect), ``rate_limited``,
``not_found``, ``invalid`` (our request or the person's input), ``unavailable``.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, NoReturn, Protocol
from urllib.parse import quote, unquote, urlencode, urlsplit

import requests
from django.conf import settings

from localbzz.net import OutboundHTTP, outbound_session, retry_policy

logger = logging.getLogger("localbzz.storage")
FOLDER_MIME = "application/vnd.google-apps.folder"
DROPBOX_UPLOAD_MAX = 150 * 1024 * 1024  # one files/upload call; larger needs an upload session
FILE_FIELDS = "id,name,mimeType,size,md5Checksum,modifiedTime,thumbnailLink,webViewLink"


class StorageError(Exception):
    def __init__(self, kind: str, message: str, *, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str = ""
    expires_in: int | None = None
    scope: str = ""
    account: str = ""


@dataclass
class Folder:
    id: str
    name: str
    path: str = ""
    web_url: str = ""


class Readable(Protocol):
    """What an upload reads its bytes from: a binary file, or a wrapper of one."""

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass
class Upload:
    """A file to upload: its name in the folder, a seekable binary stream read from the start
    (streamed, never read whole), its size in bytes and MIME type, and the provider's checksum of
    its content (Drive MD5, Dropbox content_hash: to find it again after a lost answer)."""

    name: str
    stream: Readable
    size: int
    mime: str
    checksum: str = ""


@dataclass
class StorageFile:
    id: str
    name: str
    is_folder: bool
    mime_type: str = ""
    size: int | None = None
    checksum: str = ""  # Drive md5Checksum, Dropbox content_hash
    modified: str = ""
    thumbnail_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _url(key: str) -> str:
    return settings.PLATFORM_URLS[key]


def _http(label: str, *, retries: int) -> OutboundHTTP:
    retry = retry_policy(retries, backoff=0.5, label=label, logger=logger, max_wait=10.0) if retries else None
    return OutboundHTTP(
        label,
        logger=logger,
        timeouts=("PLATFORM_CONNECT_TIMEOUT", "PLATFORM_READ_TIMEOUT"),
        session=outbound_session(retry=retry),
    )


def _send(http: OutboundHTTP, method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        return http.send(method, url, **kwargs)
    except requests.RequestException as exc:
        raise StorageError("unavailable", f"The storage provider could not be reached ({type(exc).__name__}).") from exc


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _oauth_failure(response: requests.Response, provider: str) -> StorageError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error", "") if isinstance(body, dict) else ""
    said = body.get("error_description", "") if isinstance(body, dict) else ""
    if error == "invalid_grant":
        return StorageError(
            "grant", f"{provider} refused the authorization ({said or error}): connect again.", status=400
        )
    if response.status_code >= 500 or response.status_code == 429:
        return StorageError("unavailable", f"{provider} answered {response.status_code}; try again shortly.")
    return StorageError(
        "invalid", f"{provider} refused the token request: {error or response.status_code} {said}".strip()
    )


def _tokens(body: dict[str, Any]) -> TokenSet:
    return TokenSet(
        access_token=str(body.get("access_token", "")),
        refresh_token=str(body.get("refresh_token", "")),
        expires_in=int(body["expires_in"]) if body.get("expires_in") else None,
        scope=str(body.get("scope", "")),
        account=str(body.get("account_id", "")),
    )


class _OAuth:
    """The token grants both providers share (authorization code with PKCE, refresh), and their
    HTTP shells: reads retried with jitter, writes (a folder made) never."""

    http_label = ""

    def __init__(self) -> None:
        self.reads = _http(self.http_label, retries=2)
        self.writes = _http(self.http_label, retries=0)

    def _token(self, form: dict[str, str]) -> TokenSet:
        raise NotImplementedError

    def exchange(self, code: str, *, redirect_uri: str, verifier: str) -> TokenSet:
        return self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})


# Google Drive ------------------------------------------------------------------------------------


class Drive(_OAuth):
    provider = "google_drive"
    label = "Google Drive"
    scope = "https://www.googleapis.com/auth/drive"  # folders made by anyone must be listable
    http_label = "drive"

    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        query = {
            "client_id": settings.GOOGLE_DRIVE_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": self.scope,
            "access_type": "offline",  # a refresh token
            "prompt": "consent",  # … every time, also on a reconnect
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{_url('google_oauth_authorize')}?{urlencode(query)}"

    def _token(self, form: dict[str, str]) -> TokenSet:
        form = {
            **form,
            "client_id": settings.GOOGLE_DRIVE_CLIENT_ID,
            "client_secret": settings.GOOGLE_DRIVE_CLIENT_SECRET,
        }
        response = _send(self.writes, "POST", _url("google_oauth_token"), data=form)
        if response.status_code != 200:
            raise _oauth_failure(response, self.label)
        return _tokens(response.json())

    def _check(self, response: requests.Response) -> dict[str, Any]:
        if response.status_code in (200, 201):
            return response.json()
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        message = error.get("message") or f"HTTP {response.status_code}"
        reason = (error.get("errors") or [{}])[0].get("reason", "")
        status = response.status_code
        if status == 401:
            raise StorageError("auth", "Google Drive refused the access token.", status=status)
        if status == 429 or reason in ("rateLimitExceeded", "userRateLimitExceeded"):
            raise StorageError("rate_limited", "Google Drive is rate limiting us; try again shortly.", status=status,
                               retry_after=_retry_after(response))  # fmt: skip
        if status == 404:
            raise StorageError("not_found", f"Google Drive: {message}", status=status)
        if status == 410 or (status == 400 and (error.get("errors") or [{}])[0].get("location") == "pageToken"):
            raise StorageError("cursor_expired", "Google Drive no longer knows where the last import stopped.",
                               status=status)  # fmt: skip
        if status >= 500:
            raise StorageError("unavailable", f"Google Drive answered {status}; try again shortly.", status=status)
        raise StorageError("invalid", f"Google Drive refused the request: {message}", status=status)

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def account(self, token: str) -> str:
        return ""  # the Drive scope alone does not name the account; the connection shows who connected

    def find_or_create_folder(self, token: str, name: str, parent: str) -> Folder:
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        q = f"name = '{escaped}' and '{parent}' in parents and mimeType = '{FOLDER_MIME}' and trashed = false"
        params = {"q": q, "pageSize": "1", "fields": "files(id,name,webViewLink)"}
        found = self._check(
            _send(self.reads, "GET", f"{_url('google_drive')}/files", params=params, headers=self._auth(token))
        )
        if found.get("files"):
            item = found["files"][0]
        else:
            body = {"name": name, "mimeType": FOLDER_MIME, "parents": [parent]}
            response = _send(self.writes, "POST", f"{_url('google_drive')}/files", json=body,
                             params={"fields": "id,name,webViewLink"}, headers=self._auth(token))  # fmt: skip
            item = self._check(response)
        return Folder(item["id"], item["name"], web_url=item.get("webViewLink", ""))

    def folder_path(self, token: str, names: list[str]) -> Folder:
        parent = Folder("root", "")
        for name in names:
            parent = self.find_or_create_folder(token, name, parent.id)
        return parent

    @staticmethod
    def folder_ref(url: str) -> str:
        """The folder id of a Drive folder URL (``…/drive/folders/<id>``, ``…/drive/u/0/folders/<id>``,
        ``…open?id=<id>``), or "" when the URL is not one."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            return ""
        match = re.search(r"/folders/([\w-]{10,})", parts.path) or re.search(r"(?:^|&)id=([\w-]{10,})", parts.query)
        return match.group(1) if match else ""

    def folder(self, token: str, ref: str) -> Folder:
        params = {"fields": "id,name,mimeType,webViewLink,trashed"}
        item = self._check(_send(self.reads, "GET", f"{_url('google_drive')}/files/{quote(ref)}", params=params,
                                 headers=self._auth(token)))  # fmt: skip
        if item.get("mimeType") != FOLDER_MIME or item.get("trashed"):
            raise StorageError("invalid", f"“{item.get('name', ref)}” is a file, not a folder: link a folder.")
        return Folder(item["id"], item["name"], web_url=item.get("webViewLink", ""))

    def _file(self, f: dict[str, Any]) -> StorageFile:
        return StorageFile(
            id=f["id"],
            name=f["name"],
            is_folder=f.get("mimeType") == FOLDER_MIME,
            mime_type=f.get("mimeType", ""),
            size=int(f["size"]) if f.get("size") else None,
            checksum=f.get("md5Checksum", ""),
            modified=f.get("modifiedTime", ""),
            thumbnail_url=f.get("thumbnailLink", ""),
            extra={"parents": f.get("parents", []), "trashed": bool(f.get("trashed"))},
        )

    def metadata(self, token: str, file_id: str) -> StorageFile:
        params = {"fields": FILE_FIELDS + ",parents,trashed"}
        item = self._check(_send(self.reads, "GET", f"{_url('google_drive')}/files/{quote(file_id)}", params=params,
                                 headers=self._auth(token)))  # fmt: skip
        if item.get("trashed"):
            raise StorageError("not_found", f"Google Drive: “{item.get('name', file_id)}” is in the trash.")
        return self._file(item)

    def cursor(self, token: str, folder: Folder) -> str:
        """Where the change feed stands now (``changes.getStartPageToken``): taken before a full
        listing, so what changes during it shows in the next ``changes``."""
        url = f"{_url('google_drive')}/changes/startPageToken"
        return str(self._check(_send(self.reads, "GET", url, headers=self._auth(token)))["startPageToken"])

    def changes(self, token: str, folder: Folder, cursor: str) -> tuple[list[StorageFile], str, bool]:
        """One page of the Drive-wide change feed, narrowed to files now in ``folder``: (files,
        the next cursor, whether more pages follow). ``cursor_expired`` when Drive refuses it."""
        params = {"pageToken": cursor, "pageSize": "1000", "fields": "nextPageToken,newStartPageToken,"
                  f"changes(fileId,removed,file({FILE_FIELDS},parents,trashed))"}  # fmt: skip
        body = self._check(
            _send(self.reads, "GET", f"{_url('google_drive')}/changes", params=params, headers=self._auth(token))
        )
        files = [
            self._file(c["file"])
            for c in body.get("changes", [])
            if not c.get("removed") and c.get("file") and folder.id in c["file"].get("parents", [])
            and not c["file"].get("trashed")
        ]  # fmt: skip
        if body.get("nextPageToken"):
            return files, body["nextPageToken"], True
        return files, body.get("newStartPageToken", cursor), False

    def list_files(
        self, token: str, folder: Folder, page_token: str = "", page_size: int = 100
    ) -> tuple[list[StorageFile], str]:
        params = {
            "q": f"'{folder.id}' in parents and trashed = false",
            "pageSize": str(page_size),
            "orderBy": "folder,name",
            "fields": f"nextPageToken,files({FILE_FIELDS})",
        }
        if page_token:
            params["pageToken"] = page_token
        body = self._check(
            _send(self.reads, "GET", f"{_url('google_drive')}/files", params=params, headers=self._auth(token))
        )
        return [self._file(f) for f in body.get("files", [])], body.get("nextPageToken", "")

    def open(self, token: str, file: StorageFile, byte_range: str = "") -> requests.Response:
        """The file's bytes as a streamed answer (200, or 206 for ``byte_range``): the caller closes it."""
        url = f"{_url('google_drive')}/files/{quote(file.id)}"
        headers = {**self._auth(token), **({"Range": byte_range} if byte_range else {})}
        response = _send(self.reads, "GET", url, params={"alt": "media"}, headers=headers, stream=True)
        if response.status_code not in (200, 206, 416):
            self._check(response)
        return response

    def download(
        self, token: str, file: StorageFile, out: IO[bytes], progress: Callable[[], None] | None = None
    ) -> None:
        _copy(self.open(token, file), out, progress)

    def upload(self, token: str, folder: Folder, upload: Upload) -> StorageFile:
        """A new file ``upload.name`` in ``folder``: a resumable session (``POST
        /upload/drive/v3/files?uploadType=resumable`` with the metadata), then the bytes streamed
        from ``upload.stream`` in one ``PUT`` to the session URI. Never retried here (a write); an
        unknown outcome of the PUT is ``StorageError("unknown_outcome")``: the caller looks the file
        up (``find``) before saying it failed."""
        meta = {"name": upload.name, "parents": [folder.id], "mimeType": upload.mime}
        headers = {**self._auth(token), "X-Upload-Content-Type": upload.mime,
                   "X-Upload-Content-Length": str(upload.size)}  # fmt: skip
        started = _send(self.writes, "POST", f"{_url('google_drive_upload')}/files", json=meta, headers=headers,
                        params={"uploadType": "resumable", "fields": FILE_FIELDS + ",parents"})  # fmt: skip
        if started.status_code != 200 or not started.headers.get("Location"):
            self._check(started)
            raise StorageError("unavailable", "Google Drive did not open an upload session.")
        upload.stream.seek(0)
        answer = _send_write(self.writes, "PUT", started.headers["Location"], data=upload.stream,
                             headers={"Content-Length": str(upload.size), "Content-Type": upload.mime})  # fmt: skip
        return self._file(self._check(answer))

    def find(self, token: str, folder: Folder, name: str, size: int, checksum: str) -> StorageFile | None:
        """A file of ``folder`` named ``name`` with this size and MD5 (what an upload whose answer
        was lost would have made), or None."""
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        params = {"q": f"name = '{escaped}' and '{folder.id}' in parents and trashed = false", "pageSize": "100",
                  "fields": f"files({FILE_FIELDS},parents)"}  # fmt: skip
        body = self._check(
            _send(self.reads, "GET", f"{_url('google_drive')}/files", params=params, headers=self._auth(token))
        )
        found = [self._file(f) for f in body.get("files", [])]
        return next((f for f in found if f.size == size and f.checksum == checksum), None)


# Dropbox -----------------------------------------------------------------------------------------


class Dropbox(_OAuth):
    provider = "dropbox"
    label = "Dropbox"
    http_label = "dropbox"

    def authorize_url(self, *, state: str, redirect_uri: str, challenge: str) -> str:
        query = {
            "client_id": settings.DROPBOX_APP_KEY,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "token_access_type": "offline",  # a refresh token
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
        return f"{_url('dropbox_authorize')}?{urlencode(query)}"

    def _token(self, form: dict[str, str]) -> TokenSet:
        form = {**form, "client_id": settings.DROPBOX_APP_KEY}  # PKCE: no app secret
        response = _send(self.writes, "POST", f"{_url('dropbox_api')}/oauth2/token", data=form)
        if response.status_code != 200:
            raise _oauth_failure(response, self.label)
        return _tokens(response.json())

    def _call(self, token: str, endpoint: str, body: dict[str, Any], *, write: bool = False) -> dict[str, Any]:
        http = self.writes if write else self.reads
        response = _send(http, "POST", f"{_url('dropbox_api')}/2/{endpoint}", json=body,
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        if response.status_code == 200:
            return response.json()
        self._raise(response)

    def _raise(self, response: requests.Response) -> NoReturn:
        status = response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        summary = str(answer.get("error_summary", "")) if isinstance(answer, dict) else ""
        if status == 401:
            raise StorageError(
                "auth", f"Dropbox refused the access token ({summary.split('/')[0] or 'unauthorized'}).", status=status
            )
        if status == 429:
            raise StorageError("rate_limited", "Dropbox is rate limiting us; try again shortly.", status=status,
                               retry_after=_retry_after(response))  # fmt: skip
        if status == 409 and summary.startswith("reset"):
            raise StorageError("cursor_expired", "Dropbox no longer knows where the last import stopped.",
                               status=status)  # fmt: skip
        if status == 409 and "not_found" in summary:
            raise StorageError("not_found", "Dropbox: no such folder or file (moved or deleted?).", status=status)
        if status == 409:
            raise StorageError("conflict" if "conflict" in summary else "invalid", f"Dropbox: {summary}", status=status)
        if status >= 500:
            raise StorageError("unavailable", f"Dropbox answered {status}; try again shortly.", status=status)
        raise StorageError("invalid", f"Dropbox refused the request: {response.text[:200]}", status=status)

    def account(self, token: str) -> str:
        return ""

    def _folder(self, meta: dict[str, Any]) -> Folder:
        path = meta.get("path_display", "")
        return Folder(meta["id"], meta["name"], path=path, web_url=f"https://www.dropbox.com/home{quote(path)}")

    def folder_path(self, token: str, names: list[str]) -> Folder:
        path = "/" + "/".join(name.replace("/", "-") for name in names)
        try:
            meta = self._call(token, "files/create_folder_v2", {"path": path, "autorename": False}, write=True)[
                "metadata"
            ]
        except StorageError as error:
            if error.kind != "conflict":
                raise
            meta = self._call(token, "files/get_metadata", {"path": path})
        return self._folder(meta)

    @staticmethod
    def folder_ref(url: str) -> str:
        """The path of a Dropbox web URL (``https://www.dropbox.com/home/A/B``), or ""."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc.endswith("dropbox.com"):
            return ""
        match = re.match(r"^/home(/.+)$", unquote(parts.path))
        return match.group(1).rstrip("/") if match else ""

    def folder(self, token: str, ref: str) -> Folder:
        meta = self._call(token, "files/get_metadata", {"path": ref})
        if meta.get(".tag") != "folder":
            raise StorageError("invalid", f"“{meta.get('name', ref)}” is a file, not a folder: link a folder.")
        return self._folder(meta)

    @staticmethod
    def _file(e: dict[str, Any]) -> StorageFile:
        return StorageFile(
            id=e["id"],
            name=e["name"],
            is_folder=e[".tag"] == "folder",
            mime_type=mimetypes.guess_type(e["name"])[0] or "" if e[".tag"] == "file" else "",
            size=e.get("size"),
            checksum=e.get("content_hash", ""),
            modified=e.get("server_modified", ""),
            extra={"path": e.get("path_display", "")},
        )

    def _page(self, token: str, folder: Folder, page_token: str, page_size: int) -> dict[str, Any]:
        if page_token:
            return self._call(token, "files/list_folder/continue", {"cursor": page_token})
        return self._call(token, "files/list_folder", {"path": folder.id, "limit": page_size})

    def list_files(
        self, token: str, folder: Folder, page_token: str = "", page_size: int = 100
    ) -> tuple[list[StorageFile], str]:
        body = self._page(token, folder, page_token, page_size)
        files = [self._file(e) for e in body.get("entries", []) if e.get(".tag") in ("file", "folder")]
        files.sort(key=lambda f: (not f.is_folder, f.name.lower()))
        return files, body["cursor"] if body.get("has_more") else ""

    def metadata(self, token: str, file_id: str) -> StorageFile:
        meta = self._call(token, "files/get_metadata", {"path": file_id})
        if meta.get(".tag") != "file":
            raise StorageError("invalid", f"“{meta.get('name', file_id)}” is a folder, not a file.")
        return self._file(meta)

    def cursor(self, token: str, folder: Folder) -> str:
        """A cursor for what changes in ``folder`` from now (``list_folder/get_latest_cursor``)."""
        return str(self._call(token, "files/list_folder/get_latest_cursor", {"path": folder.id})["cursor"])

    def changes(self, token: str, folder: Folder, cursor: str) -> tuple[list[StorageFile], str, bool]:
        """What changed in ``folder`` since ``cursor`` (``list_folder/continue``): (files added or
        changed, the next cursor, whether more pages follow); ``cursor_expired`` on a ``reset``."""
        body = self._call(token, "files/list_folder/continue", {"cursor": cursor})
        files = [self._file(e) for e in body.get("entries", []) if e.get(".tag") == "file"]
        return files, body["cursor"], bool(body.get("has_more"))

    def open(self, token: str, file: StorageFile, byte_range: str = "") -> requests.Response:
        """The file's bytes as a streamed answer (200, or 206 for ``byte_range``): the caller closes it."""
        headers = {"Authorization": f"Bearer {token}", "Dropbox-API-Arg": json.dumps({"path": file.id})}
        if byte_range:
            headers["Range"] = byte_range
        url = f"{_url('dropbox_content')}/2/files/download"
        response = _send(self.reads, "POST", url, headers=headers, stream=True)
        if response.status_code not in (200, 206, 416):
            self._raise(response)
        return response

    def download(
        self, token: str, file: StorageFile, out: IO[bytes], progress: Callable[[], None] | None = None
    ) -> None:
        _copy(self.open(token, file), out, progress)

    def upload(self, token: str, folder: Folder, upload: Upload) -> StorageFile:
        """``files/upload`` on the content host: the bytes streamed from ``upload.stream`` as the
        body, ``{path, mode: add, autorename: true}`` in ``Dropbox-API-Arg`` (a taken name becomes
        "name (1).ext", never an overwrite). Up to ``DROPBOX_UPLOAD_MAX`` (150 MiB; larger needs an
        upload session). Never retried; an unknown outcome is ``StorageError("unknown_outcome")``."""
        if upload.size > DROPBOX_UPLOAD_MAX:
            raise StorageError("invalid", f"“{upload.name}” is over 150 MB, more than one Dropbox upload takes.")
        arg = {"path": f"{folder.path.rstrip('/')}/{upload.name}", "mode": "add", "autorename": True, "mute": True}
        headers = {"Authorization": f"Bearer {token}", "Dropbox-API-Arg": _header_json(arg),
                   "Content-Type": "application/octet-stream", "Content-Length": str(upload.size)}  # fmt: skip
        upload.stream.seek(0)
        answer = _send_write(self.writes, "POST", f"{_url('dropbox_content')}/2/files/upload", data=upload.stream,
                             headers=headers)  # fmt: skip
        if answer.status_code != 200:
            self._raise(answer)
        return self._file({**answer.json(), ".tag": "file"})

    def find(self, token: str, folder: Folder, name: str, size: int, checksum: str) -> StorageFile | None:
        """A file of ``folder`` with this size and content hash named ``name`` or its autorenamed
        "name (n).ext" (what an upload whose answer was lost would have made), or None."""
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        pattern = re.compile(rf"{re.escape(stem)}( \(\d+\))?{re.escape(dot + ext)}", re.IGNORECASE)
        page_token = ""
        while True:
            files, page_token = self.list_files(token, folder, page_token, 2000)
            for f in files:
                if not f.is_folder and f.size == size and f.checksum == checksum and pattern.fullmatch(f.name):
                    return f
            if not page_token:
                return None


def _header_json(value: dict[str, Any]) -> str:
    """JSON for an HTTP header: Dropbox wants non-ASCII escaped (\\uXXXX) in Dropbox-API-Arg."""
    return json.dumps(value, ensure_ascii=True)


def _send_write(http: OutboundHTTP, method: str, url: str, **kwargs: Any) -> requests.Response:
    """A write whose outcome may be unknown: a timeout or a broken connection after the bytes
    went out is ``unknown_outcome`` (the provider may have stored it), not ``unavailable``."""
    try:
        return http.send(method, url, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise StorageError("unknown_outcome", f"The upload got no answer ({type(exc).__name__}).") from exc
    except requests.RequestException as exc:
        raise StorageError("unavailable", f"The storage provider could not be reached ({type(exc).__name__}).") from exc


def _copy(response: requests.Response, out: IO[bytes], progress: Callable[[], None] | None = None) -> None:
    """The answer's bytes into ``out``; ``progress`` is called after every MiB (a heartbeat)."""
    try:
        for chunk in response.iter_content(1024 * 1024):
            out.write(chunk)
            if progress is not None:
                progress()
    except requests.RequestException as exc:
        raise StorageError("unavailable", f"The download broke off ({type(exc).__name__}).") from exc
    finally:
        response.close()


PROVIDERS: dict[str, type[Drive] | type[Dropbox]] = {"google_drive": Drive, "dropbox": Dropbox}


def client(provider: str) -> Drive | Dropbox:
    return PROVIDERS[provider]()
