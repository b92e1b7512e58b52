"""submission_import: all or nothing, replace, dry run, and what it keeps visible."""

import pytest

from submissions.importers import DocumentError, submission_import
from submissions.models import Answer, Assignment, Event, Initiative, Resource, Submission
from submissions.services import ServiceError

from .conftest import canonical, seed_text

pytestmark = pytest.mark.django_db

Q3 = (
    "3. In the past year, has your organization organized any intergovernmentally mandated "
    "conferences, forums or events that contributed to the achievement of the SDGs, or has "
    "been in the process of planning and organizing any such mandated events to be held "
    "next year?"
)


def document(*blocks: str) -> str:
    """A document in the 2024 layout: every line followed by a blank line."""
    return "\n\n".join(["International Organization for Migration (IOM)", *blocks]) + "\n"


def event(name="Forum", dates="21-22 May 2024", sdgs="All 17 SDGs", website="") -> list[str]:
    return [
        "Event Name", name, "Event Dates", dates, "Relevant SDGs", sdgs,
        "Description (max 150 words)", "What it did.", "Website (if applicable)", website,
    ]  # fmt: skip


def row_count() -> int:
    return Event.objects.count() + Resource.objects.count() + Initiative.objects.count()


def test_import_into_a_new_submission(desa_2024, other_organization):
    result = submission_import(
        organization=other_organization,
        questionnaire=desa_2024,
        document=seed_text("desa-2024"),
    )
    assert result.written
    submission = result.submission
    assert submission.organization == other_organization
    assert submission.answers.count() == 10
    assert (submission.events.count(), submission.resources.count()) == (3, 3)
    assert submission.initiatives.count() == 10
    assert list(submission.events.values_list("position", flat=True)) == [1, 2, 3]
    assert result.row_counts() == {"events": 3, "resources": 3, "initiatives": 10}
    # The document names IOM, not UNDP: said, not refused.
    assert [n.line for n in result.warnings] == [4]


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            ["Event Name", "Forum", "Event Dates"],
            "line 9: expected a value after the label “Event Dates”",
        ),
        ([*event(dates="x" * 201)], "line 9: “Event Dates”: Ensure this value has at most 200"),
        (["Nothing like a questionnaire"], "line 1: expected the questionnaire's questions"),
    ],
)
def test_a_malformed_file_writes_nothing(desa_2024, other_organization, blocks, expected):
    if blocks and blocks[0] != "Nothing like a questionnaire":
        blocks = [Q3, *blocks]
    rows, answers = row_count(), Answer.objects.count()
    with pytest.raises(DocumentError) as error:
        submission_import(
            organization=other_organization,
            questionnaire=desa_2024,
            document=document(*blocks),
        )
    assert str(error.value).startswith(expected)
    assert (row_count(), Answer.objects.count()) == (rows, answers)
    assert not Submission.objects.filter(organization=other_organization).exists()


def test_a_repeated_question_is_kept_apart_not_refused(desa_2024, other_organization):
    """A question met a second time was refused ("appears a second time"): its text is now
    kept as text the import could not place, never merged into the first."""
    result = submission_import(
        organization=other_organization,
        questionnaire=desa_2024,
        document=document(Q3, *event(), Q3, *event(name="Second copy")),
        dry_run=True,
    )
    [row] = result.rows
    assert row.row.name == "Forum"
    [repeat] = result.unplaced
    assert "question 3 appears a second time (first at line 3)" in str(repeat)
    assert "Second copy" in repeat.text


def test_an_unreadable_sdg_cell_keeps_the_row_and_its_text(desa_2024, other_organization):
    """ "SDG 18 does not exist" refused the whole document: now the row comes in with the goals
    that could be read, the cell's text kept as written, and a warning with its line."""
    result = submission_import(
        organization=other_organization,
        questionnaire=desa_2024,
        document=document(Q3, *event(sdgs="4, 18"), *event(name="Other", sdgs="TBD")),
    )
    first, second = result.submission.events.order_by("position")
    assert (list(first.sdgs.values_list("pk", flat=True)), first.sdgs_text) == ([4], "4, 18")
    assert (second.sdgs.count(), second.sdgs_text) == (0, "TBD")
    warnings = [str(w) for w in result.warnings]
    assert any(w.startswith("line 13: SDG 18 does not exist") and "Forum" in w for w in warnings)
    assert any("cannot read “TBD” as SDGs" in w and "Other" in w for w in warnings)


