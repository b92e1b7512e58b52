"""The SDG coverage chart in the exports: a PNG figure in the DOCX, the SVG in the print view
and the PDF. The filled submission has two rows of each kind, each touching goals 4, 10, 17."""

import io
import subprocess
import zipfile

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.shared import Cm
from PIL import Image

from accounts.models import Role
from submissions.exports import render_export
from submissions.exports.base import submission_for_export
from submissions.exports.pdf import print_context
from submissions.insight.coverage import WIDTH
from submissions.models import Question, Questionnaire, Submission
from tests.conftest import make_member, require_program
from tests.submissions.exports.conftest import body_paragraphs
from tests.submissions.exports.libreoffice import libreoffice_open

pytestmark = pytest.mark.django_db

SUMMARY = "3 of 17 goals have at least one row. No rows for: 1 No Poverty, 2 Zero Hunger"


def _docx(submission) -> bytes:
    return render_export(submission=submission, fmt="docx")[2]


@pytest.fixture
def no_tables_submission(organization):
    """A questionnaire without tables of events, resources or initiatives (like 2017's)."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2017, slug="desa-2017", title="UN DESA questionnaire 2017"
    )
    Question.objects.create(questionnaire=questionnaire, number="1", position=1, prompt="What?")
    return Submission.objects.create(organization=organization, questionnaire=questionnaire)


def test_docx_holds_the_chart_as_a_png_picture(filled_submission):
    content = _docx(filled_submission)

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        media = [name for name in package.namelist() if name.startswith("word/media/")]
        assert media == ["word/media/image1.png"]
        types = package.read("[Content_Types].xml").decode()
        assert 'Extension="png" ContentType="image/png"' in types
        picture = Image.open(io.BytesIO(package.read(media[0])))
    assert picture.format == "PNG"
    assert picture.size[0] == 2 * WIDTH

    document = docx.Document(io.BytesIO(content))
    [shape] = document.inline_shapes
    assert shape.width == Cm(16)
    properties = shape._inline.docPr
    assert properties.get("title") == "SDG coverage of IOM's 2024 submission"
    description = properties.get("descr")
    assert description.startswith(SUMMARY)
    assert (
        "4 Quality Education: Events: 2, Resources: 2, Initiatives and partnerships: 2"
        in description
    )
    assert "15 Life on Land: no rows" in description


def test_docx_figure_has_a_title_and_a_caption_after_the_questions(filled_submission):
    document = docx.Document(io.BytesIO(_docx(filled_submission)))
    texts = [p.text for p in body_paragraphs(document)]
    captions = [p.text for p in body_paragraphs(document) if p.style.name == "Caption"]

    assert texts.index("SDG coverage") > texts.index("7. Initiatives? (max 200 words)")
    assert captions == [
        "Table rows (events, resources, initiatives) touching each goal. "
        + SUMMARY
        + ", 3 Good Health and Well-being, 5 Gender Equality, 6 Clean Water and Sanitation, "
        "7 Affordable and Clean Energy, 8 Decent Work and Economic Growth, "
        "9 Industry, Innovation and Infrastructure, 11 Sustainable Cities and Communities, "
        "12 Responsible Consumption and Production, 13 Climate Action, 14 Life Below Water, "
        "15 Life on Land, 16 Peace, Justice and Strong Institutions."
    ]
    # The questionnaire's headings stay the document's only headings.
    assert "SDG coverage" not in [
        p.text for p in body_paragraphs(document) if "Heading" in p.style.name
    ]


def test_docx_of_a_questionnaire_without_tables_has_no_chart(no_tables_submission):
    content = _docx(no_tables_submission)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert not [n for n in package.namelist() if n.startswith("word/media/")]
    assert "SDG coverage" not in [
        p.text for p in body_paragraphs(docx.Document(io.BytesIO(content)))
    ]


def test_libreoffice_opens_the_docx_with_its_picture(filled_submission, tmp_path):
    opened = libreoffice_open(_docx(filled_submission), tmp_path)

    assert opened.statistics["image-count"] == 1
    assert len(opened.pictures) == 1


def test_print_context_counts_from_the_loaded_rows_without_a_query(filled_submission):
    loaded = submission_for_export(filled_submission.pk)
    with CaptureQueriesContext(connection) as queries:
        context = print_context(loaded)
    assert len(queries) == 0
    assert context["chart"].coverage.total(10) == 6


def test_print_view_shows_the_chart_as_inline_svg(filled_submission, client):
    client.force_login(make_member(filled_submission.organization, Role.REVIEWER, "reader"))
    page = client.get(reverse("submission_print", args=[filled_submission.pk])).content.decode()

    assert '<h2 class="section">SDG coverage</h2>' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="sdg-chart"' in page
    assert 'width="16cm"' in page
    assert page.count("0 · no rows") == 14


def test_pdf_has_the_chart_with_its_labels(filled_submission, tmp_path):
    pdftotext = require_program("pdftotext")
    path = tmp_path / "export.pdf"
    path.write_bytes(render_export(submission=filled_submission, fmt="pdf")[2])

    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    [page] = [page for page in text.split("\f") if "SDG coverage" in page]
    for label in ("Events", "Resources", "Initiatives and partnerships", "Quality Education"):
        assert label in page, label
    assert page.count("0 · no rows") == 14
    assert "3 of 17 goals have at least one row." in " ".join(page.split())


def test_pdf_of_a_questionnaire_without_tables_has_no_chart(no_tables_submission, tmp_path):
    pdftotext = require_program("pdftotext")
    path = tmp_path / "export.pdf"
    path.write_bytes(render_export(submission=no_tables_submission, fmt="pdf")[2])
    text = subprocess.run(
        [pdftotext, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "SDG coverage" not in text
