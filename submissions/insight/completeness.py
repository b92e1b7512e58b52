"""Completeness at a glance: every question of a submission with its words against the limit,
its review status, who holds it and by when, for the coordinator; and the same as CSV.

The figures come from ``submissions_progress`` (one word counter, one notion of "answered",
"over the limit" and "overdue"; a question's words and limit as the overview and the editing
page show them; the counts of questions in review and approved); this module adds
assignments, due dates, last edits and the sort orders.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.selectors import person_name

from ..models import ROW_MODELS, Answer, Assignment, ReviewStatus, Submission
from ..selectors import Count, Progress, QuestionState, submissions_progress
from ..templatetags.submission_tags import STATUS

# Statuses in the order a question moves through them, for sorting by status.
STATUS_ORDER = (
    "empty",
    ReviewStatus.DRAFT,
    ReviewStatus.CHANGES_REQUESTED,
    ReviewStatus.IN_REVIEW,
    ReviewStatus.APPROVED,
)

PROMPT_LENGTH = 90

SORT_LABELS: dict[str, Any] = {
    "number": gettext_lazy("Number"),
    "words": gettext_lazy("Words"),
    "percent": gettext_lazy("Limit used"),
    "status": gettext_lazy("Status"),
    "assignee": gettext_lazy("Assignee"),
    "due": gettext_lazy("Due date"),
}
DEFAULT_SORT = "number"


def _short(text: str, length: int = PROMPT_LENGTH) -> str:
    """The text on one line, cut at a word boundary with an ellipsis when longer than length."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


@dataclass
class LastEdit:
    at: datetime
    by: AbstractBaseUser | None


@dataclass
class PartLine:
    """One named part of a question: its words against its own limit."""

    title: str
    count: Count
    last_edit: LastEdit | None = None

    @property
    def words(self) -> int:
        return self.count.words

    @property
    def limit(self) -> int | None:
        return self.count.limit

    @property
    def percent(self) -> int | None:
        return self.count.percent

    @property
    def over(self) -> bool:
        return self.count.over


@dataclass
class CompletenessLine:
    """One question of the submission as the coordinator sees it."""

    state: QuestionState
    order: int  # place in the questionnaire
    today: date
    parts: list[PartLine] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    last_edit: LastEdit | None = None

    @property
    def question(self):
        return self.state.question

    @property
    def number(self) -> str:
        return self.question.number

    @property
    def prompt(self) -> str:
        return _short(self.question.prompt)

    @property
    def count(self) -> Count | None:
        """The question's own answer box against its limit; None when it has none."""
        return self.state.count

    @property
    def words(self) -> int | None:
        return self.count.words if self.count else None

    @property
    def limit(self) -> int | None:
        return self.count.limit if self.count else None

    @property
    def percent(self) -> int | None:
        """Percent of the limit; for a question in parts, that of its fullest text."""
        counts = [self.count, *(p.count for p in self.state.parts)]
        percents = [c.percent for c in counts if c and c.percent is not None]
        return max(percents) if percents else None

    @property
    def text_over(self) -> bool:
        """Whether its answer box or one of its parts is over its limit (rows aside)."""
        return self.state.text_over

    @property
    def row_count(self) -> int | None:
        return self.state.row_count if self.question.table else None

    @property
    def max_rows(self) -> int | None:
        return self.question.max_rows

    @property
    def rows_over(self) -> int:
        return self.state.rows_over

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def status_label(self) -> str:
        return str(STATUS.get(self.status, (self.status,))[0])

    @property
    def answered(self) -> bool:
        return self.state.answered

    @property
    def over(self) -> bool:
        return self.state.over

    @property
    def assignees(self) -> list[AbstractBaseUser]:
        """Who holds the question, then who holds one of its rows; each once."""
        found = {}
        for assignment in self.assignments:
            found.setdefault(assignment.assignee_id, assignment.assignee)
        return list(found.values())

    @property
    def due_date(self) -> date | None:
        """The earliest due date of the question's assignments."""
        dates = [a.due_date for a in self.assignments if a.due_date]
        return min(dates) if dates else None

    @property
    def overdue(self) -> bool:
        """Past its due date and still being written (not sent for review, not approved)."""
        return self.state.overdue(due_date=self.due_date, today=self.today)


def _sort_by_assignee(line: CompletenessLine) -> str | None:
    return person_name(line.assignees[0]).casefold() if line.assignees else None


SORT_KEYS: dict[str, Callable[[CompletenessLine], Any]] = {
    "number": lambda line: line.order,
    "words": lambda line: line.words,
    "percent": lambda line: line.percent,
    "status": lambda line: STATUS_ORDER.index(line.status) if line.status in STATUS_ORDER else 99,
    "assignee": _sort_by_assignee,
    "due": lambda line: line.due_date,
}


