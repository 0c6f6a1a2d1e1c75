"""Settings → Integrations → Cloud storage (admins), a shoot's folder panel, and a deliverable's file
in that folder (staff; htmx)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency.deliverable_files import FileUnavailable
from agency.models import Deliverable, Shoot
from agency.permissions import can, staff_required
from integrations.storage import deliverables, demo, exports, imports, services
from integrations.storage.models import DeliverableFile, Provider, ShootFolder, StorageConnection, StorageImport
from integrations.storage.providers import StorageError, StorageFile
from localbzz.http import HtmxRequest
from publishing.models import Attachment


def _provider(name: str) -> str:
    if name not in Provider.values:
        raise Http404("No such storage provider.")
    return name


@staff_required("manage_integrations")
def storage_settings(request: HtmxRequest) -> HttpResponse:
    connections = {c.provider: c for c in StorageConnection.objects.select_related("connected_by")}
    rows = [{"provider": p, "label": label, "connection": connections.get(p)} for p, label in Provider.choices]
    response = render(request, "integrations/storage/settings.html", {"rows": rows})
    # The Connect buttons post here and are redirected to the provider's sign-in page: browsers hold
    # a form's redirects to this page's form-action, so it names those origins too.
    response._csp_update = {"form-action": _authorize_origins()}  # type: ignore[attr-defined]  # django-csp reads it
    return response


def _authorize_origins() -> list[str]:
    found = []
    for key in ("google_oauth_authorize", "dropbox_authorize"):
        parts = urlsplit(settings.PLATFORM_URLS[key])
        found.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(found))


@require_POST
@staff_required("manage_integrations")
def storage_connect(request: HtmxRequest, provider: str) -> HttpResponse:
    callback = request.build_absolute_uri(reverse("storage-callback", args=[_provider(provider)]))
    return redirect(services.start(request.session, provider, callback))


@staff_required("manage_integrations")
def storage_callback(request: HtmxRequest, provider: str) -> HttpResponse:
    _provider(provider)
    if request.GET.get("error"):
        request.session.pop(services.SESSION_KEY, None)
        messages.error(request, f"{Provider(provider).label} was not connected: {request.GET['error']}.")
        return redirect("storage-settings")
    try:
        connection = services.finish(
            request.session, provider, code=request.GET.get("code", ""), state=request.GET.get("state", ""),
            actor=request.user,
        )  # fmt: skip
    except StorageError as error:
        messages.error(request, error.message)
        return redirect("storage-settings")
    messages.success(request, f"{connection.get_provider_display()} is connected.")
    return redirect("storage-settings")


@require_POST
@staff_required("manage_integrations")
def storage_disconnect(request: HtmxRequest, provider: str) -> HttpResponse:
    connection = get_object_or_404(StorageConnection, provider=_provider(provider))
    services.disconnect(connection)
    messages.success(request, f"{Provider(provider).label} is disconnected; shoot folders stay linked.")
    return redirect("storage-settings")


def _folder_panel(request: HtmxRequest, shoot: Shoot, *, error: str = "", status: int = 200) -> HttpResponse:
    folder = ShootFolder.objects.filter(shoot=shoot).first()
    files: list[StorageFile] = []
    next_token, failure = "", error
    if folder and not failure:
        try:
            files, next_token = services.list_files(folder, page_token=request.GET.get("page", ""))
        except StorageError as problem:
            failure = problem.message
    done = imports.imported_keys(folder.provider, files) if folder else set()
    only_new = request.GET.get("show") == "new"
    rows = [
        {"file": f, "media": imports.is_media(f), "imported": (f.id, f.checksum) in done}
        for f in files
        if not (only_new and ((f.id, f.checksum) in done or not imports.is_media(f)))
    ]
    context = {
        "shoot": shoot,
        "folder": folder,
        "files": files,
        "rows": rows,
        "only_new": only_new,
        "imported_count": sum(1 for r in rows if r["imported"]),
        "next_token": next_token,
        "error": failure,
        "can_edit": can(request.user, "edit_content"),
        "connections": list(StorageConnection.objects.all()),
        "more": bool(request.GET.get("page")),
        "job": StorageImport.objects.filter(folder=folder).first() if folder else None,
        "demo_fill": demo.available(),
    }
    return render(request, "integrations/storage/shoot_folder.html", context, status=status)


@staff_required("view")
def shoot_folder(request: HtmxRequest, pk) -> HttpResponse:
    return _folder_panel(request, get_object_or_404(Shoot.objects.select_related("client"), pk=pk))


@require_POST
@staff_required("edit_content")
def shoot_folder_create(request: HtmxRequest, pk) -> HttpResponse:
    shoot = get_object_or_404(Shoot.objects.select_related("client"), pk=pk)
    url = request.POST.get("url", "").strip()
    try:
        if url:
            services.link_folder(shoot, url, actor=request.user, provider=request.POST.get("provider", ""))
        else:
            services.create_folder(shoot, actor=request.user, provider=request.POST.get("provider", ""))
    except StorageError as error:
        return _folder_panel(request, shoot, error=error.message, status=200 if request.htmx else 400)
    if not request.htmx:
        return redirect("shoot-detail", pk=shoot.pk)
    return _folder_panel(request, shoot)


@require_POST
@staff_required("edit_content")
def shoot_folder_demo_fill(request: HtmxRequest, pk) -> HttpResponse:
    """Demo only (fake platforms): a dozen drawn photos in the folder, as if uploaded there."""
    if not demo.available():
        raise Http404("Demo photos come from the fake platforms only.")
    folder = get_object_or_404(ShootFolder.objects.select_related("shoot__client"), shoot_id=pk)
    try:
        demo.fill(folder, 12)
    except StorageError as error:
        return _folder_panel(request, folder.shoot, error=error.message)
    if not request.htmx:
        return redirect("shoot-detail", pk=pk)
    return _folder_panel(request, folder.shoot)


@require_POST
@staff_required("edit_content")
def shoot_folder_import(request: HtmxRequest, pk) -> HttpResponse:
    """The Files card's three buttons: mode ``selected`` (the ticked ``file`` boxes), ``new``, ``all``."""
    folder = get_object_or_404(ShootFolder, shoot_id=pk)
    mode = request.POST.get("mode", StorageImport.Mode.ALL)
    if mode not in StorageImport.Mode.values:
        mode = StorageImport.Mode.ALL
    try:
        picked = imports.pick(folder, request.POST.getlist("file")) if mode == StorageImport.Mode.SELECTED else []
    except StorageError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("shoot-detail", pk=pk)
        return render(request, "integrations/storage/import_progress.html", {"pick_error": error.message})
    job, _queued = imports.start(folder, actor=request.user, mode=mode, file_ids=picked)
    if not request.htmx:
        return redirect("shoot-detail", pk=pk)
    return render(request, "integrations/storage/import_progress.html", {"job": job})


