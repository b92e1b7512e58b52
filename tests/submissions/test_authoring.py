"""Saving answers and rows: versions, conflicts, limits while drafting, bad input."""

import threading
import time

import pytest
from django import db
from django.db import connection

from submissions import changes
from submissions.changes import (
    CONFLICT,
    INVALID,
    MISSING,
    REMOVED,
    SAVED,
    UNCHANGED,
    answer_save,
    row_delete,
    row_save,
)
from submissions.models import Answer, Assignment, Event, Question, Resource
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

EVENT = {"name": "IDM 2024", "dates": "21-22 May 2024", "location": "New York"}


def save_narrative(submission, user, text, version):
    question = submission.questionnaire.questions.get(number="1")
    return answer_save(
        submission=submission,
        question=question,
        part=None,
        text=text,
        base_version=version,
        user=user,
        key="answer-main",
    )


def test_first_save_creates_the_answer_at_version_1(submission, contributor):
    result = save_narrative(submission, contributor, "First draft.", 0)
    assert (result.status, result.version) == (SAVED, 1)
    answer = Answer.objects.get()
    assert (answer.text, answer.version, answer.updated_by) == ("First draft.", 1, contributor)


def test_saving_from_the_current_version_moves_it_on(submission, contributor):
    save_narrative(submission, contributor, "One.", 0)
    result = save_narrative(submission, contributor, "Two.", 1)
    assert (result.status, result.version) == (SAVED, 2)
    assert Answer.objects.get().text == "Two."


def test_same_text_is_unchanged_and_keeps_the_version(submission, contributor):
    save_narrative(submission, contributor, "One.", 0)
    result = save_narrative(submission, contributor, "One.", 1)
    assert (result.status, result.version) == (UNCHANGED, 1)


def test_second_writer_from_an_old_version_is_refused_with_both_texts(
    submission, contributor, organization
):
    """Two people open version 1; the second save is refused, nothing is overwritten."""
    colleague = make_member(organization, "contributor", "colleague")
    save_narrative(submission, contributor, "Base.", 0)
    assert save_narrative(submission, contributor, "Alice's edit.", 1).status == SAVED
    result = save_narrative(submission, colleague, "Bob's edit.", 1)
    assert result.status == CONFLICT
    assert result.current == {"text": "Alice's edit."}
    assert result.version == 2
    assert result.updated_by == "contributor"
    assert Answer.objects.get().text == "Alice's edit."
    # Bob read both and saves from the version he was shown: his text wins, knowingly.
    assert save_narrative(submission, colleague, "Bob's merged edit.", 2).status == SAVED
    assert Answer.objects.get().text == "Bob's merged edit."


def test_two_first_saves_of_the_same_answer_conflict(submission, contributor, organization):
    colleague = make_member(organization, "contributor", "colleague")
    assert save_narrative(submission, contributor, "Mine.", 0).status == SAVED
    result = save_narrative(submission, colleague, "Also mine.", 0)
    assert result.status == CONFLICT
    assert Answer.objects.get().text == "Mine."


def test_over_the_limit_saves_while_drafting(submission, contributor):
    text = " ".join(["word"] * 250)
    assert save_narrative(submission, contributor, text, 0).status == SAVED
    assert Answer.objects.get().text == text


def events_question(submission) -> Question:
    return submission.questionnaire.questions.get(number="3")


def save_event(submission, user, row_id=None, version=0, position=0, sdgs=(), **values):
    return row_save(
        submission=submission,
        question=events_question(submission),
        row_id=row_id,
        base_version=version,
        values={**EVENT, "description": "", "website": "", **values},
        sdgs=list(sdgs),
        position=position,
        user=user,
        key="rows-0",
    )


def test_row_is_created_with_sdgs(submission, contributor, sdgs):
    result = save_event(submission, contributor, sdgs=[1, 10, 17])
    assert result.status == SAVED
    event = Event.objects.get(pk=result.id)
    assert sorted(event.sdgs.values_list("number", flat=True)) == [1, 10, 17]
    assert event.version == 1


def test_empty_new_row_is_not_created(submission, contributor):
    result = row_save(
        submission=submission,
        question=events_question(submission),
        row_id=None,
        base_version=0,
        values={k: "" for k in ["name", "dates", "location", "description", "website"]},
        sdgs=[],
        position=0,
        user=contributor,
        key="rows-0",
    )
    assert result.status == UNCHANGED
    assert not Event.objects.exists()


def test_row_edit_from_an_old_version_conflicts(submission, contributor, organization, sdgs):
    colleague = make_member(organization, "contributor", "colleague")
    created = save_event(submission, contributor)
    assert save_event(submission, contributor, created.id, 1, location="Geneva").status == SAVED
    result = save_event(submission, colleague, created.id, 1, location="Addis Ababa")
    assert result.status == CONFLICT
    assert result.current["location"] == "Geneva"
    assert Event.objects.get().location == "Geneva"


def test_moving_a_row_never_conflicts_and_keeps_its_version(submission, contributor, sdgs):
    created = save_event(submission, contributor)
    result = save_event(submission, contributor, created.id, 1, position=5)
    assert result.status == UNCHANGED
    event = Event.objects.get()
    assert (event.position, event.version) == (5, 1)


