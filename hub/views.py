"""The staff dashboard: figures from every app (``hub.dashboard``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agency.permissions import staff_required
from hub import dashboard as dashboard_data


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "localbzz/dashboard.html", {"panels": dashboard_data.panels(request.user)})
