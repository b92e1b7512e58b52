"""Importing a document into a submission: parse, validate every object, then write all or nothing."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization

from .. import history
from ..authoring import row_assignments_drop, submission_ensure_editable
from ..models import (
    ROW_MODELS,
    Answer,
    Question,
    Questionnaire,
    QuestionPart,
    Submission,
    TableRow,
)
from ..services import ServiceError, sdg_ensure_all
from ..text import strip_control_characters
from ..wordcount import count_words
from .document import DocumentError, Notice, Outline, ParsedDocument, QuestionOutline, key
from .layouts import LAYOUTS, parse_document

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


@dataclass
class ImportedRow:
    row: TableRow
    sdgs: list[int]


@dataclass
class AnswerPreview:
    question: str
    part: str | None
    words: int
    limit: int | None
    text: str

    @property
    def over(self) -> bool:
        return bool(self.limit) and self.words > self.limit


@dataclass
class ImportResult:
    """What an import creates (or, in a dry run, would create), and what it reports."""

    layout: str
    answers: list[Answer]
    rows: list[ImportedRow]
    warnings: list[Notice] = field(default_factory=list)
    unplaced: list[Notice] = field(default_factory=list)
    submission: Submission | None = None
    written: bool = False

    @property
    def layout_label(self) -> str:
        return str(LAYOUTS[self.layout])

    def answer_previews(self) -> list[AnswerPreview]:
        return [
            AnswerPreview(
                question=answer.question.number,
                part=answer.part.title if answer.part else None,
                words=count_words(answer.text),
                limit=answer.part.word_limit if answer.part else answer.question.word_limit,
                text=answer.text,
            )
            for answer in self.answers
        ]

    def row_counts(self) -> dict[str, int]:
        """Rows per table kind, e.g. {"events": 3, "resources": 3}."""
        counts: dict[str, int] = {}
        for item in self.rows:
            counts[item.row.question.table] = counts.get(item.row.question.table, 0) + 1
        return counts

    def rows_by_question(self) -> list[tuple[Question, list[ImportedRow]]]:
        grouped: dict[int, tuple[Question, list[ImportedRow]]] = {}
        for item in self.rows:
            grouped.setdefault(item.row.question.pk, (item.row.question, []))[1].append(item)
        return list(grouped.values())


def document_decode(data: bytes) -> str:
    """The text of an uploaded file; DocumentError when it is too large, binary or not UTF-8."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            1, _("the file is larger than 2 MB: expected the plain text of one submission")
        )
    if b"\x00" in data:
        raise DocumentError(
            data[: data.index(b"\x00")].count(b"\n") + 1,
            _("the file is binary, not plain text: save the document as plain text (.txt)"),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            data[: error.start].count(b"\n") + 1,
            _("the file is not UTF-8 text: save it as plain text in UTF-8 and import it again"),
        ) from None


def questionnaire_outline(*, questionnaire: Questionnaire) -> tuple[Outline, list[Question]]:
    """What the parsers need to know of a questionnaire, and its questions with their parts."""
    questions = list(
        questionnaire.questions.order_by("position", "id").prefetch_related(
            Prefetch("parts", queryset=QuestionPart.objects.order_by("position", "id"))
        )
    )
    outline = Outline(
        tuple(
            QuestionOutline(
                number=question.number,
                prompt=question.prompt,
                section=question.section,
                guidance=question.guidance,
                has_narrative=question.has_narrative,
                table=question.table,
                max_rows=question.max_rows,
                parts=tuple(part.title for part in question.parts.all()),
            )
            for question in questions
        )
    )
    return outline, questions


