"""What every export shares: the one loading selector, the document outline and two base classes.

An exporter's ``render(submission)`` returns ``(filename, content_type, bytes)``. Document
exporters (DOCX, PDF, text, JSON) subclass ``BaseExporter`` and write ``render_content`` from a
submission loaded by ``submission_for_export``; list exporters (CSV, XLSX) subclass
``ListExporter`` and yield rows, which the base writes as CSV or XLSX.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import person_name

from ..models import (
    ROW_MODELS,
    Answer,
    Assignment,
    Question,
    QuestionPart,
    QuestionReview,
    ReviewComment,
    RowField,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    limit_note_from,
)
from ..rowfields import ROW_FIELDS, clean, question_row_fields, row_value

ROW_RELATED_NAMES = {kind: model._meta.model_name + "s" for kind, model in ROW_MODELS.items()}
"""Reverse accessor of each table kind on Submission: events, resources, initiatives."""


def _rows_prefetch(kind: str, related: str) -> Prefetch:
    """One kind's rows in their document order, with their SDGs and one related object."""
    queryset = (
        ROW_MODELS[kind]
        .objects.select_related(related)
        .prefetch_related("sdgs")
        .order_by("question__position", "question_id", "position", "id")
    )
    return Prefetch(ROW_RELATED_NAMES[kind], queryset=queryset)


def _review_prefetches() -> list[Prefetch]:
    """The review side of a submission, with the users named: four queries."""
    return [
        Prefetch(
            "reviews",
            queryset=QuestionReview.objects.select_related("updated_by").order_by(
                "question__position", "question_id"
            ),
        ),
        Prefetch(
            "comments",
            queryset=ReviewComment.objects.select_related("author", "resolved_by").order_by(
                "created_at", "id"
            ),
        ),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("assignee", "assigned_by").order_by(
                "question__position", "question_id", "row_id", "id"
            ),
        ),
        Prefetch(
            "events_log",
            queryset=SubmissionEvent.objects.select_related("actor").order_by("created_at", "id"),
        ),
    ]


def submission_for_export(submission_id: int, *, with_review: bool = False) -> Submission:
    """A submission with everything an export reads, in a fixed number of queries.

    Eleven at most, whatever the number of answers and rows: the submission with its
    organization, questionnaire and who finalized it; the questions; their parts; their row
    field labels; the answers (with their editors); and for
    each table kind its rows (with their editors) and their SDGs. ``with_review`` adds four:
    question reviews, comments, assignments and the timeline's events (for the JSON backup).
    """
    return (
        Submission.objects.select_related("organization", "questionnaire", "finalized_by")
        .prefetch_related(
            *(_review_prefetches() if with_review else []),
            Prefetch(
                "questionnaire__questions",
                queryset=Question.objects.order_by("position", "id").prefetch_related(
                    Prefetch("parts", queryset=QuestionPart.objects.order_by("position", "id")),
                    Prefetch("row_fields", queryset=RowField.objects.order_by("position", "id")),
                ),
            ),
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("updated_by").order_by(
                    "question__position", "question_id", "part__position", "part_id"
                ),
            ),
            *(_rows_prefetch(kind, "updated_by") for kind in ROW_MODELS),
        )
        .get(pk=submission_id)
    )


def submissions_for_rows_export(submissions: QuerySet[Submission]) -> list[Submission]:
    """Submissions with their table rows (question and SDGs included) in seven queries."""
    return list(
        submissions.select_related("organization", "questionnaire")
        .prefetch_related(*(_rows_prefetch(kind, "question") for kind in ROW_MODELS))
        .order_by("organization__code", "questionnaire__year", "questionnaire__kind")
    )


# -- The outline every document format writes -------------------------------------------


@dataclass
class RowContent:
    """One table row as the two-column table of the Word template: (label, value) pairs.

    Labels as the questionnaire words them, guidance included ("Description (max 150 words):
    please include a short summary…"); ``values`` by field name, for formats that need them.
    """

    fields: list[tuple[str, str]]
    values: dict[str, str] = field(default_factory=dict)
    guidance: list[str] = field(default_factory=list)  # each field's guidance ("" for none)