def test_editing_a_row_someone_removed_changes_nothing_and_says_so(
    submission, contributor, organization, sdgs
):
    colleague = make_member(organization, "contributor", "colleague")
    created = save_event(submission, contributor)
    removed = row_delete(
        submission=submission,
        question=events_question(submission),
        row_id=created.id,
        base_version=1,
        key="rows-0",
        user=contributor,
    )
    assert removed.status == REMOVED
    result = save_event(submission, colleague, created.id, 1, location="Geneva")
    assert result.status == MISSING
    assert "removed this row" in result.errors[0]
    assert not Event.objects.exists()


def test_removing_a_row_changed_since_is_refused(submission, contributor, sdgs):
    created = save_event(submission, contributor)
    save_event(submission, contributor, created.id, 1, location="Geneva")
    result = row_delete(
        submission=submission,
        question=events_question(submission),
        row_id=created.id,
        base_version=1,
        key="rows-0",
        user=contributor,
    )
    assert result.status == CONFLICT
    assert Event.objects.exists()


def test_row_of_another_submission_cannot_be_touched(
    submission, contributor, other_organization, sdgs
):
    from submissions.models import Submission

    other = Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    foreign = Event.objects.create(
        submission=other, question=events_question(submission), name="Theirs"
    )
    result = save_event(submission, contributor, foreign.pk, 1, name="Hijacked")
    assert result.status == MISSING
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


RESOURCE = dict.fromkeys(
    ["publishing_entities", "target_audience", "languages", "description", "website"], ""
)


@pytest.fixture
def up_to_three(questionnaire):
    """A resources question that takes at most three rows."""
    return Question.objects.create(
        questionnaire=questionnaire,
        number="4",
        position=9,
        prompt="Resources, up to three",
        has_narrative=False,
        table="resources",
        max_rows=3,
    )


def test_up_to_three_rows(submission, contributor, up_to_three, sdgs):
    question = up_to_three
    results = [
        row_save(
            submission=submission,
            question=question,
            row_id=None,
            base_version=0,
            values={**RESOURCE, "name": f"Resource {i}"},
            sdgs=[],
            position=i,
            user=contributor,
            key=f"rows-{i}",
        )
        for i in range(4)
    ]
    assert [r.status for r in results] == [SAVED, SAVED, SAVED, INVALID]
    assert "at most 3 rows" in results[3].errors[0]
    assert Resource.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL runs the two saves side by side; SQLite takes one writer at a time",
)
def test_two_adds_at_once_cannot_both_take_the_last_place(
    submission, contributor, up_to_three, sdgs, monkeypatch
):
    """Up to three, two people adding the third row at the same moment: one is refused."""
    question = up_to_three
    for i in range(2):
        Resource.objects.create(submission=submission, question=question, name=f"R{i}", position=i)
    counted = changes._row_limit_error

    def slow_count(**kwargs):
        error = counted(**kwargs)
        time.sleep(0.5)  # both saves have counted before either adds, unless one waits
        return error

    monkeypatch.setattr(changes, "_row_limit_error", slow_count)
    results = {}

    def add(name):
        try:
            results[name] = row_save(
                submission=submission,
                question=question,
                row_id=None,
                base_version=0,
                values={**RESOURCE, "name": name},
                sdgs=[],
                position=5,
                user=contributor,
                key=name,
            ).status
        finally:
            db.connection.close()

    threads = [threading.Thread(target=add, args=(name,)) for name in ("Mine", "Theirs")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [INVALID, SAVED]
    assert Resource.objects.filter(question=question).count() == 3


@pytest.fixture
def assigned_events(submission, contributor):
    """Question 3 with two events, assigned as a whole and row by row."""
    question = submission.questionnaire.questions.get(number="3")
    first, second = (
        Event.objects.create(submission=submission, question=question, name=n, position=i)
        for i, n in enumerate(["IDM", "GCM"])
    )
    for row_id in (None, first.pk, second.pk):
        Assignment.objects.create(
            submission=submission, question=question, row_id=row_id, assignee=contributor
        )
    return question, first, second


def assigned_row_ids(submission) -> list[int | None]:
    left = Assignment.objects.filter(submission=submission).values_list("row_id", flat=True)
    return sorted(left, key=lambda row_id: row_id or 0)


def test_removing_a_row_removes_its_assignment_only(submission, assigned_events, contributor, sdgs):
    question, first, second = assigned_events

    result = row_delete(
        submission=submission,
        question=question,
        row_id=first.pk,
        base_version=1,
        key="rows-0",
        user=contributor,
    )

    assert result.status == REMOVED
    assert assigned_row_ids(submission) == [None, second.pk]


def test_migration_0007_drops_assignments_of_rows_removed_before(submission, assigned_events, sdgs):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("submissions.migrations.0007_drop_assignments_of_removed_rows")
    _question, kept, removed = assigned_events
    Event.objects.filter(pk=removed.pk).delete()  # as rows were removed before

    migration.drop_assignments_of_removed_rows(apps, None)

    assert assigned_row_ids(submission) == [None, kept.pk]