def submission_import(
    *,
    organization: Organization,
    questionnaire: Questionnaire,
    document_text: str,
    replace: bool = False,
    user: AbstractBaseUser | None = None,
    layout: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a document into the organization's submission to the questionnaire.

    Every answer and row is validated before anything is written, and the writes are one
    transaction: a DocumentError (naming the line) or a ServiceError leaves the database as
    it was. A submission that already holds answers or rows is refused unless ``replace``.
    With ``dry_run`` nothing is written: the result is the preview.
    """
    outline, questions = questionnaire_outline(questionnaire=questionnaire)
    document = parse_document(strip_control_characters(document_text), outline, layout=layout)
    _check_organization_line(document, organization)
    user = user if user is not None and user.is_authenticated else None
    result = ImportResult(
        layout=document.layout,
        answers=_answers(document, questions, user),
        rows=_rows(document, questions, user),
        warnings=document.warnings,
        unplaced=document.unplaced,
    )
    existing = Submission.objects.filter(
        organization=organization, questionnaire=questionnaire
    ).first()
    if existing is not None:
        _check_target(existing, replace=replace)
    result.submission = existing
    if dry_run:
        return result
    with transaction.atomic():
        submission, created = Submission.objects.get_or_create(
            organization=organization, questionnaire=questionnaire
        )
        if not created:
            # Again inside the transaction: someone may have written since the check above.
            _check_target(submission, replace=replace)
        _write(submission, result, replace=replace, user=user)
    result.submission, result.written = submission, True
    return result


def _check_organization_line(document: ParsedDocument, organization: Organization) -> None:
    line = key(document.organization_line)
    if line and key(organization.code) not in line and key(organization.name) not in line:
        document.warnings.insert(
            0,
            Notice(
                document.organization_line_number,
                _("the document names “%(line)s”, not %(organization)s")
                % {"line": document.organization_line, "organization": organization.name},
            ),
        )


def _answers(
    document: ParsedDocument, questions: list[Question], user: AbstractBaseUser | None
) -> list[Answer]:
    by_number = {question.number: question for question in questions}
    answers = []
    for (number, title), parsed in document.answers.items():
        if not parsed.text.strip():
            continue  # a heading with nothing under it: no answer, rather than an empty one
        question = by_number[number]
        part = next((p for p in question.parts.all() if p.title == title), None)
        answer = Answer(question=question, part=part, text=parsed.text.strip(), updated_by=user)
        _validate(answer, lambda name, line=parsed.line: line, lambda name: _("answer"))
        answers.append(answer)
    return answers


def _rows(
    document: ParsedDocument, questions: list[Question], user: AbstractBaseUser | None
) -> list[ImportedRow]:
    by_number = {question.number: question for question in questions}
    rows = []
    for number, parsed_rows in document.rows.items():
        question = by_number[number]
        model = ROW_MODELS[question.table]
        for position, parsed in enumerate(parsed_rows, start=1):
            row = model(question=question, position=position, updated_by=user, **parsed.values)
            _validate(
                row,
                lambda name, parsed=parsed: parsed.lines.get(name, parsed.line),
                lambda name, parsed=parsed: parsed.labels.get(name) or name,
            )
            rows.append(ImportedRow(row=row, sdgs=parsed.sdgs))
    return rows


def _validate(obj, line_of, label_of) -> None:
    """full_clean, with the first error named by the document's line and label."""
    try:
        obj.full_clean(exclude=["submission"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise DocumentError(
            line_of(name),
            _("“%(label)s”: %(errors)s") % {"label": label_of(name), "errors": " ".join(messages)},
        ) from None


def _content_counts(submission: Submission) -> tuple[int, int]:
    answers = submission.answers.count()
    rows = sum(model.objects.filter(submission=submission).count() for model in ROW_MODELS.values())
    return answers, rows


def submission_is_empty(*, submission: Submission) -> bool:
    """Whether a submission holds no answer and no table row yet."""
    return _content_counts(submission) == (0, 0)


def _check_target(submission: Submission, *, replace: bool) -> None:
    submission_ensure_editable(submission=submission)
    answers, rows = _content_counts(submission)
    if (answers or rows) and not replace:
        raise ServiceError(
            _(
                "%(organization)s's submission to “%(questionnaire)s” already holds %(answers)d "
                "answers and %(rows)d table rows: import with “replace” (--replace) to "
                "replace them"
            )
            % {
                "organization": submission.organization.code,
                "questionnaire": submission.questionnaire,
                "answers": answers,
                "rows": rows,
            }
        )


def _write(
    submission: Submission,
    result: ImportResult,
    *,
    replace: bool,
    user: AbstractBaseUser | None = None,
) -> None:
    sdg_ensure_all()
    existing = (
        {(a.question_id, a.part_id): a for a in submission.answers.select_related("updated_by")}
        if replace
        else {}
    )
    if replace:
        # What the import replaces stays in the history: removed rows and answers can be
        # recovered, and an answer's text before the import is one of its versions.
        imported = {(a.question_id, a.part_id) for a in result.answers}
        for slot, answer in existing.items():
            if slot in imported:
                history.ensure_recorded(answer)
        history.record_before_removal(
            [
                *(
                    row
                    for model in ROW_MODELS.values()
                    for row in model.objects.filter(submission=submission).prefetch_related("sdgs")
                ),
                *(answer for slot, answer in existing.items() if slot not in imported),
            ],
            user,
        )
        for model in ROW_MODELS.values():
            model.objects.filter(submission=submission).delete()
        row_assignments_drop(submission=submission)
    with history.revision(user=user, comment=history.IMPORTED):
        new = []
        for answer in result.answers:
            answer.submission = submission
            current = existing.pop((answer.question_id, answer.part_id), None)
            if current is None:
                new.append(answer)
                continue
            # Updated in place with a new version, so that an editor who had the old text open
            # gets a conflict on save instead of silently overwriting the import.
            Answer.objects.filter(pk=current.pk).update(
                text=answer.text,
                version=F("version") + 1,
                updated_by=answer.updated_by,
                updated_at=timezone.now(),
            )
            answer.pk, answer.version = current.pk, current.version + 1
        Answer.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
        Answer.objects.bulk_create(new)
        for item in result.rows:
            item.row.submission = submission
            item.row.save()
            item.row.sdgs.set(item.sdgs)
        # Read back: the submission now holds exactly the imported answers and rows.
        history.add(*submission.answers.all(), *(item.row for item in result.rows))
