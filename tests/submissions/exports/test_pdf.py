"""PDF (WeasyPrint, from the print template): its text, paper, marks, tags and outline.

The text is read back with poppler (pdftotext, and pdftohtml for the outline), as a reader's
tools would; the seed submissions are imported from their documents, one questionnaire each.
"""

import re
import subprocess
import xml.etree.ElementTree as ET
import zlib
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from submissions.exports import get_exporter, render_export
from submissions.exports.base import submission_content, submission_for_export
from submissions.models import SubmissionStatus
from submissions.rowfields import question_row_fields
from tests.conftest import require_program

pytestmark = pytest.mark.django_db


# -- Reading a PDF back --------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path) -> str:
    """The PDF's text, white space normalised (headings and table cells wrap at their width)."""
    pdftotext = require_program("pdftotext")
    path = tmp_path / "export.pdf"
    path.write_bytes(content)
    output = subprocess.run(
        [pdftotext, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(output.split())


def pdf_outline(content: bytes, tmp_path) -> list[tuple[int, str]]:
    """The bookmarks as (depth, title), depth 1 at the top, in document order."""
    pdftohtml = require_program("pdftohtml")
    path = tmp_path / "outline.pdf"
    path.write_bytes(content)
    xml = subprocess.run(
        [pdftohtml, "-xml", "-i", "-q", "-stdout", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    root = ET.fromstring(xml)
    entries: list[tuple[int, str]] = []

    def walk(outline, depth):
        for child in outline:
            if child.tag == "item":
                entries.append((depth, "".join(child.itertext())))
            elif child.tag == "outline":
                walk(child, depth + 1)

    for outline in root.findall("outline"):
        walk(outline, 1)
    return entries


def pdf_structure(content: bytes) -> list[tuple[str, str]]:
    """The tagged structure as (tag, text) in reading order: "H2", "3. In the past year…".

    From poppler's ``pdfinfo -struct-text``: each element's text is the text of the lines
    indented below it, so a table header cell reads whole however its lines wrap.
    """
    output = subprocess.run(
        [require_program("pdfinfo"), "-struct-text", "-"],
        input=content,
        check=True,
        capture_output=True,
    ).stdout.decode()
    lines = [(len(line) - len(line.lstrip()), line.strip()) for line in output.splitlines()]
    elements = []
    for index, (indent, line) in enumerate(lines):
        if not line or line.startswith(('"', "/")):  # text, or an attribute (/Headers …)
            continue
        words = []
        for deeper, text in lines[index + 1 :]:
            if deeper <= indent:
                break
            if text.startswith('"'):
                words.append(text.strip('"'))
        tag = re.match(r"\w+", line)[0]  # "TD:", "TH <199-0-0>", "H2 (block)"
        elements.append((tag, " ".join(" ".join(words).split())))
    return elements


def pdf_catalog(content: bytes) -> bytes:
    """The document catalog's dictionary (WeasyPrint writes it inside a compressed stream)."""
    for match in re.finditer(rb"stream\r?\n", content):
        end = content.find(b"endstream", match.end())
        try:
            data = zlib.decompress(content[match.end() : end])
        except zlib.error:
            continue
        start = data.find(b"<</Type /Catalog")
        if start < 0:
            continue
        depth, position = 0, start
        while True:
            if data.startswith(b"<<", position):
                depth, position = depth + 1, position + 2
            elif data.startswith(b">>", position):
                depth, position = depth - 1, position + 2
                if depth == 0:
                    return data[start:position]
            else:
                position += 1
    raise AssertionError("no catalog found")


def margin_texts(page) -> dict[str, str]:
    """What a laid-out page prints in each page-margin box ("@top-left": "…")."""
    from weasyprint.formatting_structure import boxes

    texts = {}
    for box in page._page_box.children:
        if isinstance(box, boxes.MarginBox):
            words = [b.text for b in box.descendants() if isinstance(b, boxes.TextBox)]
            if words:
                texts[box.at_keyword] = " ".join(" ".join(words).split())
    return texts


# -- The seeds ---------------------------------------------------------------------------


def pdf_of(submission) -> bytes:
    return render_export(submission=submission, fmt="pdf")[2]


# -- Tests ---------------------------------------------------------------------------------


def test_pdf_is_a_pdf_with_pages(filled_submission):
    filename, content_type, content = render_export(submission=filled_submission, fmt="pdf")

    assert filename == "IOM-desa-2024.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    document = get_exporter("pdf").document(submission_for_export(filled_submission.pk))
    assert len(document.pages) >= 2


def test_pdf_text_has_the_content_and_the_cover_block(filled_submission, tmp_path):
    text = pdf_text(pdf_of(filled_submission), tmp_path)

    for expected in (
        "International Organization for Migration",
        "Status Draft",
        "Exported on",
        "1. Decisions?",
        "The Council adopted the Strategic Plan 2024–2028.",
        "Food systems",
        "Migrants work in agri-food systems.",
        "Event dates",
        "21-22 May 2024",
        "4, 10, 17",
        "Member States benefiting",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "Date " not in text and "Finalized" not in text


@pytest.mark.parametrize(
    "seed_submission",
    ["desa-2017", "desa-2021", "desa-2023", "desa-2024", "gbv-2024"],
    indirect=True,
)
def test_seed_pdf_prints_the_forms_headings_limit_notes_and_row_labels(seed_submission):
    """Each heading as the form prints it with its limit note after it, each part with its
    number, each row's labels in that year's words (guidance included), read from the tags."""
    structure = pdf_structure(pdf_of(seed_submission))
    content = submission_content(submission_for_export(seed_submission.pk))

    headings = [text for tag, text in structure if tag in ("H2", "H3", "H4")]
    expected = []
    for item in content.questions:
        if item.section:
            expected.append(item.section)
        # Not 2017's annex, whose section heading says it, nor an answer printed alone (GBV).
        if item.heading_printed and item.heading != item.section:
            expected.append(" ".join(f"{item.heading} {item.limit_note}".split()))
        expected += [" ".join(f"{part.heading} {part.limit_note}".split()) for part in item.parts]
    if any(item.rows for item in content.questions):
        expected.append("SDG coverage")
    assert headings == expected

    row_headers = {text for tag, text in structure if tag == "TH"}
    for item in content.questions:
        if item.rows:
            for wording in question_row_fields(item.question):
                if wording.listed:
                    assert " ".join(wording.full.split()) in row_headers, wording.full


@pytest.mark.parametrize("seed_submission", ["desa-2024"], indirect=True)
def test_2024_pdf_has_the_limit_notes_part_numbers_and_labels_of_its_form(seed_submission):
    structure = pdf_structure(pdf_of(seed_submission))

    def printed(text: str) -> bool:
        return any(text in element for _tag, element in structure)

    for expected in (
        "provide the respective symbols. (max 200 words)",
        "Please provide any relevant links. (max 200 words under each transition)",
        "1) Food systems (max 200 words)",
        "4) Education (max 200 words)",
        "6) Climate change, biodiversity loss and pollution (max 200 words)",
        "Description (max 150 words): please include a short summary",
        "Relevant SDGs (list all relevant goals)",
        "Partners (please list all partners)",
    ):
        assert printed(expected), expected
    assert printed("ECESA Plus Member") and printed("Year of submission: 2024")


@pytest.mark.parametrize("seed_submission", ["desa-2017"], indirect=True)
def test_2017_pdf_invents_no_numbers(seed_submission, tmp_path):
    """2017's form numbers questions 1 to 6 only: "Background" and the annex stay unnumbered."""
    text = pdf_text(pdf_of(seed_submission), tmp_path)

    assert "Background" in text
    assert "1. An assessment of the situation" in text
    assert "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS" in text
    assert "ANNEX IOM’s concrete action on migration related SDG targets" in text
    assert not re.search(r"\b0\. Background", text)
    assert not re.search(r"\bA[0-6]\.", text)
    # The annex's heading once: its section and its first question say the same.
    assert text.count("ANNEX IOM’s concrete action") == 1


@pytest.mark.parametrize("seed_submission", ["desa-2024"], indirect=True)
def test_pdf_is_tagged_with_its_language_and_title(seed_submission, tmp_path):
    content = pdf_of(seed_submission)
    catalog = pdf_catalog(content)

    assert b"/StructTreeRoot" in catalog
    assert b"/MarkInfo <</Marked true>>" in catalog
    assert b"/Lang (en)" in catalog
    assert b"/DisplayDocTitle true" in catalog
    info = subprocess.run(
        [require_program("pdfinfo"), "-"], input=content, check=True, capture_output=True
    ).stdout.decode()
    assert "Tagged:          yes" in info
    title = "International Organization for Migration · UN DESA questionnaire on the 2030 Agenda"
    assert f"Title:           {title} 2024 · DRAFT" in info
    assert "Author:          International Organization for Migration" in info
    tags = {tag for tag, _text in pdf_structure(content)}
    assert {"H1", "H2", "Table", "TH", "TD", "Figure", "Caption"} <= tags
    structure = subprocess.run(
        [require_program("pdfinfo"), "-struct", "-"], input=content, check=True, capture_output=True
    ).stdout.decode()
    assert "/Headers" in structure  # each value cell names its label cell


def test_the_pdf_is_in_the_submissions_document_language(filled_submission):
    from django.utils import translation

    from submissions.services import submission_set_document_language

    with translation.override("fr"):
        assert b"/Lang (en)" in pdf_catalog(pdf_of(filled_submission))
    submission_set_document_language(submission=filled_submission, language="fr")
    assert b"/Lang (fr)" in pdf_catalog(pdf_of(filled_submission))


@pytest.mark.parametrize(
    ("seed_submission", "sections"),
    [
        ("desa-2024", []),
        ("desa-2021", []),  # its last questions print under no section, as the form has them
        ("desa-2017", ["ANNEX IOM’s concrete action on migration related SDG targets"]),
    ],
    indirect=["seed_submission"],
)
def test_pdf_outline_has_an_entry_per_question(seed_submission, sections, tmp_path):
    """One bookmark per question, its printed heading; questions under a section below it."""
    outline = pdf_outline(pdf_of(seed_submission), tmp_path)
    content = submission_content(submission_for_export(seed_submission.pk))

    expected = []
    section_depth = 1
    for item in content.questions:
        if item.section:
            expected.append((1, item.section))
            section_depth = 2
        if item.heading != item.section:  # 2017's annex: its section heading stands for it
            expected.append((section_depth, item.heading))
    if content.questions[0].question.questionnaire.questions.exclude(table="").exists():
        expected.append((1, "SDG coverage"))
    assert [depth for depth, _ in outline] == [depth for depth, _ in expected]
    for (_, title), (_, heading) in zip(outline, expected, strict=True):
        shown = title.removesuffix("…")
        assert heading.startswith(shown) and len(shown) >= min(len(heading), 60), title
    assert [title for depth, title in outline if depth == 1 and title in sections] == sections


@pytest.mark.parametrize("seed_submission", ["gbv-2024"], indirect=True)
def test_answers_without_printed_questions_have_no_headings_but_bookmarks(
    seed_submission, tmp_path
):
    content = pdf_of(seed_submission)
    text = pdf_text(content, tmp_path)

    assert "question text not captured" not in text
    assert "IOM has significantly scaled up advocacy efforts" in text
    assert [title for _, title in pdf_outline(content, tmp_path)] == [
        f"Answer {n}" for n in range(1, 10)
    ]


def test_paper_is_a4_unless_letter_is_configured(filled_submission):
    exporter = get_exporter("pdf")
    loaded = submission_for_export(filled_submission.pk)
    # CSS pixels: 96 an inch. A4 is 210 x 297 mm, Letter 8.5 x 11 inches.
    a4 = exporter.document(loaded).pages[0]
    assert (round(a4.width), round(a4.height)) == (794, 1123)

    with override_settings(DOCUMENT_PAGE_SIZE="Letter"):
        letter = exporter.document(loaded).pages[0]
    assert (round(letter.width), round(letter.height)) == (816, 1056)


def test_a_draft_has_draft_in_the_header_and_a_watermark_on_every_page(filled_submission):
    pages = get_exporter("pdf").document(submission_for_export(filled_submission.pk)).pages

    total = len(pages)
    for number, page in enumerate(pages, start=1):
        margins = margin_texts(page)
        assert margins["@top-right"] == "DRAFT"
        assert margins["@left-middle"] == "DRAFT"  # the watermark, drawn across the page
        assert margins["@bottom-right"] == f"Page {number} of {total}"
        if number == 1:
            assert "@top-left" not in margins  # the cover says it
        else:
            assert margins["@top-left"] == (
                "International Organization for Migration · UN DESA questionnaire 2024"
            )


def test_a_finalized_submission_says_who_finalized_it_and_when_without_draft_marks(
    filled_submission, tmp_path
):
    finalizer = get_user_model().objects.create(
        username="focal", first_name="Amina", last_name="Diallo"
    )
    filled_submission.status = SubmissionStatus.FINALIZED
    filled_submission.finalized_by = finalizer
    filled_submission.finalized_at = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    filled_submission.save()

    content = pdf_of(filled_submission)
    text = pdf_text(content, tmp_path)
    pages = get_exporter("pdf").document(submission_for_export(filled_submission.pk)).pages

    assert "Status Finalized by Amina Diallo on 3 March 2025" in text
    assert "Exported on" in text
    assert "DRAFT" not in text
    assert all(set(margin_texts(page)) <= {"@top-left", "@bottom-right"} for page in pages)


def test_the_cycle_collector_is_paused_during_a_pdf_only(filled_submission, monkeypatch):
    """Paused while WeasyPrint works (its full collections grew with the square of the rows),
    on again afterwards, even when the rendering fails; left off when it was off."""
    import gc

    from submissions.exports import pdf

    seen = []
    real_document = pdf.PdfExporter.document

    def document(self, submission):
        seen.append(gc.isenabled())
        return real_document(self, submission)

    monkeypatch.setattr(pdf.PdfExporter, "document", document)
    assert gc.isenabled()
    pdf_of(filled_submission)
    assert seen == [False] and gc.isenabled()

    def failing(self, submission):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(pdf.PdfExporter, "document", failing)
    with pytest.raises(RuntimeError):
        pdf_of(filled_submission)
    assert gc.isenabled()

    gc.disable()
    try:
        with pdf._cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
