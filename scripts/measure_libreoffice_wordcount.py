#!/usr/bin/env python3
"""Measure LibreOffice Writer's word count for our test vectors and seed documents.

Why: ``submissions/wordcount.py`` (and its browser twin ``wordcount.js``) must
count words exactly as LibreOffice Writer does. The expected numbers in
``tests/data/wordcount_vectors.json`` and ``tests/data/wordcount_documents.json``
are not guesses: this script produced them, and re-running it re-measures them.

How it measures: every text is written to its own UTF-8 ``.txt`` file; one
headless ``soffice`` run converts them all to ``.odt`` with the filter option
``Text (encoded):UTF8,LF,,,`` (each line becomes a paragraph); the script then
reads ``meta:document-statistic/@meta:word-count`` from each ``meta.xml`` and
checks, by rebuilding the paragraphs from ``content.xml``, that the document
really holds the text we wrote (so a lost NBSP or soft hyphen cannot go
unnoticed). A throw-away LibreOffice profile is used, so the count follows the
default settings (Tools > Options > Writer > General > "Additional separators"
= en dash and em dash) and not whatever a user profile holds.

Requirements: LibreOffice Writer (``apt-get install -y libreoffice-writer-nogui``
on Debian; ``soffice`` on PATH or given with ``--soffice``). Standard library only.

Usage (from the repository root)::

    # compare the stored expectations with what LibreOffice says now
    python3 scripts/measure_libreoffice_wordcount.py --check

    # rewrite the "words" of every vector and the document counts in place
    python3 scripts/measure_libreoffice_wordcount.py --write

    # measure ad-hoc strings (Python escapes allowed, e.g. 'a\\u00a0b')
    python3 scripts/measure_libreoffice_wordcount.py --text 'well-known' --text 'a\\u2014b'

To add a vector, append ``{"text": ..., "words": 0, "why": ...}`` to the
vectors file and run ``--write``. Write ``--text=-x`` for a text that starts
with "-". Keep line ends LF or CRLF: with lone CRs the text import guesses CR
as the paragraph end and turns LF into a line break (reported as a changed
text). The stored numbers were measured with LibreOffice 7.4.7.2 (Debian 12).

Seed documents are read from ``seeds/documents/*.txt`` (override with
``--documents DIR``). Exit status: 0 when everything matches (or was written),
1 on a mismatch or a text that did not survive the import.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VECTORS = REPO / "tests" / "data" / "wordcount_vectors.json"
DOCUMENTS_JSON = REPO / "tests" / "data" / "wordcount_documents.json"
DOCUMENTS_DIR = REPO / "seeds" / "documents"

NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
INFILTER = "Text (encoded):UTF8,LF,,,"


def _paragraph_text(elem: ET.Element) -> str:
    """Rebuild the characters of one <text:p>/<text:h> (spaces, tabs, spans)."""
    out: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.text:
            out.append(e.text)
        for child in e:
            tag = child.tag
            if tag == f"{{{NS_TEXT}}}s":
                out.append(" " * int(child.get(f"{{{NS_TEXT}}}c", "1")))
            elif tag == f"{{{NS_TEXT}}}tab":
                out.append("\t")
            elif tag == f"{{{NS_TEXT}}}line-break":
                out.append("\n")
            elif tag in (f"{{{NS_TEXT}}}soft-page-break", f"{{{NS_TEXT}}}bookmark"):
                pass
            else:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(elem)
    return "".join(out)


def _read_odt(path: Path) -> tuple[int, list[str]]:
    """Return (word count from meta.xml, list of paragraph texts from content.xml)."""
    with zipfile.ZipFile(path) as z:
        meta = ET.fromstring(z.read("meta.xml"))
        content = ET.fromstring(z.read("content.xml"))
    stat = meta.find(f".//{{{NS_META}}}document-statistic")
    if stat is None:
        raise RuntimeError(f"{path}: no meta:document-statistic")
    words = int(stat.get(f"{{{NS_META}}}word-count", "0"))
    body = content.find(f".//{{{NS_OFFICE}}}text")
    paras = (
        [_paragraph_text(p) for p in body.iter() if p.tag in (f"{{{NS_TEXT}}}p", f"{{{NS_TEXT}}}h")]
        if body is not None
        else []
    )
    return words, paras


def _survived(text: str, paragraphs: list[str]) -> bool:
    """True when the document holds our characters in one paragraph per line.

    CRs are left out of the comparison (the import may drop one at a
    paragraph's edge, which changes no count). Anything else is reported: a
    lost NBSP, a control character turned into "#", a form feed turned into a
    paragraph end, or a text whose lone CRs made the import split paragraphs
    at CR and keep LF as a line break (it guesses the line end: keep vectors
    to LF or CRLF line ends).
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final newline does not open a new paragraph
    return [p.replace("\r", "") for p in paragraphs] == [p.replace("\r", "") for p in lines]


def _convert(files: list[Path], out: Path, profile: Path, soffice: str) -> None:
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        f"--infilter={INFILTER}",
        "--convert-to",
        "odt",
        "--outdir",
        str(out),
    ] + [str(f) for f in files]
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(texts: list[str], soffice: str = "soffice") -> list[tuple[int, bool, list[str]]]:
    """Convert all texts in as few soffice runs as possible.

    Returns, for each text, (word count, text survived the import, paragraphs).
    The word count is -1 when LibreOffice produced no document for that text.
    One soffice run converts many files (much faster than one run per file);
    if a run stops early (a crash), the rest are converted in a new run, and
    a text that stops a run twice is given up on.
    """
    work = Path(tempfile.mkdtemp(prefix="lo_wordcount_"))
    try:
        src, out, profile = work / "in", work / "out", work / "profile"
        src.mkdir()
        out.mkdir()
        files = []
        for i, text in enumerate(texts):
            f = src / f"t{i:05d}.txt"
            f.write_bytes(text.encode("utf-8"))
            files.append(f)
        odt = [out / f"{f.stem}.odt" for f in files]
        pending = list(range(len(texts)))
        failed = set()
        while pending:
            _convert([files[i] for i in pending], out, profile, soffice)
            left = [i for i in pending if not odt[i].exists()]
            if len(left) == len(pending):  # the first file stops the run: try it alone
                _convert([files[left[0]]], out, profile, soffice)
                if not odt[left[0]].exists():
                    failed.add(left[0])
                left = left[1:]
            pending = left
        results = []
        for i, text in enumerate(texts):
            if i in failed:
                results.append((-1, False, []))
                continue
            words, paras = _read_odt(odt[i])
            results.append((words, _survived(text, paras), paras))
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _escape_invisible(ch: str) -> str:
    """Write a character that cannot be seen as a JSON escape, others as they are."""
    cp = ord(ch)
    # ASCII is left alone: json.dumps already escaped its controls, and the
    # newlines it wrote for indent are part of the layout.
    invisible = cp > 0x7F and (unicodedata.category(ch)[0] in "ZC" or 0x0300 <= cp <= 0x036F)
    if not invisible:
        return ch
    if cp > 0xFFFF:  # JSON escapes astral characters as a surrogate pair
        cp -= 0x10000
        return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
    return f"\\u{cp:04x}"


