"""Importing a document into a submission: parse, validate every object, then write all or nothing."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organization

from .. import changes
from ..models import (
    ROW_MODELS,
    Answer,
    Question,
    Questionnaire,
    QuestionPart,
    Submission,
    TableRow,
)
from ..services import sdg_ensure_all
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
        changes.import_check_target(submission=existing, replace=replace)
    result.submission = existing
    if dry_run:
        return result
    sdg_ensure_all()
    result.submission = changes.submission_import_write(
        organization=organization,
        questionnaire=questionnaire,
        answers=result.answers,
        rows=[(item.row, item.sdgs) for item in result.rows],
        replace=replace,
        user=user,
        summary=_import_summary(result, replace=replace),
    )
    result.written = True
    return result


def _import_summary(result: ImportResult, *, replace: bool) -> str:
    """The timeline's line for an import."""
    answers = ngettext("%(count)d answer", "%(count)d answers", len(result.answers)) % {
        "count": len(result.answers)
    }
    rows = ngettext("%(count)d table row", "%(count)d table rows", len(result.rows)) % {
        "count": len(result.rows)
    }
    if replace:
        return _(
            "Imported a document (%(layout)s), replacing the content: %(answers)s, %(rows)s."
        ) % {
            "layout": result.layout_label,
            "answers": answers,
            "rows": rows,
        }
    return _("Imported a document (%(layout)s): %(answers)s, %(rows)s.") % {
        "layout": result.layout_label,
        "answers": answers,
        "rows": rows,
    }


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
