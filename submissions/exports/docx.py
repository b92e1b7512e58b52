"""Word (DOCX): the submission as an official document, in the questionnaire's layout.

A4 or Letter (``settings.DOCUMENT_PAGE_SIZE``), a running header and page numbers, "DRAFT"
and a watermark until the submission is finalized, the document's language, a small style set
(Word's own Title and Heading 1-3, so that its navigation pane works) and each table row as
the template's two-column label | value table, kept on one page with its question when it can.
"""

import io
import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Inches, Pt, RGBColor

from ..insight.coverage import Coverage, sdg_chart, sdg_chart_png, sdg_coverage_of_loaded
from ..models import Submission
from ..rowfields import clean
from .base import BaseExporter, QuestionContent, RowContent, SubmissionContent, submission_content

# What the Word importer leaves aside when the app's own export comes back in: what is
# outside this bookmark (the cover block, the SDG chart), and paragraphs in the note style
# ("Nothing to report this year", "[Missing: no answer yet]"). See importers/wordfile.py.
ANSWERS_BOOKMARK = "submission_answers"
NOTE_STYLE = "Answer Note"

PAGE_SIZES = {"A4": (Cm(21), Cm(29.7)), "Letter": (Inches(8.5), Inches(11))}
_MARGIN_SIDE, _MARGIN_TOP, _MARGIN_BOTTOM = Cm(2.2), Cm(2.5), Cm(2.2)
_HEADER_DISTANCE, _FOOTER_DISTANCE = Cm(1.2), Cm(1)
_CHART_WIDTH = Cm(16)
_COVER_LABEL_WIDTH = Cm(3.5)

# Arial: on every Windows, and on Debian LibreOffice lays it out with Liberation Sans, whose
# letters have the same widths (fonts-liberation), so pages break alike everywhere.
FONT = "Arial"
_TEXT = RGBColor(0x1A, 0x1A, 0x1A)
_MUTED = RGBColor(0x59, 0x59, 0x59)
_UN_BLUE = RGBColor(0x0B, 0x53, 0x94)
_DRAFT_RED = RGBColor(0xB0, 0x00, 0x20)
_RULE, _LABEL_FILL = "8C8C8C", "F2F2F2"

# The VML text shape Word writes for Design > Watermark ("DRAFT", diagonal, semitransparent
# silver, behind the text); LibreOffice shows it too. Placed in the header: on every page.
_WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:w10="urn:schemas-microsoft-com:office:word"><w:rPr><w:noProof/></w:rPr><w:pict>'
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>'
    '<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>'
    '<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>'
    '<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>'
    '<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>'
    '<v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom"'
    ' o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight"'
    ' xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype><v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s1025"'
    ' type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:430pt;'
    "height:143pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="silver"'
    ' stroked="f"><v:fill opacity=".5"/><v:textpath style="font-family:&quot;Arial&quot;;'
    'font-size:1pt;font-weight:bold" string="{text}"/><w10:wrap anchorx="margin"'
    ' anchory="margin"/></v:shape></w:pict></w:r>'
)


@dataclass
class _Styles:
    """The ids of the document's paragraph styles (None: Normal) and the row tables' parts.

    Paragraphs get their style by id: python-docx, given a style, scans every style of the
    template to see whether it is the default one (a millisecond a paragraph).
    """

    title: str
    section: str
    question: str
    part: str
    body: None
    note: str
    guidance: str
    cover: str
    caption: str
    table: object  # a w:tbl without rows, copied for each table row (_table_prototype)
    row: object  # a w:tr, copied for each field (_row_prototype)


class DocxExporter(BaseExporter):
    identifier = "docx"
    verbose_name = gettext_lazy("Word document (DOCX)")
    extension = "docx"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render_content(self, submission: Submission) -> bytes:
        content = submission_content(submission)
        language = _language_tag()
        document = Document()
        _set_properties(document, content, language)
        styles = _define_styles(document, language)
        _add_header_and_footer(document, content)

        _add_cover(document, content, styles)
        _bookmark(document, "w:bookmarkStart")
        for item in content.questions:
            _add_question(document, item, styles)
        _bookmark(document, "w:bookmarkEnd")

        coverage = sdg_coverage_of_loaded(submission)
        if coverage.has_tables:
            _add_coverage_figure(document, coverage, styles)

        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


