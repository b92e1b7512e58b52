"""Importing a document into a submission: parse, validate every object, then write all or nothing."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organization

from .. import changes, workflow
from ..models import (
    ROW_MODELS,
    Answer,
    Question,
    Questionnaire,
    QuestionPart,
    Submission,
    TableRow,
    UnplacedText,
)
from ..permissions import require_role
from ..rowfields import question_row_fields
from ..services import sdg_ensure_all
from ..text import strip_control_characters
from ..wordcount import count_words
from .document import (
    DocumentError,
    Line,
    Match,
    Notice,
    Outline,
    ParsedDocument,
    QuestionOutline,
    key,
)
from .layouts import LAYOUTS, WORD_LAYOUT, parse_document, parse_lines
from .wordfile import is_legacy_or_encrypted, is_word_file, read_word

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024  # plain text of one submission
MAX_WORD_BYTES = 10 * 1024 * 1024  # a Word file, pictures included


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
class SourceDocument:
    """What was imported, read once: plain text, pasted text, or a Word file's paragraphs.

    Kept as plain data (``as_data``) between the preview and the confirmation.
    """

    kind: str  # "text", "pasted" or "word"
    text: str = ""
    lines: list[Line] = field(default_factory=list)
    comments: list[Notice] = field(default_factory=list)
    tracked_changes: bool = False

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "lines": [[line.number, line.text, line.blank_before] for line in self.lines],
            "comments": [[c.line, c.message, c.text] for c in self.comments],
            "tracked_changes": self.tracked_changes,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SourceDocument":
        return cls(
            kind=data["kind"],
            text=data["text"],
            lines=[Line(number, text, blank) for number, text, blank in data["lines"]],
            comments=[
                Notice(line, message, text, unit="paragraph")
                for line, message, text in data["comments"]
            ],
            tracked_changes=data["tracked_changes"],
        )


@dataclass
class ImportResult:
    """What an import creates (or, in a dry run, would create), and what it reports."""

    layout: str
    answers: list[Answer]
    rows: list[ImportedRow]
    warnings: list[Notice] = field(default_factory=list)
    unplaced: list[Notice] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    missing: list[Question] = field(default_factory=list)  # questions the document lacks
    comments: list[Notice] = field(default_factory=list)
    tracked_changes: bool = False
    submission: Submission | None = None
    written: bool = False

    @property
    def layout_label(self) -> str:
        return str(LAYOUTS.get(self.layout, WORD_LAYOUT))

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


def document_read(data: bytes | str) -> SourceDocument:
    """The document a person gives: a Word file or plain text (bytes), or pasted text (str).

    The content decides, not the file's name. DocumentError when it is empty, too large,
    encrypted or an old .doc, damaged, binary or not UTF-8 text.
    """
    if isinstance(data, str):
        return SourceDocument(kind="pasted", text=data)
    if not data.strip():
        raise DocumentError(0, _("the file is empty"))
    if is_legacy_or_encrypted(data):
        raise DocumentError(
            0,
            _(
                "this is an encrypted Word document or one in the old .doc format: open it in "
                "Word, remove any password and save it as .docx, then import it again"
            ),
        )
    if is_word_file(data):
        if len(data) > MAX_WORD_BYTES:
            raise DocumentError(0, _("the Word document is larger than 10 MB"))
        word = read_word(data)
        return SourceDocument(
            kind="word",
            lines=word.lines,
            comments=word.comments,
            tracked_changes=word.tracked_changes,
        )
    return SourceDocument(kind="text", text=document_decode(data))


def document_decode(data: bytes) -> str:
    """The text of an uploaded file; DocumentError when it is too large, binary or not UTF-8."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            1, _("the file is larger than 2 MB: expected the plain text of one submission")
        )
    if b"\x00" in data:
        raise DocumentError(
            data[: data.index(b"\x00")].count(b"\n") + 1,
            _(
                "the file is binary, not plain text or a Word document: save the document as "
                "Word (.docx) or plain text (.txt)"
            ),
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
            Prefetch("parts", queryset=QuestionPart.objects.order_by("position", "id")),
            "row_fields",
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
                row_labels=tuple(
                    (f.name, f.label) for f in question_row_fields(question) if f.listed
                ),
            )
            for question in questions
        )
    )
    return outline, questions


def submission_import(
    *,
    organization: Organization,
    questionnaire: Questionnaire,
    document: bytes | str | SourceDocument,
    replace: bool = False,
    user: AbstractBaseUser | None = None,
    layout: str | None = None,
    dry_run: bool = False,
    keep_unplaced: bool = True,
    name: str = "",
) -> ImportResult:
    """Import a document into the organization's submission to the questionnaire.

    ``document`` is a file's bytes (a Word document or plain text, told apart by content),
    pasted text (a str) or a document read before (``document_read``). Every answer and row
    is validated before anything is written, and the writes are one transaction: a
    DocumentError (naming the line) or a ServiceError leaves the database as it was. A
    submission that already holds answers or rows is refused unless ``replace``. With
    ``dry_run`` nothing is written: the result is the preview. Text that could not be placed
    is kept with the submission (``keep_unplaced``), listed on its overview.
    """
    source = document if isinstance(document, SourceDocument) else document_read(document)
    outline, questions = questionnaire_outline(questionnaire=questionnaire)
    if source.kind == "word":
        parsed = parse_lines(
            [
                Line(n.number, strip_control_characters(n.text), n.blank_before)
                for n in source.lines
            ],
            outline,
        )
        parsed.comments = list(source.comments)
        parsed.tracked_changes = source.tracked_changes
    else:
        parsed = parse_document(strip_control_characters(source.text), outline, layout=layout)
    if parsed.tracked_changes:
        parsed.warnings.insert(
            0,
            Notice(
                0,
                _(
                    "the document holds tracked changes: they are read as if accepted "
                    "(insertions kept, deletions left out); check the text"
                ),
                unit=parsed.unit,
            ),
        )
    _check_organization_line(parsed, organization)
    user = user if user is not None and user.is_authenticated else None
    by_number = {question.number: question for question in questions}
    result = ImportResult(
        layout=parsed.layout,
        answers=_answers(parsed, questions, user),
        rows=_rows(parsed, questions, user),
        warnings=parsed.warnings,
        unplaced=parsed.unplaced,
        matches=parsed.matches,
        missing=[by_number[number] for number in parsed.missing],
        comments=parsed.comments,
        tracked_changes=parsed.tracked_changes,
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
        unplaced=[
            UnplacedText(where=n.where, reason=n.message, text=n.text, document=name)
            for n in result.unplaced
            if keep_unplaced and n.text.strip()
        ],
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


def unplaced_dismiss(*, item: UnplacedText, user: AbstractBaseUser) -> None:
    """Take text the import could not place off the submission's page (it stays recorded)."""
    require_role(user, item.submission, "edit")
    workflow.submission_ensure_open(submission=item.submission)
    UnplacedText.objects.filter(pk=item.pk, dismissed_at__isnull=True).update(
        dismissed_by=user, dismissed_at=timezone.now()
    )
