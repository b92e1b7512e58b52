"""Writes to questionnaires and submissions: the one code path views, commands and tests call."""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization

from .models import (
    SDG,
    EventKind,
    Question,
    Questionnaire,
    QuestionPart,
    RowField,
    Submission,
    new_structure_stamp,
)
from .sdgs import SDGS


class ServiceError(Exception):
    """A refused write, with a message meant for the user."""


def sdg_ensure_all() -> None:
    """Create the 17 SDGs where missing (they come with a data migration; tests may flush them)."""
    existing = set(SDG.objects.values_list("number", flat=True))
    SDG.objects.bulk_create(
        SDG(number=number, title=title, colour=colour)
        for number, title, colour in SDGS
        if number not in existing
    )


def questionnaire_structure_changed(*, questionnaire: Questionnaire) -> None:
    """Say that the questionnaire's questions or parts changed.

    App servers keep a questionnaire's questions in memory under its structure stamp
    (``selectors.questionnaire_questions``): a new stamp makes every server read them afresh.
    The admin calls this after each save; call it after changing questions in any other way.
    A new questionnaire comes with a stamp of its own.
    """
    questionnaire.structure_stamp = new_structure_stamp()
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        structure_stamp=questionnaire.structure_stamp
    )


def _next_year_text(text: str, year: int) -> str:
    return re.sub(rf"\b{year}\b", str(year + 1), text)


@transaction.atomic
def questionnaire_copy_as_next_year(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire with its questions and parts as the next year's, closed for answers.

    Each year's form is last year's, edited: the year in the slug and title moves on by one,
    and the administrator edits the rest.
    """
    year = questionnaire.year + 1
    if Questionnaire.objects.filter(kind=questionnaire.kind, year=year).exists():
        raise ServiceError(
            _(
                "“%(title)s” was not copied: a questionnaire of this kind for %(year)s exists already."
            )
            % {"title": questionnaire.title, "year": year}
        )
    slug = _next_year_text(questionnaire.slug, questionnaire.year)
    if slug == questionnaire.slug or Questionnaire.objects.filter(slug=slug).exists():
        slug = f"{questionnaire.kind}-{year}"
    copy = Questionnaire(
        kind=questionnaire.kind,
        year=year,
        slug=slug,
        title=_next_year_text(questionnaire.title, questionnaire.year),
        intro=questionnaire.intro,
        text_layout=questionnaire.text_layout,
        footer=questionnaire.footer,
        deadline=None,
        is_open=False,
    )
    copy.full_clean()
    copy.save()
    for question in questionnaire.questions.prefetch_related("parts", "row_fields"):
        parts, row_fields = list(question.parts.all()), list(question.row_fields.all())
        question.pk = None
        question.questionnaire = copy
        question.save()
        QuestionPart.objects.bulk_create(
            QuestionPart(
                question=question,
                position=p.position,
                **{field: getattr(p, field) for field in PART_FIELDS},
            )
            for p in parts
        )
        RowField.objects.bulk_create(
            RowField(
                question=question,
                position=f.position,
                **{name: getattr(f, name) for name in ROW_FIELD_FIELDS},
            )
            for f in row_fields
        )
    return copy


QUESTIONNAIRE_FIELDS = ("intro", "source_document", "is_open", "text_layout", "footer")
QUESTION_FIELDS = (
    "number",
    "number_printed",
    "heading_printed",
    "section",
    "prompt",
    "guidance",
    "has_narrative",
    "word_limit",
    "word_minimum",
    "limit_note",
    "table",
    "max_rows",
    "row_description_word_limit",
)
PART_FIELDS = ("number", "title", "word_limit", "word_minimum")
ROW_FIELD_FIELDS = ("field", "label", "guidance")


@transaction.atomic
def questionnaire_create_from_definition(*, definition: dict[str, Any]) -> Questionnaire:
    """Create a questionnaire from a definition in the layout of seeds/questionnaires/*.json.

    Every object is validated with full_clean, so a bad definition raises ValidationError
    and, the whole function being one transaction, writes nothing.
    """
    questionnaire = Questionnaire(
        kind=definition["kind"],
        year=definition["year"],
        slug=definition["slug"],
        title=definition["title"],
        **{field: definition[field] for field in QUESTIONNAIRE_FIELDS if field in definition},
    )
    questionnaire.full_clean()
    questionnaire.save()
    for position, item in enumerate(definition["questions"], start=1):
        question = Question(
            questionnaire=questionnaire,
            position=position,
            **{field: item[field] for field in QUESTION_FIELDS if field in item},
        )
        question.full_clean()
        question.save()
        for part_position, part in enumerate(item.get("parts", []), start=1):
            part_obj = QuestionPart(
                question=question,
                position=part_position,
                **{field: part[field] for field in PART_FIELDS if field in part},
            )
            part_obj.full_clean()
            part_obj.save()
        for field_position, row_field in enumerate(item.get("row_fields", []), start=1):
            row_field_obj = RowField(
                question=question,
                position=field_position,
                **{f: row_field[f] for f in ROW_FIELD_FIELDS if f in row_field},
            )
            row_field_obj.full_clean()
            row_field_obj.save()
    return questionnaire


def submission_open(
    *, organization: Organization, questionnaire: Questionnaire, user=None
) -> Submission:
    """Open an organization's submission to a questionnaire; refuse a second one clearly."""
    try:
        # The database constraint decides, so two coordinators clicking at once get one.
        with transaction.atomic():
            submission = Submission.objects.create(
                organization=organization, questionnaire=questionnaire
            )
            submission.events_log.create(kind=EventKind.OPENED, actor=user)
            return submission
    except IntegrityError:
        raise ServiceError(
            _("%(organization)s already has a submission for “%(questionnaire)s”.")
            % {"organization": organization.code, "questionnaire": questionnaire}
        ) from None