def _dump_readable(data: object) -> str:
    """JSON with letters of every script as they are but invisible ones escaped.

    Why: a reviewer must see that a vector holds a NBSP, a zero-width space or
    a soft hyphen, while Arabic or Chinese text stays readable.
    """
    return "".join(_escape_invisible(ch) for ch in json.dumps(data, ensure_ascii=False, indent=2))


def _load_documents(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check", action="store_true", help="compare stored numbers with LibreOffice"
    )
    mode.add_argument(
        "--write", action="store_true", help="store LibreOffice's numbers in the JSON files"
    )
    mode.add_argument(
        "--text", action="append", help="measure this string (Python escapes allowed)"
    )
    ap.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    ap.add_argument("--vectors", type=Path, default=VECTORS)
    ap.add_argument("--documents", type=Path, default=DOCUMENTS_DIR)
    ap.add_argument("--documents-json", type=Path, default=DOCUMENTS_JSON)
    args = ap.parse_args(argv)

    if args.text:
        texts = [
            t.encode("latin-1", "backslashreplace").decode("unicode_escape") for t in args.text
        ]
        for text, (words, ok, paras) in zip(texts, measure(texts, args.soffice), strict=True):
            note = "" if ok else f"  (IMPORT CHANGED THE TEXT: {paras!r})"
            print(f"{words:6d}  {text!r}{note}")
        return 0

    vectors = json.loads(args.vectors.read_text(encoding="utf-8"))
    docs = _load_documents(args.documents) if args.documents.is_dir() else {}
    if not docs:
        print(f"warning: no seed documents in {args.documents}", file=sys.stderr)
    texts = [v["text"] for v in vectors] + list(docs.values())
    results = measure(texts, args.soffice)

    status = 0
    for v, (words, ok, paras) in zip(vectors, results[: len(vectors)], strict=True):
        if not ok:
            status = 1
            print(f"IMPORT CHANGED TEXT {v['text']!r} -> {paras!r}")
        if words != v.get("words"):
            if args.check:
                status = 1
                print(f"MISMATCH stored={v.get('words')} libreoffice={words}  {v['text']!r}")
            v["words"] = words
    doc_counts: dict[str, int] = {}
    for name, (words, ok, _paras) in zip(docs, results[len(vectors) :], strict=True):
        doc_counts[name] = words
        if not ok:
            status = 1
            print(f"IMPORT CHANGED TEXT of document {name}")
    if args.check and args.documents_json.exists():
        stored = json.loads(args.documents_json.read_text(encoding="utf-8"))
        for name, words in doc_counts.items():
            if stored.get(name) != words:
                status = 1
                print(f"MISMATCH {name}: stored={stored.get(name)} libreoffice={words}")
    if args.write:
        args.vectors.write_text(_dump_readable(vectors) + "\n", encoding="utf-8")
        if doc_counts:
            args.documents_json.write_text(
                json.dumps(doc_counts, indent=2) + "\n", encoding="utf-8"
            )
        print(f"wrote {len(vectors)} vectors and {len(doc_counts)} document counts")
    print(f"{len(vectors)} vectors, documents: {doc_counts}")
    return status


if __name__ == "__main__":
    sys.exit(main())
