"""Round trip: seed -> import -> plain-text export -> import again gives the same submission."""

import pytest

from submissions.exports import render_export
from submissions.exports.txt import TxtExporter
from submissions.importers import parse_document, submission_import
from submissions.models import Submission

from .conftest import SLUGS, canonical, outline_of, seed_text, ws

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", SLUGS)
def test_import_export_import_gives_the_same_submission(seeded, other_organization, slug):
    first = Submission.objects.get(organization__code="IOM", questionnaire__slug=slug)
    assert first.answers.exists()  # load_seeds imported the seed document
    filename, content_type, content = TxtExporter().render(first)
    assert (filename, content_type) == (f"IOM-{slug}.txt", "text/plain; charset=utf-8")

    result = submission_import(
        organization=other_organization,
        questionnaire=first.questionnaire,
        document=content.decode("utf-8"),
    )

    assert result.layout == first.questionnaire.text_layout
    assert canonical(result.submission) == canonical(first)
    assert not result.unplaced
    # Exporting the second import writes the same text, but for the organization's name.
    _, _, again = TxtExporter().render(result.submission)
    assert _but_the_name(again) == _but_the_name(content)


def _but_the_name(text: bytes) -> str:
    """The text after its first line (the organization's name: IOM's, then UNDP's)."""
    first, rest = text.decode("utf-8").split("\n", 1)
    assert first.startswith(("International Organization for Migration", "United Nations Dev"))
    return rest


def _values(document) -> tuple[dict, list]:
    answers = {key: ws(answer.text) for key, answer in document.answers.items()}
    rows = [
        (number, {name: ws(value) for name, value in row.values.items()}, row.sdgs)
        for number, parsed_rows in document.rows.items()
        for row in parsed_rows
    ]
    return answers, rows


def test_desa_2024_export_has_every_answer_and_table_value_of_the_seed(iom_2024):
    """Values compared after white space is normalised; SDGs as numbers ("All" is 1 to 17)."""
    _, _, content = TxtExporter().render(iom_2024)
    outline = outline_of("desa-2024")
    seed_answers, seed_rows = _values(parse_document(seed_text("desa-2024"), outline))
    export_answers, export_rows = _values(parse_document(content.decode("utf-8"), outline))
    assert export_answers == seed_answers
    assert export_rows == seed_rows
    assert len(seed_answers) == 10 and len(seed_rows) == 16


def test_every_line_of_the_desa_2024_seed_is_in_its_export(iom_2024):
    """Independent of the parser: each line of the seed, white space normalised, is a line of
    the export, except the web page's banners and two headings the export writes its own way."""
    _, _, content = TxtExporter().render(iom_2024)
    exported = {ws(line) for line in content.decode("utf-8").splitlines()}
    missing = [
        ws(line)
        for line in seed_text("desa-2024").splitlines()
        if ws(line) and ws(line) not in exported
    ]
    assert missing == [
        "Sorry, you need to enable JavaScript to visit this website.",
        "United Nations Department of Economic and Social Affairs Sustainable Development",
        "1)Food systems",  # exported as "1) Food systems", as the other five are written
    ]
    assert "1) Food systems" in exported and "All 17 SDGs" in exported


@pytest.mark.parametrize("slug", SLUGS)
def test_text_to_word_and_back_gives_the_same_text(seeded, other_organization, slug):
    """For every seed: the text export, imported from this app's own DOCX export, exports the
    same text again (the cover block and the SDG chart left aside on the way in)."""
    first = Submission.objects.get(organization__code="IOM", questionnaire__slug=slug)
    _, _, text = TxtExporter().render(first)
    _, _, word = render_export(submission=first, fmt="docx")

    result = submission_import(
        organization=other_organization, questionnaire=first.questionnaire, document=word
    )

    assert result.layout == "word"
    assert not result.unplaced and not result.missing
    assert canonical(result.submission) == canonical(first)
    _, _, again = TxtExporter().render(result.submission)
    assert _but_the_name(again) == _but_the_name(text)
