"""Relevant SDGs as people write them: "All 17 SDGs", "SDGs 1, 2, 3", "10, 16 and 17"."""

import re

from django.utils.translation import gettext as _

ALL_SDGS = list(range(1, 18))

_ALL = re.compile(r"all(?: (?:the )?17)?(?: (?:sdgs|goals|sustainable development goals))?\.?")
_NONE = frozenset({"n/a", "na", "none", "-", "not applicable"})
# Words around the numbers that say nothing about which goals: "SDGs", "Goal", "and".
_FILLER = re.compile(r"\bsdgs?|\bgoals?\b|\band\b|&")
_TOKEN = re.compile(r"(\d+)(?:-(\d+))?")


def parse_sdgs(text: str) -> list[int]:
    """Sorted, unique SDG numbers of a written list; ValueError for anything else.

    "All" and "All 17 SDGs" mean 1 to 17; an empty value or "n/a" means none.
    """
    value = re.sub(r"\s+", " ", text or "").strip().casefold()
    if not value or value in _NONE:
        return []
    if _ALL.fullmatch(value):
        return list(ALL_SDGS)
    numbers: set[int] = set()
    value = re.sub(r"\s*[-\u2013]\s*", "-", _FILLER.sub(" ", value))
    for token in re.split(r"[,;/.\s]+", value):
        if not token:
            continue
        match = _TOKEN.fullmatch(token)
        if not match:
            raise ValueError(
                _(
                    "cannot read “%(text)s” as SDGs: expected numbers from 1 to 17 "
                    "(“4, 5, 10 and 17”) or “All 17 SDGs”"
                )
                % {"text": text.strip()}
            )
        first, last = int(match[1]), int(match[2] or match[1])
        for number in (first, last):
            if not 1 <= number <= 17:
                raise ValueError(
                    _("SDG %(number)s does not exist: SDG numbers go from 1 to 17")
                    % {"number": number}
                )
        numbers.update(range(min(first, last), max(first, last) + 1))
    return sorted(numbers)


def format_sdgs(numbers: list[int]) -> str:
    """SDG numbers as the 2024 form writes them: "All 17 SDGs", else "1, 5, 10"."""
    unique = sorted(set(numbers))
    if unique == ALL_SDGS:
        return "All 17 SDGs"
    return ", ".join(str(number) for number in unique)
