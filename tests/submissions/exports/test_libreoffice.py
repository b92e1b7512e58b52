"""LibreOffice opens every export, counts the same words we do in the DOCX, and lays the
DOCX out on about as many pages as WeasyPrint gives the PDF."""

import io
import xml.etree.ElementTree as ET
import zipfile

import docx
import pytest

from submissions.exports import render_export
from submissions.models import Answer, Event, Initiative, Resource
from submissions.wordcount import count_words
from tests.submissions.exports.conftest import body_paragraphs
from tests.submissions.exports.libreoffice import libreoffice_convert, libreoffice_open, pdf_pages

pytestmark = pytest.mark.django_db

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _docx_text(content: bytes) -> list[str]:
    """Every paragraph the DOCX holds: header, footer, body and table cells.

    The footer's "Page 1 of 1" is counted as its fields last showed it (four words, as
    LibreOffice counts "Page 1 of 12"); the watermark is a drawing, which LibreOffice does
    not count, and has no paragraph here.
    """
    document = docx.Document(io.BytesIO(content))
    header = [p.text for s in document.sections for p in s.header.paragraphs]
    footer = [p.text for s in document.sections for p in s.footer.paragraphs]
    body = [p.text for p in body_paragraphs(document)]
    cells = [
        p.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
    ]
    assert footer == ["\tPage 1 of 1"]
    return header + footer + body + cells


def test_libreoffice_opens_the_docx_and_counts_its_words(filled_submission, tmp_path):
    Answer.objects.filter(question__number="1").update(
        text="Well-known figures – 2024–2028 — and e-mail: focal.point@iom.int, (see Q5).\n\n"
        "Second paragraph; “quoted” words, 1,000 migrants & 50 % more…"
    )
    Event.objects.filter(position=1).update(description="Line one.\nLine two - three.")
    content = render_export(submission=filled_submission, fmt="docx")[2]

    opened = libreoffice_open(content, tmp_path)

    assert opened.statistics["table-count"] == 6
    expected = sum(count_words(text) for text in _docx_text(content))
    assert opened.statistics["word-count"] == expected


def _open_document(path) -> ET.Element:
    with zipfile.ZipFile(path) as document:
        return ET.fromstring(document.read("content.xml"))


def test_libreoffice_opens_the_spreadsheets_with_their_sheets(filled_submission, tmp_path):
    xlsx = render_export(submission=filled_submission, fmt="xlsx")[2]
    sheets = _open_document(libreoffice_convert(xlsx, "xlsx", "ods", tmp_path))
    names = [t.get(f"{{{TABLE}}}name") for t in sheets.iter(f"{{{TABLE}}}table")]
    assert names == ["Rows", "Answers"]
    csv = render_export(submission=filled_submission, fmt="csv")[2]
    sheet = _open_document(libreoffice_convert(csv, "csv", "ods", tmp_path))
    rows = list(sheet.iter(f"{{{TABLE}}}table-row"))
    assert len(rows) == 1 + Event.objects.count() + Initiative.objects.count() + (
        Resource.objects.count()
    )


def test_libreoffice_opens_the_text_export(filled_submission, tmp_path):
    txt = render_export(submission=filled_submission, fmt="txt")[2]
    text = "".join(_open_document(libreoffice_convert(txt, "txt", "odt", tmp_path)).itertext())
    answer = Answer.objects.exclude(text="").first().text.split("\n")[0]
    assert answer in text


@pytest.mark.parametrize("seed_submission", ["desa-2024"], indirect=True)
def test_the_docx_and_the_pdf_of_the_2024_seed_have_about_as_many_pages(seed_submission, tmp_path):
    docx_content = render_export(submission=seed_submission, fmt="docx")[2]
    laid_out = libreoffice_convert(docx_content, "docx", "pdf", tmp_path)
    docx_pages = pdf_pages(laid_out)
    weasy = tmp_path / "weasy.pdf"
    weasy.write_bytes(render_export(submission=seed_submission, fmt="pdf")[2])
    pages = pdf_pages(weasy)
    assert pages >= 10  # the 2024 seed is a document, not a page of text
    assert abs(docx_pages - pages) <= 0.15 * pages, (docx_pages, pages)
