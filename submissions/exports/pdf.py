"""PDF: WeasyPrint renders the print template, which is also the HTML print view."""

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from ..insight.coverage import sdg_chart, sdg_coverage_of_loaded
from ..models import Submission
from .base import BaseExporter, submission_content

TEMPLATE = "submissions/exports/print.html"
STYLESHEET = "submissions/css/print.css"
# The SDG coverage chart's width on the A4 page (17 cm between the margins).
CHART_WIDTH_CM = 16


def print_context(submission: Submission, **extra: Any) -> dict[str, Any]:
    """The print template's context, from a submission loaded by submission_for_export.

    Runs no query: the SDG coverage chart is counted from the prefetched rows.
    """
    coverage = sdg_coverage_of_loaded(submission)
    chart = sdg_chart(coverage, width_cm=CHART_WIDTH_CM) if coverage.has_tables else None
    return {"content": submission_content(submission), "chart": chart, **extra}


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"))


def _no_fetching():
    """A URL fetcher that refuses every URL: the PDF holds only what the template writes."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())


class PdfExporter(BaseExporter):
    identifier = "pdf"
    verbose_name = gettext_lazy("PDF")
    extension = "pdf"
    content_type = "application/pdf"

    def document(self, submission: Submission):
        """The laid-out weasyprint.Document (its pages), for tests and render_content."""
        from weasyprint import HTML

        html = render_to_string(TEMPLATE, print_context(submission))
        return HTML(string=html, url_fetcher=_no_fetching()).render(stylesheets=[_stylesheet()])

    def render_content(self, submission: Submission) -> bytes:
        return self.document(submission).write_pdf()
