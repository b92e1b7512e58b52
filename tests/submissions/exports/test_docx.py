"""DOCX: the questionnaire's layout, read back with python-docx."""

import io
from datetime import UTC, datetime

import docx
import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from docx.oxml.ns import qn
from docx.shared import Emu, Inches

from submissions.exports import render_export
from submissions.models import Answer, Submission, SubmissionStatus
from submissions.seeds import seeds_load
from submissions.services import submission_set_document_language
from tests.submissions.exports.conftest import body_paragraphs

pytestmark = pytest.mark.django_db

VML = "urn:schemas-microsoft-com:vml"
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


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


def test_the_paper_is_a4_unless_the_setting_says_letter(filled_submission):
    _, _, document = _open(filled_submission)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    for margin in (section.left_margin, section.right_margin, section.top_margin):
        assert 2 <= margin.cm <= 2.5

    with override_settings(DOCUMENT_PAGE_SIZE="Letter"):
        _, _, document = _open(filled_submission)
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    # The tables follow the paper: the text width of a Letter page.
    width = Emu(section.page_width - section.left_margin - section.right_margin).twips
    assert document.tables[0]._tbl.tblPr.find("w:tblW", NS).get(qn("w:w")) == str(width)


def test_tables_span_the_text_width_with_a_label_column_of_a_third(filled_submission):
    _, _, document = _open(filled_submission)
    section = document.sections[0]
    width = Emu(section.page_width - section.left_margin - section.right_margin).twips

    for table in document.tables:
        assert table._tbl.tblPr.find("w:tblW", NS).get(qn("w:w")) == str(width)
        label, value = (int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall("w:gridCol", NS))
        assert label + value == width
        assert abs(label - width / 3) <= 1


def test_no_row_splits_and_a_table_keeps_with_its_question(filled_submission):
    """A row's table broke across pages (name and dates on one, SDGs and description on the
    next), and a question's heading stood at the foot of a page with its table on the next."""
    _, _, document = _open(filled_submission)

    for table in document.tables:
        rows = table._tbl.findall("w:tr", NS)
        assert all(row.find("w:trPr/w:cantSplit", NS) is not None for row in rows)
        for row in rows[:-1]:
            paragraphs = row.findall(".//w:p", NS)
            assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in paragraphs)
        # The last row lets the table part from what follows it.
        assert rows[-1].find(".//w:keepNext", NS) is None

    kept = [
        p
        for p in body_paragraphs(document)
        if p.style.name in ("Heading 1", "Heading 2", "Heading 3", "Question Guidance")
    ]
    assert len(kept) == 8  # a section, five questions, two parts
    assert all(p.style.paragraph_format.keep_with_next for p in kept)


def test_the_footer_numbers_the_pages_with_fields(filled_submission):
    _, _, document = _open(filled_submission)
    footer = document.sections[0].footer

    instructions = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert [p.text for p in footer.paragraphs] == ["\tPage 1 of 1"]  # as the fields last read


def test_the_document_language_is_the_submissions(filled_submission):
    def languages(document):
        default = document.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
        return default.get(qn("w:val")), document.core_properties.language

    _, _, document = _open(filled_submission)
    assert languages(document) == ("en", "en")

    # The submission's document language, not the reader's.
    with translation.override("fr"):
        _, _, document = _open(filled_submission)
    assert languages(document) == ("en", "en")
    submission_set_document_language(submission=filled_submission, language="fr")
    _, _, document = _open(filled_submission)
    assert languages(document) == ("fr", "fr")


def test_the_cover_block_gives_the_export_date_and_who_finalized_it(filled_submission, editor):
    _, _, document = _open(filled_submission)
    text = [p.text for p in body_paragraphs(document)]
    exported = f"Exported on\t{date_format(timezone.localdate(), 'j F Y')}"
    assert exported in text
    assert not [line for line in text if line.startswith(("Date", "Finalized"))]

    editor.first_name, editor.last_name = "Amina", "Diallo"
    editor.save()
    Submission.objects.filter(pk=filled_submission.pk).update(
        status=SubmissionStatus.FINALIZED,
        finalized_by=editor,
        finalized_at=datetime(2025, 3, 3, 12, tzinfo=UTC),
    )
    _, _, document = _open(filled_submission)
    text = [p.text for p in body_paragraphs(document)]
    assert text[:6] == [
        "UN DESA questionnaire 2024",
        "Organization\tInternational Organization for Migration",
        "Questionnaire\tUN DESA questionnaire 2024",
        "Status\tFinalized",
        "Finalized by\tAmina Diallo on 3 March 2025",
        exported,
    ]


def test_the_cover_block_and_the_chart_stay_outside_the_answers_bookmark(filled_submission):
    """The Word importer reads only what the bookmark spans (importers/wordfile.py)."""
    _, _, document = _open(filled_submission)
    body = list(document.element.body)
    tags = [child.tag for child in body]
    start, end = tags.index(qn("w:bookmarkStart")), tags.index(qn("w:bookmarkEnd"))
    assert body[start].get(qn("w:name")) == "submission_answers"

    before = [p.style.name for p in document.paragraphs if body.index(p._p) < start]
    assert before == ["Title"] + ["Cover Detail"] * 4
    assert body[start + 1].findtext("w:r/w:t", namespaces=NS) == "1."
    after = [p.text for p in document.paragraphs if body.index(p._p) > end]
    assert after[0] == "SDG coverage"
    assert document.inline_shapes[0]._inline.docPr.get("descr")  # the chart's alt text


@pytest.fixture
def seeded(db):
    """The seed questionnaires, with IOM's submissions imported from the seed documents."""
    seeds_load(demo_users=False)


def test_each_years_limit_notes_and_row_labels_as_its_form_words_them(seeded):
    """2024's form gives word limits after its questions and parts; 2021's and 2023's give
    none there (2023 has them in its rows' description labels only)."""
    noted = {}
    for slug in ("desa-2021", "desa-2023", "desa-2024"):
        submission = Submission.objects.get(organization__code="IOM", questionnaire__slug=slug)
        _, _, document = _open(submission)
        questions = submission.questionnaire.questions.order_by("position")
        expected = []
        for question in questions:
            heading = (
                f"{question.number}. {question.prompt}"
                if question.number_printed
                else question.prompt
            )
            limit = question.limit_text()
            expected.append(f"{heading} {limit}" if limit else heading)
        assert _styled(document, "Heading 2") == expected
        noted[slug] = [q.number for q in questions if q.limit_text()]
        labels = {row.cells[0].text for table in document.tables for row in table.rows}
        if slug == "desa-2021":
            assert {"Link to access", "Publishing entity", "Description"} <= labels
            assert not [label for label in labels if "(max" in label]
        elif slug == "desa-2023":
            assert {"Event Name:", "Description (max 150 words)"} <= labels
        else:
            assert {"Website (if applicable)", "Description (max 150 words)"} <= labels
            assert _styled(document, "Heading 3")[0] == "1) Food systems (max 200 words)"
            # The note in a lighter run than the question.
            first = [p for p in body_paragraphs(document) if p.style.name == "Heading 2"][0]
            assert first.runs[-1].text == " (max 200 words)"
            assert first.runs[-1].bold is False
    assert noted == {"desa-2021": [], "desa-2023": [], "desa-2024": ["1", "2", "5", "6", "7"]}
