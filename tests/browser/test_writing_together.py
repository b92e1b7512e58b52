"""Two people on one question, in two real browsers: merges, the conflict screen, presence,
and a table of ten rows as a compact list one can edit with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from submissions.changes import answer_save
from submissions.models import Answer, Initiative, Question
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "IOM co-leads the UN Network on Migration with its 39 members."
SECOND = "The Network supported 48 countries in reviewing the Global Compact."
THIRD = "Regional reviews took place in every region in 2024."
HEARTBEAT_S = 15


def person(organization, username, first_name):
    user = make_member(organization, Role.CONTRIBUTOR, username)
    user.first_name = first_name
    user.save()
    return user


@pytest.fixture
def people(organization):
    return person(organization, "ana", "Ana"), person(organization, "ben", "Ben")


@pytest.fixture
def coherence(questionnaire, submission, people):
    """Question 6 with three paragraphs Ana wrote."""
    question = Question.objects.create(
        questionnaire=questionnaire, number="6", position=6, prompt="Coherence?", word_limit=300
    )
    answer_save(
        submission=submission,
        question=question,
        part=None,
        text="\n\n".join([FIRST, SECOND, THIRD]),
        base_version=0,
        user=people[0],
        key="answer-main",
    )
    return question


@pytest.fixture
def ten_initiatives(questionnaire, submission, sdgs):
    question = Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=7,
        prompt="Initiatives and partnerships?",
        word_limit=200,
        table="initiatives",
        row_description_word_limit=150,
    )
    for position in range(1, 11):
        row = Initiative.objects.create(
            submission=submission,
            question=question,
            position=position,
            name=f"Initiative {position}",
            partners="UNHCR, UNDP, UNICEF",
            description=" ".join(["Support to migrants and host communities."] * 12),
            website="https://www.iom.int/",
        )
        row.sdgs.set([1, 5, 10, 16, 17])
    return question


def edit_url(live_server, submission, number):
    return f"{live_server.url}/submissions/{submission.pk}/questions/{number}/"


def saved_text(submission, number):
    return Answer.objects.get(submission=submission, question__number=number, part=None).text


def test_two_people_changing_different_paragraphs_are_merged_and_told(
    new_page, live_server, submission, people, coherence
):
    ana_page, ben_page = new_page(people[0]), new_page(people[1])
    for page in (ana_page, ben_page):
        page.goto(edit_url(live_server, submission, "6"))
    ana_page.get_by_label("Answer").fill("\n\n".join([FIRST.replace("39", "forty"), SECOND, THIRD]))
    expect(ana_page.locator("#save-status")).to_contain_text("Saved at")
    # Ben's page still holds the version both started from: he changes the last paragraph.
    ben_page.get_by_label("Answer").fill(
        "\n\n".join([FIRST, SECOND, THIRD + " Two more are planned."])
    )
    expect(ben_page.locator("#save-status")).to_contain_text("merged with a colleague's change")
    expect(ben_page.locator(".answer .conflict-panel")).to_contain_text(
        "Merged with Ana's change to paragraph 1."
    )
    merged = "\n\n".join([FIRST.replace("39", "forty"), SECOND, THIRD + " Two more are planned."])
    # Ben typed nothing since: his box shows the merged text, and it is what was saved.
    expect(ben_page.get_by_label("Answer")).to_have_value(merged)
    assert saved_text(submission, "6") == merged
    screenshot(ben_page, "together-merged")
    assert blocking_violations(ben_page) == []


def test_overlapping_changes_show_a_word_diff_scrolled_to_the_difference(
    new_page, live_server, submission, people, coherence
):
    ana_page, ben_page = new_page(people[0]), new_page(people[1])
    for page in (ana_page, ben_page):
        page.goto(edit_url(live_server, submission, "6"))
    ana_text = "\n\n".join([FIRST, SECOND, THIRD.replace("every region", "four regions")])
    ana_page.get_by_label("Answer").fill(ana_text)
    expect(ana_page.locator("#save-status")).to_contain_text("Saved at")
    ben_text = "\n\n".join([FIRST, SECOND, THIRD.replace("every region", "all five regions")])
    ben_page.get_by_label("Answer").fill(ben_text)

    panel = ben_page.locator(".answer .conflict-panel")
    expect(panel).to_contain_text("Ana")
    expect(panel.locator("del")).to_contain_text(["four"])
    expect(panel.locator("ins").first).to_contain_text("all")
    # The first difference is in view inside the diff (the text before it is long).
    first_change = panel.locator("del, ins").first
    expect(first_change).to_be_in_viewport()
    screenshot(ben_page, "together-conflict")
    ben_page.locator(".answer").first.screenshot(path=str(ARTIFACTS / "together-conflict-box.png"))
    assert blocking_violations(ben_page) == []
    # Nothing is overwritten unseen: Ana's text stays saved while Ben decides.
    assert saved_text(submission, "6") == ana_text

    # The clashing passage is listed with both versions.
    expect(panel.locator("li mark")).to_contain_text("all five regions")
    expect(panel.locator("li")).to_contain_text("four regions")

    panel.get_by_role("button", name="Edit the merged text").click()
    box = ben_page.get_by_label("Answer")
    expect(box).to_be_focused()
    # The merged text holds Ben's passage at the clash, selected for him to rework.
    selected = box.evaluate("b => b.value.slice(b.selectionStart, b.selectionEnd)")
    assert "all five regions" in selected
    box.fill(ana_text.replace("four regions", "four of the five regions"))
    expect(ben_page.locator("#save-status")).to_contain_text("Saved at")
    assert "four of the five regions" in saved_text(submission, "6")


def test_use_theirs_takes_the_colleagues_text_and_keep_mine_saves_yours(
    new_page, live_server, submission, people, coherence
):
    ana_page, ben_page = new_page(people[0]), new_page(people[1])
    for page in (ana_page, ben_page):
        page.goto(edit_url(live_server, submission, "6"))
    ana_text = "\n\n".join([FIRST, SECOND, "Reviews took place in four regions."])
    ana_page.get_by_label("Answer").fill(ana_text)
    expect(ana_page.locator("#save-status")).to_contain_text("Saved at")
    ben_page.get_by_label("Answer").fill("\n\n".join([FIRST, SECOND, "Reviews were held."]))
    panel = ben_page.locator(".answer .conflict-panel")
    panel.get_by_role("button", name="Use theirs").click()
    expect(ben_page.get_by_label("Answer")).to_have_value(ana_text)
    expect(ben_page.locator("#save-status")).to_contain_text("Saved at")
    assert saved_text(submission, "6") == ana_text

    ana_page.get_by_label("Answer").fill("\n\n".join([FIRST, SECOND, "Ana's last word."]))
    expect(ana_page.locator("#save-status")).to_contain_text("Saved at")
    ben_page.get_by_label("Answer").fill("\n\n".join([FIRST, SECOND, "Ben's last word."]))
    panel.get_by_role("button", name="Keep mine").click()
    expect(ben_page.locator("#save-status")).to_contain_text("Saved at")
    assert saved_text(submission, "6").endswith("Ben's last word.")


def test_a_colleague_on_the_same_question_appears_within_one_heartbeat(
    new_page, live_server, submission, people, coherence, ten_initiatives
):
    ana_page = new_page(people[0])
    ana_page.goto(edit_url(live_server, submission, "6"))
    ben_page = new_page(people[1])
    ben_page.goto(edit_url(live_server, submission, "6"))
    ben_page.get_by_label("Answer").press("Control+End")
    ben_page.get_by_label("Answer").type(" More.")
    # Ben's first beat says he is here; Ana's next beat (at most one interval away) shows it.
    badge = ana_page.locator("#presence")
    expect(badge).to_contain_text("Ben", timeout=(HEARTBEAT_S + 3) * 1000)
    expect(ana_page.locator("#toc li[data-question='6'] .js-toc-presence")).to_contain_text("Ben")
    screenshot(ana_page, "together-presence")
    assert blocking_violations(ana_page) == []
    # Ben's saved text reached Ana's untouched box in place, without a reload.
    expect(ben_page.locator("#save-status")).to_contain_text("Saved at")
    expect(ana_page.get_by_label("Answer")).to_have_value(
        re.compile(r"More\.$"), timeout=(HEARTBEAT_S + 3) * 1000
    )
    expect(ana_page.locator(".answer .conflict-panel")).to_contain_text(
        "Ben saved a new version: it is shown here."
    )
    # Ben goes to question 7: Ana's table of contents shows him there.
    ben_page.goto(edit_url(live_server, submission, "7"))
    expect(ana_page.locator("#toc li[data-question='7'] .js-toc-presence")).to_contain_text(
        "Ben", timeout=(HEARTBEAT_S + 3) * 1000
    )
    expect(ana_page.locator("#presence")).not_to_contain_text("Ben")


def test_ten_rows_closed_fit_in_two_screens_at_desktop_width(
    new_page, live_server, submission, people, ten_initiatives
):
    page = new_page(people[0], width=1280, height=800)
    page.goto(edit_url(live_server, submission, "7"))
    summaries = page.locator(".row-summary")
    expect(summaries).to_have_count(10)
    expect(page.locator(".js-row-details[open]")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2 * 800, f"the page is {height} px tall"
    first = summaries.first
    expect(first).to_contain_text("Initiative 1")
    expect(first.locator(".sdg-chip")).to_have_text(["1", "5", "10", "16", "17"])
    expect(first).to_contain_text("72 / 150 words")
    screenshot(page, "together-ten-rows")
    assert blocking_violations(page) == []
    summaries.nth(1).click()
    expect(page.locator(".js-row-details[open]")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "together-row-open-screen.png"))  # what one sees


def test_keyboard_alone_edits_row_seven_and_saves_in_under_25_presses(
    new_page, live_server, submission, people, ten_initiatives
):
    page = new_page(people[0], width=1280, height=800)
    page.goto(edit_url(live_server, submission, "7"))
    presses = 0

    def press(key):
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    # From the top of the page: Tab to "Skip to the table", follow it, then down the list.
    for _ in range(3):
        press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Skip to the table":
            break
    press("Enter")
    for _ in range(6):
        press("ArrowDown")
    expect(page.locator(".row-summary:focus")).to_contain_text("Initiative 7")
    press("Enter")
    name = page.locator(".row-form").nth(6).get_by_label("Initiative/partnership name")
    expect(name).to_be_focused()
    press("End")
    page.keyboard.type(" (renewed)")  # the edit itself: typing, not navigating
    press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert presses < 25, presses
    names = list(
        Initiative.objects.filter(submission=submission)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert names[6] == "Initiative 7 (renewed)"
    assert names.count("Initiative 7") == 0 and len(names) == 10
    # Tab never walks through closed rows: from row 7's last control it reaches Add a row.
    expect(page.locator(".js-row-details[open]")).to_have_count(1)
    screenshot(page, "together-keyboard-row-7")


def test_on_a_phone_the_save_bar_covers_no_sdg_toggle(
    new_page, live_server, submission, people, ten_initiatives
):
    page = new_page(people[0], width=390, height=844)
    page.emulate_media(reduced_motion="reduce")  # measure where scrolling ends, not midway
    page.goto(edit_url(live_server, submission, "7"))
    page.locator(".row-summary").nth(2).click()
    row = page.locator(".row-form").nth(2)
    bar = page.locator(".save-bar")
    toggles = row.locator(".sdg-picker label")
    assert toggles.count() == 17
    for index in range(17):
        toggle = toggles.nth(index)
        row.locator(".sdg-picker input").nth(index).focus()  # as Tab brings it into view
        box, bar_box = toggle.bounding_box(), bar.bounding_box()
        assert box["y"] + box["height"] <= bar_box["y"], f"SDG {index + 1} is under the Save bar"
    screenshot(page, "together-phone-sdgs")
    assert blocking_violations(page) == []


def test_a_row_added_and_saved_is_not_brought_back_by_the_local_copy(
    new_page, live_server, submission, people, ten_initiatives
):
    page = new_page(people[0])
    page.goto(edit_url(live_server, submission, "7"))
    page.get_by_role("button", name="+ Add a row").click()
    page.locator(".row-form").last.get_by_label("Initiative/partnership name").fill("Eleventh")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    page.locator(".row-form").first.locator(".row-summary").click()
    page.locator(".row-form").first.get_by_role("button", name="Remove").click()
    # The Save waits for an autosave in flight before it sends the form: reloading before
    # its page came back would cut the save short, not test it.
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.reload()
    expect(page.locator(".row-form")).to_have_count(10)
    expect(page.locator("#local-copy")).to_be_hidden()
    assert Initiative.objects.filter(submission=submission).count() == 10


def test_text_typed_while_offline_is_offered_back_with_what_differs(
    new_page, live_server, submission, people, coherence
):
    page = new_page(people[0])
    page.goto(edit_url(live_server, submission, "6"))
    page.context.set_offline(True)
    page.get_by_label("Answer").fill("\n\n".join([FIRST, SECOND, "Typed on the train."]))
    expect(page.locator("#save-status")).to_contain_text("cannot be reached")
    context = page.context
    page.close(run_before_unload=False)  # the laptop's lid shuts
    context.set_offline(False)
    # Later, the same browser: the saved text is the old one; the banner lists the difference.
    other = context.new_page()
    other.goto(edit_url(live_server, submission, "6"))
    banner = other.locator("#local-copy")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Typed on the train.")
    screenshot(other, "together-local-copy")
    assert blocking_violations(other) == []
    banner.get_by_role("button", name="Restore").click()
    expect(other.get_by_label("Answer")).to_have_value(re.compile("Typed on the train"))
    expect(other.locator("#save-status")).to_contain_text("Saved at")
    assert saved_text(submission, "6").endswith("Typed on the train.")
