"""Exports of a submission: one module per format behind a small base class (see base.py).

The registry names each exporter by its dotted path and imports it on first use, so that
starting the site or a command does not load WeasyPrint, python-docx and openpyxl.
"""

from functools import cache

from django.utils.module_loading import import_string

from ..models import Submission
from .base import BaseExporter

EXPORTERS: dict[str, str] = {
    "docx": "submissions.exports.docx.DocxExporter",
    "pdf": "submissions.exports.pdf.PdfExporter",
    "txt": "submissions.exports.txt.TxtExporter",
    "json": "submissions.exports.json.JsonExporter",
    "csv": "submissions.exports.rows.TableRowsCsvExporter",
    "xlsx": "submissions.exports.rows.TableRowsXlsxExporter",
}

LIST_FORMATS = ("csv", "xlsx")
"""Formats of the table rows across all of an organization's submissions."""


class UnknownFormat(ValueError):
    """An export format that is not in EXPORTERS."""


@cache
def get_exporter(fmt: str) -> BaseExporter:
    """The exporter of a format; UnknownFormat when there is none."""
    try:
        path = EXPORTERS[fmt]
    except KeyError:
        raise UnknownFormat(fmt) from None
    return import_string(path)()


def render_export(*, submission: Submission, fmt: str) -> tuple[str, str, bytes]:
    """(filename, content type, content) of a submission in one format."""
    return get_exporter(fmt).render(submission)
