"""The completeness table as CSV (the page and its figures are insight/completeness.py)."""

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import person_name

from ..insight.completeness import Completeness
from ..models import Submission
from .base import ListExporter


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _blank(value: Any) -> Any:
    return "" if value is None else value


class CompletenessCsvExporter(ListExporter):
    """The completeness table as CSV: one line per question, then one per part of it.

    Reuses ListExporter's writer: UTF-8 with a byte order mark, control characters removed,
    and text a spreadsheet would run as a formula (= + - @) prefixed with an apostrophe.
    """

    identifier = "completeness-csv"
    verbose_name = gettext_lazy("Completeness (CSV)")
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self, completeness: Completeness):
        self.completeness = completeness

    def filename_stem(self, organization_code: str | None) -> str:
        questionnaire = self.completeness.submission.questionnaire
        return f"{organization_code}-{questionnaire.year}-{questionnaire.kind}-completeness"

    def headers(self) -> Sequence[str]:
        return [
            _("Number"),
            _("Part"),
            _("Question"),
            _("Words"),
            _("Word limit"),
            _("Limit used (percent)"),
            _("Rows"),
            _("Maximum rows"),
            _("Descriptions over their limit"),
            _("Status"),
            _("Answered"),
            _("Over the limit"),
            _("Assignee (username)"),
            _("Assignee (name)"),
            _("Due date"),
            _("Overdue"),
            _("Last edited"),
            _("Last edited by"),
        ]

    def rows(self, submissions: list[Submission]) -> Iterator[list[Any]]:
        yes_no = {True: _("yes"), False: _("no")}
        for line in self.completeness.lines:
            last = line.last_edit
            yield [
                line.number,
                "",
                line.question.prompt,
                _blank(line.words),
                _blank(line.limit),
                _blank(line.percent),
                _blank(line.row_count),
                _blank(line.max_rows if line.question.table else None),
                line.rows_over if line.question.table else "",
                line.status_label,
                yes_no[line.answered],
                yes_no[line.over],
                "; ".join(user.get_username() for user in line.assignees),
                "; ".join(person_name(user) for user in line.assignees),
                _iso(line.due_date),
                yes_no[line.overdue],
                _iso(last.at if last else None),
                person_name(last.by) if last else "",
            ]
            for part in line.parts:
                last = part.last_edit
                yield [
                    line.number,
                    part.title,
                    "",
                    part.words,
                    _blank(part.limit),
                    _blank(part.percent),
                    "",
                    "",
                    "",
                    "",
                    yes_no[part.words > 0],
                    yes_no[part.over],
                    "",
                    "",
                    "",
                    "",
                    _iso(last.at if last else None),
                    person_name(last.by) if last else "",
                ]

    def render(self, submission: Submission | None = None) -> tuple[str, str, bytes]:
        """(filename, content type, content): IOM-2024-desa-completeness.csv."""
        loaded = self.completeness.submission
        stem = self.filename_stem(loaded.organization.code)
        content = self._write_csv(self._safe_lines([loaded]))
        return f"{stem}.{self.extension}", self.content_type, content
