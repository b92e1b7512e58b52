"""The DOCX opens in LibreOffice, which counts the same words we do."""

import io
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import docx
import pytest

from submissions.exports import render_export
from submissions.models import Answer, Event
from submissions.wordcount import count_words
from tests.conftest import require_program

pytestmark = pytest.mark.django_db

META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"


def _docx_text(content: bytes) -> list[str]:
    """Every paragraph the DOCX holds: header, body and table cells."""
    document = docx.Document(io.BytesIO(content))
    header = [p.text for s in document.sections for p in s.header.paragraphs]
    body = [p.text for p in document.paragraphs]
    cells = [
        p.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
    ]
    return header + body + cells


def test_libreoffice_opens_the_docx_and_counts_its_words(filled_submission, tmp_path):
    soffice = require_program("soffice")
    Answer.objects.filter(question__number="1").update(
        text="Well-known figures – 2024–2028 — and e-mail: focal.point@iom.int, (see Q5).\n\n"
        "Second paragraph; “quoted” words, 1,000 migrants & 50 % more…"
    )
    Event.objects.filter(position=1).update(description="Line one.\nLine two - three.")
    content = render_export(submission=filled_submission, fmt="docx")[2]
    source = tmp_path / "IOM-desa-2024.docx"
    source.write_bytes(content)

    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "odt",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    converted = tmp_path / "IOM-desa-2024.odt"
    assert converted.exists(), "LibreOffice did not open the DOCX"
    with zipfile.ZipFile(converted) as odt:
        statistics = ET.fromstring(odt.read("meta.xml")).find(f".//{{{META}}}document-statistic")
    assert int(statistics.get(f"{{{META}}}table-count")) == 6
    expected = sum(count_words(text) for text in _docx_text(content))
    assert int(statistics.get(f"{{{META}}}word-count")) == expected
