"""JSON: lossless, by natural keys; export -> restore elsewhere -> export gives the same file."""

import json

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Organization
from submissions.exports import render_export
from submissions.exports.restore import RestoreError, submission_restore
from submissions.models import Answer, Event, Question, Questionnaire, QuestionPart, Submission

pytestmark = pytest.mark.django_db


def _export(submission) -> bytes:
    return render_export(submission=submission, fmt="json")[2]


def _empty_database(submission) -> None:
    """Delete the submission, its questionnaire and its organization (users stay)."""
    questionnaire, organization = submission.questionnaire, submission.organization
    submission.delete()
    questionnaire.delete()
    organization.delete()
    assert not Questionnaire.objects.exists() and not Organization.objects.exists()


def test_json_holds_everything_by_natural_keys(filled_submission):
    filename, content_type, content = render_export(submission=filled_submission, fmt="json")
    data = json.loads(content)

    assert (filename, content_type) == ("IOM-desa-2024.json", "application/json")
    assert data["format"] == "yearly-submission" and data["format_version"] == 1
    assert data["organization"] == {
        "code": "IOM",
        "name": "International Organization for Migration",
    }
    assert data["questionnaire"]["slug"] == "desa-2024"
    assert [q["number"] for q in data["questionnaire"]["questions"]] == ["1", "3", "5", "6", "7"]
    assert data["questionnaire"]["questions"][2]["parts"][0] == {
        "title": "Food systems",
        "position": 1,
        "word_limit": 200,
        "number": "",
        "word_minimum": None,
    }
    assert data["submission"]["status"] == "draft"
    first, food, _ = data["answers"]
    assert (first["question"], first["part"], first["version"]) == ("1", None, 3)
    assert first["updated_by"] == "editor"
    assert (food["question"], food["part"]) == ("5", "Food systems")
    assert "status" not in food  # review status is per question, in "reviews"
    assert [(r["question"], r["status"], r["updated_by"]) for r in data["reviews"]] == [
        ("5", "approved", "editor")
    ]
    event = data["events"][1]
    assert event["question"] == "3"
    assert event["position"] == 2
    assert event["sdgs"] == [4, 10, 17]
    assert event["carried_from_year"] == 2023
    assert event["dates"] == "21-22 May 2024"
    assert data["resources"][0]["languages"] == "English, French"
    assert data["initiatives"][0]["partners"] == "UNDP, ILO"
    assert data["comments"] == []
    assert data["assignments"] == [] and data["timeline"] == []


def test_json_holds_comments_assignments_and_the_timeline(reviewed_submission):
    data = json.loads(_export(reviewed_submission))

    question, reply, on_row = data["comments"]
    assert question["part"] == "Food systems" and question["parent"] is None
    assert (reply["parent"], reply["author"], reply["resolved"]) == (0, "editor", True)
    assert (reply["resolved_by"], reply["resolved_at"]) == (
        "coordinator",
        "2024-03-02T10:00:00.123456+00:00",
    )
    # The second event of the file's "events" list, and its name in case it is removed.
    assert on_row["row"] == {"table": "events", "index": 1}
    assert on_row["row_name"] == data["events"][1]["name"]
    assert [
        (a["question"], a["row"], a["assignee"], a["due_date"]) for a in data["assignments"]
    ] == [
        ("1", None, "editor", "2024-04-30"),
        ("3", {"table": "events", "index": 1}, "coordinator", None),
    ]
    approved, imported = data["timeline"]
    assert (approved["question"], approved["from_status"], approved["to_status"]) == (
        "5",
        "in_review",
        "approved",
    )
    assert (imported["question"], imported["kind"], imported["actor"]) == (None, "import", "editor")


def test_restore_into_an_empty_database_gives_the_same_file(reviewed_submission):
    # Positions an administrator set by dragging are not 1, 2, 3: they must survive too.
    Question.objects.filter(number="7").update(position=40)
    QuestionPart.objects.filter(title="Energy access").update(position=9)
    Questionnaire.objects.update(deadline="2025-01-31", is_open=True)
    first = _export(reviewed_submission)
    _empty_database(reviewed_submission)

    result = submission_restore(data=json.loads(first))

    assert result.warnings == []
    assert result.created == ["organization IOM", "questionnaire desa-2024"]
    assert _export(result.submission) == first