def completeness_sort(sort: str | None, direction: str | None) -> tuple[str, bool]:
    """(sort key, descending) from the query string; anything unknown is questionnaire order."""
    if sort not in SORT_KEYS:
        return DEFAULT_SORT, False
    return sort, direction == "desc"


def sort_lines(
    lines: list[CompletenessLine], sort: str, descending: bool
) -> list[CompletenessLine]:
    """Lines by one key, either way; lines without a value last, ties in questionnaire order."""
    key = SORT_KEYS[sort]
    by_order = sorted(lines, key=lambda line: line.order)
    present = [line for line in by_order if key(line) is not None]
    missing = [line for line in by_order if key(line) is None]
    # Python's sort is stable even when reversed: equal values keep questionnaire order.
    return sorted(present, key=key, reverse=descending) + missing


@dataclass
class Completeness:
    """A submission's questions, sorted, with the summary shown above them."""

    submission: Submission
    progress: Progress
    lines: list[CompletenessLine]
    sort: str
    descending: bool
    today: date

    @property
    def total(self) -> int:
        return self.progress.total

    @property
    def answered(self) -> int:
        return self.progress.answered

    @property
    def over(self) -> int:
        return self.progress.over

    @property
    def in_review(self) -> int:
        return self.progress.in_review

    @property
    def approved(self) -> int:
        return self.progress.approved

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)


def _last_edits(submission: Submission) -> dict[tuple[int, int | None], LastEdit]:
    """The latest edit of each answer (keyed by question and part) and each question's rows.

    Two queries for the edits (answers; the three row tables in one UNION) and one for the
    editors, whatever the number of answers and rows.
    """
    # No order: the latest is picked below (the default ordering joins five tables).
    answers = (
        Answer.objects.filter(submission=submission)
        .order_by()
        .values_list("question_id", "part_id", "updated_at", "updated_by_id")
    )
    no_part = Value(None, output_field=IntegerField())
    row_querysets = [
        model.objects.filter(submission=submission)
        .annotate(no_part=no_part)
        .order_by()  # Meta.ordering is not allowed inside a UNION
        .values_list("question_id", "no_part", "updated_at", "updated_by_id")
        for model in ROW_MODELS.values()
    ]
    rows = row_querysets[0].union(*row_querysets[1:], all=True)
    latest: dict[tuple[int, int | None], tuple[datetime, int | None]] = {}
    for edits in (answers, rows):
        for question_id, part_id, updated_at, user_id in edits:
            for key in {(question_id, part_id), (question_id, None)}:
                if key not in latest or updated_at > latest[key][0]:
                    latest[key] = (updated_at, user_id)
    user_ids = {user_id for _at, user_id in latest.values() if user_id}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    return {key: LastEdit(at=at, by=users.get(user_id)) for key, (at, user_id) in latest.items()}


def submission_completeness(
    *,
    submission: Submission,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
    today: date | None = None,
) -> Completeness:
    """Every question of the submission with its words, status, assignees and due date, sorted.

    A fixed number of queries whatever the number of questions, parts, answers, rows and
    assignments: submissions_progress's, one for the assignments with their assignees,
    and three for the last edits and their editors (see _last_edits).
    """
    today = today or timezone.localdate()
    progress = submissions_progress(submissions=[submission])[submission.pk]
    assignments: dict[int, list[Assignment]] = {}
    # Each question's by due date (the default ordering's question position is the same
    # within a question, and joins the questions for nothing).
    for assignment in (
        Assignment.objects.filter(submission=submission)
        .select_related("assignee")
        .order_by("due_date", "pk")
    ):
        assignments.setdefault(assignment.question_id, []).append(assignment)
    for held in assignments.values():
        # The whole question's assignee first, then those of single rows, soonest due first.
        held.sort(key=lambda a: (a.row_id is not None, a.due_date or date.max, a.pk))
    last_edits = _last_edits(submission)

    lines = []
    for order, state in enumerate(progress.states):
        question_id = state.question.pk
        lines.append(
            CompletenessLine(
                state=state,
                order=order,
                today=today,
                parts=[
                    PartLine(
                        title=p.part.title,
                        count=p.count,
                        last_edit=last_edits.get((question_id, p.part.pk)),
                    )
                    for p in state.parts
                ],
                assignments=assignments.get(question_id, []),
                last_edit=last_edits.get((question_id, None)),
            )
        )
    if sort not in SORT_KEYS:
        sort, descending = DEFAULT_SORT, False
    return Completeness(
        submission=submission,
        progress=progress,
        lines=sort_lines(lines, sort, descending),
        sort=sort,
        descending=descending,
        today=today,
    )