# -- The document's frame: properties, paper, styles, header and footer --------------------


def _language_tag() -> str:
    """The active language as Word writes it: "en", "fr", "pt-BR"."""
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE).replace(
        "_", "-"
    )


def _long_date(value: date) -> str:
    """A date the UN's way: "1 December 2026" (the month's name translated)."""
    return date_format(value, "DATE_FORMAT")


def _set_properties(document, content: SubmissionContent, language: str) -> None:
    properties = document.core_properties
    properties.title = content.questionnaire
    properties.subject = content.organization
    properties.author = properties.last_modified_by = content.organization
    properties.comments = ""  # python-docx's template says "generated by python-docx"
    properties.language = language
    properties.revision = 1
    now = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = now

    section = document.sections[0]
    section.page_width, section.page_height = PAGE_SIZES[settings.DOCUMENT_PAGE_SIZE]
    section.left_margin = section.right_margin = _MARGIN_SIDE
    section.top_margin, section.bottom_margin = _MARGIN_TOP, _MARGIN_BOTTOM
    section.header_distance, section.footer_distance = _HEADER_DISTANCE, _FOOTER_DISTANCE

    theme_language = document.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), language)


def _plain_font(style, *, size: float, color: RGBColor | None = _TEXT, **font) -> None:
    """A style's run properties without the template's theme fonts (Calibri, Cambria) and
    theme colours, so that the document's own font and these settings apply."""
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    if fonts is not None:
        fonts.getparent().remove(fonts)
    style.font.size = Pt(size)
    # The size of complex-script text (Arabic) too, which the template sets apart.
    run = style.element.rPr
    for old in run.findall(qn("w:szCs")):
        run.remove(old)
    complex_size = OxmlElement("w:szCs")
    complex_size.set(qn("w:val"), str(round(size * 2)))
    run.find(qn("w:sz")).addnext(complex_size)
    style.font.color.rgb = color
    for name, value in font.items():
        setattr(style.font, name, value)


def _spacing(style, *, before: float = 0, after: float = 0, line: float | None = None) -> None:
    paragraph = style.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(before), Pt(after)
    if line is not None:
        paragraph.line_spacing = line


