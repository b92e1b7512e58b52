"""Carry forward: start a new year's submission from the organization's previous one.

Initiatives and resources recur year to year, and some questions come back unchanged:
a coordinator may copy those rows, and the answers to questions that are the same.
Copied rows are marked with the year they come from until someone edits them. A row the
new submission has already (the same item by ``insight.matching``'s rule, the one comparing
years and the library use, found by the rows' stored keys), say reused from the library into
another question, is not copied again. This module plans what to copy;
``changes.submission_carry_forward`` writes it.
"""

import re
from dataclasses import dataclass, field

from .insight.matching import Keys, NameIndex, row_keys
from .models import ROW_MODELS, Answer, Question, Submission, TableKind

# Events are yearly by nature: only these tables are carried.
CARRIED_TABLES = (TableKind.RESOURCES, TableKind.INITIATIVES)

_YEAR = re.compile(r"\b(19|20)\d\d\b")
_SPACE = re.compile(r"\s+")


def same_question_key(question: Question) -> str:
    """A question's text with years and spacing normalised: "During 2024, …" = "During 2025, …"."""
    return _SPACE.sub(" ", _YEAR.sub("YEAR", question.prompt)).strip().casefold()


@dataclass
class CarryPlan:
    """What carrying forward would copy (and what it leaves alone)."""

    source: Submission | None
    rows: list[tuple[Question, list]] = field(default_factory=list)
    answers: list[tuple[Question, Answer]] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for _, rows in self.rows)


def submission_previous(*, submission: Submission) -> Submission | None:
    """The organization's latest earlier submission to a questionnaire of the same kind."""
    return (
        Submission.objects.filter(
            organization=submission.organization,
            questionnaire__kind=submission.questionnaire.kind,
            questionnaire__year__lt=submission.questionnaire.year,
        )
        .select_related("questionnaire")
        .order_by("-questionnaire__year")
        .first()
    )


def carry_forward_plan(*, submission: Submission) -> CarryPlan:
    """Work out what would be copied, without writing anything."""
    source = submission_previous(submission=submission)
    plan = CarryPlan(source=source)
    if source is None:
        return plan
    targets = list(submission.questionnaire.questions.prefetch_related("parts"))
    sources = list(source.questionnaire.questions.prefetch_related("parts"))
    # An answer with text, or marked "Nothing to report this year", is the user's: kept.
    filled_answers = {
        (a.question_id, a.part_id)
        for a in submission.answers.only("question_id", "part_id", "text", "nothing_to_report")
        if a.text or a.nothing_to_report
    }
    source_answers = {
        (a.question_id, a.part_id): a
        for a in source.answers.exclude(text="").select_related("part")
    }
    by_text = {same_question_key(q): q for q in sources}
    present: dict[str, NameIndex] = {}

    for target in targets:
        if target.table in CARRIED_TABLES:
            if target.table not in present:
                present[target.table] = _present(submission, target.table)
            plan.rows.extend(_rows_for(submission, source, target, sources, present[target.table]))
        previous = by_text.get(same_question_key(target))
        if previous is None:
            continue
        if target.has_narrative and (target.pk, None) not in filled_answers:
            answer = source_answers.get((previous.pk, None))
            if answer:
                plan.answers.append((target, answer))
        parts_by_title = {p.title.casefold(): p for p in previous.parts.all()}
        for part in target.parts.all():
            old_part = parts_by_title.get(part.title.casefold())
            answer = old_part and source_answers.get((previous.pk, old_part.pk))
            if answer and (target.pk, part.pk) not in filled_answers:
                answer.target_part = part
                plan.answers.append((target, answer))
    return plan


def _present(submission: Submission, table: str) -> NameIndex:
    """The submission's rows of that table, to find an item it has already by its keys."""
    keys = (
        ROW_MODELS[table].objects.filter(submission=submission).values_list("match_key", "acronym")
    )
    return NameIndex([Keys(key, acronym) for key, acronym in keys])


def _rows_for(submission, source, target, sources, present: NameIndex):
    model = ROW_MODELS[target.table]
    if model.objects.filter(submission=submission, question=target).exists():
        return []
    same_number = [q for q in sources if q.table == target.table and q.number == target.number]
    same_table = [q for q in sources if q.table == target.table]
    questions = same_number or same_table
    rows = list(
        model.objects.filter(submission=source, question__in=questions)
        .order_by("question__position", "position", "id")
        .prefetch_related("sdgs")
    )
    rows = [row for row in rows if present.first(row_keys(row)) is None]
    if target.max_rows:
        rows = rows[: target.max_rows]
    return [(target, rows)] if rows else []
