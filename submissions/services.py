"""Writes to questionnaires and submissions: the one code path views, commands and tests call."""

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import capfirst
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


class ReplacementsOutdated(ServiceError):
    """Replacements accepted on a page that the texts' edits have made out of date."""


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


@dataclass(frozen=True)
class Replacement:
    """A text of a questionnaire with its years moved on by one, proposed for next year's copy.

    ``pieces`` are the text cut around its years: each piece with its replacement (None for
    text kept), so that a page can highlight what changes.
    """

    id: str  # for a checkbox: the questionnaire, the text and a digest of it
    key: str  # the text: "question-12-prompt"
    place: str  # where the text is, for people: "Question 5"
    text_name: str  # which text of it: "Guidance"
    pieces: tuple[tuple[str, str | None], ...]

    @property
    def old(self) -> str:
        return "".join(piece for piece, _new in self.pieces)

    @property
    def new(self) -> str:
        return "".join(piece if new is None else new for piece, new in self.pieces)


def _year_pieces(text: str, year: int) -> tuple[tuple[str, str | None], ...]:
    """The text cut around each "2024" (to 2025) and "2023" (to 2024) of a 2024 questionnaire.

    One pass over the text, so that a year moved on is not moved again.
    """
    moves = {str(year): str(year + 1), str(year - 1): str(year)}
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in re.finditer(rf"(?<!\d)(?:{year}|{year - 1})(?!\d)", text):
        if match.start() > start:
            pieces.append((text[start : match.start()], None))
        pieces.append((match.group(), moves[match.group()]))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], None))
    return tuple(pieces)


# The texts of a questionnaire that may name a year, by where they live.
YEAR_TEXT_FIELDS = {
    Questionnaire: ("title", "intro", "footer"),
    Question: ("section", "prompt", "guidance", "limit_note"),
    QuestionPart: ("title",),
    RowField: ("label", "guidance"),
}


def _year_text_key(obj, field: str) -> str:
    return f"{type(obj).__name__.lower()}-{obj.pk}-{field}"


def _year_text_place(obj) -> str:
    if isinstance(obj, Questionnaire):
        return _("Questionnaire")
    if isinstance(obj, Question):
        return _("Question %(number)s") % {"number": obj.number}
    if isinstance(obj, QuestionPart):
        return _("Question %(number)s, part “%(part)s”") % {
            "number": obj.question.number,
            "part": obj.heading,
        }
    return _("Question %(number)s, row field “%(row_field)s”") % {
        "number": obj.question.number,
        "row_field": obj.label,
    }


def _questionnaire_texts(questionnaire: Questionnaire, questions: list[Question]):
    """Each object of the questionnaire that may name a year, in the order of the form."""
    yield questionnaire
    for question in questions:
        yield question
        yield from question.parts.all()
        yield from question.row_fields.all()


def _questions_for_copy(questionnaire: Questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.order_by("position", "id").prefetch_related("parts", "row_fields")
    )


def _replacements(questionnaire: Questionnaire, questions: list[Question]) -> list[Replacement]:
    found = []
    for obj in _questionnaire_texts(questionnaire, questions):
        for field in YEAR_TEXT_FIELDS[type(obj)]:
            text = getattr(obj, field)
            pieces = _year_pieces(text, questionnaire.year)
            if not any(new is not None for _piece, new in pieces):
                continue
            # The text's digest is part of the id: an id accepted on a page shown before the
            # text was edited names nothing any more (see questionnaire_copy_as_next_year).
            digest = hashlib.sha256(text.encode()).hexdigest()[:10]
            key = _year_text_key(obj, field)
            found.append(
                Replacement(
                    id=f"{questionnaire.pk}-{key}-{digest}",
                    key=key,
                    place=_year_text_place(obj),
                    text_name=_("Question text")
                    if field == "prompt"
                    else capfirst(obj._meta.get_field(field).verbose_name),
                    pieces=pieces,
                )
            )
    return found


