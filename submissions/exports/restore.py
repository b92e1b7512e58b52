"""Restoring a submission from its JSON export (json.py), all or nothing."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization

from ..changes import submission_restore_write
from ..models import (
    ROW_MODELS,
    SDG,
    Answer,
    Assignment,
    Question,
    Questionnaire,
    QuestionPart,
    QuestionReview,
    ReviewComment,
    RowField,
    Submission,
    SubmissionEvent,
    TableRow,
)
from ..services import ServiceError, questionnaire_create_from_definition
from ..text import strip_control_characters
from .base import ROW_RELATED_NAMES
from .json import (
    FORMAT,
    FORMAT_VERSION,
    PART_FIELDS,
    PART_WORDING_FIELDS,
    QUESTION_FIELDS,
    QUESTION_WORDING_FIELDS,
    QUESTIONNAIRE_FIELDS,
    QUESTIONNAIRE_WORDING_FIELDS,
    ROW_COMMON_FIELDS,
    ROW_FIELD_FIELDS,
    ROW_KIND_FIELDS,
)


class RestoreError(ServiceError):
    """A file that cannot be restored; nothing was written."""


@dataclass
class RestoreResult:
    submission: Submission
    created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _require(mapping: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise RestoreError(_("%(where)s: “%(key)s” is missing.") % {"where": where, "key": key})
    value = mapping[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise RestoreError(
            _("%(where)s: “%(key)s” has the wrong type.") % {"where": where, "key": key}
        )
    return value


def _present(model: type[models.Model], item: Any, names: tuple[str, ...], where: str) -> dict:
    """Like _values, for the fields a file written before they existed may lack."""
    return _values(
        model, item, tuple(n for n in names if isinstance(item, dict) and n in item), where
    )


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _field_type(model: type[models.Model], name: str) -> tuple[type, ...]:
    """The JSON types a model field accepts: text, whole numbers or booleans, null if nullable."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.BooleanField):
        kinds: tuple[type, ...] = (bool,)
    elif isinstance(model_field, models.IntegerField):
        kinds = (int,)
    else:
        kinds = (str,)
    return (*kinds, type(None)) if model_field.null else kinds


def _values(model: type[models.Model], item: Any, names: tuple[str, ...], where: str) -> dict:
    values = {name: _require(item, name, _field_type(model, name), where) for name in names}
    return {k: strip_control_characters(v) if isinstance(v, str) else v for k, v in values.items()}


