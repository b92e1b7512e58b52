"""PDF (WeasyPrint, from the print template) and its text."""

import subprocess

import pytest

from submissions.exports import get_exporter, render_export
from submissions.exports.base import submission_for_export
from tests.conftest import require_program

pytestmark = pytest.mark.django_db


def test_pdf_is_a_pdf_with_pages(filled_submission):
    filename, content_type, content = render_export(submission=filled_submission, fmt="pdf")

    assert filename == "IOM-desa-2024.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    document = get_exporter("pdf").document(submission_for_export(filled_submission.pk))
    assert len(document.pages) >= 2


def test_pdf_text_has_the_content_and_the_draft_mark(filled_submission, tmp_path):
    pdftotext = require_program("pdftotext")
    path = tmp_path / "export.pdf"
    path.write_bytes(render_export(submission=filled_submission, fmt="pdf")[2])

    output = subprocess.run(
        [pdftotext, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(output.split())  # table cells wrap at their width

    for expected in (
        "DRAFT",
        "International Organization for Migration",
        "1. Decisions?",
        "The Council adopted the Strategic Plan 2024–2028.",
        "Food systems",
        "Migrants work in agri-food systems.",
        "Event dates",
        "21-22 May 2024",
        "4, 10, 17",
        "Member States benefiting",
    ):
        assert expected in text, expected
