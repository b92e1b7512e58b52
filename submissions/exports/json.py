"""JSON: a lossless, versioned copy of a submission, for backup, restore and moving servers.

Objects refer to each other by natural keys, never by database ids: the organization by its
code, the questionnaire by its slug (its whole definition is included, so a restore into an
empty database can create it), questions by number, parts by title, SDGs by number and
editors by username. A table row that a comment or an assignment is about is named by its
table and its index in that table's list of this file. The review side travels too: each
question's review status ("reviews"), the comments with their replies, the assignments and
the "timeline" of transitions ("events" are the events table). The history of versions does
not travel: a backup is the submission as it stands. Restoring is in restore.py.
"""

import json
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy

from ..models import (
    ROW_MODELS,
    Answer,
    Assignment,
    Question,
    QuestionPart,
    QuestionReview,
    ReviewComment,
    Submission,
    SubmissionEvent,
    TableRow,
)
from ..rowfields import sdg_numbers
from .base import ROW_RELATED_NAMES, BaseExporter

FORMAT = "yearly-submission"
FORMAT_VERSION = 1

QUESTIONNAIRE_FIELDS = ("slug", "kind", "year", "title", "intro", "is_open", "source_document")
QUESTION_FIELDS = (
    "number",
    "position",
    "section",
    "prompt",
    "guidance",
    "has_narrative",
    "word_limit",
    "table",
    "max_rows",
    "row_description_word_limit",
)
PART_FIELDS = ("title", "position", "word_limit")
# Each year's wording (added after format version 1 was first written: a file without them
# restores with the defaults).
QUESTIONNAIRE_WORDING_FIELDS = ("text_layout", "footer")
QUESTION_WORDING_FIELDS = ("number_printed", "heading_printed", "word_minimum", "limit_note")
PART_WORDING_FIELDS = ("number", "word_minimum")
ROW_FIELD_FIELDS = ("field", "label", "guidance")
ROW_COMMON_FIELDS = (
    "position",
    "name",
    "description",
    "website",
    "carried_from_year",
    "version",
)
ROW_KIND_FIELDS = {
    kind: tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.name
        not in {
            *ROW_COMMON_FIELDS,
            "id",
            "submission",
            "question",
            "updated_by",
            "updated_at",
            "client_key",
            "sdgs_text",
            "match_key",  # derived from the name: written again on restore
            "acronym",
        }
    )
    for kind, model in ROW_MODELS.items()
}
"""Fields a kind of row adds: dates and location of an event, partners of an initiative..."""


def timestamp(value: datetime | date | None) -> str | None:
    """ISO 8601 with microseconds, so that a restore gives back the same instant."""
    return value.isoformat() if value is not None else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _answer(answer: Answer, questions: dict[int, Question], parts: dict[int, QuestionPart]):
    return {
        "question": questions[answer.question_id].number,
        "part": parts[answer.part_id].title if answer.part_id else None,
        "text": answer.text,
        "nothing_to_report": answer.nothing_to_report,
        "version": answer.version,
        "updated_by": _username(answer.updated_by),
        "updated_at": timestamp(answer.updated_at),
    }


def _row(row: TableRow, kind: str, question_numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "question": question_numbers[row.question_id],
        **{name: getattr(row, name) for name in ROW_COMMON_FIELDS},
        **{name: getattr(row, name) for name in ROW_KIND_FIELDS[kind]},
        "sdgs": sdg_numbers(row),
        "sdgs_text": row.sdgs_text,
        "updated_by": _username(row.updated_by),
        "updated_at": timestamp(row.updated_at),
    }


def _review(review: QuestionReview, questions: dict[int, Question]) -> dict[str, Any]:
    return {
        "question": questions[review.question_id].number,
        "status": review.status,
        "updated_by": _username(review.updated_by),
        "updated_at": timestamp(review.updated_at),
    }


def _comment(
    comment: ReviewComment,
    questions: dict[int, Question],
    parts: dict[int, QuestionPart],
    row_ref,
    index_of: dict[int, int],
) -> dict[str, Any]:
    return {
        "question": questions[comment.question_id].number,
        "part": parts[comment.part_id].title if comment.part_id else None,
        "row": row_ref(comment.question_id, comment.row_id),
        "row_name": comment.row_name,
        "parent": index_of.get(comment.parent_id) if comment.parent_id else None,
        "author": _username(comment.author),
        "text": comment.text,
        "resolved": comment.resolved,
        "resolved_by": _username(comment.resolved_by),
        "resolved_at": timestamp(comment.resolved_at),
        "created_at": timestamp(comment.created_at),
    }


def _assignment(assignment: Assignment, questions: dict[int, Question], row_ref) -> dict:
    return {
        "question": questions[assignment.question_id].number,
        "row": row_ref(assignment.question_id, assignment.row_id),
        "assignee": _username(assignment.assignee),
        "due_date": timestamp(assignment.due_date),
        "assigned_by": _username(assignment.assigned_by),
        "created_at": timestamp(assignment.created_at),
    }