def empty_note(*, text: str | None, nothing_to_report: bool, is_draft: bool) -> str:
    """What a document prints in place of an empty box, or "" (also for a box with text).

    "Nothing to report this year" when someone said so; in a draft, a mark that the answer
    is missing, for the reviewer; in a finalized submission, nothing (no placeholder goes out).
    """
    if text is None or text.strip():
        return ""
    if nothing_to_report:
        return _("Nothing to report this year.")
    return _("[Missing: no answer yet]") if is_draft else ""


@dataclass
class PartContent:
    title: str
    text: str
    note: str = ""  # printed when the text is empty (see empty_note)
    number: str = ""  # as the form prints it: "1)", "(iii)"
    limit_note: str = ""  # "(max 200 words)"

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class QuestionContent:
    question: Question
    number: str
    section: str
    prompt: str
    guidance: str
    text: str | None  # None when the question has no narrative answer
    parts: list[PartContent] = field(default_factory=list)
    rows: list[RowContent] = field(default_factory=list)
    note: str = ""  # printed when the narrative is empty (see empty_note)
    limit_note: str = ""  # as the form states it: "(max 200 words under each transition)"
    number_printed: bool = True  # the form prints "3." before the prompt
    heading_printed: bool = True  # the form prints the question at all

    @property
    def heading(self) -> str:
        """The question as printed, without its limit note: "3. In the past year…"."""
        return f"{self.number}. {self.prompt}" if self.number_printed else self.prompt


@dataclass
class SubmissionContent:
    """A loaded submission as documents show it, every string free of control characters."""

    submission: Submission
    organization: str
    questionnaire: str
    status: str
    is_draft: bool
    exported_on: date
    questions: list[QuestionContent]
    finalized_by: str = ""
    finalized_on: date | None = None
    footer: list[str] = field(default_factory=list)  # the form's lines after the questions


def submission_content(submission: Submission) -> SubmissionContent:
    """The outline of a submission loaded by submission_for_export; runs no query."""
    narratives: dict[int, Answer] = {}
    part_answers: dict[int, Answer] = {}
    for answer in submission.answers.all():
        if answer.part_id is None:
            narratives[answer.question_id] = answer
        else:
            part_answers[answer.part_id] = answer
    questions_by_pk = {q.pk: q for q in submission.questionnaire.questions.all()}
    wordings = {pk: question_row_fields(q) for pk, q in questions_by_pk.items() if q.table}
    rows_by_question: dict[int, list[RowContent]] = {}
    for kind in ROW_FIELDS:
        for row in getattr(submission, ROW_RELATED_NAMES[kind]).all():
            values = {f.name: row_value(row, f.name) for f in wordings[row.question_id]}
            shown = [f for f in wordings[row.question_id] if f.listed or values[f.name]]
            rows_by_question.setdefault(row.question_id, []).append(
                RowContent(
                    fields=[(clean(f.full), values[f.name]) for f in shown],
                    values=values,
                    guidance=[clean(f.guidance) for f in shown],
                )
            )

    is_draft = submission.status != SubmissionStatus.FINALIZED

    def note(text: str | None, answer: Answer | None) -> str:
        flagged = answer is not None and answer.nothing_to_report
        return empty_note(text=text, nothing_to_report=flagged, is_draft=is_draft)

    questions = []
    for question in submission.questionnaire.questions.all():
        narrative = narratives.get(question.pk)
        text = (
            clean(narrative.text if narrative else "")
            if question.has_narrative or (narrative and narrative.text)
            else None
        )
        parts = []
        for part in question.parts.all():
            answer = part_answers.get(part.pk)
            part_text = clean(answer.text if answer else "")
            parts.append(
                PartContent(
                    title=clean(part.title),
                    text=part_text,
                    note=note(part_text, answer),
                    number=clean(part.number),
                    limit_note=limit_note_from(part.word_minimum, part.word_limit),
                )
            )
        questions.append(
            QuestionContent(
                question=question,
                number=clean(question.number),
                section=clean(question.section),
                prompt=clean(question.prompt),
                guidance=clean(question.guidance),
                text=text,
                parts=parts,
                rows=rows_by_question.get(question.pk, []),
                note=note(text, narrative),
                limit_note=clean(question.limit_text()),
                number_printed=question.number_printed,
                heading_printed=question.heading_printed,
            )
        )
    return SubmissionContent(
        submission=submission,
        organization=clean(submission.organization.name),
        questionnaire=clean(submission.questionnaire.title),
        status=str(submission.get_status_display()),
        is_draft=is_draft,
        exported_on=timezone.localdate(),
        questions=questions,
        finalized_by=clean(person_name(submission.finalized_by)),
        finalized_on=timezone.localdate(submission.finalized_at)
        if submission.finalized_at and not is_draft
        else None,
        footer=[clean(line) for line in submission.questionnaire.footer.splitlines()],
    )


