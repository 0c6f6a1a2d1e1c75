from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agency.forms import ClientImportForm
from agency.permissions import staff_required
from publishing.services import bulk


@staff_required("approve_posts")
def bulk_schedule(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, preview every row with its problems, then schedule all rows or none."""
    form = ClientImportForm(request.POST or None, request.FILES or None)
    report, text = None, ""
    if request.method == "POST" and "csv_text" in request.POST:
        text = request.POST["csv_text"]
        report = bulk.parse(text)
        if request.POST.get("confirm") == "1" and report.valid:
            bulk.create_all(actor=request.user, report=report)
            messages.success(request, f"Scheduled {len(report.created)} posts.")
            return redirect("content")
    elif request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        report = bulk.parse(text)
    return render(
        request,
        "publishing/posts/bulk.html",
        {"form": form, "report": report, "csv_text": text, "columns": bulk.COLUMNS},
    )
