"""Whether two table rows of different years are the same event, resource or initiative.

Names drift from year to year: "IOM's 2021 Strategic Response and Recovery Plan" becomes
"IOM's 2022 Strategic Response and Recovery Plan", "UN Network on Migration (UNNM)" loses
its acronym, a programme moves to "(Phase IV)". Two names match when, after normalising
case, punctuation, quotes and years, they are equal, carry the same acronym in brackets, or
are close enough (difflib ratio). Comparing years, the library and the rows export use this
one rule.

Each row stores its normalised name (``match_key``) and acronym, written with its name
(``matchkeys.row_match_fields``). Comparing every row with every other is quadratic, so the
similarity is computed only among *candidates*, found by a dictionary built over those keys
in the same pass (``_Candidates``): rows with the same key, the same acronym, or a word in
common with the rarest words of the other (its *probe*). That finds every pair in which
the words they share (cut to five letters, stop words aside) hold at least 60 % of the
letters of one of them (``SHARED_LETTERS``). A match needs 85 % of the letters in common
(``SIMILARITY``), so a pair that shares fewer whole words is far under the threshold in
practice, and is not compared. The tests check the grouping and pairing of the seeds and of
drifting synthetic names against comparing every pair.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

from ..matchkeys import acronym_of, key_words, name_key

T = TypeVar("T")

__all__ = [
    "ACRONYM_SIMILARITY",
    "SIMILARITY",
    "Keys",
    "NameIndex",
    "group_rows",
    "match_rows",
    "name_acronym",
    "name_key",
    "name_similarity",
    "names_match",
    "row_keys",
]

# Names at least this similar (0..1, difflib's ratio on normalised names) are the same item.
SIMILARITY = 0.85
ACRONYM_SIMILARITY = 0.95
# Names are compared when the words they share hold at least this share of one's letters.
SHARED_LETTERS = 0.6


@dataclass(frozen=True, slots=True)
class Keys:
    """What a name is matched by: its normalised form and its acronym ("" when none)."""

    key: str
    acronym: str

    @classmethod
    def of(cls, name: str) -> "Keys":
        return cls(name_key(name), acronym_of(name))


def row_keys(row, name: Callable = lambda r: r.name) -> Keys:
    """A row's stored key and acronym; worked out from its name when it stores no key."""
    key = getattr(row, "match_key", None)
    if key or (key is not None and not name(row)):
        return Keys(key, getattr(row, "acronym", "") or "")
    return Keys.of(name(row) or "")


def name_acronym(name: str) -> str | None:
    """The acronym a name carries in brackets, "Displaced Talent for Europe (DT4E)" -> "dt4e"."""
    return acronym_of(name) or None


