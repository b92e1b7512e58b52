"""The word counter gives LibreOffice Writer's counts, on the server and in the browser.

Every expected number in tests/data/ was measured in LibreOffice Writer with
scripts/measure_libreoffice_wordcount.py (re-run it with --check after any change
to the rule). Plain test functions: no database, no Django settings needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from submissions import wordcount
from submissions.wordcount import count_words

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
REPO = HERE.parent.parent
DOCUMENTS = REPO / "seeds" / "documents"
WORDCOUNT_JS = REPO / "submissions" / "static" / "submissions" / "js" / "wordcount.js"

VECTORS = json.loads((DATA / "wordcount_vectors.json").read_text(encoding="utf-8"))
DOCUMENT_COUNTS = json.loads((DATA / "wordcount_documents.json").read_text(encoding="utf-8"))


def _vector_id(index: int, vector: dict) -> str:
    return f"{index:02d}-{vector['why']}"


@pytest.mark.parametrize(
    ("text", "words"),
    [(v["text"], v["words"]) for v in VECTORS],
    ids=[_vector_id(i, v) for i, v in enumerate(VECTORS)],
)
def test_counts_like_libreoffice(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.parametrize("name", sorted(DOCUMENT_COUNTS))
def test_whole_seed_document_counts_like_libreoffice(name: str) -> None:
    text = (DOCUMENTS / name).read_text(encoding="utf-8")
    assert count_words(text) == DOCUMENT_COUNTS[name]


def test_every_seed_document_has_a_measured_count() -> None:
    assert sorted(p.name for p in DOCUMENTS.glob("*.txt")) == sorted(DOCUMENT_COUNTS)
    assert len(DOCUMENT_COUNTS) == 5


def test_vectors_file_is_complete() -> None:
    assert len(VECTORS) >= 40
    for vector in VECTORS:
        assert set(vector) == {"text", "words", "why"}
        assert isinstance(vector["text"], str) and vector["why"]
        assert isinstance(vector["words"], int) and vector["words"] >= 0


def test_none_and_empty_count_zero() -> None:
    assert count_words(None) == 0
    assert count_words("") == 0


def _js_tables(source: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """The shared tables as wordcount.js writes them: var NAME_TABLE = [[0x..., 0x...], ...];"""
    tables = {}
    for name, body in re.findall(r"var (\w+)_TABLE = \[(.*?)\];", source, re.S):
        pairs = re.findall(r"\[0x([0-9A-Fa-f]+), 0x([0-9A-Fa-f]+)\]", body)
        tables[name] = tuple((int(a, 16), int(b, 16)) for a, b in pairs)
    return tables


def test_javascript_twin_has_the_same_tables_classes_and_order() -> None:
    """wordcount.js must keep the same rule: same tables, class numbers and lookup order."""
    source = WORDCOUNT_JS.read_text(encoding="utf-8")
    py_classes = {
        name: value
        for name, value in vars(wordcount).items()
        if re.fullmatch(r"[A-Z]+", name) and isinstance(value, int)
    }
    js_classes = {name: int(value) for name, value in re.findall(r"var ([A-Z]+) = (\d+);", source)}
    assert js_classes == py_classes

    names = {value: name for name, value in py_classes.items()}
    py_tables = {names[cls]: table for cls, table in wordcount.CLASS_TABLES}
    assert _js_tables(source) == py_tables

    order = re.search(r"var CLASS_TABLES = \[(.*?)\];", source, re.S).group(1)
    js_order = re.findall(r"\[(\w+), \1_TABLE\]", order)
    assert js_order == [names[cls] for cls, _table in wordcount.CLASS_TABLES]