def _define_styles(document, language: str) -> _Styles:
    """Restyle python-docx's template: Arial in near-black, UN blue for the title and
    sections, questions at text size in bold, muted notes; the built-in names are kept."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(run_defaults):
        run_defaults.remove(child)
    run_defaults.append(
        parse_xml(
            f'<w:rFonts xmlns:w="{_W}" w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"'
            ' w:eastAsiaTheme="minorEastAsia"/>'
        )
    )
    for tag, value in (("w:color", str(_TEXT)), ("w:sz", "21"), ("w:szCs", "21")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        run_defaults.append(element)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    run_defaults.append(lang)

    styles = document.styles
    normal = styles["Normal"]
    _spacing(normal, after=6, line=1.2)
    normal.paragraph_format.widow_control = True

    title = styles["Title"]
    title_border = title.element.pPr.find(qn("w:pBdr"))
    if title_border is not None:
        title_border.getparent().remove(title_border)
    _plain_font(title, size=18, color=_UN_BLUE, bold=True)
    _spacing(title, after=10, line=1.0)
    title.paragraph_format.keep_with_next = True

    section, question, part = styles["Heading 1"], styles["Heading 2"], styles["Heading 3"]
    _plain_font(section, size=11.5, color=_UN_BLUE, bold=True, all_caps=True)
    _spacing(section, before=16, after=6)
    _plain_font(question, size=11, bold=True)
    _spacing(question, before=14, after=5)
    _plain_font(part, size=10.5, bold=True)
    _spacing(part, before=8, after=3)
    for heading in (section, question, part):
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.keep_together = True

    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _plain_font(note, size=10.5, color=_MUTED, italic=True)
    guidance = styles.add_style("Question Guidance", WD_STYLE_TYPE.PARAGRAPH)
    guidance.base_style = note
    guidance.paragraph_format.keep_with_next = True

    cover = styles.add_style("Cover Detail", WD_STYLE_TYPE.PARAGRAPH)
    cover.base_style = normal
    _spacing(cover, after=2)
    cover.paragraph_format.left_indent = _COVER_LABEL_WIDTH
    cover.paragraph_format.first_line_indent = -_COVER_LABEL_WIDTH
    cover.paragraph_format.tab_stops.add_tab_stop(_COVER_LABEL_WIDTH)

    caption = styles["Caption"]
    _plain_font(caption, size=9, color=_MUTED, bold=False)

    label = styles.add_style("Table Label", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    _plain_font(label, size=9.5, bold=True)
    _spacing(label, line=1.1)
    cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _plain_font(cell, size=10)
    _spacing(cell, line=1.1)

    section_properties = document.sections[0]
    text_width = section_properties.page_width - 2 * _MARGIN_SIDE
    for name in ("Header", "Footer"):
        frame = styles[name]
        _plain_font(frame, size=8.5, color=_MUTED)
        frame.paragraph_format.tab_stops.clear_all()
        frame.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    _rule_below(styles["Header"].element.get_or_add_pPr(), space=4)  # under the header

    width = Emu(text_width).twips
    label_width = round(width / 3)
    return _Styles(
        title=title.style_id,
        section=section.style_id,
        question=question.style_id,
        part=part.style_id,
        body=None,
        note=note.style_id,
        guidance=guidance.style_id,
        cover=cover.style_id,
        caption=caption.style_id,
        table=_table_prototype(styles["Table Grid"].style_id, width, label_width),
        row=_row_prototype(label.style_id, cell.style_id, width, label_width),
    )


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# What follows w:pBdr in a w:pPr: Word refuses a document whose elements are out of order.
_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _rule_below(paragraph_properties, *, space: int) -> None:
    """A thin grey rule under a paragraph, ``space`` points below its text."""
    border = parse_xml(
        f'<w:pBdr xmlns:w="{_W}"><w:bottom w:val="single" w:sz="4" w:space="{space}"'
        f' w:color="{_RULE}"/></w:pBdr>'
    )
    paragraph_properties.insert_element_before(border, *_AFTER_BORDER)


def _add_header_and_footer(document, content: SubmissionContent) -> None:
    """Header: "organization · questionnaire", and "DRAFT" with a watermark in a draft;
    footer: "Page 2 of 14" (PAGE and NUMPAGES fields, which Word and LibreOffice fill)."""
    section = document.sections[0]
    header = section.header.paragraphs[0]
    if content.is_draft:
        # The watermark's run first, as Word writes it (LibreOffice then centres it on the page).
        header._p.append(parse_xml(_WATERMARK.format(text=_xml_attribute(_("DRAFT")))))
    header.add_run(f"{content.organization} · {content.questionnaire}")
    if content.is_draft:
        header.add_run("\t")
        mark = header.add_run(_("DRAFT"))
        mark.bold = True
        mark.font.color.rgb = _DRAFT_RED

    footer = section.footer.paragraphs[0]
    footer.add_run("\t")
    # Translators see the whole sentence; the two numbers become fields where they stand.
    sentence = _("Page %(page)s of %(pages)s")
    for piece in re.split(r"(%\(pages?\)s)", sentence):
        if piece == "%(page)s":
            _add_field(footer, "PAGE")
        elif piece == "%(pages)s":
            _add_field(footer, "NUMPAGES")
        elif piece:
            footer.add_run(piece)


def _xml_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _add_field(paragraph, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) as Word writes it, with "1" as its last known result."""
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        elif kind == "result":
            run.text = "1"
        else:
            character = OxmlElement("w:fldChar")
            character.set(qn("w:fldCharType"), kind)
            run._r.append(character)


# -- The cover block and the questions -----------------------------------------------------