def pair_score(a: Keys, b: Keys) -> float:
    """How alike two names are, on their keys: ``name_similarity`` wherever it reaches
    SIMILARITY; under it, a value that is under it too (difflib is skipped when the lengths
    alone rule a match out)."""
    if not a.key or not b.key:
        return 0.0
    if a.key == b.key:
        return 1.0
    same_acronym = bool(a.acronym) and a.acronym == b.acronym
    shorter, total = min(len(a.key), len(b.key)), len(a.key) + len(b.key)
    bound = 2.0 * shorter / total  # difflib's ratio never exceeds it (real_quick_ratio)
    if same_acronym and bound <= ACRONYM_SIMILARITY:
        return ACRONYM_SIMILARITY
    if not same_acronym and bound < SIMILARITY:
        return bound
    matcher = SequenceMatcher(None, a.key, b.key, autojunk=False)
    if not same_acronym and matcher.quick_ratio() < SIMILARITY:
        return 0.0  # quick_ratio bounds ratio from above: no match either way
    ratio = matcher.ratio()
    # Same acronym: a match, ranked below an equal name ("(IDM) First Session" and
    # "(IDM) Second Session" share it; each year's first session pairs with the first).
    return max(ratio, ACRONYM_SIMILARITY) if same_acronym else ratio


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, on their normalised forms."""
    key_a, key_b = Keys.of(a), Keys.of(b)
    if not key_a.key or not key_b.key:
        return 0.0
    if key_a.key == key_b.key:
        return 1.0
    ratio = SequenceMatcher(None, key_a.key, key_b.key, autojunk=False).ratio()
    if key_a.acronym and key_a.acronym == key_b.acronym:
        return max(ratio, ACRONYM_SIMILARITY)
    return ratio


def names_match(a: str, b: str) -> bool:
    """Whether two names are the same item (see the module docstring)."""
    return name_similarity(a, b) >= SIMILARITY


class _Candidates:
    """Which of the names added so far may match a name: the blocking index.

    A name's *probe* is its rarest words (rarity among the names being matched, so that a
    word every name has finds nothing extra) until they hold more than ``1 - SHARED_LETTERS``
    of its letters. Two names are candidates when their keys are equal, their acronyms are
    equal, or one's probe meets the other's words: whenever the words they share hold at
    least ``SHARED_LETTERS`` of one name's letters, by pigeonhole.
    """

    def __init__(self, rarity: Counter[str]):
        self.rarity = rarity
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_acronym: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.by_probe: dict[str, list[int]] = defaultdict(list)

    def _probe(self, words: frozenset[str]) -> list[str]:
        ranked = sorted(words, key=lambda w: (self.rarity[w], w))
        total = sum(len(w) for w in ranked)
        probe, weight = [], 0
        for word in ranked:
            probe.append(word)
            weight += len(word)
            if weight > (1 - SHARED_LETTERS) * total:
                break
        return probe

    def add(self, item: int, keys: Keys, words: frozenset[str]) -> None:
        self.by_key[keys.key].append(item)
        if keys.acronym:
            self.by_acronym[keys.acronym].append(item)
        for word in words:
            self.by_word[word].append(item)
        for word in self._probe(words):
            self.by_probe[word].append(item)

    def same_key(self, keys: Keys) -> list[int]:
        return self.by_key.get(keys.key, [])

    def find(self, keys: Keys, words: frozenset[str]) -> list[int]:
        """The candidates, in the order they were added."""
        found = set(self.by_key.get(keys.key, ()))
        if keys.acronym:
            found.update(self.by_acronym.get(keys.acronym, ()))
        for word in self._probe(words):
            found.update(self.by_word.get(word, ()))
        for word in words:
            found.update(self.by_probe.get(word, ()))
        return sorted(found)


def _rarity(words: Iterable[frozenset[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for group in words:
        counts.update(group)
    return counts


class NameIndex:
    """A list of names, to find the first one that matches a name (the same rule)."""

    def __init__(self, keys: Sequence[Keys]):
        self.keys = list(keys)
        words = [key_words(k.key) for k in self.keys]
        self._candidates = _Candidates(_rarity(words))
        for position, (k, w) in enumerate(zip(self.keys, words, strict=True)):
            if k.key:
                self._candidates.add(position, k, w)

    def first(self, keys: Keys) -> int | None:
        """The position of the first name that is the same item as ``keys``, or None."""
        if not keys.key:
            return None
        for position in self._candidates.find(keys, key_words(keys.key)):
            if pair_score(keys, self.keys[position]) >= SIMILARITY:
                return position
        return None


def match_rows(
    old: Sequence[T],
    new: Sequence[T],
    *,
    name: Callable[[T], str] = lambda r: r.name,
    keys: Callable[[T], Keys] | None = None,
) -> list[tuple[T | None, T | None]]:
    """Pair the rows of two years: (old, new) matched, (old, None) dropped, (None, new) new.

    Best pairs first (highest similarity), each row used once; new rows keep their order,
    dropped rows follow in theirs.
    """
    keys = keys or (lambda row: row_keys(row, name))
    old_keys, new_keys = [keys(r) for r in old], [keys(r) for r in new]
    old_of_new: dict[int, int] = {}
    used_old: set[int] = set()

    def pair(scored: Iterable[tuple[int, int]]) -> None:
        for i, j in scored:
            if i not in used_old and j not in old_of_new:
                old_of_new[j] = i
                used_old.add(i)

    # Equal keys score 1, above every other pair: paired first, in (old, new) order as the
    # best-first pairing would; only the rows left are scored against each other.
    old_by_key: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(old_keys):
        if k.key:
            old_by_key[k.key].append(i)
    pair(sorted((i, j) for j, k in enumerate(new_keys) for i in old_by_key.get(k.key, ())))

    old_words = [key_words(k.key) for k in old_keys]
    new_words = [key_words(k.key) for k in new_keys]
    index = _Candidates(_rarity([*old_words, *new_words]))
    for i, (k, w) in enumerate(zip(old_keys, old_words, strict=True)):
        if k.key and i not in used_old:
            index.add(i, k, w)
    scored = []
    for j, (k, w) in enumerate(zip(new_keys, new_words, strict=True)):
        if not k.key or j in old_of_new:
            continue
        for i in index.find(k, w):
            score = pair_score(old_keys[i], k)
            if score >= SIMILARITY:
                scored.append((score, i, j))
    scored.sort(key=lambda c: (-c[0], c[1], c[2]))
    pair((i, j) for _score, i, j in scored)
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
    keys: Callable[[T], Keys] | None = None,
) -> list[list[T]]:
    """Group rows that are the same item across years, newest year first in each group.

    A group holds at most one row per year; a row joins the group whose newest row it
    matches best (the first such group on a tie). Groups come out newest first, then by name.
    """
    keys = keys or (lambda row: row_keys(row, name))
    entries = [(row, year(row), keys(row)) for row in rows]
    entries.sort(key=lambda e: (-e[1], e[2].key))
    words = [key_words(k.key) for _row, _year, k in entries]
    index = _Candidates(_rarity(words))
    groups: list[list[T]] = []
    heads: list[Keys] = []
    years: list[set[int]] = []
    for (row, row_year, row_key), row_words in zip(entries, words, strict=True):
        best = None
        if row_key.key:
            # An equal name scores 1, which nothing beats: the first such group wins.
            best = next((g for g in index.same_key(row_key) if row_year not in years[g]), None)
            if best is None:
                best_score = 0.0
                for g in index.find(row_key, row_words):
                    if row_year in years[g]:
                        continue
                    score = pair_score(heads[g], row_key)
                    if score >= SIMILARITY and score > best_score:
                        best, best_score = g, score
        if best is None:
            if row_key.key:
                index.add(len(groups), row_key, row_words)
            groups.append([row])
            heads.append(row_key)
            years.append({row_year})
        else:
            groups[best].append(row)
            years[best].add(row_year)
    return groups
