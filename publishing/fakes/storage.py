"""Fake cloud storage: Google Drive API v3 and Dropbox API v2, with their OAuth 2 endpoints.

Faithful to docs/storage-contracts.md. Both keep files in memory (bytes and metadata) and a
change log (every create or delete gets a sequence number) that Drive's ``changes`` and Dropbox's
``list_folder/continue`` read from.

Drive (scope ``google_drive``): ``files.list`` with ``q``/``pageSize``/``pageToken``/``fields``,
``files.get`` (metadata, or ``alt=media`` bytes with ``Range``), ``files.create`` of a folder,
``changes.getStartPageToken`` and ``changes.list``, resumable uploads (``POST
/upload/drive/v3/files?uploadType=resumable`` then ``PUT`` the bytes to the session URI); OAuth at
``/google-accounts/…`` (authorize) and ``/google-oauth2/token`` (code and refresh_token grants;
access tokens live ``google_drive.token_ttl`` seconds). Errors: ``{"error": {"code", "message", "errors": [{"domain",
"reason", …}], "status"}}``.

Dropbox (scope ``dropbox``): ``/2/files/list_folder`` and ``/continue`` (cursor, ``has_more``),
``create_folder_v2``, ``get_metadata``, and ``/2/files/download`` on the content host with
``Dropbox-API-Arg`` and ``Range``, ``/2/files/upload`` there too; OAuth 2 with PKCE at
``/dropbox-www/oauth2/authorize`` and ``/dropbox-api/oauth2/token``.
Errors: 401/409/429 ``{"error_summary", "error": {".tag": …}}``, 400
as plain text.

Faults (``fake.fail(scope, kind, operation)``): the generic ``rate_limit``, ``token_expired``,
``http_500``, ``hang``; and ``invalid_grant`` on ``token`` (the refresh token was revoked) and
``deleted`` on ``download`` (the file is deleted just before its download: 404/409), and
``cursor_expired`` (Drive ``changes``: 400 invalid pageToken; Dropbox ``list``, on
``list_folder/continue`` only: 409 ``reset``). ``storage.download_seconds`` (config) slows every
download by that much (a worker can be killed mid-import).

Seeding: ``drive_put``/``dropbox_put`` in process, or ``POST /_fake/storage/{drive|dropbox}/files``
(JSON ``{"parent"|"path", "name", "count", "size"}``: pictures drawn by the kit) over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from typing import Any

from localbzz.fakekit import Reply, Request, Response, picture, route
from publishing.fakes.core import FakePlatforms, iso_z
from publishing.fakes.meta import authorize_redirect

FOLDER = "application/vnd.google-apps.folder"
DRIVE = r"^/drive/v3"
DROPBOX = r"^/dropbox-api/2"
CONTENT = r"^/dropbox-content/2"
DRIVE_DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
DROPBOX_BLOCK = 4 * 1024 * 1024


def install(fake: FakePlatforms) -> None:
    fake.errors["google_drive"] = drive_error_for
    fake.errors["dropbox"] = dropbox_error_for
    fake.config.setdefault("google_drive.token_ttl", 3599)
    fake.config.setdefault("dropbox.token_ttl", 14400)
    fake.config.setdefault("storage.download_seconds", 0.0)
    fake.DEFAULT_CONFIG = {**fake.DEFAULT_CONFIG, "google_drive.token_ttl": 3599, "dropbox.token_ttl": 14400,  # type: ignore[misc]  # this fake's own defaults, kept by a reset
                           "storage.download_seconds": 0.0}  # fmt: skip
    _install_drive(fake)
    _install_dropbox(fake)


# Shared ------------------------------------------------------------------------------------------


def _space(fake: FakePlatforms, scope: str) -> dict[str, Any]:
    space = fake.objects(scope)
    space.setdefault("files", {})  # id -> metadata (+ "_data" bytes)
    space.setdefault("changes", [])  # [(seq, file id, removed)]
    space.setdefault("refresh", {})  # refresh token -> client_id
    return space


def _change(fake: FakePlatforms, scope: str, file_id: str, removed: bool) -> None:
    changes = _space(fake, scope)["changes"]
    changes.append((len(changes) + 1, file_id, removed, time.time()))


def _token_ok(fake: FakePlatforms, token: str, scope: str) -> str:
    """ "ok", "expired" or "unknown": the kit's token table plus the token's own lifetime."""
    state = fake.token_state(token, scope)
    known = fake.tokens.get(token)
    if state == "ok" and known and known.extra.get("expires_at", float("inf")) < time.time():
        return "expired"
    return state


def _issue(fake: FakePlatforms, scope: str, client_id: str, *, with_refresh: bool) -> dict[str, Any]:
    access = f"{scope[:3]}-at-{secrets.token_urlsafe(18)}"
    ttl = int(fake.config[f"{scope}.token_ttl"])
    fake.register_token(access, scope, expires_at=time.time() + ttl)
    answer: dict[str, Any] = {"access_token": access, "expires_in": ttl}
    if with_refresh:
        refresh = f"{scope[:3]}-rt-{secrets.token_urlsafe(24)}"
        _space(fake, scope)["refresh"][refresh] = client_id
        answer["refresh_token"] = refresh
    return answer


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response(status, {"error": error, "error_description": description})


def _token_grant(fake: FakePlatforms, request: Request, scope: str, *, secret_needed: bool) -> dict[str, Any]:
    """Both providers' token endpoint: ``authorization_code`` (PKCE verifier checked when the
    authorize call had a challenge) and ``refresh_token``. Raises ``Reply`` with an OAuth error."""
    form = request.form()
    client_id = form.get("client_id", "")
    if not client_id:
        raise Reply(_oauth_error("invalid_client", "client_id is required"))
    if secret_needed and not form.get("client_secret"):
        raise Reply(_oauth_error("invalid_client", "The OAuth client was not found.", 401))
    grant = form.get("grant_type", "")
    if grant == "authorization_code":
        code = fake.codes.pop(form.get("code", ""), None)
        if not code or code["client_id"] != client_id:
            raise Reply(_oauth_error("invalid_grant", "code doesn't exist or has expired"))
        if code["redirect_uri"] != form.get("redirect_uri", ""):
            raise Reply(_oauth_error("invalid_grant", "redirect_uri mismatch"))
        if code["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != code["challenge"]:
                raise Reply(_oauth_error("invalid_grant", "invalid code verifier"))
        offline = code.get("offline", True)
        answer = _issue(fake, scope, client_id, with_refresh=offline)
        answer["scope"] = code["scope"]
        return answer
    if grant == "refresh_token":
        revoked = fake.take_fault("token", scope=scope, kinds={"invalid_grant"})
        refresh = form.get("refresh_token", "")
        owner = _space(fake, scope)["refresh"].get(refresh)
        if revoked:
            _space(fake, scope)["refresh"].pop(refresh, None)
        if revoked or owner is None or owner != client_id:
            raise Reply(_oauth_error("invalid_grant", "Token has been expired or revoked."))
        return _issue(fake, scope, client_id, with_refresh=False)
    raise Reply(_oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}"))


def _authorize(fake: FakePlatforms, request: Request, offline: bool) -> Response:
    response = authorize_redirect(fake, request)
    location = response.headers.get("Location", "")
    code = re.search(r"[?&]code=([^&]+)", location)
    if code and code.group(1) in fake.codes:
        fake.codes[code.group(1)]["offline"] = offline
    return response


def _ranged(data: bytes, range_header: str) -> tuple[int, bytes, dict[str, str]]:
    """200 with everything, or 206 with the ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` slice,
    or 416 when the range starts past the end."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip()) if range_header else None
    total = len(data)
    if not match or (not match.group(1) and not match.group(2)):
        return 200, data, {"Accept-Ranges": "bytes"}
    if match.group(1):
        start = int(match.group(1))
        end = min(int(match.group(2)), total - 1) if match.group(2) else total - 1
    else:
        start, end = max(0, total - int(match.group(2))), total - 1
    if start >= total or start > end:
        return 416, b"", {"Content-Range": f"bytes */{total}"}
    return 206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{total}", "Accept-Ranges": "bytes"}


# Google Drive ------------------------------------------------------------------------------------


def drive_error(code: int, reason: str, message: str, status: str = "", location: str = "") -> Response:
    item: dict[str, Any] = {"domain": "global", "reason": reason, "message": message}
    if location:
        item.update(locationType="parameter", location=location)
    body: dict[str, Any] = {"code": code, "message": message, "errors": [item]}
    if status:
        body["status"] = status
    return Response(code, {"error": body})


def drive_error_for(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "rate_limit":
        response = drive_error(429, "rateLimitExceeded", "Rate Limit Exceeded", "RESOURCE_EXHAUSTED")
        response.headers["Retry-After"] = str(params.get("retry_after", 1))
        return response
    if kind == "token_expired":
        return _drive_unauthenticated()
    if kind == "http_500":
        return drive_error(503, "backendError", "Backend Error", "UNAVAILABLE")
    return drive_error(int(params.get("status", 400)), "badRequest", params.get("message", "Bad Request"))


def _drive_unauthenticated() -> Response:
    response = drive_error(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
        "other valid authentication credential.",
        "UNAUTHENTICATED",
    )
    response.body["error"]["errors"][0].update(locationType="header", location="Authorization")
    response.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    return response


def drive_put(
    fake: FakePlatforms, name: str, data: bytes = b"", *, parent: str = "root", mime: str = "", folder: bool = False
) -> dict[str, Any]:
    """A file (or folder) in the fake Drive, as if someone uploaded it in the Drive web app."""
    with fake.lock:
        file_id = "1" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
        item: dict[str, Any] = {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": FOLDER if folder else (mime or _guess_mime(name)),
            "parents": [parent],
            "trashed": False,
            "createdTime": iso_z(time.time()),
            "modifiedTime": iso_z(time.time()),
            "webViewLink": f"https://drive.google.com/{'drive/folders' if folder else 'file/d'}/{file_id}",
        }
        if not folder:
            item.update(size=str(len(data)), md5Checksum=hashlib.md5(data).hexdigest(), _data=data)  # noqa: S324 - Drive's checksum
        _space(fake, "google_drive")["files"][file_id] = item
        _change(fake, "google_drive", file_id, False)
        return item


def _guess_mime(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "mp4": "video/mp4",
        "mov": "video/quicktime",
    }.get(ext, "application/octet-stream")


def _drive_view(item: dict[str, Any], fields: list[str] | None, base_url: str) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if not k.startswith("_")}
    if item["mimeType"].startswith("image/"):
        shown["thumbnailLink"] = f"{base_url}/_fake/storage/thumb/{item['id']}"
    if fields is None:
        return {k: shown[k] for k in DRIVE_DEFAULT_FIELDS}
    if "*" in fields:
        return shown
    return {k: shown[k] for k in fields if k in shown}


def _parse_fields(raw: str) -> tuple[list[str] | None, list[str] | None]:
    """``fields`` of a list call → (top-level names, names inside files(...)); None = the default."""
    if not raw:
        return None, None
    inner = re.search(r"files\(([^)]*)\)", raw)
    top = [f.strip() for f in re.sub(r"files\([^)]*\)", "files", raw).split(",") if f.strip()]
    files = (
        [f.strip() for f in inner.group(1).split(",")] if inner else (["*"] if "files" in top or "*" in top else None)
    )
    return top, files


_CLAUSE = re.compile(
    r"^(?:'(?P<parent>[^']+)' in parents|trashed\s*=\s*(?P<trashed>true|false)"
    r"|mimeType\s*(?P<mop>!?=)\s*'(?P<mime>[^']+)'|name\s*=\s*'(?P<name>(?:[^'\\]|\\.)*)')$"
)


def _drive_query(q: str) -> list[Any]:
    """The subset of Drive's query language the app uses: clauses joined by ``and``."""
    tests: list[Any] = []
    for clause in [c.strip() for c in re.split(r"\s+and\s+", q.strip()) if c.strip()] if q else []:
        m = _CLAUSE.match(clause)
        if not m:
            raise Reply(drive_error(400, "invalid", "Invalid Value", location="q"))
        if m["parent"]:
            tests.append(lambda f, p=m["parent"]: p in f["parents"])
        elif m["trashed"]:
            tests.append(lambda f, t=m["trashed"] == "true": f["trashed"] is t)
        elif m["mime"]:
            tests.append(lambda f, v=m["mime"], eq=m["mop"] == "=": (f["mimeType"] == v) is eq)
        else:
            tests.append(lambda f, v=m["name"].replace("\\'", "'"): f["name"] == v)
    return tests


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _page_offset(token: str, location: str = "pageToken") -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o:"))
    except ValueError:
        raise Reply(drive_error(400, "invalid", "Invalid Value", location=location)) from None


def _install_drive(fake: FakePlatforms) -> None:
    def auth(request: Request) -> None:
        if _token_ok(fake, request.token(), "google_drive") != "ok":
            raise Reply(_drive_unauthenticated())

    def files() -> dict[str, dict[str, Any]]:
        return _space(fake, "google_drive")["files"]

    def find(file_id: str) -> dict[str, Any]:
        item = files().get(file_id)
        if not item or item["trashed"]:
            raise Reply(drive_error(404, "notFound", f"File not found: {file_id}.", location="fileId"))
        return item

    @route(fake, "GET", r"^/google-accounts/o/oauth2/v2/auth$", "authorize", scope="google_drive")
    def authorize(fake: FakePlatforms, request: Request, match) -> Response:
        if request.arg("response_type") != "code" or not request.arg("scope"):
            return Response(400, "<p>Error 400: invalid_request (response_type=code and scope are required)</p>")
        return _authorize(fake, request, offline=request.arg("access_type") == "offline")

    @route(fake, "POST", r"^/google-oauth2/token$", "token", scope="google_drive")
    def token(fake: FakePlatforms, request: Request, match) -> Response:
        answer = _token_grant(fake, request, "google_drive", secret_needed=True)
        return Response(200, {**answer, "token_type": "Bearer"})

    @route(fake, "GET", DRIVE + r"/files$", "list", scope="google_drive")
    def list_files(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        try:
            size = int(request.arg("pageSize", "100"))
        except ValueError:
            size = 0
        if not 1 <= size <= 1000:
            return drive_error(400, "invalid", "Invalid Value", location="pageSize")
        tests = _drive_query(request.arg("q"))
        if request.arg("orderBy") not in ("", "name", "folder,name", "modifiedTime", "createdTime"):
            return drive_error(400, "invalid", "Invalid Value", location="orderBy")
        order = request.arg("orderBy") or "name"
        chosen = [f for f in files().values() if all(t(f) for t in tests)]
        if order == "folder,name":
            chosen.sort(key=lambda f: (f["mimeType"] != FOLDER, f["name"], f["id"]))
        else:
            chosen.sort(key=lambda f: (f.get(order.split(",")[0], ""), f["id"]))
        offset = _page_offset(request.arg("pageToken")) if request.arg("pageToken") else 0
        chunk = chosen[offset : offset + size]
        top, inner = _parse_fields(request.arg("fields"))
        body: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [_drive_view(f, inner, request.base_url) for f in chunk],
        }
        if offset + size < len(chosen):
            body["nextPageToken"] = _page_token(offset + size)
        if top is not None and "*" not in top:
            body = {k: v for k, v in body.items() if k in top}
        return Response(200, body)

    @route(fake, "GET", DRIVE + r"/files/(?P<id>[\w-]+)$", "get", scope="google_drive")
    def get_file(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        item = find(match["id"])
        if request.arg("alt") != "media":
            fields = [f.strip() for f in request.arg("fields").split(",") if f.strip()] or None
            return Response(200, _drive_view(item, fields, request.base_url))
        if fake.take_fault("download", scope="google_drive", kinds={"deleted"}):
            item["trashed"] = True
            files().pop(item["id"], None)
            _change(fake, "google_drive", item["id"], True)
            return drive_error(404, "notFound", f"File not found: {item['id']}.", location="fileId")
        fault = fake.take_fault("download", scope="google_drive", kinds={"rate_limit", "token_expired", "http_500"})
        if fault:
            return drive_error_for(fake, fault.kind, fault.params)
        if item["mimeType"] == FOLDER:
            return drive_error(403, "fileNotDownloadable", "Only files with binary content can be downloaded.")
        fake.wait(float(fake.config["storage.download_seconds"]))
        with fake.lock:
            fake.counts["download"] = fake.counts.get("download", 0) + 1
        status, data, headers = _ranged(item["_data"], request.headers.get("Range", ""))
        return Response(status, data, {"Content-Type": item["mimeType"], **headers})

    @route(fake, "POST", DRIVE + r"/files$", "create", scope="google_drive")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = request.json()
        if not isinstance(body, dict) or not body.get("name"):
            return drive_error(400, "required", "Required parameter: name", location="name")
        if body.get("mimeType") != FOLDER:
            return drive_error(400, "badRequest", "This fake creates folders only (metadata-only create).")
        parents = body.get("parents") or ["root"]
        if len(parents) != 1:
            return drive_error(403, "cannotAddParent", "Increasing the number of parents is not allowed.")
        if parents[0] != "root":
            parent = find(parents[0])
            if parent["mimeType"] != FOLDER:
                return drive_error(400, "invalidParent", "The parent is not a folder.")
        item = drive_put(fake, str(body["name"]), parent=parents[0], folder=True)
        fields = [f.strip() for f in request.arg("fields").split(",") if f.strip()] or None
        return Response(200, _drive_view(item, fields, request.base_url))

    @route(fake, "POST", r"^/upload/drive/v3/files$", "upload", scope="google_drive")
    def upload_start(fake: FakePlatforms, request: Request, match) -> Response:
        """``files.create`` with ``uploadType=resumable``: the metadata now, the bytes in a PUT to
        the session URI answered in ``Location``."""
        auth(request)
        if request.arg("uploadType") != "resumable":
            return drive_error(400, "badRequest", "This fake takes uploadType=resumable only.", location="uploadType")
        body = request.json()
        if not isinstance(body, dict) or not body.get("name"):
            return drive_error(400, "required", "Required parameter: name", location="name")
        parents = body.get("parents") or ["root"]
        if len(parents) != 1:
            return drive_error(403, "cannotAddParent", "Increasing the number of parents is not allowed.")
        if parents[0] != "root" and find(parents[0])["mimeType"] != FOLDER:
            return drive_error(400, "invalidParent", "The parent is not a folder.")
        length = request.headers.get("X-Upload-Content-Length", "")
        if length and not length.isdigit():
            return drive_error(400, "badRequest", "Invalid X-Upload-Content-Length.")
        session = secrets.token_urlsafe(18)
        with fake.lock:
            _space(fake, "google_drive").setdefault("uploads", {})[session] = {
                "name": str(body["name"]), "parent": parents[0], "length": int(length) if length else None,
                "mime": body.get("mimeType") or request.headers.get("X-Upload-Content-Type", ""),
                "fields": request.arg("fields"),
            }  # fmt: skip
        location = f"{request.base_url}/upload/drive/v3/files?uploadType=resumable&upload_id={session}"
        return Response(200, b"", {"Location": location, "Content-Type": "text/plain"})

    @route(fake, "PUT", r"^/upload/drive/v3/files$", "upload_media", scope="google_drive")
    def upload_media(fake: FakePlatforms, request: Request, match) -> Response:
        """The bytes of a resumable session, in one request: the file resource (201... Drive says 200)."""
        session = _space(fake, "google_drive").get("uploads", {}).get(request.arg("upload_id"))
        if session is None:
            return drive_error(404, "notFound", "No such upload session (expired or finished).")
        if session["length"] is not None and len(request.body) != session["length"]:
            return drive_error(400, "badContent", "The body's length is not the announced X-Upload-Content-Length.")
        _space(fake, "google_drive")["uploads"].pop(request.arg("upload_id"), None)
        item = drive_put(fake, session["name"], request.body, parent=session["parent"], mime=session["mime"])
        fields = [f.strip() for f in session["fields"].split(",") if f.strip()] or None
        return Response(200, _drive_view(item, fields, request.base_url))

    @route(fake, "GET", DRIVE + r"/changes/startPageToken$", "changes", scope="google_drive")
    def start_token(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        seq = len(_space(fake, "google_drive")["changes"]) + 1
        return Response(200, {"kind": "drive#startPageToken", "startPageToken": str(seq)})

    @route(fake, "GET", DRIVE + r"/changes$", "changes", scope="google_drive")
    def changes(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        token = request.arg("pageToken")
        if fake.take_fault("changes", scope="google_drive", kinds={"cursor_expired"}):
            return drive_error(400, "invalid", "Invalid Value", location="pageToken")
        if not token.isdigit():
            return drive_error(400, "required" if not token else "invalid", "Invalid Value", location="pageToken")
        size = int(request.arg("pageSize", "100") or 100)
        log = _space(fake, "google_drive")["changes"]
        start = int(token)
        chunk = [c for c in log if c[0] >= start][:size]
        out = []
        for _seq, file_id, removed, when in chunk:
            change: dict[str, Any] = {"kind": "drive#change", "changeType": "file", "time": iso_z(when)}
            change.update(fileId=file_id, removed=removed or file_id not in files())
            if not change["removed"]:
                change["file"] = _drive_view(files()[file_id], ["*"], request.base_url)
            out.append(change)
        body: dict[str, Any] = {"kind": "drive#changeList", "changes": out}
        last = chunk[-1][0] if chunk else start - 1
        if last < len(log):
            body["nextPageToken"] = str(last + 1)
        else:
            body["newStartPageToken"] = str(len(log) + 1)
        return Response(200, body)


# Dropbox -----------------------------------------------------------------------------------------


def dropbox_error(status: int, summary: str, error: dict[str, Any], **headers: str) -> Response:
    return Response(status, {"error_summary": summary, "error": error}, dict(headers))


def dropbox_error_for(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "rate_limit":
        wait = int(params.get("retry_after", 1))
        error = {"reason": {".tag": "too_many_requests"}, "retry_after": wait}
        return dropbox_error(429, "too_many_requests/..", error, **{"Retry-After": str(wait)})
    if kind == "token_expired":
        return dropbox_error(401, "expired_access_token/..", {".tag": "expired_access_token"})
    if kind == "http_500":
        return Response(503, "Service Unavailable", {"Content-Type": "text/plain"})
    return Response(400, params.get("message", "Error in call to API function"), {"Content-Type": "text/plain"})


def _not_found(path: str) -> Response:
    return dropbox_error(409, "path/not_found/..", {".tag": "path", "path": {".tag": "not_found"}})


def content_hash(data: bytes) -> str:
    """Dropbox's content_hash: SHA-256 of the concatenated SHA-256s of each 4 MiB block."""
    blocks = [hashlib.sha256(data[i : i + DROPBOX_BLOCK]).digest() for i in range(0, len(data), DROPBOX_BLOCK)]
    return hashlib.sha256(b"".join(blocks)).hexdigest()


def dropbox_put(fake: FakePlatforms, path: str, data: bytes = b"", *, folder: bool = False) -> dict[str, Any]:
    """A file (or folder) at ``path`` in the fake Dropbox (parents made as needed)."""
    with fake.lock:
        entries = _space(fake, "dropbox")["files"]
        parts = [p for p in path.split("/") if p]
        for depth in range(1, len(parts)):
            parent = "/" + "/".join(parts[:depth])
            if parent.lower() not in entries:
                dropbox_put(fake, parent, folder=True)
        display = "/" + "/".join(parts)
        entry: dict[str, Any] = {
            ".tag": "folder" if folder else "file",
            "name": parts[-1],
            "path_lower": display.lower(),
            "path_display": display,
            "id": "id:" + secrets.token_urlsafe(16),
        }
        if not folder:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            entry.update(
                client_modified=now,
                server_modified=now,
                rev=secrets.token_hex(9),
                size=len(data),
                is_downloadable=True,
                content_hash=content_hash(data),
                _data=data,
            )
        entries[display.lower()] = entry
        _change(fake, "dropbox", display.lower(), False)
        return entry


def _dropbox_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def _cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> Any:  # whatever JSON the caller sent back; checked by the caller
    try:
        return json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except ValueError:
        raise Reply(
            Response(
                400,
                'Error in call to API function "files/list_folder/continue": Invalid "cursor" parameter',
                {"Content-Type": "text/plain"},
            )
        ) from None


def _install_dropbox(fake: FakePlatforms) -> None:
    def auth(request: Request) -> None:
        state = _token_ok(fake, request.token(), "dropbox")
        if state == "expired":
            raise Reply(dropbox_error(401, "expired_access_token/..", {".tag": "expired_access_token"}))
        if state != "ok":
            raise Reply(dropbox_error(401, "invalid_access_token/..", {".tag": "invalid_access_token"}))

    def entries() -> dict[str, dict[str, Any]]:
        return _space(fake, "dropbox")["files"]

    def resolve(path: str) -> dict[str, Any] | None:
        """A path ("/a/b"), an id ("id:…") or the root ("")."""
        if path == "":
            return {".tag": "folder", "path_lower": "", "path_display": "", "name": "", "id": "id:root"}
        if path.startswith("id:"):
            return next((e for e in entries().values() if e["id"] == path), None)
        return entries().get(path.lower())

    def args(request: Request, *, header: bool = False) -> dict[str, Any]:
        raw = request.headers.get("Dropbox-API-Arg", "") if header else request.body.decode() or ""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            where = "Dropbox-API-Arg header" if header else "request body"
            raise Reply(Response(400, f"Error in call to API function: could not decode input as JSON ({where})",
                                 {"Content-Type": "text/plain"}))  # fmt: skip
        return body

    def path_arg(body: dict[str, Any]) -> str:
        path = body.get("path")
        if not isinstance(path, str) or (path and not (path.startswith("/") or path.startswith("id:"))):
            raise Reply(
                Response(400, f"Error in call to API function: path: '{path}' did not match pattern "
                         "'(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'", {"Content-Type": "text/plain"})
            )  # fmt: skip
        return path

    def listing(folder_lower: str, recursive: bool) -> list[dict[str, Any]]:
        prefix = folder_lower + "/"
        found = [
            e for key, e in entries().items() if key.startswith(prefix) and (recursive or "/" not in key[len(prefix) :])
        ]
        return sorted(found, key=lambda e: e["path_lower"])

    def page(state: dict[str, Any]) -> Response:
        if state.get("o") is None:  # a finished listing: what changed since its snapshot
            log = _space(fake, "dropbox")["changes"]
            out = []
            for _seq, key, removed, _when in [c for c in log if c[0] > state["s"]]:
                if not key.startswith(state["p"] + "/") or (not state["r"] and "/" in key[len(state["p"]) + 1 :]):
                    continue
                if removed or key not in entries():
                    name = key.rsplit("/", 1)[-1]
                    out.append({".tag": "deleted", "name": name, "path_lower": key, "path_display": key})
                else:
                    out.append(_dropbox_view(entries()[key]))
            state = {**state, "s": len(log)}
            return Response(200, {"entries": out, "cursor": _cursor(state), "has_more": False})
        everything = listing(state["p"], state["r"])
        offset, limit = state["o"], state["l"]
        chunk = everything[offset : offset + limit]
        more = offset + limit < len(everything)
        state = {**state, "o": offset + limit if more else None}
        body = {"entries": [_dropbox_view(e) for e in chunk], "cursor": _cursor(state), "has_more": more}
        return Response(200, body)

    @route(fake, "GET", r"^/dropbox-www/oauth2/authorize$", "authorize", scope="dropbox")
    def authorize(fake: FakePlatforms, request: Request, match) -> Response:
        if request.arg("response_type") != "code":
            return Response(400, "<p>Invalid response_type: must be code</p>")
        if request.arg("code_challenge") and request.arg("code_challenge_method") != "S256":
            return Response(400, "<p>code_challenge_method must be S256 (or plain)</p>")
        return _authorize(fake, request, offline=request.arg("token_access_type") == "offline")

    @route(fake, "POST", r"^/dropbox-api/oauth2/token$", "token", scope="dropbox")
    def token(fake: FakePlatforms, request: Request, match) -> Response:
        answer = _token_grant(fake, request, "dropbox", secret_needed=False)
        answer.update(token_type="bearer", account_id="dbid:AAfakeAgency", uid="4242")
        return Response(200, answer)

    @route(fake, "POST", DROPBOX + r"/files/list_folder$", "list", scope="dropbox")
    def list_folder(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = args(request)
        folder = resolve(path_arg(body))
        if folder is None:
            return _not_found(body["path"])
        if folder[".tag"] != "folder":
            return dropbox_error(409, "path/not_folder/..", {".tag": "path", "path": {".tag": "not_folder"}})
        limit = int(body.get("limit", 2000))
        if not 1 <= limit <= 2000:
            return Response(
                400, "Error in call to API function: limit: value out of range", {"Content-Type": "text/plain"}
            )
        state = {"p": folder["path_lower"], "r": bool(body.get("recursive")), "o": 0, "l": limit,
                 "s": len(_space(fake, "dropbox")["changes"])}  # fmt: skip
        return page(state)

    @route(fake, "POST", DROPBOX + r"/files/list_folder/continue$", "list", scope="dropbox")
    def list_continue(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        state = _uncursor(str(args(request).get("cursor", "")))
        if not isinstance(state, dict) or "p" not in state:
            raise Reply(Response(400, 'Invalid "cursor" parameter', {"Content-Type": "text/plain"}))
        if (state["p"] and state["p"] not in entries()) or fake.take_fault("list", "dropbox", {"cursor_expired"}):
            return dropbox_error(409, "reset/..", {".tag": "reset"})
        return page(state)

    @route(fake, "POST", DROPBOX + r"/files/list_folder/get_latest_cursor$", "list", scope="dropbox")
    def latest_cursor(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = args(request)
        folder = resolve(path_arg(body))
        if folder is None:
            return _not_found(body["path"])
        state = {"p": folder["path_lower"], "r": bool(body.get("recursive")), "o": None, "l": 2000,
                 "s": len(_space(fake, "dropbox")["changes"])}  # fmt: skip
        return Response(200, {"cursor": _cursor(state)})

    @route(fake, "POST", DROPBOX + r"/files/get_metadata$", "get", scope="dropbox")
    def get_metadata(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = args(request)
        found = resolve(path_arg(body))
        if not found or not body["path"]:
            return _not_found(body["path"])
        return Response(200, _dropbox_view(found))

    @route(fake, "POST", DROPBOX + r"/files/create_folder_v2$", "create", scope="dropbox")
    def create_folder(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = args(request)
        path = path_arg(body)
        if not path.startswith("/") or path == "/":
            return dropbox_error(409, "path/malformed_path/..", {".tag": "path", "path": {".tag": "malformed_path"}})
        if path.lower() in entries():
            if not body.get("autorename"):
                conflict = {".tag": "path", "path": {".tag": "conflict", "conflict": {".tag": "folder"}}}
                return dropbox_error(409, "path/conflict/folder/..", conflict)
            n = 2
            while f"{path} ({n})".lower() in entries():
                n += 1
            path = f"{path} ({n})"
        entry = dropbox_put(fake, path, folder=True)
        return Response(200, {"metadata": _dropbox_view(entry)})

    @route(fake, "POST", CONTENT + r"/files/upload$", "upload", scope="dropbox")
    def upload(fake: FakePlatforms, request: Request, match) -> Response:
        """``files/upload`` (up to 150 MiB): the bytes as the body, ``{path, mode, autorename}`` in
        ``Dropbox-API-Arg``; ``add`` with ``autorename`` names a taken path "name (1).ext"."""
        auth(request)
        body = args(request, header=True)
        path = path_arg(body)
        sent = request.headers.get("Content-Type", "")
        if sent not in ("application/octet-stream", "text/plain; charset=dropbox-cors-hack"):
            said = f'Error in call to API function "files/upload": Bad HTTP "Content-Type" header: "{sent}".'
            return Response(400, said, {"Content-Type": "text/plain"})
        if not path.startswith("/") or path.endswith("/"):
            return dropbox_error(409, "path/malformed_path/..", {".tag": "path", "reason": {".tag": "malformed_path"}})
        mode = body.get("mode", "add")
        mode = mode.get(".tag") if isinstance(mode, dict) else mode
        if mode not in ("add", "overwrite"):
            return Response(400, f"Error in call to API function \"files/upload\": unknown mode {mode!r}",
                            {"Content-Type": "text/plain"})  # fmt: skip
        if len(request.body) > 150 * 1024 * 1024:
            return Response(400, "Error in call to API function \"files/upload\": the body is over 150 MiB: "
                            "use an upload session.", {"Content-Type": "text/plain"})  # fmt: skip
        with fake.lock:
            existing = entries().get(path.lower())
            if existing and existing[".tag"] == "folder" or existing and mode == "add" and not body.get("autorename"):
                conflict = {".tag": "path", "reason": {".tag": "conflict", "conflict": {".tag": existing[".tag"]}}}
                return dropbox_error(409, f"path/conflict/{existing['.tag']}/..", conflict)
            if existing and mode == "add":
                stem, dot, ext = path.rpartition(".") if "." in path.rsplit("/", 1)[-1] else (path, "", "")
                n = 1
                while f"{stem} ({n}){dot}{ext}".lower() in entries():
                    n += 1
                path = f"{stem} ({n}){dot}{ext}"
            entry = dropbox_put(fake, path, request.body)
        return Response(200, {k: v for k, v in _dropbox_view(entry).items() if k != ".tag"})  # FileMetadata

    @route(fake, "POST", CONTENT + r"/files/download$", "download", scope="dropbox")
    def download(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = args(request, header=True)
        found = resolve(path_arg(body))
        if found and fake.take_fault("download", scope="dropbox", kinds={"deleted"}):
            entries().pop(found["path_lower"], None)
            _change(fake, "dropbox", found["path_lower"], True)
            found = None
        if not found or not body["path"]:
            return _not_found(body["path"])
        if found[".tag"] != "file":
            return dropbox_error(409, "path/not_file/..", {".tag": "path", "path": {".tag": "not_file"}})
        fake.wait(float(fake.config["storage.download_seconds"]))
        status, data, headers = _ranged(found["_data"], request.headers.get("Range", ""))
        headers["Dropbox-API-Result"] = json.dumps(_dropbox_view(found))
        return Response(status, data, {"Content-Type": "application/octet-stream", **headers})


# Control paths (served by publishing.fakes.server) ---------------------------------------------


def control_path(fake: FakePlatforms, request: Request) -> Response | None:
    """``POST /_fake/storage/{drive|dropbox}/files`` seeds files; ``GET /_fake/storage/thumb/<id>``
    serves a Drive thumbnail (the picture itself, as thumbnailLink would)."""
    match = re.fullmatch(r"/_fake/storage/(drive|dropbox)/files", request.path)
    if match and request.method == "POST":
        body = request.json() or {}
        count, size, seed = int(body.get("count", 1)), int(body.get("size", 64)), int(body.get("seed", 0))
        made = []
        for n in range(count):
            name = body.get("name", "photo.png") if count == 1 else f"{n + 1:03d}-{body.get('name', 'photo.png')}"
            data = picture(size, size, seed=seed + n, format="PNG" if name.endswith(".png") else "JPEG")
            if match.group(1) == "drive":
                made.append(_dropbox_view(drive_put(fake, name, data, parent=str(body.get("parent", "root")))))
            else:
                made.append(_dropbox_view(dropbox_put(fake, f"{body.get('path', '').rstrip('/')}/{name}", data)))
        return Response(201, {"files": made})
    thumb = re.fullmatch(r"/_fake/storage/thumb/([\w-]+)", request.path)
    if thumb:
        item = _space(fake, "google_drive")["files"].get(thumb.group(1))
        if not item or "_data" not in item:
            return Response(404, "no such file")
        return Response(200, item["_data"], {"Content-Type": item["mimeType"]})
    return None
