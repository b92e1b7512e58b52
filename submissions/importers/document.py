"""The neutral result of parsing a document, whatever its layout, and the outline that guides it.

Parsers read plain Python values only (no database), so that every layout can be tested on
its own and the service alone decides what is written.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..services import ServiceError


class DocumentError(ServiceError):
    """A document that cannot be imported as it is; nothing is written.

    ``line`` 0 is the file as a whole (a Word file that cannot be opened).
    """

    def __init__(self, line: int, message: str, *, unit: str = "line"):
        self.line = line
        self.message = message
        if not line:
            text = message
        elif unit == "paragraph":
            text = _("paragraph %(line)s: %(message)s") % {"line": line, "message": message}
        else:
            text = _("line %(line)s: %(message)s") % {"line": line, "message": message}
        super().__init__(text)


@dataclass(frozen=True)
class Line:
    """One line of a document as the engine reads it (a paragraph of a Word file)."""

    number: int  # in the file, from 1 (the paragraph's, for a Word file)
    text: str  # without surrounding white space
    blank_before: bool  # a paragraph break comes before it


@dataclass(frozen=True)
class QuestionOutline:
    """What a parser needs to know of a question to find its answers in a document."""

    number: str
    prompt: str
    section: str = ""
    guidance: str = ""
    has_narrative: bool = True
    table: str = ""
    max_rows: int | None = None
    parts: tuple[str, ...] = ()
    row_labels: tuple[tuple[str, str], ...] = ()  # (field, label) as its questionnaire words them


@dataclass(frozen=True)
class Outline:
    questions: tuple[QuestionOutline, ...]


@dataclass
class Notice:
    """Something the importer reports: a warning, or text it could not place."""

    line: int
    message: str
    text: str = ""
    unit: str = "line"  # "paragraph" in a Word file

    @property
    def where(self) -> str:
        if not self.line:
            return _("the document")
        if self.unit == "paragraph":
            return _("paragraph %(number)s") % {"number": self.line}
        return _("line %(number)s") % {"number": self.line}

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ParsedAnswer:
    question: str
    part: str | None
    text: str
    line: int


@dataclass
class ParsedRow:
    """One table row: model field values as written, and the SDG numbers."""

    question: str
    table: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    sdgs: list[int] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    # Text after a one-line field and before the next label (the 2021 layout): the
    # description if no "Description" label follows, else more of the field it followed.
    pending: list[tuple[str, Line]] = field(default_factory=list)


@dataclass
class Match:
    """A line read as a question's heading, for the preview."""

    question: str
    line: int
    similarity: int  # percent
    text: str
    number: str = ""  # the number the document gives it, "" for none
    unit: str = "line"

    @property
    def where(self) -> str:
        if self.unit == "paragraph":
            return _("paragraph %(number)s") % {"number": self.line}
        return _("line %(number)s") % {"number": self.line}


@dataclass
class ParsedDocument:
    layout: str
    organization_line: str = ""
    organization_line_number: int = 0
    answers: dict[tuple[str, str | None], ParsedAnswer] = field(default_factory=dict)
    rows: dict[str, list[ParsedRow]] = field(default_factory=dict)
    warnings: list[Notice] = field(default_factory=list)
    unplaced: list[Notice] = field(default_factory=list)
    ignored: list[Notice] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # numbers of questions not in it
    comments: list[Notice] = field(default_factory=list)  # a Word file's comments
    tracked_changes: bool = False
    unit: str = "line"

    def notices(self) -> list[Notice]:
        return [*self.warnings, *self.unplaced, *self.ignored, *self.comments]


def key(text: str) -> str:
    """Text as compared with prompts and labels: white space collapsed, case and quotes folded."""
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return text.replace("\u2019", "'").replace("\u2018", "'")


def raw_lines(text: str) -> list[str]:
    """The document's lines, numbered from 1 by their index + 1 (a byte order mark dropped)."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def join_paragraph(value: str, text: str, *, blank_before: bool) -> str:
    """Add a line to a value: a new paragraph after a blank line, else the same paragraph."""
    if not value:
        return text
    return f"{value}\n\n{text}" if blank_before else f"{value}\n{text}"