def _instant(item: Any, key: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(_require(item, key, str, where))
    except ValueError:
        raise RestoreError(
            _("%(where)s: “%(key)s” is not a date and time.") % {"where": where, "key": key}
        ) from None
    if value.tzinfo is None:
        raise RestoreError(
            _("%(where)s: “%(key)s” has no time zone.") % {"where": where, "key": key}
        )
    return value


def _check(instance: models.Model, where: str, exclude: tuple[str, ...] = ()) -> None:
    """Field validation (lengths, choices, web addresses); the database checks uniqueness."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise RestoreError(f"{where}: {'; '.join(error.messages)}") from None


@transaction.atomic
def submission_restore(*, data: dict[str, Any], replace: bool = False, user=None) -> RestoreResult:
    """Load a JSON export into this database, all or nothing.

    A missing organization or questionnaire is created from the file; an existing one is used
    as it is, and every question, part and SDG the file names must exist in it. Editors are
    matched by username; one who does not exist here leaves the answer or row without an
    editor, with a warning. An existing submission is replaced only when ``replace`` is true;
    its answers and rows stay in the history. The restored ones are recorded as one revision
    (by ``user``, if given).
    """
    try:
        return _restore(data, replace=replace, user=user)
    except IntegrityError as error:
        raise RestoreError(_("The file contradicts itself: %(error)s") % {"error": error}) from None


def _restore(data: Any, *, replace: bool, user=None) -> RestoreResult:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreError(_("This is not a submission exported as JSON by this application."))
    version = _require(data, "format_version", int, _("File"))
    if version != FORMAT_VERSION:
        raise RestoreError(
            _(
                "The file is in version %(version)s of the format; this server reads version %(ours)s."
            )
            % {"version": version, "ours": FORMAT_VERSION}
        )
    result = RestoreResult(submission=Submission())
    organization = _organization(_require(data, "organization", dict, _("File")), result)
    questionnaire = _questionnaire(_require(data, "questionnaire", dict, _("File")), result)

    existing = Submission.objects.filter(organization=organization, questionnaire=questionnaire)
    if existing.exists() and not replace:
        raise RestoreError(
            _(
                "%(organization)s already has a submission for “%(questionnaire)s”: "
                "restore with --replace to overwrite it."
            )
            % {"organization": organization.code, "questionnaire": questionnaire.slug}
        )
    meta = _require(data, "submission", dict, _("File"))

    def write() -> Submission:
        where = _("Submission")
        submission = Submission(
            organization=organization,
            questionnaire=questionnaire,
            **_values(Submission, meta, ("status",), where),
            # Files from before the setting existed: English, the default.
            **(
                _values(Submission, meta, ("document_language",), where)
                if "document_language" in meta
                else {}
            ),
        )
        _check(submission, where)
        submission.save()
        users = _users(data, result)
        finalized_at = (
            _optional_instant(meta, "finalized_at", where) if "finalized_at" in meta else None
        )
        # auto_now and auto_now_add set both on save; update() writes the file's instants.
        Submission.objects.filter(pk=submission.pk).update(
            created_at=_instant(meta, "created_at", where),
            updated_at=_instant(meta, "updated_at", where),
            finalized_at=finalized_at,
            finalized_by=_user(meta, "finalized_by", users, where)
            if "finalized_by" in meta
            else None,
        )
        result.submission = submission
        questions = {q.number: q for q in questionnaire.questions.prefetch_related("parts")}
        _answers(data, submission, questions, users)
        rows = {
            ROW_RELATED_NAMES[kind]: _rows(data, kind, submission, questions, users)
            for kind in ROW_MODELS
        }
        _reviews(data, submission, questions, users)
        _comments(data, submission, questions, rows, users)
        _assignments(data, submission, questions, rows, users, result)
        _events(data, submission, questions, users)
        return submission

    result.submission = submission_restore_write(
        organization=organization, questionnaire=questionnaire, user=user, write=write
    )
    result.submission.refresh_from_db()
    return result


def _organization(item: dict, result: RestoreResult) -> Organization:
    where = _("Organization")
    code = _require(item, "code", str, where)
    organization = Organization.objects.filter(code=code).first()
    if organization is None:
        organization = Organization(code=code, name=_require(item, "name", str, where))
        _check(organization, where)
        organization.save()
        result.created.append(_("organization %(code)s") % {"code": code})
    return organization


def _questionnaire(item: dict, result: RestoreResult) -> Questionnaire:
    where = _("Questionnaire")
    slug = _require(item, "slug", str, where)
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is not None:
        return questionnaire

    definition = {
        **_values(Questionnaire, item, QUESTIONNAIRE_FIELDS, where),
        **_present(Questionnaire, item, QUESTIONNAIRE_WORDING_FIELDS, where),
    }
    deadline = _require(item, "deadline", (str, type(None)), where)
    items = _require(item, "questions", list, where)
    definition["questions"] = [
        {
            **_values(Question, q, QUESTION_FIELDS, _("Question")),
            **_present(Question, q, QUESTION_WORDING_FIELDS, _("Question")),
            "parts": [
                {
                    **_values(QuestionPart, p, PART_FIELDS, _("Part")),
                    **_present(QuestionPart, p, PART_WORDING_FIELDS, _("Part")),
                }
                for p in _require(q, "parts", list, _("Question"))
            ],
            "row_fields": [
                _values(RowField, f, ROW_FIELD_FIELDS, _("Row field"))
                for f in (
                    _require(q, "row_fields", list, _("Question")) if "row_fields" in q else []
                )
            ],
        }
        for q in items
    ]
    try:
        questionnaire = questionnaire_create_from_definition(definition=definition)
        if deadline:
            questionnaire.deadline = date.fromisoformat(deadline)
            questionnaire.save(update_fields=["deadline"])
    except (ValidationError, ValueError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise RestoreError(f"{where} {slug}: {'; '.join(messages)}") from None

    # The definition numbers positions 1, 2, 3...; the file keeps those the administrator set.
    created = list(questionnaire.questions.order_by("position").prefetch_related("parts"))
    parts = []
    for question, spec in zip(created, definition["questions"], strict=True):
        question.position = spec["position"]
        for part, part_spec in zip(question.parts.all(), spec["parts"], strict=True):
            part.position = part_spec["position"]
            parts.append(part)
    Question.objects.bulk_update(created, ["position"])
    QuestionPart.objects.bulk_update(parts, ["position"])
    result.created.append(_("questionnaire %(slug)s") % {"slug": slug})
    return questionnaire


def _users(data: dict, result: RestoreResult) -> dict[str, Any]:
    """Editors named in the file that exist here, by username; a warning for each other one."""
    named = set()
    people = {
        **{key: ("updated_by",) for key in ("answers", *ROW_RELATED_NAMES.values())},
        "reviews": ("updated_by",),
        "comments": ("author", "resolved_by"),
        "assignments": ("assignee", "assigned_by"),
        "timeline": ("actor",),
    }
    for key, names in people.items():
        for item in _list(data, key):
            for name in names:
                username = _require(item, name, (str, type(None)), key)
                if username:
                    named.add(username)
    finalized_by = data["submission"].get("finalized_by")
    if isinstance(finalized_by, str) and finalized_by:
        named.add(finalized_by)
    User = get_user_model()
    users = {
        u.get_username(): u for u in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": named})
    }
    for username in sorted(named - users.keys()):
        result.warnings.append(
            _(
                "User “%(username)s” does not exist here: their edits are restored without an editor."
            )
            % {"username": username}
        )
    return users


def _question(item: Any, questions: dict[str, Question], where: str) -> Question:
    number = _require(item, "question", str, where)
    if number not in questions:
        raise RestoreError(
            _("%(where)s: the questionnaire has no question %(number)s.")
            % {"where": where, "number": number}
        )
    return questions[number]


def _keep_instants(model: type[models.Model], objects: list, instants: list[datetime]) -> None:
    """Write the file's updated_at, which auto_now replaced on insert."""
    for obj, instant in zip(objects, instants, strict=True):
        obj.updated_at = instant
    model.objects.bulk_update(objects, ["updated_at"])


def _answers(data: dict, submission: Submission, questions: dict, users: dict) -> None:
    answers, instants = [], []
    for index, item in enumerate(data["answers"], start=1):
        where = _("Answer %(index)s") % {"index": index}
        question = _question(item, questions, where)
        part_title = _require(item, "part", (str, type(None)), where)
        part = None
        if part_title is not None:
            part = next((p for p in question.parts.all() if p.title == part_title), None)
            if part is None:
                raise RestoreError(
                    _("%(where)s: question %(number)s has no part “%(title)s”.")
                    % {"where": where, "number": question.number, "title": part_title}
                )
        answer = Answer(
            submission=submission,
            question=question,
            part=part,
            updated_by=users.get(item["updated_by"] or ""),
            # Files written before the mark existed lack it.
            nothing_to_report=_require(item, "nothing_to_report", bool, where)
            if "nothing_to_report" in item
            else False,
            **_values(Answer, item, ("text", "version"), where),
        )
        _check(answer, where)
        answers.append(answer)
        instants.append(_instant(item, "updated_at", where))
    Answer.objects.bulk_create(answers)
    _keep_instants(Answer, answers, instants)


def _rows(data: dict, kind: str, submission: Submission, questions: dict, users: dict) -> None:
    model: type[TableRow] = ROW_MODELS[kind]
    key = ROW_RELATED_NAMES[kind]
    sdg_numbers = set(SDG.objects.values_list("number", flat=True))
    rows, instants, sdgs = [], [], []
    for index, item in enumerate(data[key], start=1):
        where = f"{model._meta.verbose_name} {index}"
        row = model(
            submission=submission,
            question=_question(item, questions, where),
            updated_by=users.get(item["updated_by"] or ""),
            **_values(model, item, ROW_COMMON_FIELDS + ROW_KIND_FIELDS[kind], where),
            # Files written before the SDGs' text was kept lack it.
            **(_values(model, item, ("sdgs_text",), where) if "sdgs_text" in item else {}),
        )
        _check(row, where)
        numbers = _require(item, "sdgs", list, where)
        if not all(isinstance(n, int) and n in sdg_numbers for n in numbers):
            raise RestoreError(_("%(where)s: SDGs are numbers from 1 to 17.") % {"where": where})
        rows.append(row)
        instants.append(_instant(item, "updated_at", where))
        sdgs.append(sorted(set(numbers)))
    model.objects.bulk_create(rows)
    _keep_instants(model, rows, instants)
    through = model.sdgs.through
    model.sdgs.through.objects.bulk_create(
        through(**{f"{model._meta.model_name}_id": row.pk, "sdg_id": number})
        for row, numbers in zip(rows, sdgs, strict=True)
        for number in numbers
    )
    return rows


# -- The review side: reviews, comments, assignments, timeline -------------------------------

OPTIONAL_LISTS = ("reviews", "assignments", "timeline")
"""Lists a file written before they existed lacks; missing means empty."""


def _list(data: dict, key: str) -> list:
    if key in OPTIONAL_LISTS and key not in data:
        return []
    return _require(data, key, list, _("File"))


def _optional_instant(item: Any, key: str, where: str) -> datetime | None:
    if _require(item, key, (str, type(None)), where) is None:
        return None
    return _instant(item, key, where)


def _user(item: dict, key: str, users: dict, where: str):
    username = _require(item, key, (str, type(None)), where)
    return users.get(username or "")


def _part(item: dict, question: Question, where: str) -> QuestionPart | None:
    title = _require(item, "part", (str, type(None)), where)
    if title is None:
        return None
    part = next((p for p in question.parts.all() if p.title == title), None)
    if part is None:
        raise RestoreError(
            _("%(where)s: question %(number)s has no part “%(title)s”.")
            % {"where": where, "number": question.number, "title": title}
        )
    return part


def _row_id(item: dict, question: Question, rows: dict[str, list], where: str) -> int | None:
    """The restored row a comment or assignment is about: {"table": ..., "index": ...} or null."""
    ref = _require(item, "row", (dict, type(None)), where)
    if ref is None:
        return None
    table = _require(ref, "table", str, where)
    index = _require(ref, "index", int, where)
    expected = ROW_RELATED_NAMES.get(question.table)
    if table != expected or not 0 <= index < len(rows.get(table, [])):
        raise RestoreError(
            _("%(where)s: question %(number)s has no such table row.")
            % {"where": where, "number": question.number}
        )
    return rows[table][index].pk


def _keep(model: type[models.Model], objects: list, name: str, instants: list) -> None:
    """Write the file's instants, which auto_now and auto_now_add replaced on insert."""
    for obj, instant in zip(objects, instants, strict=True):
        setattr(obj, name, instant)
    model.objects.bulk_update(objects, [name])


def _reviews(data: dict, submission: Submission, questions: dict, users: dict) -> None:
    reviews, instants = [], []
    for index, item in enumerate(_list(data, "reviews"), start=1):
        where = _("Review %(index)s") % {"index": index}
        review = QuestionReview(
            submission=submission,
            question=_question(item, questions, where),
            updated_by=_user(item, "updated_by", users, where),
            **_values(QuestionReview, item, ("status",), where),
        )
        _check(review, where)
        reviews.append(review)
        instants.append(_instant(item, "updated_at", where))
    QuestionReview.objects.bulk_create(reviews)
    _keep(QuestionReview, reviews, "updated_at", instants)


def _comments(data: dict, submission: Submission, questions: dict, rows: dict, users) -> None:
    comments, instants = [], []
    for index, item in enumerate(_require(data, "comments", list, _("File")), start=1):
        where = _("Comment %(index)s") % {"index": index}
        question = _question(item, questions, where)
        parent = _require(item, "parent", (int, type(None)), where)
        if parent is not None and not 0 <= parent < len(comments):
            raise RestoreError(
                _("%(where)s: it replies to a comment that is not before it.") % {"where": where}
            )
        comment = ReviewComment(
            submission=submission,
            question=question,
            part=_part(item, question, where),
            row_id=_row_id(item, question, rows, where),
            parent=comments[parent] if parent is not None else None,
            author=_user(item, "author", users, where),
            resolved_by=_user(item, "resolved_by", users, where),
            resolved_at=_optional_instant(item, "resolved_at", where),
            **_values(ReviewComment, item, ("row_name", "text", "resolved"), where),
        )
        _check(comment, where, exclude=("author",))
        comment.save()  # one by one: a reply needs its parent's id
        comments.append(comment)
        instants.append(_instant(item, "created_at", where))
    _keep(ReviewComment, comments, "created_at", instants)


def _assignments(data, submission, questions, rows, users, result: RestoreResult) -> None:
    assignments, instants = [], []
    for index, item in enumerate(_list(data, "assignments"), start=1):
        where = _("Assignment %(index)s") % {"index": index}
        question = _question(item, questions, where)
        assignee = _user(item, "assignee", users, where)
        if assignee is None:
            result.warnings.append(
                _(
                    "%(where)s (question %(number)s) was not restored: its assignee does not exist here."
                )
                % {"where": where, "number": question.number}
            )
            continue
        due = _require(item, "due_date", (str, type(None)), where)
        try:
            due_date = date.fromisoformat(due) if due else None
        except ValueError:
            raise RestoreError(
                _("%(where)s: “due_date” is not a date.") % {"where": where}
            ) from None
        assignment = Assignment(
            submission=submission,
            question=question,
            row_id=_row_id(item, question, rows, where),
            assignee=assignee,
            due_date=due_date,
            assigned_by=_user(item, "assigned_by", users, where),
        )
        _check(assignment, where, exclude=("assigned_by",))
        assignments.append(assignment)
        instants.append(_instant(item, "created_at", where))
    Assignment.objects.bulk_create(assignments)
    _keep(Assignment, assignments, "created_at", instants)


def _events(data: dict, submission: Submission, questions: dict, users: dict) -> None:
    events, instants = [], []
    for index, item in enumerate(_list(data, "timeline"), start=1):
        where = _("Timeline event %(index)s") % {"index": index}
        number = _require(item, "question", (str, type(None)), where)
        event = SubmissionEvent(
            submission=submission,
            question=_question(item, questions, where) if number is not None else None,
            actor=_user(item, "actor", users, where),
            **_values(
                SubmissionEvent, item, ("kind", "from_status", "to_status", "message"), where
            ),
        )
        _check(event, where)
        events.append(event)
        instants.append(_instant(item, "created_at", where))
    SubmissionEvent.objects.bulk_create(events)
    _keep(SubmissionEvent, events, "created_at", instants)
