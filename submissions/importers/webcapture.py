"""The 2024 gender questionnaire as captured from its web page.

The page shows each answer cut short, then a "View More" link followed by the answer in
full; the capture keeps both, so every answer appears twice. Each line is a paragraph, and
no question text was captured: answers go to the questionnaire's questions in order.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .document import DocumentError, Notice, Outline, ParsedAnswer, ParsedDocument, key, raw_lines
from .labels import is_furniture

VIEW_MORE = "View More"


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    opens_full_copy: bool = False  # the first line after a "View More" link


def _lines(text: str, document: ParsedDocument) -> list[_Line]:
    lines = []
    for number, raw in enumerate(raw_lines(text), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if is_furniture(stripped):
            document.ignored.append(Notice(number, _("page furniture"), stripped))
        elif stripped.startswith(VIEW_MORE):
            rest = stripped[len(VIEW_MORE) :].strip()
            lines.append(_Line(number, rest, opens_full_copy=True))
        elif lines and lines[-1].opens_full_copy and not lines[-1].text:
            lines[-1] = _Line(number, stripped, opens_full_copy=True)  # "View More" alone
        else:
            lines.append(_Line(number, stripped))
    return lines


def _is_preview_of(preview: str, full: str) -> bool:
    """Whether a preview line starts the full text (a cut preview may end with "…")."""
    cut = key(preview).rstrip(".\u2026 ")
    return bool(cut) and key(full).startswith(cut)


def _preview_start(lines: list[_Line], start: int, end: int, full_first: _Line) -> int | None:
    for index in range(start, end):
        if _is_preview_of(lines[index].text, full_first.text):
            return index
    return None


def _fold(preview: list[_Line], full: list[_Line], document: ParsedDocument) -> list[_Line]:
    """One answer from its two copies: the longer when one starts the other."""
    preview_text = key(" ".join(line.text for line in preview))
    full_text = key(" ".join(line.text for line in full))
    if preview_text.startswith(full_text):
        return preview if len(preview_text) > len(full_text) else full  # the last "." was cut
    if full_text.startswith(preview_text.rstrip(".\u2026 ")):
        return full
    document.warnings.append(
        Notice(
            full[0].number,
            _("the text after “View More” differs from the text before it; kept the text after it"),
        )
    )
    return full


def parse_web_capture(text: str, outline: Outline, *, layout: str) -> ParsedDocument:
    document = ParsedDocument(layout=layout)
    lines = _lines(text, document)
    opens = [index for index, line in enumerate(lines) if line.opens_full_copy]
    if not opens:
        raise DocumentError(1, _("expected lines starting with “View More” in a web page capture"))
    # Before the first answer's preview: the organization's name (an empty preview is fine).
    first = _preview_start(lines, 0, opens[0], lines[opens[0]])
    starts = [opens[0] if first is None else first]
    for previous, current in zip(opens, opens[1:], strict=False):
        start = _preview_start(lines, previous + 1, current, lines[current])
        # No cut-short copy before it (the app's own text export): the answer is the full one.
        starts.append(current if start is None else start)
    _preamble(lines[: starts[0]], document)
    ends = [*starts[1:], len(lines)]
    previews = [lines[start:open_] for start, open_ in zip(starts, opens, strict=True)]
    answers = [
        _fold(preview, lines[open_:end], document) if preview else lines[open_:end]
        for preview, open_, end in zip(previews, opens, ends, strict=True)
    ]
    _assign(answers, outline, document)
    return document


def _preamble(lines: list[_Line], document: ParsedDocument) -> None:
    for line in lines:
        if not document.organization_line:
            document.organization_line = line.text
            document.organization_line_number = line.number
        else:
            document.unplaced.append(
                Notice(line.number, _("text before the first answer"), line.text)
            )


def _assign(answers: list[list[_Line]], outline: Outline, document: ParsedDocument) -> None:
    questions = [question for question in outline.questions if question.has_narrative]
    for index, lines in enumerate(answers):
        text = "\n\n".join(line.text for line in lines)
        if index < len(questions):
            number = questions[index].number
            document.answers[(number, None)] = ParsedAnswer(number, None, text, lines[0].number)
        else:
            document.unplaced.append(
                Notice(
                    lines[0].number,
                    _("answer %(index)s has no question to go to") % {"index": index + 1},
                    text,
                )
            )
