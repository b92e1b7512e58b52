"""CSV and XLSX for analysis: one organization's table rows and written answers, all its years.

The XLSX has two sheets: "Rows", every event, resource and initiative of every year, and
"Answers", every narrative answer and part with its words and limit. A CSV holds one table:
the rows, or the answers when asked for (``sheet=ANSWERS``). The file is named for what it
holds: ``IOM-rows-2017-2024.xlsx``, the organization and its first and last year.

Columns and sheet names are stable machine names (not translated), so that a spreadsheet or
script built on one year's file reads the next: the year, questionnaire and question, the
table kind and the row's position, the row's library item (``events-<pk>``, the same for the
same event in every year, as the library groups them), every field of every kind (blank where
a kind has no such field), the SDGs as written and one 0/1 column per SDG.
"""

import io
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from accounts.models import Organization

from ..insight.matching import group_rows
from ..models import ROW_MODELS, Answer, Submission, TableRow
from ..rowfields import clean, sdg_numbers, sdgs_text
from .base import ROW_RELATED_NAMES, ListExporter, neutralise_formula, submissions_for_rows_export
from .json import ROW_COMMON_FIELDS, ROW_KIND_FIELDS

FIELDS = tuple(
    dict.fromkeys(
        (
            "name",
            *(name for kind in ROW_MODELS for name in ROW_KIND_FIELDS[kind]),
            *(name for name in ROW_COMMON_FIELDS if name not in {"position", "name", "version"}),
        )
    )
)
"""name, dates, location, publishing_entities, ..., description, website, carried_from_year."""

SDG_COLUMNS = tuple(f"sdg_{number}" for number in range(1, 18))

HEADERS = (
    "organization",
    "year",
    "questionnaire",
    "question",
    "table",
    "position",
    "item_id",
    *FIELDS,
    "sdgs",
    *SDG_COLUMNS,
)
"""The columns of the rows sheet."""

ANSWER_HEADERS = (
    "organization",
    "year",
    "questionnaire",
    "question",
    "part",
    "prompt",
    "text",
    "words",
    "word_limit",
    "word_minimum",
)
"""The columns of the answers sheet: one line per narrative answer or part with text."""

ROWS = "rows"
ANSWERS = "answers"
SHEETS = (ROWS, ANSWERS)

PROMPT_LENGTH = 100  # characters of the question kept in the answers sheet

# Column widths in characters: fitted to the longest value, within these bounds.
MIN_WIDTH = 6
MAX_WIDTH = 60
WRAPPED_WIDTH = 100  # the answers' text, wrapped in its cells
FILTER_BUTTON = 3  # room in the header for the autofilter's drop-down


@dataclass(frozen=True)
class Sheet:
    """One table of the file: the XLSX's sheet, or the whole CSV."""

    title: str  # the XLSX sheet's name, not translated: scripts open it by name
    headers: tuple[str, ...]
    wrapped: frozenset[str] = frozenset()  # columns WRAPPED_WIDTH wide, their text wrapped


ROWS_SHEET = Sheet("Rows", HEADERS)
ANSWERS_SHEET = Sheet("Answers", ANSWER_HEADERS, frozenset({"text"}))


def _sort_key(year: dict[int, int]):
    """The order library_items reads rows in: group_rows breaks ties between names by it."""
    return lambda row: (year[row.submission_id], row.question.position, row.position, row.pk)


def item_ids(submissions: Sequence[Submission]) -> dict[tuple[str, int], str]:
    """Each row's library item, by (kind, row pk): "events-<pk of the item's oldest row>".

    Rows are grouped as the library groups them (``matching.group_rows`` over each
    organization's rows of a kind, in the library's order), so the same event carries the
    same id in every year and the id stays while its oldest row does. Runs no query.
    """
    year = {s.pk: s.questionnaire.year for s in submissions}
    organization = {s.pk: s.organization_id for s in submissions}
    ids: dict[tuple[str, int], str] = {}
    for kind in ROW_MODELS:
        by_organization: dict[int, list[TableRow]] = defaultdict(list)
        for submission in submissions:
            for row in getattr(submission, ROW_RELATED_NAMES[kind]).all():
                by_organization[organization[row.submission_id]].append(row)
        for rows in by_organization.values():
            rows.sort(key=_sort_key(year))
            for group in group_rows(rows, year=lambda row: year[row.submission_id]):
                for row in group:
                    ids[kind, row.pk] = f"{kind}-{group[-1].pk}"
    return ids


