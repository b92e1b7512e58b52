"""One way of writing each kind of date: pages, mails and documents name the language's
formats (config/formats/<language>/formats.py) instead of spelling a pattern out."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT"}
# For machines, not people: <time datetime="...">, a PDF's creation date.
MACHINE = {"Y-m-d", "c"}


def _date_patterns(text: str) -> list[str]:
    found = re.findall(r"\|date:[\"']([^\"']*)[\"']", text)
    found += re.findall(r"\|time:[\"']([^\"']*)[\"']", text)
    found += re.findall(r"(?:date_format|time_format)\([^,()]+,\s*[\"']([^\"']*)[\"']", text)
    return found


def test_dates_are_written_with_the_named_formats_only():
    problems = []
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt")]
    for package in ("accounts", "submissions", "config"):
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    for path in files:
        for pattern in _date_patterns(path.read_text()):
            if pattern not in NAMED | MACHINE:
                problems.append(f"{path.relative_to(ROOT)}: {pattern!r}")
    assert problems == []


def test_the_check_finds_a_spelled_out_pattern():
    assert _date_patterns('{{ when|date:"j M Y H:i" }} {{ d|date:"DATE_FORMAT" }}') == [
        "j M Y H:i",
        "DATE_FORMAT",
    ]
    assert _date_patterns('formats.time_format(now, "H:i")') == ["H:i"]
