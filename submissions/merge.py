"""Three-way merge of answers and rows, as MediaWiki and git do it.

Two people start from the same version (the base) and both save. The second save is merged
with the first against that base: first paragraph by paragraph, then, where both changed the
same paragraphs, word by word. Changes to different passages merge; only a passage both
changed differently is a clash, and then nothing is merged: the person sees both texts.

``diff3`` is the classic algorithm: walk the base, and between the tokens that both sides
kept, take the side that changed (or either, if both changed alike); a region both changed
differently is a clash.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

_PARAGRAPHS = re.compile(r"(\n[ \t]*\n+)")  # a paragraph break, kept as a token of its own
_WORDS = re.compile(r"\s*\S+|\s+$")  # a word with the white space before it


@dataclass
class Clash:
    """A passage both sides changed differently, at [start, end) of the merged text."""

    base: str
    mine: str
    theirs: str
    start: int = 0
    end: int = 0


@dataclass
class TextMerge:
    """The result of merging two edits of one text against their base."""

    text: str  # merged; at each clash, the passage as "mine" has it
    clashes: list[Clash] = field(default_factory=list)
    their_paragraphs: list[int] = field(default_factory=list)  # 1-based, changed by theirs

    @property
    def clean(self) -> bool:
        return not self.clashes


def _chunks(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]):
    """diff3: ("same", tokens) and ("changed", base, mine, theirs) regions, in order."""
    in_mine = _matches(base, mine)
    in_theirs = _matches(base, theirs)
    i = j = k = 0
    out: list[tuple] = []
    while True:
        # The next base token both sides kept, after where we are.
        stable = next(
            (
                x
                for x in range(i, len(base))
                if x in in_mine and x in in_theirs and in_mine[x] >= j and in_theirs[x] >= k
            ),
            None,
        )
        if stable is None:
            if i < len(base) or j < len(mine) or k < len(theirs):
                out.append(("changed", list(base[i:]), list(mine[j:]), list(theirs[k:])))
            return out
        jm, kt = in_mine[stable], in_theirs[stable]
        if stable > i or jm > j or kt > k:
            out.append(("changed", list(base[i:stable]), list(mine[j:jm]), list(theirs[k:kt])))
        out.append(("same", [base[stable]]))
        i, j, k = stable + 1, jm + 1, kt + 1


def _matches(base: Sequence[str], other: Sequence[str]) -> dict[int, int]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    pairs = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs[block.a + offset] = block.b + offset
    return pairs


def _edits(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """What a side did to a region: (start, end, replacement) over the base's tokens."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _touch(a: tuple[int, int, list], b: tuple[int, int, list]) -> bool:
    """Whether two edits touch the same tokens (or insert at the same place)."""
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 < b2 and b1 < a2:
        return True  # they change the same tokens
    if a1 == a2 and b1 == b2:
        return a1 == b1  # both insert at one place
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return False


def _resolve(base: list[str], mine: list[str], theirs: list[str]) -> list[str] | None:
    """A region both changed: both sides' edits applied if they touch different tokens
    (neighbouring words), else None (a clash)."""
    ours, others = _edits(base, mine), _edits(base, theirs)
    if any(_touch(a, b) for a in ours for b in others):
        return None
    out, at = [], 0
    for start, end, replacement in sorted([*ours, *others], key=lambda e: (e[0], e[1])):
        out += base[at:start] + replacement
        at = end
    return out + base[at:]


def _merge_tokens(base, mine, theirs) -> tuple[list[str], list[tuple[str, str, str]], list[bool]]:
    """Merged tokens, the clashes (base, mine, theirs texts), and per token: theirs' change."""
    merged: list[str] = []
    clashes: list[tuple[str, str, str]] = []
    from_theirs: list[bool] = []
    for chunk in _chunks(base, mine, theirs):
        if chunk[0] == "same":
            merged += chunk[1]
            from_theirs += [False] * len(chunk[1])
            continue
        _tag, b, m, t = chunk
        if m == b:
            merged += t
            from_theirs += [True] * len(t)
        elif t == b or m == t:
            merged += m
            from_theirs += [False] * len(m)
        elif (both := _resolve(b, m, t)) is not None:
            merged += both
            from_theirs += [True] * len(both)
        else:
            clashes.append(("".join(b), "".join(m), "".join(t)))
            merged += m
            from_theirs += [False] * len(m)
    return merged, clashes, from_theirs


def merge_text(base: str, mine: str, theirs: str) -> TextMerge:
    """Merge two edits of a text against the version both started from."""
    if mine == theirs or theirs == base:
        return TextMerge(mine)
    if mine == base:
        return TextMerge(theirs, their_paragraphs=_changed_paragraphs(base, theirs))
    pieces = [_PARAGRAPHS.split(text) for text in (base, mine, theirs)]
    out: list[str] = []
    clashes: list[Clash] = []
    for chunk in _chunks(*pieces):
        if chunk[0] == "same":
            out += chunk[1]
            continue
        _tag, b, m, t = chunk
        if m == b:
            out += t
        elif t == b or m == t:
            out += m
        else:
            # Both changed these paragraphs: merge them word by word.
            words = [_WORDS.findall("".join(side)) for side in (b, m, t)]
            merged, word_clashes, _theirs = _merge_tokens(*words)
            if word_clashes:
                clashes.append(Clash("".join(b), "".join(m), "".join(t)))
                out += m
            else:
                out.append("".join(merged))
    text = "".join(out)
    _place(clashes, text)
    return TextMerge(text, clashes, _changed_paragraphs(base, theirs))


def _place(clashes: list[Clash], text: str) -> None:
    """Where each clash's passage (as mine has it) stands in the merged text."""
    at = 0
    for clash in clashes:
        found = text.find(clash.mine, at) if clash.mine else at
        clash.start = max(found, at)
        clash.end = clash.start + len(clash.mine)
        at = clash.end


def _changed_paragraphs(base: str, theirs: str) -> list[int]:
    """Which paragraphs of ``theirs`` (1-based) differ from the base: for the message."""
    old = [p for p in _PARAGRAPHS.split(base) if not _PARAGRAPHS.fullmatch(p)]
    new = [p for p in _PARAGRAPHS.split(theirs) if not _PARAGRAPHS.fullmatch(p)]
    changed = []
    for tag, _i1, _i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            changed += range(j1 + 1, j2 + 1)
    return changed


@dataclass
class RowMerge:
    """The result of merging two edits of a row: values, and the fields both changed apart."""

    values: dict[str, Any]
    clashes: list[str] = field(default_factory=list)  # field names
    their_fields: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.clashes


def merge_row(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> RowMerge:
    """Merge two edits of a row field by field; texts within a field as merge_text does.

    SDGs merge as sets: a goal either side added is in, one either side removed is out.
    """
    values: dict[str, Any] = {}
    result = RowMerge(values)
    for name in mine:
        b, m, t = base.get(name, "" if name != "sdgs" else []), mine[name], theirs.get(name)
        if name == "sdgs":
            b, m, t = set(b), set(m), set(t or [])
            values[name] = sorted((b | (m - b) | (t - b)) - (b - m) - (b - t))
            if t != b:
                result.their_fields.append(name)
            continue
        t = "" if t is None else t
        if m == t or t == b:
            values[name] = m
        elif m == b:
            values[name] = t
            result.their_fields.append(name)
        else:
            text = merge_text(str(b), str(m), str(t))
            values[name] = text.text
            if text.clean:
                result.their_fields.append(name)
            else:
                result.clashes.append(name)
    return result
