"""The label/value engine shared by the layouts that number their questions.

A tokenizer (layouts.py) turns the document into lines, each knowing whether a blank line
precedes it. The engine walks them once: question headings open a question, part titles a
part, table labels a field of a row (a repeated label starts the next row), and any other
text goes to whatever is open. Text it cannot place is reported, never dropped.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..validators import validate_website
from .document import (
    DocumentError,
    Notice,
    Outline,
    ParsedAnswer,
    ParsedDocument,
    ParsedRow,
    QuestionOutline,
    join_paragraph,
    key,
)
from .labels import Heading, LabelMatch, heading_key, is_furniture, match_label, part_matches
from .sdgs import parse_sdgs


@dataclass(frozen=True)
class Line:
    number: int  # in the file, from 1
    text: str  # without surrounding white space
    blank_before: bool  # a paragraph break comes before it


class _Field:
    """An open row field; in the 2021 layout a blank line ends a one-line field."""

    def __init__(self, row: ParsedRow, name: str, *, ends_at_blank: bool):
        self.row, self.name, self.ends_at_blank = row, name, ends_at_blank

    def accepts(self, line: Line) -> bool:
        return not (self.ends_at_blank and line.blank_before and self.row.values[self.name])

    def append(self, line: Line) -> None:
        value = self.row.values[self.name]
        self.row.values[self.name] = join_paragraph(
            value, line.text, blank_before=line.blank_before
        )


class _Text:
    """An open answer, or an open unplaced item: paragraphs collect until something else opens."""

    def __init__(self, holder: ParsedAnswer | Notice):
        self.holder = holder

    def accepts(self, line: Line) -> bool:
        return True

    def append(self, line: Line) -> None:
        self.holder.text = join_paragraph(
            self.holder.text, line.text, blank_before=line.blank_before
        )


class Engine:
    def __init__(self, outline: Outline, *, layout: str, inline_labels: bool):
        self.questions = outline.questions
        self.headings = [Heading(question) for question in self.questions]
        self.inline_labels = inline_labels
        self.sections = {key(q.section) for q in self.questions if q.section}
        self.document = ParsedDocument(layout=layout)
        self.index = -1
        self.seen: dict[int, int] = {}  # question index -> line of its heading
        self.part: str | None = None
        self.row: ParsedRow | None = None
        self.sink: _Field | _Text | None = None
        # A label with nothing after it at the very end means the file was cut short (unless
        # it is the website, often left empty in the last row).
        self.last_label: tuple[Line, str] | None = None

    @property
    def question(self) -> QuestionOutline | None:
        return self.questions[self.index] if self.index >= 0 else None

    def run(self, lines: list[Line]) -> ParsedDocument:
        for line in lines:
            self._line(line)
        if not self.seen:
            first = self.questions[0] if self.questions else None
            expected = f"“{first.number}. {first.prompt[:80]}…”" if first else ""
            raise DocumentError(
                1,
                _("expected the questionnaire's questions, such as %(question)s; found none")
                % {"question": expected},
            )
        if self.last_label and lines and self.last_label[0] is lines[-1]:
            line, label = self.last_label
            raise DocumentError(
                line.number, _("expected a value after the label “%(label)s”") % {"label": label}
            )
        for rows in self.document.rows.values():
            for row in rows:
                finish_row(row, self.document)
        self._check_row_counts()
        return self.document

    def _line(self, line: Line) -> None:
        if is_furniture(line.text):
            self.document.ignored.append(Notice(line.number, _("page furniture"), line.text))
            return
        self.last_label = None
        if self._heading(line):
            return
        question = self.question
        if question is None:
            self._preamble(line)
        elif question.parts and self._part(line, question):
            return
        elif key(line.text) in (key(question.guidance), *self.sections):
            self.document.ignored.append(Notice(line.number, _("guidance"), line.text))
        elif question.table and (label := match_label(line.text, inline=self.inline_labels)):
            self._label(line, label, question)
        else:
            self._text(line, question)

    def _heading(self, line: Line) -> bool:
        line_key = heading_key(line.text)
        for index, heading in enumerate(self.headings):
            if not heading.matches(line_key):
                continue
            question = heading.question
            if index <= self.index:
                if len(question.prompt) < 30:
                    return False  # "Background" may well be a line of an answer
                # A long heading met again means the document repeats itself: refuse, don't guess.
                raise DocumentError(
                    line.number,
                    _(
                        "question %(number)s appears a second time (first at line %(first)s): "
                        "expected each question once"
                    )
                    % {"number": question.number, "first": self.seen.get(index, "?")},
                )
            self.index, self.part, self.row, self.sink = index, None, None, None
            self.seen[index] = line.number
            return True
        return False

    def _preamble(self, line: Line) -> None:
        if not self.document.organization_line:
            self.document.organization_line = line.text
            self.document.organization_line_number = line.number
            return
        self._unplaced(line, _("text before the first question"))

    def _part(self, line: Line, question: QuestionOutline) -> bool:
        for title in question.parts:
            if part_matches(title, line.text):
                self.part, self.row = title, None
                answer = ParsedAnswer(question.number, title, "", line.number)
                self.document.answers[(question.number, title)] = answer
                self.sink = _Text(answer)
                return True
        return False

    def _label(self, line: Line, label: LabelMatch, question: QuestionOutline) -> None:
        name = label.fields.get(question.table)
        # A row's last field (the website) is often left empty at the end of a document.
        self.last_label = None if label.rest or name == "website" else (line, label.label)
        if name is None:
            self._unplaced(
                line,
                _("“%(label)s” fits no field of the %(table)s of question %(number)s")
                % {"label": label.label, "table": question.table, "number": question.number},
                text=label.rest,
            )
            return
        if self.row is None or name in self.row.labels:
            self.row = ParsedRow(question.number, question.table, line.number)
            self.document.rows.setdefault(question.number, []).append(self.row)
        self.row.labels[name] = label.label
        self.row.lines[name] = line.number
        self.row.values[name] = label.rest
        # The 2021 layout writes one-line values: a blank line ends them, except descriptions.
        ends_at_blank = self.inline_labels and name != "description"
        self.sink = _Field(self.row, name, ends_at_blank=ends_at_blank)

    def _text(self, line: Line, question: QuestionOutline) -> None:
        if self.sink is not None and self.sink.accepts(line):
            self.sink.append(line)
        elif self.row is not None:
            self._orphan(line)
        elif question.has_narrative and self.part is None:
            answer = self.document.answers.setdefault(
                (question.number, None), ParsedAnswer(question.number, None, "", line.number)
            )
            self.sink = _Text(answer)
            self.sink.append(line)
        else:
            self._unplaced(
                line,
                _("question %(number)s has no narrative answer") % {"number": question.number},
            )

    def _orphan(self, line: Line) -> None:
        """Text after a row's one-line fields, without a label (a 2021 record does this)."""
        row = self.row
        if "description" in row.labels:
            self._unplaced(
                line,
                _("text without a label after the row “%(name)s”")
                % {"name": row.values.get("name", "")},
            )
            return
        row.labels["description"] = ""
        row.lines["description"] = line.number
        row.values["description"] = line.text
        self.sink = _Field(row, "description", ends_at_blank=False)
        self.document.warnings.append(
            Notice(line.number, _("text without a label read as the row's description"), line.text)
        )

    def _unplaced(self, line: Line, message: str, *, text: str | None = None) -> None:
        notice = Notice(line.number, message, line.text if text is None else text)
        self.document.unplaced.append(notice)
        self.sink = _Text(notice)

    def _check_row_counts(self) -> None:
        for question in self.questions:
            rows = self.document.rows.get(question.number, [])
            if question.max_rows and len(rows) > question.max_rows:
                self.document.warnings.append(
                    Notice(
                        rows[question.max_rows].line,
                        _("question %(number)s allows %(max)s rows; the document has %(count)s")
                        % {"number": question.number, "max": question.max_rows, "count": len(rows)},
                    )
                )


def finish_row(row: ParsedRow, document: ParsedDocument) -> None:
    """Turn a row's SDG text into numbers and keep a website that is no address visible."""
    for name in list(row.values):
        row.values[name] = row.values[name].strip()
    sdg_text = row.values.pop("sdgs", "")
    try:
        row.sdgs = parse_sdgs(sdg_text)
    except ValueError as error:
        raise DocumentError(row.lines.get("sdgs", row.line), str(error)) from None
    website = row.values.get("website", "")
    try:
        validate_website(website)
    except ValidationError:
        # Prose or a lost link ("…") in the website field: the import goes on and the text
        # moves to the end of the description, where the author sees and fixes it.
        label = row.labels.get("website") or "Website"
        moved = f"{label}: {website}"
        description = row.values.get("description", "")
        row.values["description"] = f"{description}\n\n{moved}" if description else moved
        row.values["website"] = ""
        document.warnings.append(
            Notice(
                row.lines["website"],
                _("not a web address: moved to the end of the description"),
                website,
            )
        )
    if not row.values.get("name"):
        document.warnings.append(
            Notice(
                row.line, _("a row of question %(number)s has no name") % {"number": row.question}
            )
        )
