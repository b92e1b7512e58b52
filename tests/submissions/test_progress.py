"""The progress every page shows (words, statuses, row counts) is read in one query, and reads
what the ORM would: the same answers, reviews and rows, with booleans and times converted
(SQLite gives them back as numbers and text)."""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.models import Answer, Event, QuestionReview, ReviewStatus, Submission
from submissions.selectors import question_states, submissions_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_submissions(submission, organization, questionnaire, other_organization):
    """IOM's submission with a narrative, a part marked "nothing to report", an approved
    question and two events (one over its word limit); UNDP's with one answer of its own."""
    user = get_user_model().objects.create_user("writer")
    questions = {q.number: q for q in questionnaire.questions.all()}
    Answer.objects.create(
        submission=submission, question=questions["1"], text="Our decisions.", words=2
    )
    first_part, second_part = questions["5"].parts.order_by("position")
    Answer.objects.create(
        submission=submission,
        question=questions["5"],
        part=first_part,
        text="",
        nothing_to_report=True,
    )
    Answer.objects.create(
        submission=submission, question=questions["5"], part=second_part, text="Solar.", words=1
    )
    QuestionReview.objects.create(
        submission=submission,
        question=questions["1"],
        status=ReviewStatus.APPROVED,
        updated_by=user,
    )
    for position, words in enumerate([10, 151]):
        Event.objects.create(
            submission=submission,
            question=questions["3"],
            name=f"Event {position}",
            position=position,
            description=" ".join(["word"] * words),
            description_words=words,
        )
    other = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    Answer.objects.create(submission=other, question=questions["1"], text="Theirs.", words=1)
    return submission, other


def test_the_progress_is_one_query_once_the_questions_are_known(two_submissions):
    submission, other = two_submissions
    submissions_progress(submissions=[submission, other])  # the process memo reads questions
    with CaptureQueriesContext(connection) as captured:
        submissions_progress(submissions=[submission, other])
    assert len(captured.captured_queries) == 1


def test_the_progress_reads_what_was_saved_converted_as_the_orm_converts_it(two_submissions):
    submission, other = two_submissions
    progress = submissions_progress(submissions=[submission, other])
    states = {s.question.number: s for s in progress[submission.pk].states}

    narrative = states["1"].narrative
    saved = Answer.objects.get(pk=narrative.pk)
    assert (narrative.text, narrative.words, narrative.version) == ("Our decisions.", 2, 1)
    assert narrative.nothing_to_report is False
    assert states["1"].count.words == 2
    review = states["1"].review
    assert review.status == ReviewStatus.APPROVED
    assert isinstance(review.updated_at, datetime) and review.updated_at.tzinfo is not None
    assert review.updated_at == QuestionReview.objects.get(pk=review.pk).updated_at
    assert review.updated_by_id == saved.submission.reviews.get().updated_by_id

    parts = [(p.answer.nothing_to_report, p.count.words) for p in states["5"].parts]
    assert parts == [(True, 0), (False, 1)]
    assert (states["3"].row_count, states["3"].rows_over) == (2, 1)
    assert states["3"].review is None

    theirs = {s.question.number: s for s in progress[other.pk].states}
    assert theirs["1"].narrative.text == "Theirs."
    assert theirs["3"].row_count == 0 and theirs["5"].parts[0].answer is None


def test_some_questions_states_are_those_of_the_progress_read_in_one_query(two_submissions):
    """My work reads only the questions assigned: their states are the progress's (status,
    words against limits, rows over their limit, "nothing to report"), nothing of the others
    is read, and each submission's own records stay its own."""
    submission, other = two_submissions
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    pairs = {
        (submission.pk, questions["1"].pk),
        (submission.pk, questions["3"].pk),
        (submission.pk, questions["5"].pk),
        (other.pk, questions["1"].pk),
    }
    progress = submissions_progress(submissions=[submission, other])
    with CaptureQueriesContext(connection) as captured:
        states = question_states(submissions=[submission, other], pairs=pairs)
    assert len(captured.captured_queries) == 1
    assert set(states) == pairs

    def shown(state):
        return (
            state.status,
            state.count,
            [(p.part.pk, p.count, p.answer and p.answer.nothing_to_report) for p in state.parts],
            state.row_count,
            state.rows_over,
            state.over,
            state.nothing_to_report,
        )

    for submission_id, question_id in pairs:
        expected = next(s for s in progress[submission_id].states if s.question.pk == question_id)
        assert shown(states[(submission_id, question_id)]) == shown(expected)
    assert states[(submission.pk, questions["1"].pk)].status == ReviewStatus.APPROVED
    assert states[(other.pk, questions["1"].pk)].count.words == 1
    only = question_states(submissions=[submission], pairs={(submission.pk, questions["3"].pk)})
    assert shown(only[(submission.pk, questions["3"].pk)])[3:5] == (2, 1)
    assert question_states(submissions=[submission], pairs=set()) == {}


