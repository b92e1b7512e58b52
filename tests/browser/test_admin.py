"""The questionnaire's change page in a browser: questions folded, one opened, a row field edited."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from submissions.models import Questionnaire
from submissions.rowfields import question_row_fields
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def questionnaire_2024(db):
    """The 2024 seed questionnaire (seven questions) and an administrator."""
    seeds_load(demo_users=False)
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    return Questionnaire.objects.get(slug="desa-2024")


def admin_page(new_page, live_server, path: str):
    page = new_page()
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{path}")
    return page


def test_questions_are_folded_and_one_opens_with_its_fields(
    new_page, live_server, questionnaire_2024
):
    path = f"/admin/submissions/questionnaire/{questionnaire_2024.pk}/change/"
    page = admin_page(new_page, live_server, path)

    questions = page.locator(".djn-item.djn-dynamic-form-submissions-question")
    expect(questions).to_have_count(7)
    # Each question shows its number and the start of its prompt, its fields folded away.
    expect(questions.nth(1).locator("h3")).to_contain_text("2. During 2024, what actions")
    assert page.locator(".djn-item > details.question-fields[open]").count() == 0
    expect(page.get_by_label("Question:", exact=True).first).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "admin-questionnaire-folded")
    assert height < 2500, f"the change page is {height} px tall with every question folded"

    events = questions.nth(2)
    events.get_by_text("Edit this question").click()
    expect(events.get_by_label("Question:", exact=True)).to_be_visible()
    expect(events.get_by_label("Limit note:")).to_be_visible()
    expect(events.locator("input[name$='-row_fields-0-label']")).to_have_value("Event Name")
    expect(questions.nth(3).get_by_label("Question:", exact=True)).to_be_hidden()
    screenshot(page, "admin-questionnaire-question-3-open")


def test_a_row_field_label_edited_in_the_folded_page_is_saved(
    new_page, live_server, questionnaire_2024
):
    path = f"/admin/submissions/questionnaire/{questionnaire_2024.pk}/change/"
    page = admin_page(new_page, live_server, path)
    stamp = questionnaire_2024.structure_stamp

    events = page.locator(".djn-item.djn-dynamic-form-submissions-question").nth(2)
    events.get_by_text("Edit this question").click()
    events.locator("input[name$='-row_fields-5-label']").fill("Website, if there is one")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    question = questionnaire_2024.questions.get(number="3")
    assert question_row_fields(question)[-1].label == "Website, if there is one"
    questionnaire_2024.refresh_from_db()
    assert questionnaire_2024.structure_stamp != stamp


def test_a_question_with_an_error_is_shown_open(new_page, live_server, questionnaire_2024):
    path = f"/admin/submissions/questionnaire/{questionnaire_2024.pk}/change/"
    page = admin_page(new_page, live_server, path)

    first = page.locator(".djn-item.djn-dynamic-form-submissions-question").first
    first.get_by_text("Edit this question").click()
    first.get_by_label("Minimum words:").fill("500")  # its limit is 200
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".errornote")).to_be_visible()
    first = page.locator(".djn-item.djn-dynamic-form-submissions-question").first
    expect(first.get_by_text("The minimum is above the limit.")).to_be_visible()
    assert page.locator(".djn-item > details.question-fields[open]").count() == 1
    screenshot(page, "admin-questionnaire-error-open")


def test_a_new_question_opens_with_its_fields(new_page, live_server, questionnaire_2024):
    path = f"/admin/submissions/questionnaire/{questionnaire_2024.pk}/change/"
    page = admin_page(new_page, live_server, path)
    questions = page.locator(".djn-item.djn-dynamic-form-submissions-question")

    page.get_by_role("button", name="Add another Question").click()

    expect(questions).to_have_count(8)
    expect(questions.last.get_by_label("Question:", exact=True)).to_be_visible()
    expect(questions.first.get_by_label("Question:", exact=True)).to_be_hidden()


def test_copy_as_next_year_shows_each_replacement_to_accept(
    new_page, live_server, questionnaire_2024
):
    page = admin_page(new_page, live_server, "/admin/submissions/questionnaire/")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "content security policy" in message.text.lower()
            else None
        ),
    )
    page.get_by_role("row").filter(has_text="desa-2024").get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option("copy_as_next_year")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="as the questionnaire of 2025")).to_be_visible()
    summit = page.get_by_role("checkbox", name="Question 5: Question text")
    expect(summit).to_be_checked()
    expect(page.get_by_role("row").filter(has=summit).locator("mark")).to_have_text(
        ["2023", "2024"]
    )
    screenshot(page, "admin-copy-as-next-year")
    summit.uncheck()
    page.get_by_role("button", name="Copy with the ticked replacements").click()

    expect(page.locator(".messagelist")).to_contain_text("Copied as")
    copy = Questionnaire.objects.get(kind="desa", year=2025)
    assert "since the 2023 SDG Summit" in copy.questions.get(number="5").prompt
    assert copy.questions.get(number="2").prompt.startswith("During 2025")
    assert violations == []


def test_folded_questions_are_dragged_into_a_new_order(new_page, live_server, questionnaire_2024):
    path = f"/admin/submissions/questionnaire/{questionnaire_2024.pk}/change/"
    page = admin_page(new_page, live_server, path)
    questions = page.locator(".djn-item.djn-dynamic-form-submissions-question")
    second = questions.nth(1).locator("> h3").bounding_box()
    first = questions.nth(0).locator("> h3").bounding_box()

    # Question 2 dragged by its heading above question 1, in small steps as a hand moves.
    x, y = second["x"] + 50, second["y"] + second["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 31):
        page.mouse.move(x, y - (second["y"] - first["y"] + 20) * step / 30)
    page.mouse.up()
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    numbers = questionnaire_2024.questions.order_by("position").values_list("number", flat=True)
    assert list(numbers) == ["2", "1", "3", "4", "5", "6", "7"]