def row_lines(submissions: Sequence[Submission]) -> Iterator[list[Any]]:
    """The rows sheet's lines (no header), from submissions_for_rows_export's submissions."""
    items = item_ids(submissions)
    for submission in submissions:
        prefix = [
            submission.organization.code,
            submission.questionnaire.year,
            submission.questionnaire.slug,
        ]
        for kind in ROW_MODELS:
            for row in getattr(submission, ROW_RELATED_NAMES[kind]).all():
                numbers = set(sdg_numbers(row))
                yield [
                    *prefix,
                    row.question.number,
                    kind,
                    row.position,
                    items[kind, row.pk],
                    *(getattr(row, name, "") for name in FIELDS),
                    sdgs_text(row),
                    *(int(number in numbers) for number in range(1, 18)),
                ]


def answers_for_export(submissions: Sequence[Submission]) -> list[Answer]:
    """The submissions' answers with their question and part, in one query."""
    return list(
        Answer.objects.filter(submission_id__in=[s.pk for s in submissions])
        .select_related("question", "part")
        .order_by()  # the default ordering joins tables; answer_lines sorts
    )


def _answer_order(answer: Answer) -> tuple:
    part = answer.part
    return (
        answer.question.position,
        answer.question_id,
        part is not None,  # the narrative before the parts
        part.position if part else 0,
        answer.part_id or 0,
    )


def answer_lines(submissions: Sequence[Submission], answers: Iterable[Answer]) -> Iterator[list]:
    """The answers sheet's lines (no header): each answer or part that has text, in order."""
    by_submission: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_submission[answer.submission_id].append(answer)
    for submission in submissions:
        for answer in sorted(by_submission[submission.pk], key=_answer_order):
            text = clean(answer.text)
            if not text.strip():
                continue
            question, part = answer.question, answer.part
            limits = part or question
            yield [
                submission.organization.code,
                submission.questionnaire.year,
                submission.questionnaire.slug,
                question.number,
                part.heading if part else "",
                textwrap.shorten(clean(question.prompt), width=PROMPT_LENGTH, placeholder=" …"),
                text,
                answer.words,
                limits.word_limit,
                limits.word_minimum,
            ]


def _safe(lines: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Lines as a spreadsheet may read them: control characters out, formulas neutralised."""
    return [
        [neutralise_formula(clean(value) if isinstance(value, str) else value) for value in line]
        for line in lines
    ]


def _width(value: Any) -> int:
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(sheet: Sheet, lines: Sequence[Sequence[Any]]) -> list[int]:
    """Each column's width in characters: its longest value (or header), within bounds."""
    widths = []
    for index, header in enumerate(sheet.headers):
        if header in sheet.wrapped:
            widths.append(WRAPPED_WIDTH)
            continue
        longest = max((_width(line[index]) for line in lines), default=0)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, len(header) + FILTER_BUTTON, longest + 1)))
    return widths


