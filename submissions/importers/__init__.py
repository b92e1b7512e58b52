"""Importing submissions from the layouts of the seed documents (see layouts.py).

parse_document turns a document into a neutral ParsedDocument against a questionnaire's
outline; submission_import validates and writes it, all or nothing.
"""

from .document import DocumentError, Notice, ParsedDocument
from .layouts import LAYOUTS, detect_layout, parse_document
from .sdgs import format_sdgs, parse_sdgs
from .services import (
    ImportResult,
    SourceDocument,
    document_decode,
    document_read,
    questionnaire_outline,
    submission_import,
)

__all__ = [
    "LAYOUTS",
    "DocumentError",
    "ImportResult",
    "SourceDocument",
    "document_read",
    "Notice",
    "ParsedDocument",
    "detect_layout",
    "document_decode",
    "format_sdgs",
    "parse_document",
    "parse_sdgs",
    "questionnaire_outline",
    "submission_import",
]
