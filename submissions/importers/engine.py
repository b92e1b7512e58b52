"""The label/value engine shared by the layouts that number their questions, and Word files.

A tokenizer (layouts.py, wordfile.py) turns the document into lines, each knowing whether a
paragraph break precedes it. The engine walks them once: question headings open a question
(found by number and by meaning, in any order: headings.py), part titles a part, table
labels a field of a row (a row starts at its name label), and any other text goes to
whatever is open. Text it cannot place is reported, never dropped; a question the document
does not answer is listed.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..validators import validate_website
from .document import (
    DocumentError,
    Line,
    Match,
    Notice,
    Outline,
    ParsedAnswer,
    ParsedDocument,
    ParsedRow,
    QuestionOutline,
    join_paragraph,
    key,
)
from .headings import HeadingFinder, part_similarity
from .labels import LabelMatch, is_furniture, match_label, question_vocabulary, table_fields
from .sdgs import read_sdgs, sdgs_problem

__all__ = ["Engine", "Line", "finish_row"]

_URL = re.compile(r"https?://[^\s<>()\"']+|www\.[^\s<>()\"']+", re.IGNORECASE)


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
    def __init__(self, outline: Outline, *, layout: str, inline_labels: bool, unit: str = "line"):
        self.questions = outline.questions
        self.finder = HeadingFinder(self.questions)
        self.inline_labels = inline_labels
        self.sections = {key(q.section) for q in self.questions if q.section}
        self.document = ParsedDocument(layout=layout, unit=unit)
        self.index = -1
        self.seen: dict[int, int] = {}  # question index -> line of its heading
        self.part: str | None = None
        self.row: ParsedRow | None = None
        self.sink: _Field | _Text | None = None
        self.repeat: Notice | None = None  # the text of a question met a second time
        self.heading: Match | None = None  # the heading just read, while it may go on
        self.vocabularies: dict[str, list] = {}  # each question's own labels
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
                lines[0].number if lines else 1,
                _("expected the questionnaire's questions, such as %(question)s; found none")
                % {"question": expected},
                unit=self.document.unit,
            )
        if self.last_label and lines and self.last_label[0] is lines[-1]:
            line, label = self.last_label
            raise DocumentError(
                line.number,
                _("expected a value after the label “%(label)s”") % {"label": label},
                unit=self.document.unit,
            )
        for rows in self.document.rows.values():
            for row in rows:
                finish_row(row, self.document)
        self._check_rows()
        self.document.missing = [
            q.number for index, q in enumerate(self.questions) if index not in self.seen
        ]
        return self.document

    def _line(self, line: Line) -> None:
        if is_furniture(line.text):
            self.document.ignored.append(Notice(line.number, _("page furniture"), line.text))
            return
        self.last_label = None
        if self._heading_goes_on(line):
            return
        self.heading = None
        if self._heading(line):
            return
        question = self.question
        if self.repeat is not None:
            self.repeat.text = join_paragraph(
                self.repeat.text, line.text, blank_before=line.blank_before
            )
        elif question is None:
            self._preamble(line)
        elif question.parts and self._part(line, question):
            return
        elif key(line.text) in (key(question.guidance), *self.sections):
            self.document.ignored.append(Notice(line.number, _("guidance"), line.text))
        elif question.table and (label := self._label_of(line)):
            self._label(line, label, question)
        else:
            self._text(line, question)

    def _label_of(self, line: Line) -> LabelMatch | None:
        question = self.question
        if question.number not in self.vocabularies:
            self.vocabularies[question.number] = question_vocabulary(
                question.table, question.row_labels
            )
        label = match_label(
            line.text, inline=self.inline_labels, extra=self.vocabularies[question.number]
        )
        if label is None or self.row is not None or label.fields.get(question.table) == "name":
            return label
        # Before a row's name, a line that starts like a label but carries a sentence is text.
        return label if not label.rest or label.separated else None

    def _heading(self, line: Line) -> bool:
        match = self.finder.find(line.text)
        if match is None:
            return False
        question = self.questions[match.index]
        if match.index == self.index and self._nothing_yet(question):
            # The heading again before any answer (a section title that is also the
            # question's text, a heading split over two lines): one heading.
            self.document.ignored.append(Notice(line.number, _("heading repeated"), line.text))
            return True
        if match.index in self.seen:
            if match.similarity < 1 or not match.number and len(question.prompt) < 30:
                # "Background" met again, or a line merely like a heading: text of the answer.
                return False
            self._close_row()
            # The same question twice: what follows is kept apart, never merged or dropped.
            notice = Notice(
                line.number,
                _(
                    "question %(number)s appears a second time (first at %(unit)s %(first)s): "
                    "what follows is kept as text the import could not place"
                )
                % {
                    "number": question.number,
                    "unit": self._unit_word(),
                    "first": self.seen[match.index],
                },
                "",
            )
            self.document.unplaced.append(notice)
            self.repeat, self.sink, self.row, self.part = notice, None, None, None
            return True
        self._close_row()
        self.index, self.part, self.row, self.sink, self.repeat = (
            match.index,
            None,
            None,
            None,
            None,
        )
        self.seen[match.index] = line.number
        self.heading = Match(question.number, line.number, match.percent, line.text, match.number)
        self.document.matches.append(self.heading)
        if match.number and match.number != key(question.number):
            self.document.warnings.append(
                Notice(
                    line.number,
                    _("numbered %(given)s in the document, read as question %(number)s by its text")
                    % {"given": match.number, "number": question.number},
                    line.text,
                )
            )
        return True

    def _heading_goes_on(self, line: Line) -> bool:
        """A heading wrapped over several lines (a PDF's): the next line of the same paragraph
        is more of it when the heading with it reads more like the prompt."""
        heading = self.heading
        if heading is None or line.blank_before:
            return False
        longer = f"{heading.text} {line.text}"
        match = self.finder.find(longer)
        if match is None or match.index != self.index or match.percent < heading.similarity:
            return False
        heading.text, heading.similarity = longer, match.percent
        self.document.ignored.append(Notice(line.number, _("the heading goes on"), line.text))
        return True

    def _nothing_yet(self, question: QuestionOutline) -> bool:
        """Whether the open question has no text and no row yet."""
        answers = self.document.answers
        return not self.document.rows.get(question.number) and not any(
            answers[k].text.strip() for k in answers if k[0] == question.number
        )

    def _unit_word(self) -> str:
        return _("paragraph") if self.document.unit == "paragraph" else _("line")

    def _preamble(self, line: Line) -> None:
        # The entity's name heads a reply ("International Organization for Migration (IOM)");
        # a sentence there (a covering note) is text like any other.
        names = len(line.text.split()) <= 12 and not re.search(r"[.!?:;]$", line.text)
        if not self.document.organization_line and names:
            self.document.organization_line = line.text
            self.document.organization_line_number = line.number
            return
        self._unplaced(line, _("text before the first question"))

    def _part(self, line: Line, question: QuestionOutline) -> bool:
        for title in question.parts:
            if part_similarity(title, line.text):
                self._close_row()
                self.part, self.row = title, None
                if (question.number, title) in self.document.answers:
                    self.document.warnings.append(
                        Notice(
                            line.number,
                            _("“%(title)s” appears a second time: its texts are put together")
                            % {"title": title},
                        )
                    )
                    self.sink = _Text(self.document.answers[(question.number, title)])
                    return True
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
        row = self.row
        if name == "name" or row is None:
            self._close_row()
            row = self.row = ParsedRow(question.number, question.table, line.number)
            self.document.rows.setdefault(question.number, []).append(row)
            if name != "name":
                self.document.warnings.append(
                    Notice(
                        line.number,
                        _("a row of question %(number)s starts without its name label")
                        % {"number": question.number},
                        line.text,
                    )
                )
        elif name in row.labels:
            # A row starts at its name only: the same label twice adds to the field.
            self.document.warnings.append(
                Notice(
                    line.number,
                    _("“%(label)s” appears twice in the row “%(name)s”: both values are kept")
                    % {"label": label.label, "name": row.values.get("name", "")},
                    label.rest,
                )
            )
            if label.rest:
                row.values[name] = join_paragraph(row.values[name], label.rest, blank_before=True)
            self.sink = _Field(row, name, ends_at_blank=False)
            return
        if name == "description":
            self._settle_pending(row)
        row.labels[name] = label.label
        row.lines[name] = line.number
        row.values[name] = label.rest
        # The 2021 layout writes one-line values: a blank line ends them, except descriptions.
        ends_at_blank = self.inline_labels and name != "description"
        self.sink = _Field(row, name, ends_at_blank=ends_at_blank)

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
        """Text after a row's one-line field, without a label (a 2021 record does this).

        Whether it is more of that field or the row's description is known later: a
        "Description" label later in the row makes it the field's, a field of several
        paragraphs (``_settle_pending``); the row's end without one makes it the
        description (``_close_row``).
        """
        row = self.row
        if isinstance(self.sink, _Field):
            after = self.sink.name
        else:
            after = row.pending[-1][0] if row.pending else ""
        row.pending.append((after, line))
        self.sink = None

    def _settle_pending(self, row: ParsedRow) -> None:
        """Text held after one-line fields, now that the row's description label has come."""
        for after, line in row.pending:
            if after:
                row.values[after] = join_paragraph(row.values[after], line.text, blank_before=True)
        row.pending.clear()

    def _close_row(self) -> None:
        """The open row ends: held text without a label becomes its description, or is kept."""
        row = self.row
        if row is None or not row.pending:
            return
        if "description" in row.labels:
            self._settle_pending(row)
            return
        first = row.pending[0][1]
        row.labels["description"] = ""
        row.lines["description"] = first.number
        description = ""
        for _after, line in row.pending:
            description = join_paragraph(description, line.text, blank_before=line.blank_before)
        row.values["description"] = description
        row.pending.clear()
        self.document.warnings.append(
            Notice(
                first.number, _("text without a label read as the row's description"), first.text
            )
        )

    def _unplaced(self, line: Line, message: str, *, text: str | None = None) -> None:
        notice = Notice(line.number, message, line.text if text is None else text)
        self.document.unplaced.append(notice)
        self.sink = _Text(notice)

    def _check_rows(self) -> None:
        self._close_row()
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
            names: dict[str, ParsedRow] = {}
            for row in rows:
                name = key(row.values.get("name", ""))
                if name and name in names:
                    self.document.warnings.append(
                        Notice(
                            row.line,
                            _("the row “%(name)s” appears twice in question %(number)s")
                            % {"name": row.values["name"], "number": question.number},
                        )
                    )
                names.setdefault(name, row)
                missing = [
                    label
                    for field_name, label in table_fields(question.table)
                    if field_name not in row.labels and field_name != "website"
                ]
                if missing and row.values.get("name"):
                    self.document.warnings.append(
                        Notice(
                            row.line,
                            _("the row “%(name)s” has no %(fields)s: left empty")
                            % {"name": row.values["name"], "fields": ", ".join(missing)},
                        )
                    )


def finish_row(row: ParsedRow, document: ParsedDocument) -> None:
    """Turn a row's SDG text into numbers and keep a website that is no address visible."""
    for name in list(row.values):
        row.values[name] = row.values[name].strip()
    sdg_text = row.values.pop("sdgs", "")
    reading = read_sdgs(sdg_text)
    row.sdgs = reading.numbers
    row.values["sdgs_text"] = " ".join(sdg_text.split())
    problem = sdgs_problem(sdg_text, reading)
    if problem:
        # One unreadable cell does not refuse the document: the row comes in with the goals
        # that could be read, and the text as written is kept beside them.
        document.warnings.append(
            Notice(
                row.lines.get("sdgs", row.line),
                _("%(problem)s; the row “%(name)s” keeps the text as written")
                % {"problem": problem, "name": row.values.get("name", "")},
                sdg_text,
            )
        )
    website = row.values.get("website", "")
    urls = _URL.findall(website)
    if website and len(urls) == 1 and urls[0] != website:
        website = row.values["website"] = urls[0]  # "IOM's page (https://…)": the address
    try:
        validate_website(website)
    except ValidationError:
        # Prose or a lost link ("…") in the website field: the import goes on and the text
        # moves to the end of the description, where the author sees and fixes it.
        label = row.labels.get("website") or "Website"
        # In brackets: read again (the text export of this row), it is no label line.
        moved = f"[{label}: {website}]"
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