class TableRowsExporter(ListExporter):
    """One organization's rows (and, in the XLSX, answers) across all its years.

    ``headers`` and ``rows`` are the rows sheet's, as ListExporter asks; ``render_for`` writes
    the sheets this format holds.
    """

    sheet_title = ROWS_SHEET.title
    sheets: tuple[str, ...] = (ROWS,)  # what the file holds when no sheet is asked for

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def rows(self, submissions: list[Submission]) -> Iterator[list[Any]]:
        return row_lines(submissions)

    def filename_stem(
        self, organization_code: str | None, sheet: str = ROWS, years: Iterable[int] = ()
    ) -> str:
        """IOM-rows-2017-2024: the organization, what the file holds, its first and last year."""
        years = sorted(set(years))
        span = "-".join(dict.fromkeys(str(y) for y in (years[0], years[-1]))) if years else ""
        return "-".join(part for part in (organization_code, sheet, span) if part)

    def render(self, submission: Submission, *, sheet: str = "") -> tuple[str, str, bytes]:
        """Every year of the submission's organization (see render_for)."""
        return self.render_for(
            Submission.objects.filter(organization_id=submission.organization_id),
            organization=submission.organization,
            sheet=sheet,
        )

    def render_for(
        self,
        submissions: QuerySet[Submission],
        *,
        organization: Organization | None = None,
        sheet: str = "",
    ) -> tuple[str, str, bytes]:
        """(filename, content type, content) of one organization's submissions among these.

        ``organization`` None takes the submissions' one organization (ValueError if they are
        of several: a file holds one organization). ``sheet`` (ROWS or ANSWERS) picks a CSV's
        table; an XLSX holds both whatever is asked.
        """
        if sheet and sheet not in SHEETS:
            raise ValueError(f"No sheet {sheet!r}: choose one of {', '.join(SHEETS)}.")
        if organization is not None:
            submissions = submissions.filter(organization=organization)
        loaded = submissions_for_rows_export(submissions)
        codes = {s.organization.code for s in loaded}
        if len(codes) > 1:
            raise ValueError(f"One organization per file, not {', '.join(sorted(codes))}.")
        code = organization.code if organization is not None else next(iter(codes), None)
        sheets = (sheet,) if sheet and self.extension == "csv" else self.sheets
        stem = self.filename_stem(code, sheets[0], (s.questionnaire.year for s in loaded))
        return f"{stem}.{self.extension}", self.content_type, self._content(loaded, sheets)

    def _content(self, loaded: list[Submission], sheets: Sequence[str]) -> bytes:
        tables = []
        if ROWS in sheets:
            tables.append((ROWS_SHEET, _safe(row_lines(loaded))))
        if ANSWERS in sheets:
            answers = answers_for_export(loaded)
            tables.append((ANSWERS_SHEET, _safe(answer_lines(loaded, answers))))
        if self.extension == "csv":
            ((table, lines),) = tables
            return self._write_csv([list(table.headers), *lines])
        return _write_sheets(tables)


def _write_sheets(tables: list[tuple[Sheet, list[list[Any]]]]) -> bytes:
    """An XLSX of these sheets: header bold and frozen, an autofilter, widths fitted."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for sheet, lines in tables:
        worksheet = workbook.create_sheet(title=sheet.title)
        # A write-only sheet takes its columns and panes before its first line.
        for index, width in enumerate(column_widths(sheet, lines), start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        last = get_column_letter(len(sheet.headers))
        worksheet.auto_filter.ref = f"A1:{last}{len(lines) + 1}"

        header = []
        for title in sheet.headers:
            header.append(WriteOnlyCell(worksheet, value=title))
            header[-1].font = Font(bold=True)
        worksheet.append(header)
        if not sheet.wrapped:
            for line in lines:
                worksheet.append(line)
            continue
        # Wrapped cells make tall lines: every cell of the sheet then reads from the top.
        alignments = [
            Alignment(vertical="top", wrap_text=title in sheet.wrapped) for title in sheet.headers
        ]
        for line in lines:
            cells = []
            for value, alignment in zip(line, alignments, strict=True):
                cells.append(WriteOnlyCell(worksheet, value=value))
                cells[-1].alignment = alignment
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TableRowsCsvExporter(TableRowsExporter):
    identifier = "csv"
    verbose_name = gettext_lazy("Table rows of all years (CSV)")
    extension = "csv"
    content_type = "text/csv; charset=utf-8"


class TableRowsXlsxExporter(TableRowsExporter):
    identifier = "xlsx"
    verbose_name = gettext_lazy("Table rows and answers of all years (Excel)")
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = (ROWS, ANSWERS)
