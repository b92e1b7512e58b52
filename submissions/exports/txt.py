"""Plain text in the layout of that year's form, ready to paste into UN DESA's form.

Each questionnaire says how its form lays out text (``Questionnaire.text_layout``, one of the
importer's layouts): 2024's label, blank line, value; 2023's cells ending in " |"; 2021's
label and value on one line; 2017's numbered paragraphs; the gender questionnaire's answers
only. Headings, limit notes, part numbers, row labels and the footer are the questionnaire's
own words (data), the SDGs as the document wrote them; the importer reads every layout back,
so export and import round-trip.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from ..importers.webcapture import VIEW_MORE
from ..models import Submission
from ..rowfields import clean
from .base import BaseExporter, QuestionContent, RowContent, submission_content

BLANK_LINE, PIPE, INLINE, PLAIN, WEB_CAPTURE = (
    "blank-line",
    "pipe",
    "inline",
    "plain",
    "web-capture",
)


@dataclass
class _Writer:
    """Lines of the text, with the layout's way of separating paragraphs and cells."""

    layout: str
    lines: list[str] = field(default_factory=list)

    @property
    def spaced(self) -> bool:
        """Whether a blank line follows every paragraph (2024, 2021, 2017)."""
        return self.layout in (BLANK_LINE, INLINE, PLAIN)

    def paragraph(self, text: str) -> None:
        self.lines.append(text)
        if self.spaced:
            self.lines.append("")

    def text(self, text: str) -> None:
        """An answer: its paragraphs (blank lines between them in the spaced layouts)."""
        for paragraph in _paragraphs(text):
            self.paragraph(paragraph)

    def row(self, row: RowContent) -> None:
        if self.layout == PIPE:
            # A cell on its lines, the last ending in " |"; an empty value writes no line.
            for label, value in row.fields:
                self.lines.append(f"{label} |")
                paragraphs = _paragraphs(value)
                for index, paragraph in enumerate(paragraphs):
                    last = index == len(paragraphs) - 1
                    self.lines.append(f"{paragraph} |" if last else paragraph)
        elif self.layout == INLINE:
            for label, value in row.fields:
                first, *more = _paragraphs(value) or [""]
                self.lines.append(f"{label} {first}".rstrip())
                for paragraph in more:
                    self.lines += ["", paragraph]
            self.lines += ["", ""]
        else:
            for label, value in row.fields:
                self.paragraph(label)
                for paragraph in _paragraphs(value):
                    self.paragraph(paragraph)


def _paragraphs(text: str) -> list[str]:
    """A text's paragraphs: split at blank lines, each kept with its own line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = [piece.strip("\n") for piece in text.split("\n\n")]
    return [piece for piece in pieces if piece.strip()]


def _heading(item: QuestionContent) -> str:
    return f"{item.heading} {item.limit_note}" if item.limit_note else item.heading


class TxtExporter(BaseExporter):
    identifier = "txt"
    verbose_name = gettext_lazy("Plain text (TXT)")
    extension = "txt"
    content_type = "text/plain; charset=utf-8"

    def render_content(self, submission: Submission) -> bytes:
        """Render from a submission loaded by submission_for_export; runs no query."""
        return (submission_text(submission) + "\n").encode("utf-8")


def submission_text(submission: Submission, *, number: str | None = None) -> str:
    """The text of a submission loaded by submission_for_export, in its form's layout; or of
    one question (``number``), as the page's "Copy text" puts it on the clipboard."""
    content = submission_content(submission)
    layout = submission.questionnaire.text_layout
    writer = _Writer(layout)
    if number is None:
        organization = submission.organization
        name = (
            organization.name
            if layout == WEB_CAPTURE
            else f"{organization.name} ({organization.code})"
        )
        writer.paragraph(clean(name))
    for item in content.questions:
        if number is not None and item.question.number != number:
            continue
        if item.section and item.section.strip() != item.prompt.strip() and number is None:
            writer.paragraph(item.section)
        if item.heading_printed:
            writer.paragraph(_heading(item))
        if layout == WEB_CAPTURE:
            # The page's marker before each answer in full (its cut-short copy left out):
            # the importer reads the answers back by it.
            writer.lines.append(VIEW_MORE + (item.text or "").lstrip())
            continue
        writer.text(item.text or "")
        for part in item.parts:
            writer.paragraph(part.heading)
            writer.text(part.text)
        if item.guidance:
            writer.paragraph(item.guidance)
        for row in item.rows:
            writer.row(row)
    if number is None:
        writer.lines.extend(content.footer)
    return "\n".join(writer.lines).rstrip("\n")