def _add_cover(document, content: SubmissionContent, styles: _Styles) -> None:
    """Title and who, what, which status, when: outside the answers bookmark."""
    _add_paragraph(document, styles.title, content.questionnaire)
    details = [
        (_("Organization"), content.organization),
        (_("Questionnaire"), content.questionnaire),
        (_("Status"), content.status),
    ]
    if content.finalized_on and content.finalized_by:
        details.append(
            (
                _("Finalized by"),
                _("%(name)s on %(date)s")
                % {"name": content.finalized_by, "date": _long_date(content.finalized_on)},
            )
        )
    elif content.finalized_on:
        details.append((_("Finalized on"), _long_date(content.finalized_on)))
    details.append((_("Exported on"), _long_date(content.exported_on)))
    for label, value in details:
        paragraph = _add_paragraph(document, styles.cover)
        label_run = paragraph.add_run(label)
        label_run.bold = True
        label_run.font.color.rgb = _MUTED
        paragraph.add_run("\t" + value)
    paragraph.paragraph_format.space_after = Pt(8)
    _rule_below(paragraph._p.get_or_add_pPr(), space=8)  # before the first question


def _add_question(document, item: QuestionContent, styles: _Styles) -> None:
    """Section, heading with its limit note, guidance, answer, parts and rows of a question."""
    if item.section:
        _add_paragraph(document, styles.section, item.section)
    # A question whose text is its section's title (2017's annex) is not printed twice.
    if not (item.section and item.heading == item.section and not item.limit_note):
        heading = _add_paragraph(document, styles.question)
        if item.number_printed:
            heading.add_run(f"{item.number}.").font.color.rgb = _UN_BLUE
            heading.add_run(f" {item.prompt}")
        else:
            heading.add_run(item.prompt)
        if item.limit_note:
            _add_limit_note(heading, item.limit_note)
    if item.guidance:
        _add_paragraph(document, styles.guidance, item.guidance)
    if item.text is not None:
        _add_text(document, item.text, item.note, styles)
    for part in item.parts:
        heading = _add_paragraph(document, styles.part, part.heading)
        if part.limit_note:
            _add_limit_note(heading, part.limit_note)
        _add_text(document, part.text, part.note, styles)
    for row in item.rows:
        _add_row_table(document, row, styles)


def _add_paragraph(document, style_id: str | None, text: str = ""):
    """A paragraph at the end of the body, in a style given by its id (see _Styles)."""
    paragraph = document.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _add_limit_note(paragraph, note: str) -> None:
    run = paragraph.add_run(f" {note}")
    run.bold = False
    run.font.color.rgb = _MUTED


def _paragraphs(text: str) -> list[str]:
    """A text's paragraphs (split at blank lines), each keeping its line breaks."""
    pieces = re.split(r"\n[ \t]*\n", text.replace("\r", ""))
    return [
        "\n".join(line.strip() for line in piece.strip("\n").split("\n"))
        for piece in pieces
        if piece.strip()
    ]


def _add_text(document, text: str, note: str, styles: _Styles) -> None:
    """An answer as its paragraphs, a line break kept inside one (the Word importer reads it
    back the same); an empty answer prints its note (base.empty_note)."""
    paragraphs = _paragraphs(text)
    if not paragraphs and note:
        _add_paragraph(document, styles.note, note)
    for paragraph in paragraphs:
        _fill(_add_paragraph(document, styles.body)._p, paragraph)


def _fill(p, value: str) -> None:
    """A value with its line breaks kept inside one paragraph: one run, texts and breaks."""
    run = OxmlElement("w:r")
    for index, line in enumerate(value.split("\n")):
        if index:
            run.append(OxmlElement("w:br"))
        if line:
            text = OxmlElement("w:t")
            text.set(qn("xml:space"), "preserve")
            text.text = line
            run.append(text)
    p.append(run)


def _row_prototype(label_style: str, value_style: str, width: int, label_width: int):
    """One label | value table row, in twips: cells of a third and two thirds of the text
    width, the label shaded, never split across pages (cantSplit), each paragraph kept with
    the next row (keepNext, taken off a table's last row)."""
    return parse_xml(
        f'<w:tr xmlns:w="{_W}"><w:trPr><w:cantSplit/></w:trPr>'
        f'<w:tc><w:tcPr><w:tcW w:w="{label_width}" w:type="dxa"/>'
        f'<w:shd w:val="clear" w:color="auto" w:fill="{_LABEL_FILL}"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{label_style}"/><w:keepNext/></w:pPr></w:p></w:tc>'
        f'<w:tc><w:tcPr><w:tcW w:w="{width - label_width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{value_style}"/><w:keepNext/></w:pPr></w:p></w:tc>'
        "</w:tr>"
    )