def _event(event: SubmissionEvent, questions: dict[int, Question]) -> dict[str, Any]:
    return {
        "question": questions[event.question_id].number if event.question_id else None,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "message": event.message,
        "actor": _username(event.actor),
        "created_at": timestamp(event.created_at),
    }


def _review_data(submission: Submission, questions_by_pk, parts) -> dict[str, list]:
    """Reviews, comments, assignments and events, from a submission loaded with_review."""
    row_indexes = {
        (kind, row.pk): index
        for kind in ROW_MODELS
        for index, row in enumerate(getattr(submission, ROW_RELATED_NAMES[kind]).all())
    }

    def row_ref(question_id: int, row_id: int | None) -> dict[str, Any] | None:
        # A row removed since is no longer in the file: the comment keeps its row_name.
        kind = questions_by_pk[question_id].table
        index = row_indexes.get((kind, row_id)) if row_id else None
        return None if index is None else {"table": ROW_RELATED_NAMES[kind], "index": index}

    comments = list(submission.comments.all())
    # Oldest first, so that a reply's parent always comes before it.
    comments.sort(key=lambda c: (c.created_at, c.pk))
    index_of = {comment.pk: index for index, comment in enumerate(comments)}
    return {
        "reviews": [_review(r, questions_by_pk) for r in submission.reviews.all()],
        "comments": [_comment(c, questions_by_pk, parts, row_ref, index_of) for c in comments],
        "assignments": [
            _assignment(a, questions_by_pk, row_ref)
            for a in submission.assignments.all()
            # One to a row removed since would come back as one to the whole question.
            if a.row_id is None or row_ref(a.question_id, a.row_id) is not None
        ],
        "timeline": [_event(e, questions_by_pk) for e in submission.events_log.all()],
    }


def submission_to_data(submission: Submission) -> dict[str, Any]:
    """The submission as plain data, from a submission loaded by submission_for_export(with_review=True)."""
    questionnaire = submission.questionnaire
    questions = list(questionnaire.questions.all())
    questions_by_pk = {q.pk: q for q in questions}
    question_numbers = {q.pk: q.number for q in questions}
    parts = {part.pk: part for q in questions for part in q.parts.all()}

    def answer_order(answer: Answer) -> tuple[int, ...]:
        # The narrative, then the parts in order. Sorted here: databases disagree on where
        # NULL (the narrative's part) sorts, and the file must not depend on the database.
        question = questions_by_pk[answer.question_id]
        part = parts.get(answer.part_id)
        return (question.position, question.pk, *((part.position, part.pk) if part else (-1, 0)))

    answers = [
        _answer(answer, questions_by_pk, parts)
        for answer in sorted(submission.answers.all(), key=answer_order)
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "organization": {
            "code": submission.organization.code,
            "name": submission.organization.name,
        },
        "questionnaire": {
            **{
                name: getattr(questionnaire, name)
                for name in (*QUESTIONNAIRE_FIELDS, *QUESTIONNAIRE_WORDING_FIELDS)
            },
            "deadline": timestamp(questionnaire.deadline),
            "questions": [
                {
                    **{
                        name: getattr(q, name)
                        for name in (*QUESTION_FIELDS, *QUESTION_WORDING_FIELDS)
                    },
                    "row_fields": [
                        {name: getattr(f, name) for name in ROW_FIELD_FIELDS}
                        for f in q.row_fields.all()
                    ],
                    "parts": [
                        {name: getattr(p, name) for name in (*PART_FIELDS, *PART_WORDING_FIELDS)}
                        for p in q.parts.all()
                    ],
                }
                for q in questions
            ],
        },
        "submission": {
            "status": submission.status,
            "document_language": submission.document_language,
            "created_at": timestamp(submission.created_at),
            "updated_at": timestamp(submission.updated_at),
            "finalized_at": timestamp(submission.finalized_at),
            "finalized_by": _username(submission.finalized_by),
        },
        "answers": answers,
        **{
            ROW_RELATED_NAMES[kind]: [
                _row(row, kind, question_numbers)
                for row in getattr(submission, ROW_RELATED_NAMES[kind]).all()
            ]
            for kind in ROW_MODELS
        },
        **_review_data(submission, questions_by_pk, parts),
    }


def data_to_bytes(data: dict[str, Any]) -> bytes:
    """Stable bytes: the same data always gives the same file."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class JsonExporter(BaseExporter):
    identifier = "json"
    verbose_name = gettext_lazy("JSON (lossless, for backup and restore)")
    extension = "json"
    content_type = "application/json"
    with_review = True

    def render_content(self, submission: Submission) -> bytes:
        return data_to_bytes(submission_to_data(submission))