@staff_required("view")
def storage_import_progress(request: HtmxRequest, pk) -> HttpResponse:
    job = get_object_or_404(StorageImport, pk=pk)
    return render(request, "integrations/storage/import_progress.html", {"job": job})


# A deliverable's file in its shoot's folder (the deliverable page's card, loaded by htmx) -------


def _deliverable_card(request: HtmxRequest, deliverable: Deliverable, *, error: str = "") -> HttpResponse:
    linked = DeliverableFile.objects.filter(deliverable=deliverable).select_related("linked_by").first()
    folder = deliverables.folder_of(deliverable)
    choices: list[StorageFile] = []
    failure = error
    picking = (request.GET.get("pick") == "1" or linked is None) and request.GET.get("poll") != "1"
    if folder and picking and can(request.user, "edit_content"):
        try:
            choices = [f for f in services.full_listing(folder)[0] if not f.is_folder]
        except StorageError as problem:
            failure = failure or problem.message
    context = {
        "d": deliverable,
        "linked": linked,
        "folder": folder,
        "choices": choices,
        "picking": picking,
        "error": failure,
        "can_edit": can(request.user, "edit_content"),
        **_export_rows(request, deliverable),
    }
    return render(request, "integrations/storage/deliverable_file.html", context)


def _export_rows(request: HtmxRequest, deliverable: Deliverable) -> dict:
    """The attachments an editor can save into the shoot's folder (when it has one and its storage
    is connected), each with its latest export; ``exporting`` while one runs (the card polls)."""
    if not can(request.user, "edit_content") or exports.exportable(deliverable) is None:
        return {"export_rows": [], "exporting": False}
    latest = exports.latest(deliverable)
    attached = Attachment.objects.filter(deliverable=deliverable).order_by("-created_at")
    rows = [(a, latest.get(str(a.pk))) for a in attached]
    return {"export_rows": rows, "exporting": any(job and job.active for _a, job in rows)}


@staff_required("view")
def deliverable_file(request: HtmxRequest, pk) -> HttpResponse:
    return _deliverable_card(request, get_object_or_404(Deliverable, pk=pk))


def _card_after(request: HtmxRequest, deliverable: Deliverable, action: Callable[[], object]) -> HttpResponse:
    """Runs one of the card's actions: a storage refusal is said on the card; a plain form post goes
    back to the deliverable's page, an htmx one gets the card again."""
    try:
        action()
    except StorageError as error:
        return _deliverable_card(request, deliverable, error=error.message)
    if not request.htmx:
        return redirect("deliverable-detail", pk=deliverable.pk)
    return _deliverable_card(request, deliverable)


@require_POST
@staff_required("edit_content")
def deliverable_file_link(request: HtmxRequest, pk) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, pk=pk)
    file_id = request.POST.get("file", "")
    if not file_id:
        return _deliverable_card(request, deliverable, error="Pick a file of the shoot's folder first.")
    return _card_after(request, deliverable, lambda: deliverables.link(deliverable, file_id, actor=request.user))


@require_POST
@staff_required("edit_content")
def deliverable_file_export(request: HtmxRequest, pk) -> HttpResponse:
    """ "Save to shoot folder" on one of the deliverable's attachments: a job; the card polls it."""
    deliverable = get_object_or_404(Deliverable, pk=pk)
    try:
        attachment = Attachment.objects.filter(
            deliverable=deliverable, pk=UUID(request.POST.get("attachment", ""))
        ).first()
    except ValueError:
        attachment = None
    if attachment is None:
        raise Http404("No such attachment on this deliverable.")
    return _card_after(request, deliverable, lambda: exports.start(deliverable, attachment, actor=request.user))


@require_POST
@staff_required("edit_content")
def deliverable_file_unlink(request: HtmxRequest, pk) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, pk=pk)
    return _card_after(request, deliverable, lambda: deliverables.unlink(deliverable, actor=request.user))


@staff_required("view")
def deliverable_file_download(request: HtmxRequest, pk) -> HttpResponseBase:
    """Staff see what the client will download: the same stream, the same friendly failures."""
    deliverable = get_object_or_404(Deliverable, pk=pk)
    try:
        answer = deliverables.download(deliverable, request.headers.get("Range", ""))
    except FileUnavailable as unavailable:
        return render(request, "integrations/storage/file_unavailable.html",
                      {"message": unavailable.message, "back": reverse("deliverable-detail", args=[pk])},
                      status=unavailable.status)  # fmt: skip
    if answer is None:
        raise Http404("This deliverable has no file in the shoot's folder.")
    return answer