def test_an_existing_submission_is_refused_without_replace(desa_2024, iom_2024):
    iom = iom_2024
    before = canonical(iom)
    with pytest.raises(ServiceError, match="already holds 10 answers and 16 table rows"):
        submission_import(
            organization=iom.organization,
            questionnaire=desa_2024,
            document=document(Q3, *event()),
        )
    assert canonical(iom) == before


def test_replace_replaces_answers_and_rows(desa_2024, iom_2024, contributor):
    iom = iom_2024
    kept = iom.answers.get(question__number="1", part=None)
    question_3 = desa_2024.questions.get(number="3")
    for row_id in (None, iom.events.first().pk):
        Assignment.objects.create(
            submission=iom, question=question_3, row_id=row_id, assignee=contributor
        )
    text = document("1. " + desa_2024.questions.get(number="1").prompt, "New answer.", Q3, *event())
    result = submission_import(
        organization=iom.organization, questionnaire=desa_2024, document=text, replace=True
    )
    assert result.written
    assert list(iom.answers.values_list("question__number", "text")) == [("1", "New answer.")]
    kept.refresh_from_db()
    # Updated in place, one version on: whoever had the old text open gets a conflict.
    assert (kept.text, kept.version) == ("New answer.", 2)
    assert list(iom.events.values_list("name", flat=True)) == ["Forum"]
    assert not iom.resources.exists() and not iom.initiatives.exists()
    assert iom.events.get().sdgs.count() == 17
    # The old rows' assignments went with them; the question's stays.
    assert list(iom.assignments.values_list("row_id", flat=True)) == [None]


def test_dry_run_writes_nothing(desa_2024, other_organization):
    result = submission_import(
        organization=other_organization,
        questionnaire=desa_2024,
        document=seed_text("desa-2024"),
        dry_run=True,
    )
    assert not result.written and result.submission is None
    assert len(result.answers) == 10 and len(result.rows) == 16
    assert not Submission.objects.filter(organization=other_organization).exists()
    previews = result.answer_previews()
    assert previews[0].question == "1" and previews[0].limit == 200
    assert 0 < previews[0].words <= 200


def test_a_website_that_is_no_address_moves_to_the_description(desa_2024, other_organization):
    text = document(Q3, *event(website="Ask the secretariat for the link"))
    result = submission_import(
        organization=other_organization, questionnaire=desa_2024, document=text
    )
    row = result.submission.events.get()
    assert row.website == ""
    assert row.description == (
        "What it did.\n\n[Website (if applicable): Ask the secretariat for the link]"
    )
    assert [str(warning) for warning in result.warnings] == [
        "line 1: the document names “International Organization for Migration (IOM)”, "
        "not United Nations Development Programme",
        "line 5: the row “Forum” has no Event location (city, country): left empty",
        "line 21: not a web address: moved to the end of the description",
    ]


def test_empty_fields_stay_empty_and_placeholders_stay_as_written(desa_2024, other_organization):
    text = document(Q3, *event(dates="", website="n/a"), *event(name="Other", website="N/A"))
    result = submission_import(
        organization=other_organization, questionnaire=desa_2024, document=text
    )
    first, second = result.submission.events.order_by("position")
    assert (first.dates, first.website, second.website) == ("", "n/a", "N/A")


def test_a_finalized_submission_is_not_imported_into(desa_2024, iom_2024):
    iom = iom_2024
    Submission.objects.filter(pk=iom.pk).update(status="finalized")
    with pytest.raises(ServiceError, match="finalized"):
        submission_import(
            organization=iom.organization,
            questionnaire=desa_2024,
            document=seed_text("desa-2024"),
            replace=True,
        )


def test_control_characters_are_stripped(desa_2024, other_organization):
    text = document(Q3, *event(name="Fo\x00ru\x0bm\x1b"))
    result = submission_import(
        organization=other_organization, questionnaire=desa_2024, document=text
    )
    assert result.submission.events.get().name == "Forum"
