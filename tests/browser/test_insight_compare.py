"""Compare years in a browser: IOM's 2023 and 2024 DESA submissions from the seeds."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.changes import submission_carry_forward
from submissions.models import Answer, Initiative, QuestionPart, Submission
from submissions.seeds import seeds_load
from submissions.services import questionnaire_copy_as_next_year
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

IDM_2024 = "International Dialogue on Migration (IDM) – First Session 2024"


@pytest.fixture
def seeded(db):
    """The seeds (live_server's database is flushed after each test) and a reviewer of IOM."""
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    reader = make_member(iom, Role.REVIEWER, "reader")
    old = Submission.objects.get(organization=iom, questionnaire__slug="desa-2023")
    new = Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")
    return reader, old, new


def box(locator):
    return locator.bounding_box()


def test_compare_2023_with_2024_from_the_submission_page(new_page, live_server, seeded):
    reader, old, new = seeded
    page = new_page(reader)
    page.goto(f"{live_server.url}/submissions/{new.pk}/")
    page.get_by_role("link", name="Compare with another year…").click()

    # Only the newer year was given: the older one is the previous DESA submission.
    expect(page.get_by_label("Older year")).to_have_value(str(old.pk))
    expect(page.get_by_label("Newer year")).to_have_value(str(new.pk))
    summary = page.locator("#summary")
    expect(summary).to_contain_text("3 questions changed")
    expect(summary.get_by_role("row", name="Events")).to_contain_text("1 0 2 0")

    # The IDM's first session of each year is one changed row, its description diffed.
    idm = page.locator(".compare-row-changed").filter(has_text=IDM_2024)
    expect(idm).to_have_count(1)
    expect(idm.locator("ins").first).to_be_visible()
    expect(idm.locator("del").first).to_be_visible()
    expect(idm.locator(".compare-field").filter(has_text="Event dates")).to_contain_text(
        "21-22 May 2024"
    )
    events = page.locator(".compare-question").filter(
        has=page.get_by_role("heading", name="Question 3 (was 2)")
    )
    expect(events).to_contain_text("rows: 1 new, 0 dropped, 2 changed, 0 unchanged")
    gcm = events.locator(".compare-row-new")
    expect(gcm).to_contain_text("Second Africa Regional Global Compact")
    expect(gcm).to_contain_text("New in 2024")

    # Side by side on a wide screen: the older year left, the newer right, on one line.
    description = idm.locator(".compare-field").filter(has_text="Description")
    left, right = box(description.locator(".compare-old")), box(description.locator(".compare-new"))
    assert left["x"] < right["x"] and abs(left["y"] - right["y"]) < 2
    idm.scroll_into_view_if_needed()
    screenshot(page, "compare-years")
    assert blocking_violations(page) == []


def test_compare_only_changed_questions_and_narrow_screens(new_page, live_server, seeded):
    reader, old, new = seeded
    page = new_page(reader, width=390, height=844)
    # Chosen the wrong way round: swapped, and said so.
    page.goto(f"{live_server.url}/compare/?a={new.pk}&b={old.pk}")
    expect(page.get_by_role("status").filter(has_text="swapped")).to_be_visible()
    expect(page.get_by_label("Older year")).to_have_value(str(old.pk))

    page.get_by_label("Only questions that changed").check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(f"{live_server.url}/compare/?a={old.pk}&b={new.pk}&changed=on")
    expect(page.locator(".compare-question.compare-same")).to_have_count(0)

    # Stacked on a narrow screen: the newer year under the older one.
    idm = page.locator(".compare-row-changed").filter(has_text=IDM_2024)
    description = idm.locator(".compare-field").filter(has_text="Description")
    top, bottom = box(description.locator(".compare-old")), box(description.locator(".compare-new"))
    assert bottom["y"] >= top["y"] + top["height"] - 1
    expect(description.locator(".compare-new")).to_contain_text("2024")
    screenshot(page, "compare-years-narrow")


def test_another_organizations_submission_is_an_error_not_data(new_page, live_server, seeded):
    reader, old, new = seeded
    other = Organization.objects.create(code="UNDP", name="United Nations Development Programme")
    theirs = Submission.objects.create(organization=other, questionnaire=old.questionnaire)
    page = new_page(reader)
    page.goto(f"{live_server.url}/compare/?a={theirs.pk}&b={new.pk}")
    expect(page.locator("#compare-form")).to_contain_text(
        "you can compare only your own organization's submissions"
    )
    expect(page.locator(".compare-question")).to_have_count(0)
    screenshot(page, "compare-years-refused")


def test_same_questions_are_diffed_side_by_side(new_page, live_server, seeded):
    """2025 copied from 2024, carried forward and edited: the same questions, word diffs."""
    reader, _old, last_year = seeded
    questionnaire = questionnaire_copy_as_next_year(questionnaire=last_year.questionnaire)
    this_year = Submission.objects.create(
        organization=last_year.organization, questionnaire=questionnaire
    )
    submission_carry_forward(submission=this_year, user=None)  # set up as the operator
    food = Answer.objects.get(submission=this_year, part__title="Food systems")
    food.text = food.text.replace("more at risk of", "still more exposed to")
    food.save()
    initiative = Initiative.objects.filter(submission=this_year).order_by("position").first()
    initiative.description = initiative.description + " It reached 40 countries in 2025."
    initiative.save()
    initiative.sdgs.add(1)  # 2024's innovation facility has 3 to 17 but not 1, 2, 12 or 16

    page = new_page(reader)
    page.goto(f"{live_server.url}/compare/?b={this_year.pk}&changed=on")

    # Questions 3 (its events dropped), 5 (one part edited) and 7 (one initiative edited).
    expect(page.locator("#summary")).to_contain_text("3 questions changed")
    expect(page.locator("#summary")).to_contain_text("4 questions the same")
    expect(page.locator(".compare-question")).to_have_count(3)  # only those that changed
    transitions = page.locator(".compare-question").filter(
        has=page.get_by_role("heading", name="Question 5", exact=True)
    )
    food_part = transitions.locator(".compare-text").filter(has_text="Food systems")
    expect(food_part.locator(".compare-old del")).to_have_text(["[removed:] at risk of"])
    expect(food_part.locator(".compare-new ins")).to_have_text(
        ["[added:] still", "[added:] exposed to"]
    )
    expect(transitions).to_contain_text("The same in 2024 and 2025")  # the other parts
    changed = page.locator(".compare-row-changed").filter(has_text=initiative.name)
    expect(changed.locator(".compare-new ins")).to_contain_text("It reached 40 countries in 2025.")
    expect(changed.locator(".compare-field").filter(has_text="Relevant SDGs")).to_have_text(
        "Relevant SDGs Added: [added:] SDG 1"
    )
    # The events are not carried forward (yearly by nature): the 2024 ones are dropped.
    expect(page.locator(".compare-row-dropped").filter(has_text="IDM")).to_have_count(2)
    transitions.scroll_into_view_if_needed()
    screenshot(page, "compare-years-same-questions")


def test_a_part_added_in_the_new_year_is_shown_as_a_change(new_page, live_server, seeded):
    """2025 copied from 2024 with a part added to question 2, its answer carried forward:
    the question was called "Unchanged"."""
    reader, _old, last_year = seeded
    questionnaire = questionnaire_copy_as_next_year(questionnaire=last_year.questionnaire)
    coordination = questionnaire.questions.get(number="2")
    QuestionPart.objects.create(
        question=coordination, position=1, title="Examples from the field", word_limit=100
    )
    this_year = Submission.objects.create(
        organization=last_year.organization, questionnaire=questionnaire
    )
    submission_carry_forward(submission=this_year, user=None)  # set up as the operator

    for width in (1280, 390):
        page = new_page(reader, width=width, height=900)
        page.goto(f"{live_server.url}/compare/?b={this_year.pk}&changed=on")
        card = page.locator(".compare-question").filter(
            has=page.get_by_role("heading", name="Question 2", exact=True)
        )
        expect(card.locator(".badge").first).to_have_text("Changed")
        expect(card.locator(".compare-structure")).to_contain_text(
            "Part added: “Examples from the field” (100 words)."
        )
        expect(page.locator("#summary")).to_contain_text("1 question changed its form")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        card.scroll_into_view_if_needed()
        screenshot(page, f"compare-years-new-part-{width}")
