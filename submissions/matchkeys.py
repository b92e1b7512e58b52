"""What a table row is matched across years by, stored with the row: its key and its acronym.

``insight.matching`` holds the rule (when two names are the same item); this module only
normalises a name, so that the models can store the result with every write of a name
(``TableRow.save`` and the rows' queryset call ``row_match_fields``) and the matching reads
it instead of normalising every row on every page.
"""

import re
import unicodedata
from functools import lru_cache

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NOT_WORD = re.compile(r"[^\w]+")
_ACRONYM = re.compile(r"\(([^()\s]{3,15})\)")

# Longest stored acronym: 15 characters in brackets, a little more once casefolded ("ß").
ACRONYM_MAX_LENGTH = 30

# Words too common to tell two names apart, never used to find candidates (``key_words``);
# words of one letter are dropped too.
STOP_WORDS = frozenset(
    {
        *("an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"),
        *("to", "with", "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "pour"),
        *("sur", "un", "une", "al", "con", "del", "el", "las", "los", "para", "por"),
    }
)
# Words are cut to this many letters to find candidates: "mechanism" and "mechanisms", "mayor"
# and "mayors" are one word then.
WORD_STEM = 5


def name_key(name: str) -> str:
    """A name normalised for matching: case, accents kept, punctuation, quotes and years dropped."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _YEAR.sub(" ", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def acronym_of(name: str) -> str:
    """The acronym a name carries in brackets, "Displaced Talent for Europe (DT4E)" -> "dt4e".

    "" when it has none: "(Phase III)" has a space, and a word in brackets needs two capitals.
    """
    found = [a for a in _ACRONYM.findall(name) if any(c.isalpha() for c in a)]
    found = [a for a in found if sum(c.isupper() for c in a) >= 2]
    return found[-1].casefold() if found else ""


def row_match_fields(name: str) -> dict[str, str]:
    """The stored matching fields of a row named ``name``: ``match_key`` and ``acronym``."""
    return {"match_key": name_key(name), "acronym": acronym_of(name)}


@lru_cache(maxsize=16384)
def key_words(key: str) -> frozenset[str]:
    """The words of a key that find candidates: stop words and single letters dropped, accents
    dropped, each cut to its first ``WORD_STEM`` letters (all of its words when none is left).

    Kept per process for the most recent keys (a row's key is short, and the library and
    compare pages take the words of the same rows at every request); a key not kept is
    simply worked out again."""
    folded = unicodedata.normalize("NFKD", key)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = folded.split()
    kept = frozenset(w[:WORD_STEM] for w in words if len(w) > 1 and w not in STOP_WORDS)
    return kept or frozenset(w[:WORD_STEM] for w in words)
