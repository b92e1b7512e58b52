"""Each year's wording as data: minimum word counts, limit notes, row labels and guidance
as the questionnaire states them, on the editing page, in review and in the importer."""

import pytest
from django.urls import reverse

from submissions import changes, workflow
from submissions.importers import submission_import
from submissions.models import Question, RowField

pytestmark = pytest.mark.django_db


@pytest.fixture
def range_question(questionnaire):
    """A question of the 2023 kind: "(200-800 words)", a minimum as well as a maximum."""
    return Question.objects.create(
        questionnaire=questionnaire,
        number="8",
        position=8,
        prompt="What did the 2023 SDG Summit change?",
        word_minimum=200,
        word_limit=800,
    )


def write(submission, question, user, words: int):
    return changes.answer_save(
        submission=submission,
        question=question,
        part=None,
        text=" ".join(["word"] * words),
        base_version=submission.answers.filter(question=question)
        .values_list("version", flat=True)
        .first()
        or 0,
        user=user,
        key="answer-main",
    )


def test_a_minimum_word_count_blocks_review(submission, range_question, contributor):
    assert range_question.limit_text() == "(200-800 words)"
    write(submission, range_question, contributor, 150)  # drafting: saved, with a warning
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.question_submit_for_review(
            submission=submission, question=range_question, user=contributor
        )
    [problem] = refusal.value.problems
    assert "150 words; it needs at least 200" in problem.message
    write(submission, range_question, contributor, 250)
    workflow.question_submit_for_review(
        submission=submission, question=range_question, user=contributor
    )


def test_the_editing_page_shows_the_range(
    contributor_client, submission, range_question, contributor
):
    write(submission, range_question, contributor, 150)
    html = contributor_client.get(
        reverse("question_edit", args=[submission.pk, "8"])
    ).content.decode()
    assert "(200-800 words)" in html  # the limit note under the question
    assert 'data-word-minimum="200"' in html and 'data-word-limit="800"' in html
    assert "150 words, 200-800" in html  # the table of contents' badge, under the minimum
    assert "text-bg-warning" in html


def test_a_limit_note_is_printed_as_the_form_states_it(questionnaire):
    transitions = questionnaire.questions.get(number="5")
    assert transitions.limit_text() == ""
    transitions.limit_note = "(max 200 words under each transition)"
    assert transitions.limit_text() == "(max 200 words under each transition)"
    assert questionnaire.questions.get(number="1").limit_text() == "(max 200 words)"


def events_wording(questionnaire):
    events = questionnaire.questions.get(number="3")
    RowField.objects.create(question=events, field="name", label="Title of the event", position=1)
    RowField.objects.create(
        question=events,
        field="description",
        label="Summary",
        guidance="What the event decided, in 150 words at most",
        position=2,
    )
    from submissions.services import questionnaire_structure_changed

    questionnaire_structure_changed(questionnaire=questionnaire)
    return events


def test_the_editing_page_asks_what_that_years_form_asks(
    contributor_client, submission, questionnaire, contributor, sdgs
):
    events = events_wording(questionnaire)
    changes.row_save(
        submission=submission,
        question=events,
        row_id=None,
        base_version=0,
        values={"name": "IDM 2024"},
        sdgs=[],
        position=0,
        user=contributor,
        key="rows-0",
    )
    html = contributor_client.get(
        reverse("question_edit", args=[submission.pk, "3"])
    ).content.decode()
    assert "Title of the event" in html and "Summary" in html
    assert "What the event decided, in 150 words at most" in html
    assert html.index("Title of the event") < html.index("Summary") < html.index("Event dates")


def test_the_importer_reads_that_years_labels(organization, questionnaire, sdgs):
    events_wording(questionnaire)
    text = "\n\n".join(
        [
            "International Organization for Migration (IOM)",
            "3. Events?",
            "Title of the event",
            "IDM 2024",
            "Summary",
            "A dialogue on migration.",
        ]
    )
    result = submission_import(
        organization=organization, questionnaire=questionnaire, document=text, dry_run=True
    )
    [item] = result.rows
    assert (item.row.name, item.row.description) == ("IDM 2024", "A dialogue on migration.")
    assert not result.unplaced
