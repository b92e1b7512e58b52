"""What the importer recognises in a line: table labels, question headings, parts, page furniture.

Labels differ by year ("Event Name", "Resource", "Initiative/Partnership Name", "Name"), so
each table field lists every label the seed documents use for it. A label is matched whole
(a line of its own) or, in the 2021 layout, at the start of a line with its value after it.
"""

import re
from dataclasses import dataclass

from ..models import TableKind
from ..rowfields import ROW_FIELDS
from .document import key

# "{n}" stands for a word limit. Longer labels are listed first only for readability: the
# longest match always wins.
_COMMON: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "sdgs": ("relevant sdgs (list all relevant goals)", "relevant sdgs", "relevant goals"),
    "description": (
        "description (max {n} words): please include a short summary of the event's mandate "
        "and contributions to the sdgs, including its main outcome(s)",
        "description (max {n} words)",
        "description",
    ),
    "website": ("website (if applicable)", "website", "link to access"),
}
_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    TableKind.EVENTS: {
        "name": ("event name", "name of the event"),
        "dates": ("event dates", "event date", "dates"),
        "location": ("event location (city, country)", "event location", "location"),
    },
    TableKind.RESOURCES: {
        "name": ("resource name", "resource", "title"),
        "publishing_entities": (
            "publishing entity/entities",
            "publishing entities",
            "publishing entity",
        ),
        "target_audience": ("target audience",),
        "languages": ("language(s)", "languages", "language"),
    },
    TableKind.INITIATIVES: {
        "name": (
            "initiative/partnership name",
            "initiative name",
            "partnership name",
            "initiative",
        ),
        "partners": ("partners (please list all partners)", "partners"),
        "member_states": (
            "member states benefiting from it",
            "member states benefiting from the initiative",
            "member state(s) benefiting from the initiative",
            "member states benefiting",
        ),
    },
}


@dataclass(frozen=True)
class LabelMatch:
    label: str  # as written in the document
    fields: dict[str, str]  # table kind -> model field this label fills there
    rest: str  # the value written on the same line, if any
    separated: bool = False  # the value follows a colon, a tab or " | "


def table_fields(table: str) -> list[tuple[str, str]]:
    """A table's fields and their labels as the app names them, in the form's order."""
    return [(name, str(label)) for name, label in ROW_FIELDS.get(table, ())]


def _pattern(label: str) -> str:
    words = [re.escape(word) for word in label.split(" ")]
    return r"\s+".join(words).replace("'", "['\u2019]").replace(r"\{n\}", r"\d+")


def _vocabulary() -> list[tuple[re.Pattern, dict[str, str]]]:
    fields_by_label: dict[str, dict[str, str]] = {}
    for table, specific in _TABLES.items():
        for labels_by_field in (_COMMON, specific):
            for field_name, labels in labels_by_field.items():
                for label in labels:
                    fields_by_label.setdefault(label, {})[table] = field_name
    return [
        (re.compile(_pattern(label), re.IGNORECASE), fields)
        for label, fields in fields_by_label.items()
    ]


_VOCABULARY = _vocabulary()
_LABEL_END = re.compile(r"[\s:|*]*$")
_INLINE_BOUNDARY = re.compile(r"(?=$|[^\w(/])")
# A value on the label's line after a colon, a tab or a table cell's " | " (any layout).
_SEPARATOR = re.compile(r"^[ *]*(?::|\t|\s\|\s|\|)\s*")
_MARKUP = re.compile(r"^(?:[*\u2022\u25aa]\s*)+")


def question_vocabulary(table: str, labels: tuple[tuple[str, str], ...]):
    """Patterns of a question's own labels (its questionnaire's wording), for match_label."""
    return [
        (re.compile(_pattern(label.casefold().rstrip(" :")), re.IGNORECASE), {table: field})
        for field, label in labels
        if label.strip()
    ]


def match_label(text: str, *, inline: bool, extra=()) -> LabelMatch | None:
    """The table label a line holds: the whole line, or its start with the value after it.

    "Event Name: IDM", "Event Name<TAB>IDM" and "Event Name | IDM" in any layout; "Partners
    UN System" (no separator) only in the 2021 layout, where ``inline`` is true. Bullets and
    the asterisks of bold text pasted from an e-mail ("**Event name:** IDM") are left aside.
    """
    text = _MARKUP.sub("", text)
    best: LabelMatch | None = None
    for pattern, fields in (*extra, *_VOCABULARY):
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end() :]
        separated = False
        if _LABEL_END.fullmatch(rest):
            rest = ""
        elif separator := _SEPARATOR.match(rest):
            rest, separated = rest[separator.end() :], True
        elif not inline or not _INLINE_BOUNDARY.match(rest):
            continue
        if best is None or match.end() > len(best.label):
            best = LabelMatch(
                label=match.group(0),
                fields=fields,
                rest=rest.lstrip(" \t:*\u00a0").rstrip(" |"),
                separated=separated,
            )
    return best


# -- Page furniture: web-page banners and the form's footer, never part of an answer ------

_FURNITURE = (
    re.compile(r"sorry, you need to enable javascript to visit this website\."),
    re.compile(r"united nations department of economic and social affairs sustainable development"),
    re.compile(r"united nations"),
    re.compile(r"ecesa plus member"),
    re.compile(r"year of submission: ?\d{4}"),
    re.compile(r"\w+ \d{4} - you are accessing an archived version of our website\..*"),
)


def is_furniture(text: str) -> bool:
    folded = key(text)
    return any(pattern.fullmatch(folded) for pattern in _FURNITURE)
