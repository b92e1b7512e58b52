"""Whether two table rows of different years are the same event, resource or initiative.

Names drift from year to year: "IOM's 2021 Strategic Response and Recovery Plan" becomes
"IOM's 2022 Strategic Response and Recovery Plan", "UN Network on Migration (UNNM)" loses
its acronym, a programme moves to "(Phase IV)". Two names match when, after normalising
case, punctuation, quotes and years, they are equal, carry the same acronym in brackets, or
are close enough (difflib ratio). Comparing years and the library use this one rule.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

# Names at least this similar (0..1, difflib's ratio on normalised names) are the same item.
SIMILARITY = 0.85
ACRONYM_SIMILARITY = 0.95

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NOT_WORD = re.compile(r"[^\w]+")
_ACRONYM = re.compile(r"\(([^()\s]{3,15})\)")


def name_key(name: str) -> str:
    """A name normalised for matching: case, accents kept, punctuation, quotes and years dropped."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _YEAR.sub(" ", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def name_acronym(name: str) -> str | None:
    """The acronym a name carries in brackets, "Displaced Talent for Europe (DT4E)" -> "dt4e"."""
    found = [a for a in _ACRONYM.findall(name) if any(c.isalpha() for c in a)]
    # "(Phase III)" has a space and is not caught; an all-lowercase word in brackets is not one.
    found = [a for a in found if sum(c.isupper() for c in a) >= 2]
    return found[-1].casefold() if found else None


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, on their normalised forms."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    ratio = SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()
    acronym_a, acronym_b = name_acronym(a), name_acronym(b)
    if acronym_a and acronym_a == acronym_b:
        # Same acronym: a match, ranked below an equal name ("(IDM) First Session" and
        # "(IDM) Second Session" share it; each year's first session pairs with the first).
        return max(ratio, ACRONYM_SIMILARITY)
    return ratio


def names_match(a: str, b: str) -> bool:
    """Whether two names are the same item (see the module docstring)."""
    return name_similarity(a, b) >= SIMILARITY


def match_rows(
    old: Sequence[T], new: Sequence[T], *, name: Callable[[T], str] = lambda r: r.name
) -> list[tuple[T | None, T | None]]:
    """Pair the rows of two years: (old, new) matched, (old, None) dropped, (None, new) new.

    Best pairs first (highest similarity), each row used once; new rows keep their order,
    dropped rows follow in theirs.
    """
    candidates = sorted(
        (
            (name_similarity(name(o), name(n)), i, j)
            for i, o in enumerate(old)
            for j, n in enumerate(new)
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    old_of_new: dict[int, int] = {}
    used_old: set[int] = set()
    for score, i, j in candidates:
        if score < SIMILARITY:
            break
        if i in used_old or j in old_of_new:
            continue
        old_of_new[j] = i
        used_old.add(i)
    pairs: list[tuple[T | None, T | None]] = [
        (old[old_of_new[j]] if j in old_of_new else None, row) for j, row in enumerate(new)
    ]
    pairs.extend((row, None) for i, row in enumerate(old) if i not in used_old)
    return pairs


def group_rows(
    rows: Iterable[T],
    *,
    name: Callable[[T], str] = lambda r: r.name,
    year: Callable[[T], int] = lambda r: r.submission.questionnaire.year,
) -> list[list[T]]:
    """Group rows that are the same item across years, newest year first in each group.

    A group holds at most one row per year; a row joins the group whose newest row it
    matches best. Groups come out newest first, then by name.
    """
    ordered = sorted(rows, key=lambda r: (-year(r), name_key(name(r))))
    groups: list[list[T]] = []
    for row in ordered:
        best, best_score = None, 0.0
        for group in groups:
            if any(year(member) == year(row) for member in group):
                continue
            score = name_similarity(name(group[0]), name(row))
            if score >= SIMILARITY and score > best_score:
                best, best_score = group, score
        if best is None:
            groups.append([row])
        else:
            best.append(row)
    return groups