def in_document_language(submission: Submission):
    """Translate what a document adds (status, cover, labels) into the submission's document
    language: English unless a coordinator chose another. The questionnaire's own text and the
    answers are written as they are, whatever the language."""
    language = submission.document_language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return translation.override(language)


# -- Base classes --------------------------------------------------------------------------


class BaseExporter:
    """One export format of one submission."""

    identifier: str = ""
    verbose_name: Any = ""
    extension: str = ""
    content_type: str = "application/octet-stream"
    with_review: bool = False  # whether render_content reads reviews, comments and events

    def filename(self, submission: Submission) -> str:
        """Organization code and questionnaire slug: IOM-desa-2024.docx."""
        return f"{submission.organization.code}-{submission.questionnaire.slug}.{self.extension}"

    def render(self, submission: Submission) -> tuple[str, str, bytes]:
        """(filename, content type, content) of the submission in this format, with the labels
        the document adds in the submission's document language."""
        loaded = submission_for_export(submission.pk, with_review=self.with_review)
        with in_document_language(loaded):
            content = self.render_content(loaded)
        return self.filename(loaded), self.content_type, content

    def render_content(self, submission: Submission) -> bytes:
        """The file's bytes, from a submission loaded by submission_for_export."""
        raise NotImplementedError


# Characters that make a spreadsheet read a cell as a formula (OWASP ASVS 1.2.10).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with an apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class ListExporter(BaseExporter):
    """Rows across all of an organization's submissions, written as CSV or XLSX.

    Subclasses give ``headers`` and ``rows``; ``extension`` ("csv" or "xlsx") picks the writer.
    """

    sheet_title: Any = ""

    def filename_stem(self, organization_code: str | None) -> str:
        """File name without extension; organization_code is None when rows mix organizations."""
        raise NotImplementedError

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def rows(self, submissions: list[Submission]) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def render(self, submission: Submission) -> tuple[str, str, bytes]:
        """The table rows of every submission of the submission's organization."""
        return self.render_for(
            Submission.objects.filter(organization_id=submission.organization_id)
        )

    def render_for(self, submissions: QuerySet[Submission]) -> tuple[str, str, bytes]:
        """(filename, content type, content) of the rows of these submissions."""
        loaded = submissions_for_rows_export(submissions)
        codes = {s.organization.code for s in loaded}
        stem = self.filename_stem(codes.pop() if len(codes) == 1 else None)
        writer = {"csv": self._write_csv, "xlsx": self._write_xlsx}[self.extension]
        return f"{stem}.{self.extension}", self.content_type, writer(self._safe_lines(loaded))

    def _safe_lines(self, submissions: list[Submission]) -> Iterator[list[Any]]:
        yield list(self.headers())
        for row in self.rows(submissions):
            yield [
                neutralise_formula(clean(value) if isinstance(value, str) else value)
                for value in row
            ]

    @staticmethod
    def _write_csv(lines: Iterable[list[Any]]) -> bytes:
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(lines)
        # With a byte order mark, Excel reads the file as UTF-8 (Arabic, Chinese, emoji).
        return buffer.getvalue().encode("utf-8-sig")

    def _write_xlsx(self, lines: Iterable[list[Any]]) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.sheet_title or _("Rows"))[:31])
        for line in lines:
            sheet.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
