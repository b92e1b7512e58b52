"""Word (DOCX): the questionnaire's layout, each table row as the template's two-column table."""

import io
import re

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..insight.coverage import Coverage, sdg_chart, sdg_chart_png, sdg_coverage_of_loaded
from ..models import Submission
from ..rowfields import clean
from .base import BaseExporter, RowContent, submission_content

_MUTED = RGBColor(0x59, 0x59, 0x59)
_LABEL_WIDTH = Cm(5)
_VALUE_WIDTH = Cm(11)
_UN_BLUE = RGBColor(0x0B, 0x53, 0x94)
_CHART_WIDTH = Cm(16)
# What the Word importer leaves aside when the app's own export comes back in: what is
# outside this bookmark (the cover block, the SDG chart), and paragraphs in the note style
# ("Nothing to report this year", "[Missing: no answer yet]"). See importers/wordfile.py.
ANSWERS_BOOKMARK = "submission_answers"
NOTE_STYLE = "Answer Note"


class DocxExporter(BaseExporter):
    identifier = "docx"
    verbose_name = gettext_lazy("Word document (DOCX)")
    extension = "docx"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render_content(self, submission: Submission) -> bytes:
        content = submission_content(submission)
        document = Document()
        document.core_properties.title = content.questionnaire
        document.core_properties.author = content.organization
        normal = document.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)

        if content.is_draft:
            header = document.sections[0].header.paragraphs[0]
            header.text = _("DRAFT")
            header.runs[0].bold = True

        document.add_heading(content.questionnaire, level=0)
        for label, value in (
            (_("Organization"), content.organization),
            (_("Questionnaire"), content.questionnaire),
            (_("Status"), content.status),
            (_("Date"), date_format(content.exported_on, "DATE_FORMAT")),
        ):
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)

        # Looked up once: python-docx finds a style by name by scanning every style.
        grid_style_id = document.styles["Table Grid"].style_id
        note_style = document.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        note_style.base_style = normal
        note_style.font.italic = True
        note_style.font.color.rgb = _MUTED
        _bookmark(document, "w:bookmarkStart")
        for item in content.questions:
            if item.section:
                document.add_heading(item.section, level=1)
            document.add_heading(f"{item.number}. {item.prompt}", level=2)
            if item.guidance:
                _add_muted(document, item.guidance)
            if item.text is not None:
                _add_text(document, item.text, item.note)
            for part in item.parts:
                document.add_heading(part.title, level=3)
                _add_text(document, part.text, part.note)
            for row in item.rows:
                _add_row_table(document, row, grid_style_id)
        _bookmark(document, "w:bookmarkEnd")

        coverage = sdg_coverage_of_loaded(submission)
        if coverage.has_tables:
            _add_coverage_figure(document, coverage)

        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _add_muted(document, text: str):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.italic = True
    run.font.color.rgb = _MUTED
    return paragraph


def _paragraphs(text: str) -> list[str]:
    """A text's paragraphs (split at blank lines), each keeping its line breaks."""
    pieces = re.split(r"\n[ \t]*\n", text.replace("\r", ""))
    return [
        "\n".join(line.strip() for line in piece.strip("\n").split("\n"))
        for piece in pieces
        if piece.strip()
    ]


def _add_text(document, text: str, note: str) -> None:
    """An answer as its paragraphs, a line break kept inside one (the Word importer reads it
    back the same); an empty answer prints its note (base.empty_note)."""
    paragraphs = _paragraphs(text)
    if not paragraphs and note:
        document.add_paragraph(note, style=NOTE_STYLE)
    for paragraph in paragraphs:
        _fill_cell(document.add_paragraph(), paragraph)


def _add_row_table(document, row: RowContent, style_id: str) -> None:
    """The two-column label/value table, each table row built once and its two cells filled.

    Fetching cells with table.cell(r, c) walks the whole table every time (quadratic).
    """
    table = document.add_table(rows=0, cols=2)
    table._tbl.tblPr.style = style_id
    table.autofit = False
    # Column widths for LibreOffice (the table grid), cell widths for Word.
    table.columns[0].width, table.columns[1].width = _LABEL_WIDTH, _VALUE_WIDTH
    for label, value in row.fields:
        label_cell, value_cell = table.add_row().cells
        label_cell.width, value_cell.width = _LABEL_WIDTH, _VALUE_WIDTH
        label_cell.paragraphs[0].add_run(label).bold = True
        paragraphs = _paragraphs(value) or [""]
        _fill_cell(value_cell.paragraphs[0], paragraphs[0])
        for paragraph in paragraphs[1:]:
            _fill_cell(value_cell.add_paragraph(), paragraph)
    document.add_paragraph()


def _fill_cell(paragraph, value: str) -> None:
    """A value with its line breaks kept inside one paragraph."""
    lines = value.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break(WD_BREAK.LINE)
        run = paragraph.add_run(line)


def _bookmark(document, tag: str) -> None:
    """Open (``w:bookmarkStart``) or close the bookmark around the questions and answers.

    The Word importer reads only what it spans when it is there (``ANSWERS_BOOKMARK``), so
    that the cover block and the SDG chart of the app's own export stay out on the way in.
    """
    element = OxmlElement(tag)
    element.set(qn("w:id"), "0")
    if tag == "w:bookmarkStart":
        element.set(qn("w:name"), ANSWERS_BOOKMARK)
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    if section is not None:
        section.addprevious(element)
    else:
        body.append(element)


def _add_coverage_figure(document, coverage: Coverage) -> None:
    """The SDG coverage chart on a page of its own: a title, the picture (with alt text) and
    a caption. Not a heading: the document's headings are the questionnaire's own."""
    chart = sdg_chart(coverage)
    title = document.add_paragraph()
    title.paragraph_format.page_break_before = True
    title.paragraph_format.keep_with_next = True
    run = title.add_run(_("SDG coverage"))
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = _UN_BLUE

    picture = document.add_paragraph()
    picture.paragraph_format.keep_with_next = True
    shape = picture.add_run().add_picture(io.BytesIO(sdg_chart_png(chart)), width=_CHART_WIDTH)
    # Alt text (Word's "Description"): the numbers the picture shows, goal by goal.
    per_goal = "; ".join(
        f"{item.goal.number} {item.goal.title}: {item.breakdown if item.total else _('no rows')}"
        for item in coverage.goals
    )
    shape._inline.docPr.set("title", clean(chart.title))
    shape._inline.docPr.set("descr", clean(f"{coverage.summary} {per_goal}."))

    caption = _("Table rows (events, resources, initiatives) touching each goal.")
    document.add_paragraph(f"{caption} {coverage.summary}", style="Caption")