def questionnaire_year_replacements(*, questionnaire: Questionnaire) -> list[Replacement]:
    """The texts whose years a copy as next year's would move on: "During 2024" to "During
    2025" and "since 2023" to "since 2024", in the order of the form."""
    return _replacements(questionnaire, _questions_for_copy(questionnaire))


def questionnaire_ensure_copyable(*, questionnaire: Questionnaire) -> None:
    """Refuse to copy a questionnaire whose kind has one for the next year already."""
    year = questionnaire.year + 1
    if Questionnaire.objects.filter(kind=questionnaire.kind, year=year).exists():
        raise ServiceError(
            _(
                "“%(title)s” was not copied: a questionnaire of this kind for %(year)s exists already."
            )
            % {"title": questionnaire.title, "year": year}
        )


@transaction.atomic
def questionnaire_copy_as_next_year(
    *, questionnaire: Questionnaire, accept: Collection[str] | None = None
) -> Questionnaire:
    """Copy a questionnaire with its questions, parts and row fields as the next year's, closed
    for answers.

    Each year's form is last year's, edited. The year in the slug moves on by one; of the
    texts that name a year (``questionnaire_year_replacements``), those whose ids are in
    ``accept`` get their years moved on and the others are copied as they are; without
    ``accept``, every one is moved on. An accepted id of this questionnaire that names no
    replacement any more (its text was edited since it was shown) is refused.
    """
    questionnaire_ensure_copyable(questionnaire=questionnaire)
    year = questionnaire.year + 1
    questions = _questions_for_copy(questionnaire)
    replacements = _replacements(questionnaire, questions)
    if accept is not None:
        accept = set(accept)
        known = {replacement.id for replacement in replacements}
        if {key for key in accept if key.startswith(f"{questionnaire.pk}-")} - known:
            raise ReplacementsOutdated(
                _(
                    "“%(title)s” was not copied: some of its texts were edited since its "
                    "years to move on were shown. Look at them again."
                )
                % {"title": questionnaire.title}
            )
    moved = {
        replacement.key: replacement.new
        for replacement in replacements
        if accept is None or replacement.id in accept
    }

    def text(obj, field: str) -> str:
        return moved.get(_year_text_key(obj, field), getattr(obj, field))

    def values(obj, fields: tuple[str, ...]) -> dict[str, Any]:
        return {field: text(obj, field) for field in fields}

    slug = _next_year_text(questionnaire.slug, questionnaire.year)
    if slug == questionnaire.slug or Questionnaire.objects.filter(slug=slug).exists():
        slug = f"{questionnaire.kind}-{year}"
    copy = Questionnaire(
        kind=questionnaire.kind,
        year=year,
        slug=slug,
        title=text(questionnaire, "title"),
        intro=text(questionnaire, "intro"),
        text_layout=questionnaire.text_layout,
        footer=text(questionnaire, "footer"),
        deadline=None,
        is_open=False,
    )
    copy.full_clean()
    copy.save()
    for question in questions:
        parts, row_fields = list(question.parts.all()), list(question.row_fields.all())
        texts = values(question, YEAR_TEXT_FIELDS[Question])
        question.pk = None
        question.questionnaire = copy
        for field, value in texts.items():
            setattr(question, field, value)
        question.save()
        QuestionPart.objects.bulk_create(
            QuestionPart(
                question=question,
                position=part.position,
                **values(part, PART_FIELDS),
            )
            for part in parts
        )
        RowField.objects.bulk_create(
            RowField(
                question=question,
                position=row_field.position,
                **values(row_field, ROW_FIELD_FIELDS),
            )
            for row_field in row_fields
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


def submission_set_document_language(*, submission: Submission, language: str) -> None:
    """Choose the language of the labels the submission's documents add (not its text)."""
    if language not in dict(settings.LANGUAGES):
        raise ServiceError(
            _("“%(language)s” is not one of the site's languages.") % {"language": language}
        )
    Submission.objects.filter(pk=submission.pk).update(document_language=language)
    submission.document_language = language


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
