"""The jobs page: every generation job with its inputs, provider, model, timings and per-item
outcome; a running job's progress (polled by htmx); regenerating one image."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agency import permissions
from agency.permissions import staff_required
from generation import selectors
from generation.forms import JobFilterForm
from generation.models import GenerationItem
from generation.services.images import image_item_regenerate
from generation.services.multi_platform import retry_finish_if_due
from localbzz.http import HtmxRequest


@staff_required()
def job_list(request: HtmxRequest) -> HttpResponse:
    form = JobFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.jobs(
        client_id=filters["client"].pk if filters.get("client") else None,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": any(filters.values()) if filters else False}
    if request.htmx and not request.htmx.boosted:
        return render(request, "generation/jobs.html#results", context)
    return render(request, "generation/jobs.html", context)


def _job(pk):
    """The job with its items; one whose images finished but whose post was never built (a worker
    died in between) is finished first."""
    job = get_object_or_404(selectors.jobs(), pk=pk)
    if retry_finish_if_due(job) is not job:
        job = selectors.jobs().get(pk=pk)
    return job


@staff_required()
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = _job(pk)
    context = {
        "job": job,
        "items": list(job.items.all()),
        "current": selectors.current_items(job),
        "can_edit": permissions.can(request.user, "edit_content"),
        "inputs": selectors.job_inputs(job),
        "inputs_json": json.dumps(job.input, indent=2, ensure_ascii=False, default=str),
        **selectors.job_outcome(job),
    }
    return render(request, "generation/job_detail.html", context)


@staff_required()
def job_progress(request: HttpRequest, pk) -> HttpResponse:
    """The progress bar and images of a job (htmx polls it while the job runs)."""
    job = _job(pk)
    in_wizard = request.GET.get("wizard") == "1"
    context = {
        "job": job,
        "items": selectors.current_items(job),
        "in_wizard": in_wizard,
        "just_finished": in_wizard and job.is_final,  # the wizard re-shows its step with the images
        "can_edit": permissions.can(request.user, "edit_content"),
    }
    return render(request, "generation/partials/progress.html", context)


@require_POST
@staff_required("edit_content")
def item_regenerate(request: HttpRequest, pk) -> HttpResponse:
    item = get_object_or_404(GenerationItem.objects.select_related("job"), pk=pk)
    try:
        image_item_regenerate(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Making the {item.platform or 'image'} image again.")
    return redirect("generation-job", item.job_id)