def test_restore_into_the_existing_questionnaire_gives_the_same_file(reviewed_submission):
    first = _export(reviewed_submission)
    reviewed_submission.delete()

    result = submission_restore(data=json.loads(first))

    assert result.created == []
    assert _export(result.submission) == first


def test_unknown_editor_is_restored_without_one_and_warned_about(filled_submission):
    data = json.loads(_export(filled_submission))
    _empty_database(filled_submission)
    get_user_model().objects.filter(username="editor").delete()

    result = submission_restore(data=data)

    assert result.warnings == [
        "User “editor” does not exist here: their edits are restored without an editor."
    ]
    assert Answer.objects.get(question__number="1").updated_by is None


def test_an_existing_submission_is_replaced_only_when_asked(filled_submission):
    data = json.loads(_export(filled_submission))
    Answer.objects.filter(question__number="1").update(text="Changed since the backup.")

    with pytest.raises(RestoreError, match="--replace"):
        submission_restore(data=data)
    assert Answer.objects.get(question__number="1").text == "Changed since the backup."

    result = submission_restore(data=data, replace=True)
    assert Submission.objects.count() == 1
    assert json.loads(_export(result.submission)) == data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "not a submission exported"),
        (lambda d: d.update(format_version=2), "version 2"),
        (lambda d: d["answers"][0].update(question="99"), "no question 99"),
        (lambda d: d["answers"][1].update(part="Oceans"), "no part “Oceans”"),
        (lambda d: d["events"][0].update(sdgs=[18]), "SDGs are numbers from 1 to 17"),
        (lambda d: d["events"][0].update(position="first"), "“position” has the wrong type"),
        (lambda d: d["events"][0].update(website="javascript:alert(1)"), "event 1"),
        (lambda d: d["reviews"][0].update(status="published"), "Review 1"),
        (lambda d: d["comments"][0].update(parent=1), "not before it"),
        (lambda d: d["comments"][2].update(row={"table": "events", "index": 7}), "no such"),
        (lambda d: d["comments"][2].update(row={"table": "resources", "index": 0}), "no such"),
        (lambda d: d["assignments"][0].update(due_date="soon"), "not a date"),
        (lambda d: d["timeline"][0].update(kind="party"), "Timeline event 1"),
        (lambda d: d["timeline"][0].update(created_at="2024-03-02"), "no time zone"),
        (lambda d: d["answers"][0].pop("updated_at"), "“updated_at” is missing"),
        (lambda d: d["answers"].append(dict(d["answers"][0])), "contradicts itself"),
        (lambda d: d.pop("comments"), "“comments” is missing"),
    ],
)
def test_an_invalid_file_writes_nothing(reviewed_submission, change, message):
    data = json.loads(_export(reviewed_submission))
    _empty_database(reviewed_submission)
    change(data)

    with pytest.raises(RestoreError, match=message):
        submission_restore(data=data)

    assert not Organization.objects.exists()
    assert not Questionnaire.objects.exists()
    assert not Event.objects.exists()


def test_an_assignment_to_an_unknown_user_is_left_out_with_a_warning(reviewed_submission):
    data = json.loads(_export(reviewed_submission))
    _empty_database(reviewed_submission)
    get_user_model().objects.filter(username="coordinator").delete()

    result = submission_restore(data=data)

    assert "Assignment 2 (question 3) was not restored: its assignee does not exist here." in (
        result.warnings
    )
    assert [a.assignee.username for a in result.submission.assignments.all()] == ["editor"]
    assert result.submission.comments.filter(author=None).count() == 2


def test_a_file_without_the_review_lists_restores_with_none(filled_submission):
    """A backup written before reviews, assignments and the timeline were kept."""
    data = json.loads(_export(filled_submission))
    for key in ("reviews", "assignments", "timeline"):
        del data[key]
    filled_submission.delete()

    result = submission_restore(data=data)

    assert not result.submission.reviews.exists()
    assert result.submission.answers.count() == 3


def test_an_assignment_of_a_removed_row_is_left_out(reviewed_submission):
    """Rows removed before their assignments went with them (migration 0007) left such
    assignments behind: written with no row, they would come back as the whole question's."""
    row = Event.objects.filter(submission=reviewed_submission).order_by("position", "id")[1]
    Event.objects.filter(pk=row.pk).delete()  # behind the services' back, as it once was

    data = json.loads(_export(reviewed_submission))

    assert [(a["question"], a["row"]) for a in data["assignments"]] == [("1", None)]
