"""CSV and XLSX: every table row of an organization's submissions, one line each, for analysis.

Columns are stable machine names (not translated), so that a spreadsheet or script built on
one year's file reads the next: the year, questionnaire and question, the table kind and the
row's position, every field of every kind (blank where a kind has no such field), and one 0/1
column per SDG.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy

from ..models import ROW_MODELS, Submission
from ..rowfields import sdg_numbers
from .base import ROW_RELATED_NAMES, ListExporter
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
    *FIELDS,
    *SDG_COLUMNS,
)


class TableRowsExporter(ListExporter):
    sheet_title = gettext_lazy("Table rows")

    def filename_stem(self, organization_code: str | None) -> str:
        return f"{organization_code}-table-rows" if organization_code else "table-rows"

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def rows(self, submissions: list[Submission]) -> Iterator[list[Any]]:
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
                        *(getattr(row, name, "") for name in FIELDS),
                        *(int(number in numbers) for number in range(1, 18)),
                    ]


class TableRowsCsvExporter(TableRowsExporter):
    identifier = "csv"
    verbose_name = gettext_lazy("Table rows of all submissions (CSV)")
    extension = "csv"
    content_type = "text/csv; charset=utf-8"


class TableRowsXlsxExporter(TableRowsExporter):
    identifier = "xlsx"
    verbose_name = gettext_lazy("Table rows of all submissions (Excel)")
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