def test_without_texts_the_answers_text_is_left_unread(two_submissions):
    submission, _other = two_submissions
    progress = submissions_progress(submissions=[submission], texts=False)
    narrative = next(s for s in progress[submission.pk].states if s.question.number == "1")
    assert "text" in narrative.narrative.get_deferred_fields()
    assert narrative.narrative.words == 2


def test_a_questions_rows_are_read_in_one_query_as_the_orm_reads_them(
    two_submissions, django_assert_num_queries
):
    """The edit page's table: the submission's rows of that question only, in the table's
    order (position, then the order they were added in), every field as the ORM gives it (the
    time of change aware), and nothing read for a question without a table."""
    from submissions.selectors import question_rows

    submission, other = two_submissions
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    Event.objects.create(
        submission=submission, question=questions["3"], name="Also first", position=0
    )
    Event.objects.create(submission=other, question=questions["3"], name="Theirs", position=0)
    with django_assert_num_queries(1):
        rows = question_rows(submission=submission, question=questions["3"])
    expected = list(
        Event.objects.filter(submission=submission, question=questions["3"]).order_by(
            "position", "pk"
        )
    )
    assert [r.name for r in rows] == ["Event 0", "Also first", "Event 1"]
    assert [r.pk for r in rows] == [r.pk for r in expected]

    def fields(row):
        return {f.attname: getattr(row, f.attname) for f in Event._meta.concrete_fields}

    assert [fields(r) for r in rows] == [fields(r) for r in expected]
    assert all(isinstance(r.updated_at, datetime) and r.updated_at.tzinfo for r in rows)
    assert not any(r._state.adding for r in rows)
    with django_assert_num_queries(0):
        assert question_rows(submission=submission, question=questions["1"]) == []


@pytest.mark.parametrize("texts", [True, False])
def test_the_progress_answers_are_the_instances_the_orm_makes(two_submissions, texts):
    """The progress makes its answers without ``Model.__init__``: each is what
    ``Answer.from_db`` makes of the same record (its values, its deferred fields, read from the
    database), equal to the saved answer; and when something listens to an answer's init
    signals, it is sent."""
    from django.db.models import signals

    submission, other = two_submissions
    progress = submissions_progress(submissions=[submission, other], texts=texts)
    made = [a for found in progress.values() for s in found.states for a in s.answers]
    assert len(made) == 4
    for answer in made:
        fields = [f for f in answer._meta.concrete_fields if f.attname in answer.__dict__]
        through_orm = Answer.from_db(
            "default", [f.attname for f in fields], [getattr(answer, f.attname) for f in fields]
        )
        assert {k: v for k, v in answer.__dict__.items() if k != "_state"} == {
            k: v for k, v in through_orm.__dict__.items() if k != "_state"
        }
        assert answer.get_deferred_fields() == through_orm.get_deferred_fields()
        assert ("text" in answer.get_deferred_fields()) is not texts
        assert (answer._state.adding, answer._state.db) == (False, "default")
        assert answer == Answer.objects.get(pk=answer.pk)
        saved = Answer.objects.get(pk=answer.pk)
        assert (answer.words, answer.version, answer.updated_at) == (
            saved.words,
            saved.version,
            saved.updated_at,
        )
        assert answer.submission.pk == saved.submission_id  # its relations read as the ORM's

    seen = []

    def listening(sender, **kwargs):
        seen.append(sender)

    signals.post_init.connect(listening, sender=Answer)
    try:
        submissions_progress(submissions=[submission], texts=texts)
    finally:
        signals.post_init.disconnect(listening, sender=Answer)
    assert seen.count(Answer) == 3
