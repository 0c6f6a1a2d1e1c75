from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agency.forms import CsvUploadForm
from agency.models import Client
from agency.permissions import staff_required
from agency.types import StaffRequest
from localbzz.text import counted
from publishing.models import MediaAsset, SocialAccount
from publishing.services import bulk


class BulkScheduleForm(CsvUploadForm):
    required_columns_help = f"Required columns: {', '.join(bulk.REQUIRED)}."


def _example_row() -> str:
    """A sample row that would pass today: a real client, its own platforms and photo, a week from now."""
    client = Client.objects.order_by("name").only("slug", "timezone").first()
    if client is None:
        when = timezone.localtime() + timedelta(days=7)
        return f"joes-landscaping,instagram;facebook,{when:%Y-%m-%d} 09:30,Fresh mulch day!,lawn spring,,"
    platforms = sorted(
        set(SocialAccount.objects.filter(client=client, status="connected").values_list("platform", flat=True))
    )
    photo = MediaAsset.objects.filter(client=client, kind="image").order_by("-created_at").first()
    when = timezone.localtime(timezone=client.tz) + timedelta(days=7)
    return (
        f"{client.slug},{';'.join(platforms[:2]) or 'instagram;facebook'},{when:%Y-%m-%d} 09:30,"
        f"New this week!,{client.slug.split('-')[0]},{photo.original_name if photo else ''},"
    )


@staff_required("approve_posts")
def bulk_schedule(request: StaffRequest) -> HttpResponse:
    """Upload a CSV, preview every row with its problems, then schedule all rows or none."""
    form = BulkScheduleForm(request.POST or None, request.FILES or None)
    report, text = None, ""
    if request.method == "POST" and "csv_text" in request.POST:
        text = request.POST["csv_text"]
        report = bulk.bulk_schedule(actor=request.user, text=text, commit=request.POST.get("confirm") == "1")
        if report.created:
            messages.success(request, f"Scheduled {counted(len(report.created), 'post')}.")
            return redirect("content")
    elif request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        report = bulk.bulk_schedule(actor=request.user, text=text, commit=False)
    return render(
        request,
        "publishing/posts/bulk.html",
        {"form": form, "report": report, "csv_text": text, "columns": bulk.COLUMNS, "example_row": _example_row()},
    )
