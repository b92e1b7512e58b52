"""DOCX: the questionnaire's layout, read back with python-docx."""

import io

import docx
import pytest

from submissions.exports import render_export
from submissions.models import Answer, SubmissionStatus
from tests.submissions.exports.conftest import body_paragraphs

pytestmark = pytest.mark.django_db

VML = "urn:schemas-microsoft-com:vml"


def _open(submission):
    filename, content_type, content = render_export(submission=submission, fmt="docx")
    return filename, content_type, docx.Document(io.BytesIO(content))


def _styled(document, style: str) -> list[str]:
    return [p.text for p in body_paragraphs(document) if p.style.name == style]


def test_title_block_questions_parts_and_answers(filled_submission):
    filename, content_type, document = _open(filled_submission)

    assert filename == "IOM-desa-2024.docx"
    assert content_type.endswith("wordprocessingml.document")
    assert _styled(document, "Title") == ["UN DESA questionnaire 2024"]
    text = [p.text for p in body_paragraphs(document)]
    assert "Organization\tInternational Organization for Migration" in text
    assert "Status\tDraft" in text
    assert _styled(document, "Heading 1") == ["Partnerships"]
    # Each question with its number and the limit note the form states (none for 3, 5, 6).
    assert _styled(document, "Heading 2") == [
        "1. Decisions? (max 200 words)",
        "3. Events?",
        "5. Six transitions?",
        "6. Resources?",
        "7. Initiatives? (max 200 words)",
    ]
    assert _styled(document, "Heading 3") == [
        "Food systems (max 200 words)",
        "Energy access (max 200 words)",
    ]
    # A narrative's paragraphs stay paragraphs; in a draft, an empty answer is marked missing.
    assert "The Council adopted the Strategic Plan 2024–2028." in text
    assert "It guides SDG acceleration." in text
    assert "Migrants work in agri-food systems." in text
    assert "[Missing: no answer yet]" in text


def test_a_finalized_document_has_no_placeholder_and_says_nothing_to_report(filled_submission):
    """An empty part was approved and finalized; its DOCX printed "No answer yet." under it."""
    energy = filled_submission.questionnaire.questions.get(number="5").parts.get(
        title="Energy access"
    )
    Answer.objects.create(
        submission=filled_submission,
        question=energy.question,
        part=energy,
        text="",
        nothing_to_report=True,
    )
    filled_submission.status = SubmissionStatus.FINALIZED
    filled_submission.save()

    _, _, document = _open(filled_submission)

    text = "\n".join(p.text for p in body_paragraphs(document))
    assert "Nothing to report this year." in text
    assert "No answer yet" not in text and "[Missing" not in text


def test_each_row_is_a_two_column_label_value_table(filled_submission):
    _, _, document = _open(filled_submission)

    assert len(document.tables) == 6
    first_event = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert first_event == [
        ["Event name", "event 1"],
        ["Event dates", "21-22 May 2024"],
        ["Event location (city, country)", "New York, United States"],
        ["Relevant SDGs", "4, 10, 17"],
        ["Description (max 150 words)", "A short description."],
        ["Website", "https://www.iom.int/"],
    ]
    initiative = {row.cells[0].text: row.cells[1].text for row in document.tables[4].rows}
    assert initiative["Partners"] == "UNDP, ILO"
    assert initiative["Member States benefiting"] == "All"


def test_a_draft_says_draft_in_its_header_and_watermark_until_finalized(filled_submission):
    _, _, document = _open(filled_submission)
    header = document.sections[0].header
    running = "International Organization for Migration · UN DESA questionnaire 2024"
    assert [p.text for p in header.paragraphs] == [f"{running}\tDRAFT"]
    [watermark] = header._element.iter(f"{{{VML}}}shape")
    assert watermark.find(f"{{{VML}}}textpath").get("string") == "DRAFT"
    assert "rotation:315" in watermark.get("style")  # diagonal

    filled_submission.status = SubmissionStatus.FINALIZED
    filled_submission.save()
    _, _, document = _open(filled_submission)
    header = document.sections[0].header
    assert [p.text for p in header.paragraphs] == [running]
    assert not list(header._element.iter(f"{{{VML}}}shape"))
    assert "Status\tFinalized" in [p.text for p in body_paragraphs(document)]


def test_line_breaks_in_a_row_value_stay_inside_its_cell(filled_submission):
    filled_submission.events.filter(position=1).update(description="First line.\nSecond line.")
    _, _, document = _open(filled_submission)
    description = document.tables[0].rows[4].cells[1]
    assert description.text == "First line.\nSecond line."
    assert len(description.paragraphs) == 1
