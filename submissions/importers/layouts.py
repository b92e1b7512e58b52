"""The layouts of the seed documents, how to tell them apart, and one entry point to parse them.

| layout      | seed | what it looks like                                                 |
|-------------|------|--------------------------------------------------------------------|
| blank-line  | 2024 | label, blank line, value; the plain-text export writes this layout |
| pipe        | 2023 | table cells end with " |"; a label and its value on consecutive lines |
| inline      | 2021 | label and value on one line ("Partners UN System, ...")            |
| plain       | 2017 | numbered questions and paragraphs, no tables                       |
| web-capture | GBV  | each answer twice, around "View More"; no question text            |
| word        | —    | a Word document (.docx), read paragraph by paragraph (wordfile.py)  |

Whatever the layout, a label and its value may share a line after a colon, a tab or " | ".
In plain text, lines wrapped by hand (a PDF's, an e-mail's) are joined back into their
paragraphs, and a word hyphenated at a line's end is made whole.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .document import DocumentError, Line, Outline, ParsedDocument, raw_lines
from .engine import Engine
from .labels import match_label
from .webcapture import VIEW_MORE, parse_web_capture

BLANK_LINE = "blank-line"
PIPE = "pipe"
INLINE = "inline"
PLAIN = "plain"
WEB_CAPTURE = "web-capture"
WORD = "word"

LAYOUTS = {
    BLANK_LINE: gettext_lazy("Label, blank line, value (2024; the plain-text export)"),
    PIPE: gettext_lazy("Values ending in “ |” (2023)"),
    INLINE: gettext_lazy("Label and value on one line (2021)"),
    PLAIN: gettext_lazy("Numbered narrative without tables (2017)"),
    WEB_CAPTURE: gettext_lazy("Web page capture with “View More” (2024 gender questionnaire)"),
}
WORD_LAYOUT = gettext_lazy("Word document (.docx)")

_PIPE_END = re.compile(r"\s*\|$")


def detect_layout(text: str) -> str:
    """The layout of a document, from the shape of its lines."""
    lines = [line.strip() for line in raw_lines(text) if line.strip()]
    if any(line.startswith(VIEW_MORE) for line in lines):
        return WEB_CAPTURE
    pipes = sum(1 for line in lines if line.endswith("|"))
    if pipes >= 3 and pipes * 4 >= len(lines):
        return PIPE
    whole = inline = 0
    for line in lines:
        label = match_label(line, inline=True)
        if label and label.rest:
            inline += 1
        elif label:
            whole += 1
    if inline >= 3 and inline > whole:
        return INLINE
    return BLANK_LINE if whole else PLAIN


_SENTENCE_END = re.compile(r"[.:;!?)\]\"\u201d\u00bb|]$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def _continues(previous: str, line: str) -> bool:
    """Whether a line carries on the paragraph of the line above it (a wrapped line)."""
    if previous.count("(") > previous.count(")") and re.match(r"[\w(]", line):
        return True  # "… (max" / "200 words)"
    if not line[:1].islower():
        return False
    if _HYPHENATED.search(previous):
        return True
    return not _SENTENCE_END.search(previous) and not match_label(previous, inline=False)


def paragraph_lines(text: str) -> list[Line]:
    """Non-blank lines; a blank line (or one of no-break spaces) starts a paragraph.

    A line wrapped by hand is joined to the one above it: it starts in lower case after a
    line that ends no sentence (and is no label), or after a word cut by a hyphen.
    """
    lines: list[Line] = []
    blank = True
    for number, raw in enumerate(raw_lines(text), start=1):
        stripped = raw.strip()
        if stripped and lines and not blank and _continues(lines[-1].text, stripped):
            previous = lines[-1]
            joined = (
                previous.text[:-1] + stripped
                if _HYPHENATED.search(previous.text)
                else f"{previous.text} {stripped}"
            )
            lines[-1] = Line(previous.number, joined, blank_before=previous.blank_before)
        elif stripped:
            lines.append(Line(number, stripped, blank_before=blank))
        blank = not stripped
    return lines


def pipe_lines(text: str) -> list[Line]:
    """Lines without their closing " |"; the capture puts each paragraph on a line of its own."""
    lines = []
    for number, raw in enumerate(raw_lines(text), start=1):
        stripped = _PIPE_END.sub("", raw.strip()).strip()
        if stripped:
            lines.append(Line(number, stripped, blank_before=True))
    return lines


def parse_document(text: str, outline: Outline, *, layout: str | None = None) -> ParsedDocument:
    """Parse a document in any known layout (detected unless given) against a questionnaire."""
    layout = layout or detect_layout(text)
    if layout not in LAYOUTS:
        raise DocumentError(
            1,
            _("unknown layout “%(layout)s”: expected one of %(layouts)s")
            % {"layout": layout, "layouts": ", ".join(LAYOUTS)},
        )
    if not text.strip():
        raise DocumentError(1, _("the document is empty: expected the questionnaire's questions"))
    if layout == WEB_CAPTURE:
        document = parse_web_capture(text, outline, layout=layout)
    else:
        lines = pipe_lines(text) if layout == PIPE else paragraph_lines(text)
        document = Engine(outline, layout=layout, inline_labels=layout == INLINE).run(lines)
    return _sorted(document)


def parse_lines(lines: list[Line], outline: Outline) -> ParsedDocument:
    """Parse a Word document's paragraphs (wordfile.read_word) against a questionnaire."""
    if not lines:
        raise DocumentError(0, _("the Word document holds no text"))
    document = Engine(outline, layout=WORD, inline_labels=False, unit="paragraph").run(lines)
    return _sorted(document)


def _sorted(document: ParsedDocument) -> ParsedDocument:
    for notices in (document.warnings, document.unplaced):
        notices.sort(key=lambda notice: notice.line)
    for item in (*document.notices(), *document.matches):
        item.unit = document.unit
    return document
