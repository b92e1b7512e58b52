"""A contributor writes in a real browser: counter, limit warning, rows, autosave, conflicts."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from submissions.models import Answer, Initiative, Question
from submissions.wordcount import count_words
from tests.browser.conftest import screenshot
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

VECTORS = Path(__file__).resolve().parents[1] / "data" / "wordcount_vectors.json"
WORDCOUNT_JS = (
    Path(__file__).resolve().parents[2] / "submissions/static/submissions/js/wordcount.js"
)


@pytest.fixture
def initiatives_question(questionnaire):
    return Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=7,
        prompt="Initiatives and partnerships?",
        word_limit=200,
        table="initiatives",
        row_description_word_limit=150,
    )


def edit_url(live_server, submission, number):
    return f"{live_server.url}/submissions/{submission.pk}/questions/{number}/"


def test_browser_counter_equals_server_counter_on_shared_vectors(browser):
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    page = browser.new_page()
    page.set_content("<!doctype html><title>counter</title>")
    page.add_script_tag(path=str(WORDCOUNT_JS))
    texts = [v["text"] for v in vectors]
    browser_counts = page.evaluate("texts => texts.map(t => window.countWords(t))", texts)
    page.close()
    expected = [v["words"] for v in vectors]
    assert [count_words(t) for t in texts] == expected
    mismatches = [
        (t, b, e) for t, b, e in zip(texts, browser_counts, expected, strict=True) if b != e
    ]
    assert mismatches == []


def test_contributor_writes_answer_crosses_limit_adds_initiative_and_finds_it_saved(
    new_page, live_server, submission, contributor, initiatives_question, sdgs
):
    page = new_page(contributor)
    screenshot(page, "dashboard")
    page.goto(edit_url(live_server, submission, "1"))
    box = page.get_by_label("Answer")
    box.fill("Migration “drives” development\u00a0today")
    counter = page.locator("[data-counter-for='id_answer-main-text']")
    expect(counter).to_have_text("4 / 200 words")
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    assert Answer.objects.get(question__number="1").text.startswith("Migration")

    box.fill(" ".join(["word"] * 203))
    expect(counter).to_contain_text("203 / 200 words")
    expect(counter).to_contain_text("3 over the limit")
    expect(counter).to_have_class(re.compile("text-danger"))
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    screenshot(page, "editing-over-limit")

    page.goto(edit_url(live_server, submission, "7"))
    page.get_by_role("button", name="+ Add a row").click()
    row = page.locator(".row-form").first
    row.get_by_label("Initiative/partnership name").fill("UN Network on Migration")
    row.get_by_label("Partners", exact=True).fill("UNHCR, UNDP")
    row.locator("label.sdg-10").click()
    row.locator("label.sdg-17").click()
    row.get_by_label("Description").fill("Coordinates UN system support on migration.")
    expect(row.locator("[data-counter-for$='description']")).to_have_text("6 / 150 words")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    screenshot(page, "editing-table")

    page.reload()
    row = page.locator(".row-form").first
    # A saved row shows as a summary line; opening it shows its fields.
    expect(row.locator("summary")).to_contain_text("UN Network on Migration")
    expect(row.locator("summary .sdg-chip")).to_have_text(["10", "17"])
    expect(row.locator("summary")).to_contain_text("6 / 150 words")
    row.locator("summary").click()
    expect(row.get_by_label("Initiative/partnership name")).to_have_value("UN Network on Migration")
    expect(row.locator(".sdg-picker input[value='10']")).to_be_checked()
    expect(row.locator(".sdg-picker input[value='17']")).to_be_checked()
    expect(row.locator(".sdg-picker input[value='1']")).not_to_be_checked()
    initiative = Initiative.objects.get()
    assert sorted(initiative.sdgs.values_list("number", flat=True)) == [10, 17]
    assert initiative.partners == "UNHCR, UNDP"
    # The browser keyed the row it added: a retried save would find it, not add it twice.
    assert len(initiative.client_key) == 36

    page.goto(edit_url(live_server, submission, "1"))
    expect(page.get_by_label("Answer")).to_have_value(" ".join(["word"] * 203))
    expect(page.locator(".toc")).to_contain_text("Over the limit")


def test_all_17_toggle_move_and_remove_with_undo(
    new_page, live_server, submission, contributor, initiatives_question, sdgs
):
    for position, name in enumerate(["First", "Second"]):
        Initiative.objects.create(
            submission=submission, question=initiatives_question, name=name, position=position
        )
    page = new_page(contributor)
    page.goto(edit_url(live_server, submission, "7"))
    first = page.locator(".row-form").nth(0)
    first.locator("summary").click()
    first.get_by_role("button", name="All 17").click()
    expect(first.locator(".sdg-picker input:checked")).to_have_count(17)
    page.locator(".row-form").nth(1).locator("summary").click()  # one row open at a time
    expect(first.get_by_role("button", name="All 17")).to_be_hidden()
    page.locator(".row-form").nth(1).get_by_role("button", name="Move row up").click()
    expect(page.locator(".row-form").nth(0).locator(".js-row-title")).to_have_text("Second")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert list(Initiative.objects.order_by("position").values_list("name", flat=True)) == [
        "Second",
        "First",
    ]
    assert Initiative.objects.get(name="First").sdgs.count() == 17

    second_row = page.locator(".row-form").nth(0)
    second_row.get_by_role("button", name="Remove").click()
    expect(second_row).to_contain_text("will be removed when you press Save")
    second_row.get_by_role("button", name="Undo").click()
    expect(second_row.get_by_label("Initiative/partnership name")).to_be_visible()
    second_row.get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Saved.")
    assert list(Initiative.objects.values_list("name", flat=True)) == ["First"]


def test_two_people_edit_the_same_answer_and_the_second_chooses(
    new_page, live_server, submission, organization
):
    alice = make_member(organization, "contributor", "alice")
    bob = make_member(organization, "contributor", "bob")
    Answer.objects.create(
        submission=submission,
        question=submission.questionnaire.questions.get(number="1"),
        text="Shared start.",
    )
    alice_page, bob_page = new_page(alice), new_page(bob)
    url = edit_url(live_server, submission, "1")
    alice_page.goto(url)
    bob_page.goto(url)

    alice_page.get_by_label("Answer").fill("Alice's version.")
    expect(alice_page.locator("#save-status")).to_contain_text("Saved at")

    bob_page.get_by_label("Answer").fill("Bob's version.")
    panel = bob_page.locator(".conflict-panel")
    expect(panel).to_contain_text("alice saved a newer version")
    # A word diff of the two texts: Alice's word struck through, Bob's underlined.
    expect(panel.locator("del")).to_contain_text("Alice's")
    expect(panel.locator("ins")).to_contain_text("Bob's")
    expect(bob_page.locator("#save-status")).to_contain_text("not saved")
    screenshot(bob_page, "conflict")
    assert Answer.objects.get().text == "Alice's version."

    bob_page.get_by_role("button", name="Keep mine").click()
    expect(bob_page.locator("#save-status")).to_contain_text("Saved at")
    assert Answer.objects.get().text == "Bob's version."


def test_failed_save_keeps_the_text_and_offers_it_back(
    new_page, live_server, submission, contributor
):
    page = new_page(contributor)
    url = edit_url(live_server, submission, "1")
    page.goto(url)

    def refuse_saves(route):
        if route.request.method == "POST":
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route(re.compile(r".*/questions/1/$"), refuse_saves)
    page.get_by_label("Answer").fill("Written while the server was away.")
    expect(page.locator("#save-status")).to_contain_text("server cannot be reached")
    assert not Answer.objects.exists()
    screenshot(page, "save-failed")

    page.reload()
    banner = page.locator("#local-copy")
    expect(banner).to_be_visible()
    page.unroute(re.compile(r".*/questions/1/$"))
    banner.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.get_by_label("Answer")).to_have_value("Written while the server was away.")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert Answer.objects.get().text == "Written while the server was away."


def test_phone_width_and_keyboard_only(new_page, live_server, submission, contributor):
    page = new_page(contributor, width=390, height=844)
    page.goto(edit_url(live_server, submission, "1"))
    page.get_by_label("Answer").focus()
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")  # leaving the field saves at once
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways at phone width"
    screenshot(page, "editing-phone")
