"""The corpus of realistic variants (tests/data/import_variants/): replies written the way other
entities write theirs, each imported (as a preview, then for real) and checked against what a
careful user expects. The format is in that folder's README."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from submissions.importers import DocumentError, submission_import
from submissions.models import Questionnaire
from submissions.services import ServiceError, questionnaire_create_from_definition

from .conftest import definition

pytestmark = pytest.mark.django_db

CORPUS = Path(settings.BASE_DIR) / "tests" / "data" / "import_variants"
VARIANTS = sorted(path.name.removesuffix(".expected.json") for path in CORPUS.glob("*.json"))
ROW_TEXT_FIELDS = (
    "name",
    "dates",
    "location",
    "publishing_entities",
    "target_audience",
    "languages",
    "partners",
    "member_states",
    "website",
    "sdgs_text",
)


def ws(text: str) -> str:
    """White space collapsed, Unicode spaces (U+00A0, U+202F) included."""
    return re.sub(r"\s+", " ", text or "").strip()


def _document(name: str, expected: dict):
    [path] = [p for p in CORPUS.glob(f"{name}.*") if not p.name.endswith(".json")]
    data = path.read_bytes()
    if expected.get("input") == "pasted":
        return data.decode("utf-8")
    return data


def _questionnaire(slug: str) -> Questionnaire:
    found = Questionnaire.objects.filter(slug=slug).first()
    return found or questionnaire_create_from_definition(definition=definition(slug))


def test_the_corpus_holds_at_least_thirty_variants_with_word_files():
    assert len(VARIANTS) >= 30
    assert sum(1 for name in VARIANTS if (CORPUS / f"{name}.docx").exists()) >= 8


@pytest.mark.parametrize("name", VARIANTS)
def test_variant(name, organization, sdgs):
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    questionnaire = _questionnaire(expected["questionnaire"])
    document = _document(name, expected)

    if "refused" in expected:
        with pytest.raises((DocumentError, ServiceError)) as refusal:
            submission_import(
                organization=organization, questionnaire=questionnaire, document=document
            )
        assert expected["refused"] in str(refusal.value)
        assert not organization.submissions.exists()
        return

    preview = submission_import(
        organization=organization, questionnaire=questionnaire, document=document, dry_run=True
    )
    check(preview, expected)
    # Confirmed, it writes what the preview showed.
    result = submission_import(
        organization=organization, questionnaire=questionnaire, document=document
    )
    written = result.submission
    assert written.answers.count() == len(preview.answers)
    assert sum(len(rows) for _q, rows in preview.rows_by_question()) == sum(
        getattr(written, kind).count() for kind in ("events", "resources", "initiatives")
    )
    kept = [ws(t) for t in written.unplaced_texts.values_list("text", flat=True)]
    assert kept == [ws(n.text) for n in preview.unplaced if n.text.strip()]


def check(result, expected: dict) -> None:
    answers = {
        (a.question.number if a.part is None else f"{a.question.number}/{a.part.title}"): ws(a.text)
        for a in result.answers
    }
    for key, wanted in expected.get("answers", {}).items():
        assert key in answers, f"no answer for {key}; answers: {sorted(answers)}"
        text = answers[key]
        if "starts" in wanted:
            assert text.startswith(ws(wanted["starts"])), f"{key} starts {text[:80]!r}"
        if "ends" in wanted:
            assert text.endswith(ws(wanted["ends"])), f"{key} ends {text[-80:]!r}"
        for piece in wanted.get("contains", []):
            assert ws(piece) in text, f"{key} lacks {piece!r}"
        for piece in wanted.get("not_contains", []):
            assert ws(piece) not in text, f"{key} holds {piece!r}"
    for number in expected.get("no_answer", []):
        assert number not in answers, f"question {number} got an answer: {answers[number][:80]!r}"

    rows = {
        question.number: [item for item in items] for question, items in result.rows_by_question()
    }
    for number, wanted_rows in expected.get("rows", {}).items():
        got = rows.get(number, [])
        names = [item.row.name for item in got]
        assert len(got) == len(wanted_rows), f"question {number}: rows {names}"
        for index, (item, wanted) in enumerate(zip(got, wanted_rows, strict=True)):
            where = f"question {number}, row {index + 1} ({item.row.name!r})"
            for field in ROW_TEXT_FIELDS:
                if field in wanted:
                    assert ws(getattr(item.row, field)) == ws(wanted[field]), f"{where}: {field}"
            if "sdgs" in wanted:
                assert sorted(item.sdgs) == wanted["sdgs"], f"{where}: SDGs {item.sdgs}"
            description = ws(item.row.description)
            if "description_starts" in wanted:
                assert description.startswith(ws(wanted["description_starts"])), where
            if "description_ends" in wanted:
                assert description.endswith(ws(wanted["description_ends"])), (
                    f"{where}: description ends {description[-80:]!r}"
                )

    if "missing_questions" in expected:
        assert [q.number for q in result.missing] == expected["missing_questions"]
    matches = {m.question: m for m in result.matches}
    for wanted in expected.get("matches", []):
        match = matches.get(wanted["question"])
        assert match is not None, f"question {wanted['question']} not found"
        assert match.similarity >= wanted.get("min_similarity", 0), match

    warnings = [ws(f"{n} {n.text}") for n in result.warnings]
    for piece in expected.get("warnings", []):
        assert any(ws(piece) in w for w in warnings), f"no warning with {piece!r}: {warnings}"
    unplaced = [ws(f"{n} {n.text}") for n in result.unplaced]
    for piece in expected.get("unplaced", []):
        assert any(ws(piece) in u for u in unplaced), f"nothing unplaced with {piece!r}"
    if "unplaced_count" in expected:
        assert len(result.unplaced) == expected["unplaced_count"], unplaced
    comments = [ws(f"{n.message} {n.text}") for n in result.comments]
    for piece in expected.get("comments", []):
        assert any(ws(piece) in c for c in comments), f"no comment with {piece!r}: {comments}"
    if "tracked_changes" in expected:
        assert result.tracked_changes == expected["tracked_changes"]
