"""The DOCX opens in LibreOffice, which counts the same words we do."""

import io

import docx
import pytest

from submissions.exports import render_export
from submissions.models import Answer, Event
from submissions.wordcount import count_words
from tests.submissions.exports.conftest import body_paragraphs
from tests.submissions.exports.libreoffice import libreoffice_open

pytestmark = pytest.mark.django_db


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
