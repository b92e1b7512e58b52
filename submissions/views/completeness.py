"""Completeness at a glance for coordinators: the page and its CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.selectors import person_shown

from ..exports.completeness import CompletenessCsvExporter
from ..insight.completeness import SORT_LABELS, completeness_sort, submission_completeness
from ..permissions import require
from ..selectors import shown_digest
from .lookup import visible_submission

ARIA_SORT = {False: "ascending", True: "descending"}

# The table's columns in order; those with a sort key are sortable.
COLUMNS = (
    ("number", None),
    (None, _("Question")),
    ("words", None),
    ("percent", None),
    (None, _("Rows")),
    ("status", None),
    ("assignee", None),
    ("due", None),
    (None, _("Last edited")),
)


def _completeness(request, pk: int):
    submission = visible_submission(request, pk)
    require(request.user, submission, "completeness")
    sort, descending = completeness_sort(request.GET.get("sort"), request.GET.get("dir"))
    return submission_completeness(submission=submission, sort=sort, descending=descending)


def _columns(sort: str, descending: bool) -> list[dict]:
    """Each column's label; a sortable one also its link and, when sorted, its aria-sort."""
    columns = []
    for key, label in COLUMNS:
        if key is None:
            columns.append({"label": label})
            continue
        current = key == sort
        # A first click sorts ascending; clicking the sorted column again turns it round.
        direction = "desc" if current and not descending else "asc"
        columns.append(
            {
                "key": key,
                "label": SORT_LABELS[key],
                "query": urlencode({"sort": key, "dir": direction}),
                "aria_sort": ARIA_SORT[descending] if current else None,
                "next_descending": direction == "desc",
            }
        )
    return columns


def _lines_key(report) -> str:
    """What the table's lines show, hashed: with the language, the key of their cached HTML.

    Each value a line draws is here, some derived from others (the percent from the count):
    the lines are kept as drawn only while all of them, the submission and the order are the
    same. The page's test changes what a coordinator can change, one thing at a time."""
    shown = [
        (
            line.number,
            line.prompt,
            line.count,
            line.percent,
            line.text_over,
            line.row_count,
            line.max_rows,
            line.rows_over,
            line.status,
            line.over,
            line.answered,
            [person_shown(person) for person in line.assignees],
            line.due_date,
            line.overdue,
            line.last_edit and (line.last_edit.at, person_shown(line.last_edit.by)),
            [(part.title, part.count, part.last_edit and part.last_edit.at) for part in line.parts],
        )
        for line in report.lines
    ]
    return shown_digest((report.submission.pk, shown))


@login_required
@require_GET
def completeness(request, pk: int):
    """Every question's words against its limit, status, assignee and due date, sortable."""
    report = _completeness(request, pk)
    return render(
        request,
        "submissions/insight/completeness.html",
        {
            "submission": report.submission,
            "report": report,
            "columns": _columns(report.sort, report.descending),
            "lines_key": _lines_key(report),
            "csv_query": urlencode(
                {"sort": report.sort, "dir": "desc" if report.descending else "asc"}
            ),
        },
    )


@login_required
@require_GET
def completeness_csv(request, pk: int):
    """The same table as CSV, in the page's order: IOM-2024-desa-completeness.csv."""
    filename, content_type, content = CompletenessCsvExporter(_completeness(request, pk)).render()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
