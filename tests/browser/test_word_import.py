"""Importing a Word document in the browser: upload, read the preview, confirm."""

import io

import docx
import pytest
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import Submission
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def reply() -> bytes:
    """A reply retyped by another entity: a covering note, "Question 1:" and "Q2." numbering,
    a reworded heading, an event as a two-column table; questions 4 to 7 left out."""
    document = docx.Document()
    document.add_paragraph("Note from the focal point: the tables follow the template.")
    document.add_paragraph(
        "Question 1: In the past year has the governing body of your organization taken any "
        "decisions to advance sustainable, inclusive, science- and evidence-based solutions "
        "for the 2030 Agenda? (maximum 200 words)"
    ).runs[0].bold = True
    document.add_paragraph("In January 2024, the Council adopted the Strategic Plan 2024-2028.")
    document.add_paragraph(
        "Q2. During 2024, what actions has your entity taken to improve coordination among UN "
        "system entities across policy and normative activities?"
    ).runs[0].bold = True
    document.add_paragraph("We chaired the UN Network on Migration's working group.")
    document.add_paragraph(
        "3. In the past year, has your organization organized any intergovernmentally "
        "mandated conferences, forums or events that contributed to the achievement of the SDGs?"
    ).runs[0].bold = True
    table = document.add_table(rows=0, cols=2)
    for label, value in [
        ("Event Name", "International Dialogue on Migration 2024"),
        ("Event Dates", "21-22 May 2024"),
        ("Event Location (City, Country)", "New York, United States"),
        ("Relevant SDGs", "10.7, 16.2, 17.18"),
        ("Description (max 150 words)", "A platform for dialogue on migration."),
        ("Website (if applicable)", "https://www.iom.int/idm"),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def open_2024(db, tmp_path):
    seeds_load(demo_users=False)
    organization = Organization.objects.create(code="UNHCR", name="UNHCR")
    submission = Submission.objects.create(organization=organization, questionnaire_id=_desa_2024())
    path = tmp_path / "UNHCR reply 2024.docx"
    path.write_bytes(reply())
    return submission, make_member(organization, Role.COORDINATOR, "focal"), path


def _desa_2024() -> int:
    from submissions.models import Questionnaire

    return Questionnaire.objects.get(slug="desa-2024").pk


def test_a_word_reply_is_previewed_and_imported(new_page, live_server, open_2024):
    submission, coordinator, path = open_2024
    page = new_page(coordinator)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    page.get_by_role("link", name="Import a document…").click()
    page.get_by_label("Document").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()

    found = page.locator("#matches-heading").locator("..")
    expect(found).to_contain_text("paragraph 2 read as question 1")
    expect(found).to_contain_text("% alike")
    expect(found).to_contain_text("read as question 2")
    expect(found).to_contain_text("questions of the questionnaire are not in the document")
    expect(found).to_contain_text("4. In the past year, has your organization published")
    expect(page.locator("#unplaced-heading").locator("..")).to_contain_text(
        "Note from the focal point"
    )
    expect(page.get_by_text("written “10.7, 16.2, 17.18”")).to_be_visible()
    assert blocking_violations(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"word-import-preview-{width}")

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Imported 2 answers and 1 table row.")).to_be_visible()
    unplaced = page.locator("#unplaced")
    expect(unplaced).to_contain_text("UNHCR reply 2024.docx, paragraph 1")
    expect(unplaced).to_contain_text("Note from the focal point")
    screenshot(page, "word-import-overview")
    event = submission.events.get()
    assert (event.name, event.sdgs_text) == (
        "International Dialogue on Migration 2024",
        "10.7, 16.2, 17.18",
    )
    assert sorted(event.sdgs.values_list("pk", flat=True)) == [10, 16, 17]

    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#unplaced")).to_have_count(0)
