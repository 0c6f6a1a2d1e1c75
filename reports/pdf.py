"""The monthly report as a PDF: ``templates/reports/pdf.html`` laid out by WeasyPrint.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0; see the README). The document
fetches nothing: pictures come in as data: URIs (``reports.content``) and the fetcher refuses every
other scheme, so a report can never be made to reach a network address or a local file.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from reports.content import ReportContent


def report_html(content: ReportContent) -> str:
    return render_to_string("reports/pdf.html", {"r": content})


PANGO_MISSING = (
    "Making PDF reports needs the Pango text library, which is not installed on this server: install "
    "Debian's libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core (macOS: brew install pango), then "
    "make the report again."
)


def pango_missing() -> str | None:
    """Why PDFs cannot be made here (None when they can)."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return PANGO_MISSING
    return None


def report_pdf(content: ReportContent) -> bytes:
    """The PDF bytes of a report. Raises ValueError (a message a person can act on) when Pango is
    missing."""
    # Imported here: loading Pango and WeasyPrint's stylesheets takes ~1 s, which only the worker
    # that makes a report should pay (not every web process at start).
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError:
        raise ValueError(PANGO_MISSING) from None

    fetcher = URLFetcher(allowed_protocols=["data"], timeout=5)
    return HTML(string=report_html(content), url_fetcher=fetcher, base_url="data:,").write_pdf()
