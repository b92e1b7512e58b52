"""The catalogues are kept complete: every marked string has its translation, no template
holds visible text that is not marked, and the compiled .mo files match their .po files.

How each check fails is shown here too: a new marked string without a translation
(``test_a_new_marked_string_without_translation_is_reported``) and a new template with
unmarked text (``test_the_scanner_reports_unmarked_text``).

To refresh the catalogues after changing strings: ``make messages``, translate what it added
(every empty or "fuzzy" entry of ``locale/<language>/LC_MESSAGES/*.po``), ``make messages``
again to compile, and commit the .po and .mo files (see the README's "Languages").
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

from tests.conftest import require_program

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
# What makemessages reads: the apps, the settings and the project's templates (as `make messages`).
SOURCES = ("accounts", "submissions", "config", "templates", "manage.py")
IGNORE = ["staticfiles", "tests", "benchmarks", "scripts", "docs", "seeds", ".venv"]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalogue(language: str, domain: str, root: Path = ROOT) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def untranslated(catalogue: polib.POFile) -> list[str]:
    """Entries with an empty translation (any plural form), marked fuzzy, or obsolete."""
    problems = []
    for entry in catalogue:
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy (check and clear the flag): {entry.msgid!r}")
        elif not all(form.strip() for form in forms):
            problems.append(f"no translation: {entry.msgid!r}")
    problems += [f"obsolete: {entry.msgid!r}" for entry in catalogue.obsolete_entries()]
    return problems


def extract(project: Path, languages: list[str]) -> None:
    """Run makemessages, as `make messages` does, in `project` (a copy of the sources)."""
    require_program("xgettext")
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    ignore = [arg for name in IGNORE for arg in ("-i", name)]
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "--no-obsolete"]
            + ["--add-location", "file"]
            + [arg for code in languages for arg in ("-l", code)]
            + ignore,
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
        )


def copy_project(destination: Path, source: Path = ROOT) -> Path:
    """The sources makemessages reads and the catalogues, copied to a folder of their own."""
    for name in (*SOURCES, "locale"):
        path = source / name
        if path.is_dir():
            shutil.copytree(path, destination / name, ignore=shutil.ignore_patterns("*.pyc"))
        elif path.exists():
            shutil.copy2(path, destination / name)
    return destination


def catalogue_problems(project: Path, languages: list[str]) -> list[str]:
    """What is wrong with `project`'s catalogues: strings in the sources that are missing from
    them (or left there after the sources dropped them), and entries without a translation.

    makemessages runs in a copy, so the project's own files are never touched.
    """
    with tempfile.TemporaryDirectory() as folder:
        fresh = copy_project(Path(folder), project)
        extract(fresh, languages)
        found_catalogues = {
            (language, domain): _catalogue(language, domain, fresh)
            for language in languages
            for domain in DOMAINS
        }
    problems = []
    for language in languages:
        for domain in DOMAINS:
            kept = _catalogue(language, domain, project)
            found = found_catalogues[language, domain]
            kept_keys = {_key(e) for e in kept}
            found_keys = {_key(e) for e in found}
            where = f"{language}/{domain}.po"
            problems += [
                f"{where}: not in the catalogue (run make messages): {k[1]!r}"
                for k in sorted(found_keys - kept_keys, key=str)
            ]
            problems += [
                f"{where}: no longer in the sources (run make messages): {k[1]!r}"
                for k in sorted(kept_keys - found_keys, key=str)
            ]
            problems += [f"{where}: {p}" for p in untranslated(kept)]
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_has_a_translation_and_the_catalogue_follows_the_sources(
    tmp_path, language
):
    assert catalogue_problems(ROOT, [language]) == []


def test_a_new_marked_string_without_translation_is_reported(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "templates" / "new_page.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody has translated yet" %}</p>'
    )
    problems = catalogue_problems(project, ["fr"])
    assert problems == [
        "fr/django.po: not in the catalogue (run make messages): "
        "'A sentence nobody has translated yet'"
    ]
    # Once makemessages has added it, the empty translation is what fails.
    extract(project, ["fr"])
    assert "fr/django.po: no translation: 'A sentence nobody has translated yet'" in (
        catalogue_problems(project, ["fr"])
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_matches_its_po_file(language, domain):
    """The .mo files are kept in git (no gettext needed to install): each must say what its
    .po says. After editing a .po, `make messages` compiles it."""
    po = _catalogue(language, domain)
    mo_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run make messages"
    compiled = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(mo_path))}
    expected = {
        _key(e): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
        for e in po.translated_entries()
    }
    compiled.pop((None, "", None), None)  # the header
    stale = [k[1] for k in expected if compiled.get(k) != expected[k]]
    extra = [k[1] for k in compiled if k not in expected]
    assert (stale, extra) == ([], []), "the .mo is stale: run make messages"


def test_french_catalogue_header_and_typography():
    """French plural forms (0 and 1 take the singular), and French typography: a non-breaking
    space before : ; ? ! and inside « », the typographic apostrophe."""
    for domain in DOMAINS:
        catalogue = _catalogue("fr", domain)
        assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
        assert catalogue.metadata["Language"] == "fr"
        for entry in catalogue:
            for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
                assert not re.search(r"[ \t][:;?!»]", text), (entry.msgid, text)
                assert "« " not in text, (entry.msgid, text)
                assert "'" not in text, (entry.msgid, text)


# --- Templates: visible text must be marked -------------------------------------------------

# Attributes whose value people read (or hear from a screen reader).
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
LETTER = re.compile(r"[^\W\d_]")
# Text that is the same in every language: names of formats and a product.
NOT_WORDS = {"DOCX", "PDF", "CSV", "XLSX", "JSON", "TXT", "Word", "Excel", "OK", "Ctrl+S"}
# Class names written between tags (a block that fills a class attribute): "app-", "copy-as-x".
CSS_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]*)+$")
# A placeholder for what the template fills in (a variable, a tag, translated text).
FILLED = "\ue000"


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        for piece in text.split(FILLED):
            words = [w for w in re.split(r"\s+", piece.strip()) if w]
            words = [
                w for w in words if w.strip(".,:;()[]") not in NOT_WORDS and not CSS_NAME.match(w)
            ]
            if any(LETTER.search(w) for w in words):
                self.found.append(" ".join(words))


def _skeleton(source: str) -> str:
    """The template with what it fills in replaced by a placeholder: variables, tags, the
    text of {% blocktranslate %} and comments; what is left is written as it stands."""
    out = []
    inside: str | None = None  # the tag that closes the block being skipped
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if inside:
                if name == inside:
                    inside = None
                continue
            if name in ("blocktranslate", "blocktrans") or name in ("comment", "verbatim"):
                inside = "end" + name
            out.append(FILLED)
        elif token.token_type == TokenType.TEXT and not inside:
            out.append(token.contents)
        elif not inside:
            out.append(FILLED)
    return "".join(out)


def unmarked_text(source: str, *, html: bool = True) -> list[str]:
    """Visible text a template writes as it stands, instead of through the translation tags."""
    skeleton = _skeleton(source)
    if not html:
        parser = _VisibleText()
        parser._check(skeleton)
        return parser.found
    parser = _VisibleText()
    parser.feed(skeleton)
    parser.close()
    return parser.found


def _templates():
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt", ".svg"):
            yield path


# Templates whose words are not the interface's: the text export writes the questionnaire's
# own labels as UN DESA's form prints them (in English, whatever the reader's language).
QUESTIONNAIRE_TEXT = {"templates/submissions/exports/submission.txt"}


def test_no_template_holds_unmarked_text():
    problems = {}
    for path in _templates():
        name = str(path.relative_to(ROOT))
        if name in QUESTIONNAIRE_TEXT:
            continue
        found = unmarked_text(path.read_text(), html=path.suffix != ".txt")
        if found:
            problems[name] = found
    assert problems == {}


def test_the_scanner_reports_unmarked_text():
    assert unmarked_text("<p>Hello world</p>") == ["Hello world"]
    assert unmarked_text('<button title="Close it">{% translate "Close" %}</button>') == [
        "Close it"
    ]
    assert unmarked_text("{% load i18n %}<p>{% translate 'Marked' %} · {{ count }} —</p>") == []
    assert (
        unmarked_text("{% blocktranslate %}All {{ n }} here{% endblocktranslate %} <b>(PDF)</b>")
        == []
    )
    assert unmarked_text("<script>var x = 'code';</script>{# a note #}") == []
    assert unmarked_text("Due: {{ due }}\n", html=False) == ["Due:"]
    # A new template with unmarked text makes the real check fail.
    assert unmarked_text('{% extends "base.html" %}{% block content %}Oops{% endblock %}') == [
        "Oops"
    ]
