"""Relevant SDGs as people write them.

"All 17 SDGs", "All", "all SDGs", "SDGs 1, 2, 3", "10, 16 and 17", "Goals 1-5", "SDG1, SDG2",
targets ("10.7, 16.2" are goals 10 and 16, the targets kept as written by the caller), goal
names ("SDG 4 (Quality education)", "Reduced inequalities"), duplicates and any order.
``read_sdgs`` reads what it can and says what it could not; ``parse_sdgs`` is the strict
form (ValueError for anything it cannot read).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..sdgs import SDGS, format_sdgs

__all__ = ["SdgReading", "format_sdgs", "parse_sdgs", "read_sdgs", "sdgs_problem"]

ALL_SDGS = list(range(1, 18))

_ALL = re.compile(
    r"(?:all|all (?:the )?(?:17|seventeen))(?: (?:the )?(?:sdgs|goals|sustainable development "
    r"goals))?\.?"
)
_NONE = frozenset({"n/a", "na", "none", "-", "\u2013", "not applicable", "nil"})
# Words around the numbers that say nothing about which goals: "SDGs", "Goal", "and".
_FILLER = re.compile(r"\bsdgs?|\bgoals?\b|\band\b|&|\btargets?\b|\bno\.?(?=\s*\d)")
_TOKEN = re.compile(r"(\d+)(?:\.(?:\d+|[a-z]))?(?:-(\d+)(?:\.(?:\d+|[a-z]))?)?")
_TARGET = re.compile(r"\b\d{1,2}\.(?:\d{1,2}|[a-z])\b")
_BRACKETS = re.compile(r"\([^)]*\)")

# Goal names as the official short titles word them, and a few ways people shorten them.
_EXTRA_NAMES = {
    "poverty": 1,
    "end poverty": 1,
    "hunger": 2,
    "health": 3,
    "good health": 3,
    "education": 4,
    "gender": 5,
    "water and sanitation": 6,
    "clean water": 6,
    "clean energy": 7,
    "energy": 7,
    "decent work": 8,
    "inequality": 10,
    "inequalities": 10,
    "sustainable cities": 11,
    "climate": 13,
    "peace and justice": 16,
    "partnerships": 17,
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace("\u2011", "-")).strip()


_NAMES = sorted(
    {**{_fold(title): number for number, title, _colour in SDGS}, **_EXTRA_NAMES}.items(),
    key=lambda item: -len(item[0]),
)
_NAME_PATTERNS = [
    (re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])"), number) for name, number in _NAMES
]


@dataclass
class SdgReading:
    """What a written list of SDGs says: the goals, and the parts that are not goals."""

    numbers: list[int] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    out_of_range: list[int] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # "10.7", as written

    @property
    def ok(self) -> bool:
        return not self.unreadable and not self.out_of_range


def read_sdgs(text: str) -> SdgReading:
    """The goals a written list names, reading what it can (sorted, without duplicates)."""
    value = _fold(text or "")
    reading = SdgReading()
    if not value or value in _NONE:
        return reading
    if _ALL.fullmatch(value):
        reading.numbers = list(ALL_SDGS)
        return reading
    reading.targets = _TARGET.findall(value)
    numbers: set[int] = set()
    # "SDG 4 (Quality education)": the number says it; a name alone is read as that goal.
    bracketed = _BRACKETS.findall(value)
    value = _BRACKETS.sub(" ", value)
    for pattern, number in _NAME_PATTERNS:
        if pattern.search(value):
            numbers.add(number)
            value = pattern.sub(" ", value)
    for inner in bracketed:
        if not re.search(r"\d", _BRACKETS.sub("", value)):
            # Only names were written, in brackets: read them.
            for pattern, number in _NAME_PATTERNS:
                if pattern.search(inner):
                    numbers.add(number)
    value = re.sub(r"\s*[-\u2013\u2014]\s*", "-", _FILLER.sub(" ", value))
    for token in re.split(r"[,;/\s]+|\.(?!\d|[a-z]\b)", value):
        token = token.strip(" .:")
        if not token:
            continue
        match = _TOKEN.fullmatch(token)
        if not match:
            reading.unreadable.append(token)
            continue
        first, last = int(match[1]), int(match[2] or match[1])
        bad = sorted({n for n in (first, last) if not 1 <= n <= 17})
        if bad:
            reading.out_of_range.extend(bad)
            continue
        numbers.update(range(min(first, last), max(first, last) + 1))
    reading.numbers = sorted(numbers)
    return reading


def sdgs_problem(text: str, reading: SdgReading) -> str:
    """Why a written list is not (all) read, for the user; "" when it is."""
    if reading.out_of_range:
        return _("SDG %(number)s does not exist: SDG numbers go from 1 to 17") % {
            "number": reading.out_of_range[0]
        }
    if reading.unreadable:
        return _(
            "cannot read “%(text)s” as SDGs: expected numbers from 1 to 17 "
            "(“4, 5, 10 and 17”), goal names or “All 17 SDGs”"
        ) % {"text": text.strip()}
    return ""


def parse_sdgs(text: str) -> list[int]:
    """Sorted, unique SDG numbers of a written list; ValueError for anything else.

    "All" and "All 17 SDGs" mean 1 to 17; an empty value or "n/a" means none.
    """
    reading = read_sdgs(text)
    problem = sdgs_problem(text, reading)
    if problem:
        raise ValueError(problem)
    return reading.numbers
