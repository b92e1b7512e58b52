"""Carry forward: start a new year's submission from the organization's previous one.

Initiatives and resources recur year to year, and some questions come back unchanged:
a coordinator may copy those rows, and the answers to questions that are the same.
Copied rows are marked with the year they come from until someone edits them.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from . import history
from .models import ROW_MODELS, Answer, Question, Submission, TableKind
from .services import ServiceError

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
    filled_answers = {
        (a.question_id, a.part_id)
        for a in submission.answers.exclude(text="").only("question_id", "part_id")
    }
    source_answers = {
        (a.question_id, a.part_id): a
        for a in source.answers.exclude(text="").select_related("part")
    }
    by_text = {same_question_key(q): q for q in sources}

    for target in targets:
        if target.table in CARRIED_TABLES:
            plan.rows.extend(_rows_for(submission, source, target, sources))
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


def _rows_for(submission, source, target, sources):
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
    if target.max_rows:
        rows = rows[: target.max_rows]
    return [(target, rows)] if rows else []


@transaction.atomic
def submission_carry_forward(*, submission: Submission, user: AbstractBaseUser) -> CarryPlan:
    """Copy rows and unchanged questions' answers from the previous submission; all or nothing."""
    plan = carry_forward_plan(submission=submission)
    if plan.source is None:
        raise ServiceError(_("There is no earlier submission of this organization to copy from."))
    year = plan.source.questionnaire.year
    # One revision holds every copy: the history shows them as carried forward, by this user.
    with history.revision(user=user, comment=history.CARRIED_FORWARD):
        for target, rows in plan.rows:
            for position, row in enumerate(rows):
                sdgs = [sdg.number for sdg in row.sdgs.all()]
                copy = row  # the plan's own instance, saved as a new row below
                copy.pk = copy.id = None
                copy._prefetched_objects_cache = {}  # else sdgs.set() sees the old row's goals
                copy.submission = submission
                copy.question = target
                copy.position = position
                copy.version = 1
                copy.client_key = ""  # the browser key of a row added in the source year
                copy.carried_from_year = year
                copy.updated_by = user
                copy.save()
                copy.sdgs.set(sdgs)
                history.add(copy)
        for target, answer in plan.answers:
            history.add(
                Answer.objects.create(
                    submission=submission,
                    question=target,
                    part=getattr(answer, "target_part", None),
                    text=answer.text,
                    updated_by=user,
                )
            )
    return plan
