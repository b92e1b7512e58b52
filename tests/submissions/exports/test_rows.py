"""CSV and XLSX of table rows across an organization's submissions; formulas neutralised."""

import csv
import io

import openpyxl
import pytest

from submissions.exports import render_export
from submissions.exports.rows import HEADERS
from submissions.models import Event, Initiative, Question, Questionnaire, Submission

from .conftest import add_rows

pytestmark = pytest.mark.django_db


def _csv(submission) -> list[dict[str, str]]:
    filename, content_type, content = render_export(submission=submission, fmt="csv")
    assert (filename, content_type) == ("IOM-table-rows.csv", "text/csv; charset=utf-8")
    assert content.startswith("\ufeff".encode())  # Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(submission) -> list[tuple]:
    filename, _, content = render_export(submission=submission, fmt="xlsx")
    assert filename == "IOM-table-rows.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_csv_has_one_line_per_row_with_year_question_fields_and_sdg_columns(filled_submission):
    lines = _csv(filled_submission)

    assert list(lines[0]) == list(HEADERS)
    assert [f"sdg_{n}" for n in range(1, 18)] == list(HEADERS[-17:])
    assert [(r["table"], r["question"], r["position"]) for r in lines] == [
        ("events", "3", "1"),
        ("events", "3", "2"),
        ("resources", "6", "1"),
        ("resources", "6", "2"),
        ("initiatives", "7", "1"),
        ("initiatives", "7", "2"),
    ]
    event = lines[1]
    assert event["organization"] == "IOM"
    assert event["year"] == "2024"
    assert event["questionnaire"] == "desa-2024"
    assert event["dates"] == "21-22 May 2024"
    assert event["carried_from_year"] == "2023"
    assert event["partners"] == ""
    assert {n for n in range(1, 18) if event[f"sdg_{n}"] == "1"} == {4, 10, 17}
    assert event["sdg_1"] == "0"


def test_rows_span_the_organizations_years_and_no_other_organization(
    filled_submission, other_organization
):
    earlier = Questionnaire.objects.create(kind="desa", year=2023, slug="desa-2023", title="2023")
    Question.objects.create(questionnaire=earlier, number="2", prompt="Events?", table="events")
    Question.objects.create(questionnaire=earlier, number="3", prompt="Res.?", table="resources")
    Question.objects.create(questionnaire=earlier, number="5", prompt="Ini.?", table="initiatives")
    add_rows(
        Submission.objects.create(
            organization=filled_submission.organization, questionnaire=earlier
        ),
        1,
    )
    add_rows(Submission.objects.create(organization=other_organization, questionnaire=earlier), 1)

    lines = _csv(filled_submission)

    assert [(r["organization"], r["year"]) for r in lines] == [("IOM", "2023")] * 3 + [
        ("IOM", "2024")
    ] * 6


def test_xlsx_has_the_same_columns_and_numbers_as_numbers(filled_submission):
    rows = _xlsx(filled_submission)

    assert rows[0] == HEADERS
    assert len(rows) == 7
    first = dict(zip(HEADERS, rows[1], strict=True))
    assert first["year"] == 2024 and first["position"] == 1 and first["sdg_4"] == 1
    assert first["name"] == "event 1"


DANGEROUS = {
    "name": '=HYPERLINK("https://evil.example","click")',
    "description": "+1+2",
    "website": "",
    "dates": "-2",
    "location": "@SUM(A1:A9)",
}


def test_formulas_are_neutralised_in_csv_and_xlsx(filled_submission):
    Event.objects.filter(submission=filled_submission, position=1).update(**DANGEROUS)
    Initiative.objects.filter(submission=filled_submission, position=1).update(
        partners="\tTab", member_states="\rReturn"
    )

    event, initiative = _csv(filled_submission)[0], _csv(filled_submission)[4]
    for field, value in DANGEROUS.items():
        assert event[field] == ("'" + value if value else "")
    assert initiative["partners"] == "'\tTab"
    assert initiative["member_states"] == "'\rReturn"

    sheet = openpyxl.load_workbook(
        io.BytesIO(render_export(submission=filled_submission, fmt="xlsx")[2])
    ).active
    name = sheet.cell(row=2, column=HEADERS.index("name") + 1)
    assert name.data_type == "s"  # text, not a formula
    assert name.value == "'" + DANGEROUS["name"]
    assert sheet.cell(row=2, column=HEADERS.index("location") + 1).value == "'@SUM(A1:A9)"
