"""PDF: WeasyPrint renders the print template, which is also the HTML print view."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from ..insight.coverage import sdg_chart, sdg_coverage_of_loaded
from ..models import Submission
from .base import BaseExporter, QuestionContent, submission_content

TEMPLATE = "submissions/exports/print.html"
STYLESHEET = "submissions/css/print.css"
# The SDG coverage chart's width: the text is 16.6 cm wide on A4 (21 cm less two 2.2 cm
# margins) and 17.2 cm on Letter.
CHART_WIDTH_CM = 16
# Tagged (structure tree, reading order, table headers, language, title shown): PDF/UA-1 as
# far as WeasyPrint writes it.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass
class FormSection:
    """Questions under one of the form's section headings ("" before the first one).

    ``level`` is the HTML heading level of its questions: 2 outside a section, 3 inside, so
    that no level is skipped in the tagged PDF.
    """

    title: str
    questions: list[QuestionContent] = field(default_factory=list)

    @property
    def level(self) -> int:
        return 3 if self.title else 2


def form_sections(questions: list[QuestionContent]) -> list[FormSection]:
    """The questions grouped under the section headings the form prints.

    A question names its section when one begins with it (2021's "Questions from earlier
    surveys" on question 8); the questions after it belong to it until the next one.
    """
    sections: list[FormSection] = []
    for item in questions:
        if item.section or not sections:
            sections.append(FormSection(title=item.section))
        sections[-1].questions.append(item)
    return sections


def print_context(submission: Submission, **extra: Any) -> dict[str, Any]:
    """The print template's context, from a submission loaded by submission_for_export.

    Runs no query: the SDG coverage chart is counted from the prefetched rows.
    """
    coverage = sdg_coverage_of_loaded(submission)
    chart = sdg_chart(coverage, width_cm=CHART_WIDTH_CM) if coverage.has_tables else None
    content = submission_content(submission)
    return {
        "content": content,
        "sections": form_sections(content.questions),
        "chart": chart,
        "page_size": settings.DOCUMENT_PAGE_SIZE.lower(),
        **extra,
    }


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"))


def _no_fetching():
    """A URL fetcher that refuses every URL: the PDF holds only what the template writes."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while WeasyPrint lays out and writes a document.

    Its boxes all live until the PDF is written, and each full collection walks all of them:
    the collections' time grew with the square of the rows (1.5 s of 14 at 240 rows, 0.4 s
    paused). What the layout leaves in cycles is little (the peak memory is the same) and goes
    at the next collection after. The pause is the process's: a thread working meanwhile
    collects nothing either, for those seconds.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class PdfExporter(BaseExporter):
    identifier = "pdf"
    verbose_name = gettext_lazy("PDF")
    extension = "pdf"
    content_type = "application/pdf"

    def document(self, submission: Submission):
        """The laid-out weasyprint.Document (its pages), for tests and render_content."""
        from weasyprint import HTML

        # paged: the page header, footer and watermark, which a browser cannot place.
        html = render_to_string(TEMPLATE, print_context(submission, paged=True))
        return HTML(string=html, url_fetcher=_no_fetching()).render(
            stylesheets=[_stylesheet()], **PDF_OPTIONS
        )

    def render_content(self, submission: Submission) -> bytes:
        with _cyclic_gc_paused():
            return self.document(submission).write_pdf(**PDF_OPTIONS)
