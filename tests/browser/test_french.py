"""The app in French, in Chromium: the dashboard, the editing page, the review page, the
history and the completeness page at 1280 and 390 px, for a coordinator who chose French.

On each page: no English word of the interface is left, and no button or badge is clipped
(French runs about 20 % longer). Screenshots go to test-artifacts/french-<page>-<width>.png.

"English of the interface" is read from the catalogue itself: every short marked string whose
French differs, less those that also occur in the questionnaire's own text, the seeded
answers or people's names (they stay as written, in English).
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.utils import timezone

from accounts.models import Organization, Role
from accounts.services import preference_set_language
from submissions.collaboration import assignment_set
from submissions.models import Submission
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_member

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _content_corpus() -> str:
    """The questionnaire's own text and the seeded answers: English that stays."""
    parts = [p.read_text() for p in (ROOT / "seeds" / "questionnaires").glob("*.json")]
    parts += [p.read_text() for p in (ROOT / "seeds" / "documents").glob("*.txt")]
    # JSON escapes non-ASCII; read the values as text too.
    for path in (ROOT / "seeds" / "questionnaires").glob("*.json"):
        parts.append(json.dumps(json.loads(path.read_text()), ensure_ascii=False))
    return "\n".join(parts).lower()


def english_interface_phrases(extra_content: str = "") -> list[str]:
    """Short English strings of the interface that must not show on a French page."""
    corpus = _content_corpus() + extra_content.lower()
    phrases = set()
    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po")):
            for english in (entry.msgid, entry.msgid_plural):
                if not english or "%" in english or "{" in english:
                    continue
                text = english.strip(" .:…")
                french = entry.msgstr or entry.msgstr_plural.get(0, "")
                if not re.search(r"[A-Za-z]{3}", text) or len(text.split()) > 4:
                    continue
                if text.lower() in french.lower():
                    continue  # the same in both languages ("Questions", "PDF", "Total")
                if re.search(rf"\b{re.escape(text.lower())}\b", corpus):
                    continue  # also the questionnaire's or the answers' word
                phrases.add(text)
    return sorted(phrases)


def english_left(text: str, phrases: list[str]) -> list[str]:
    found = [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)]
    # What the live counters and badges write.
    found += re.findall(r"\b\d+ / \d+ words\b|\b\d+ words?,", text)
    return found


def test_the_english_check_finds_english(db):
    phrases = english_interface_phrases()
    assert {"Save", "Overdue", "Send for review", "Log out", "Completeness"} <= set(phrases)
    assert english_left("Enregistrer · Save · 12 / 200 words", phrases) == [
        "Save",
        "12 / 200 words",
    ]
    assert english_left("Enregistrer · En retard · 12 / 200 mots", phrases) == []


# Buttons and badges whose text overflows their box, or whose box leaves the screen.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('.btn, .badge, .nav-link, .navbar a, label.btn')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .d-none, [hidden], details:not([open]) > :not(summary)')) continue;
    if (el.closest('.table-responsive, .overflow-auto')) continue;  // scrolls in its own box
    const clipped = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2;
    const off = box.right > width + 1 || box.left < -1;
    if (clipped || off) out.push((el.innerText || el.value || '').trim().slice(0, 60) +
      (clipped ? ' [clipped]' : ' [off screen]'));
  }
  // The SDG chart: each goal's title ends before the bars start.
  for (const svg of document.querySelectorAll('svg.sdg-chart')) {
    const axis = svg.querySelector('line');
    if (!axis) continue;
    const barX = Number(axis.getAttribute('x1'));
    for (const t of svg.querySelectorAll('text[x="33"]')) {
      const b = t.getBBox();
      if (b.x + b.width > barX) out.push(t.textContent.slice(0, 60) + ' [over the bars]');
    }
  }
  return out;
}"""


@pytest.fixture
def french_site(db):
    """IOM's seeded submissions, a coordinator who chose French, a contributor holding two
    questions of 2024 (one overdue), a comment to read."""
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    coordinator = make_member(iom, Role.COORDINATOR, "amelie")
    coordinator.first_name, coordinator.last_name = "Amélie", "Dupont"
    coordinator.save()
    preference_set_language(user=coordinator, language="fr")
    writer = make_member(iom, Role.CONTRIBUTOR, "writer")
    writer.first_name, writer.last_name = "Maria Fernanda", "Castellanos-Rodríguez"
    writer.save()
    submission = Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")
    today = timezone.localdate()
    questions = submission.questionnaire.questions
    table_question = (
        questions.filter(table="initiatives").first() or questions.exclude(table="").first()
    )
    from django.utils import translation

    # The coordinator assigns in French (the timeline keeps what was written, in its language).
    with translation.override("fr"):
        for number, due in [("2", today + timedelta(days=14)), (table_question.number, today)]:
            assignment_set(
                submission=submission,
                question=questions.get(number=number),
                assignee=writer,
                due_date=due,
                user=coordinator,
            )
    return coordinator, writer, submission, table_question


PAGES = {
    "dashboard": lambda s, q: "/",
    "overview": lambda s, q: f"/submissions/{s.pk}/",
    "editing": lambda s, q: f"/submissions/{s.pk}/questions/{q.number}/",
    "review": lambda s, q: f"/submissions/{s.pk}/review/",
    "history": lambda s, q: f"/submissions/{s.pk}/questions/2/history/",
    "completeness": lambda s, q: f"/submissions/{s.pk}/completeness/",
}


@pytest.mark.parametrize("width", [1280, 390])
def test_french_pages_hold_no_english_and_nothing_clipped(browser, live_server, french_site, width):
    coordinator, writer, submission, table_question = french_site
    people = " ".join(
        [coordinator.get_full_name(), writer.get_full_name(), submission.organization.name]
        + [submission.questionnaire.title]
    )
    phrases = english_interface_phrases(people)
    # A French browser (its date picker writes jj/mm/aaaa), logging in on the French page.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Nom d’utilisateur").fill(coordinator.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    problems = {}
    for name, path in PAGES.items():
        page.goto(live_server.url + path(submission, table_question))
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "fr"
        if name == "editing":  # a row open: its fields, the SDG picker, its counter
            page.locator(".row-form summary").first.click()
        screenshot(page, f"french-{name}-{width}")
        # Timeline details are stored as written when the event happened, in the language of
        # whoever caused it (here the seeds' import, in English): a known limit (README).
        text = page.evaluate(
            """() => { const copy = document.body.cloneNode(true);
                copy.querySelectorAll('.timeline-detail').forEach(e => e.remove());
                document.body.after(copy); const t = copy.innerText; copy.remove(); return t; }"""
        )
        left = english_left(text, phrases)
        clipped = page.evaluate(CLIPPED)
        wide = page.evaluate("document.documentElement.scrollWidth") > width
        if left or clipped or wide:
            problems[name] = {"english": left, "clipped": clipped, "wider than the screen": wide}
    page.wait_for_load_state("networkidle")
    context.close()
    assert problems == {}