_CELL_MARGIN = 100  # twips, left and right of a cell's text


def _table_prototype(style: str, width: int, label_width: int):
    """A table of the text width in two columns (the grid LibreOffice reads), thin grey rules."""
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{_RULE}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return parse_xml(
        f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{style}"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/>'
        # Indented by the cell margin, the borders stand on the text's edges (Word's
        # compatibility mode 14, which the template has, puts the cell's text there).
        f'<w:tblInd w:w="{_CELL_MARGIN}" w:type="dxa"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="{_CELL_MARGIN}" w:type="dxa"/>'
        f'<w:bottom w:w="57" w:type="dxa"/><w:right w:w="{_CELL_MARGIN}" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{label_width}"/><w:gridCol w:w="{width - label_width}"/>'
        "</w:tblGrid></w:tbl>"
    )


# Space above a cell's second and later paragraphs (4 pt), as between a narrative's.
_CELL_PARAGRAPH_GAP = parse_xml(f'<w:spacing xmlns:w="{_W}" w:before="80"/>')


def _add_row_table(document, row: RowContent, styles: _Styles) -> None:
    """The two-column label | value table of one row, built as XML from two prototypes.

    python-docx's table API walks the whole table for every cell it fetches (quadratic);
    copying a finished row element is linear and about ten times quicker.
    """
    table = deepcopy(styles.table)
    guidance = row.guidance or [""] * len(row.fields)
    last = None
    for (label, value), note in zip(row.fields, guidance, strict=True):
        last = deepcopy(styles.row)
        label_cell, value_cell = last.findall(qn("w:tc"))
        label_p = label_cell.find(qn("w:p"))
        # "Description (max 150 words): please include…": the guidance in a lighter run.
        if note and label.endswith(f": {note}"):
            _fill(label_p, label[: -len(note) - 1])
            _fill(label_p, f" {note}")
            properties = OxmlElement("w:rPr")
            properties.append(OxmlElement("w:b"))
            properties[0].set(qn("w:val"), "0")
            color = OxmlElement("w:color")
            color.set(qn("w:val"), str(_MUTED))
            properties.append(color)
            label_p[-1].insert(0, properties)
        else:
            _fill(label_p, label)
        value_p = value_cell.find(qn("w:p"))
        paragraphs = _paragraphs(value) or [""]
        _fill(value_p, paragraphs[0])
        for paragraph in paragraphs[1:]:
            p = deepcopy(value_p)
            del p[1:]
            p[0].append(deepcopy(_CELL_PARAGRAPH_GAP))
            _fill(p, paragraph)
            value_cell.append(p)
        table.append(last)
    if last is not None:
        for keep in last.iter(qn("w:keepNext")):
            keep.getparent().remove(keep)
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    section.addprevious(table)
    # Two tables in a row would merge into one: a small gap paragraph keeps them apart.
    section.addprevious(
        parse_xml(
            f'<w:p xmlns:w="{_W}"><w:pPr><w:spacing w:before="0" w:after="0" w:line="200"'
            ' w:lineRule="exact"/></w:pPr></w:p>'
        )
    )


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


def _add_coverage_figure(document, coverage: Coverage, styles: _Styles) -> None:
    """The SDG coverage chart on a page of its own: a title, the picture (with alt text) and
    a caption. Not a heading: the document's headings are the questionnaire's own."""
    chart = sdg_chart(coverage)
    title = document.add_paragraph()
    title.paragraph_format.page_break_before = True
    title.paragraph_format.keep_with_next = True
    run = title.add_run(_("SDG coverage"))
    run.bold = True
    run.font.size = Pt(11.5)
    run.font.all_caps = True
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
    _add_paragraph(document, styles.caption, f"{caption} {coverage.summary}")
