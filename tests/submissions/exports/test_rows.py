"""CSV and XLSX for analysis: an organization's rows and answers across its years."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from submissions.exports import get_exporter, render_export
from submissions.exports.rows import ANSWER_HEADERS, HEADERS, MAX_WIDTH
from submissions.insight.library import library_items
from submissions.models import (
    ROW_MODELS,
    SDG,
    Answer,
    Event,
    Initiative,
    Question,
    Questionnaire,
    QuestionPart,
    Submission,
)
from submissions.seeds import seeds_load
from tests.conftest import make_member

from .conftest import add_rows

pytestmark = pytest.mark.django_db


def _csv(submission, sheet="") -> list[dict[str, str]]:
    _filename, content_type, content = get_exporter("csv").render(submission, sheet=sheet)
    assert content_type == "text/csv; charset=utf-8"
    assert content.startswith("\ufeff".encode())  # Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _workbook(submission) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_export(submission=submission, fmt="xlsx")[2]))


def _lines(sheet) -> list[dict]:
    header, *lines = sheet.iter_rows(values_only=True)
    return [dict(zip(header, line, strict=True)) for line in lines]


@pytest.fixture
def earlier(filled_submission):
    """IOM's 2017 submission: its first initiative under 2017's name, and an event of its own."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2017, slug="desa-2017", title="2017"
    )
    for position, kind in enumerate(ROW_MODELS, start=2):
        Question.objects.create(
            questionnaire=questionnaire,
            number=str(position),
            position=position,
            prompt=f"Your {kind}?",
            has_narrative=False,
            table=kind,
        )
    submission = Submission.objects.create(
        organization=filled_submission.organization, questionnaire=questionnaire
    )
    questions = {q.table: q for q in questionnaire.questions.all()}
    initiative = Initiative.objects.create(
        submission=submission,
        question=questions["initiatives"],
        name="Initiative or partnership 1 (2017)",
    )
    initiative.sdgs.set(SDG.objects.all())
    Event.objects.create(
        submission=submission,
        question=questions["events"],
        name="Global Forum on Migration and Development",
        sdgs_text="10.7, 16.2",
    )
    return submission


# -- The file's name ------------------------------------------------------------------------


def test_the_name_says_organization_and_the_one_year_held(filled_submission):
    assert render_export(submission=filled_submission, fmt="csv")[0] == "IOM-rows-2024.csv"
    assert render_export(submission=filled_submission, fmt="xlsx")[0] == "IOM-rows-2024.xlsx"


def test_every_years_export_holds_all_years_and_its_name_says_so(filled_submission, earlier):
    """The file holds the organization's years, whichever year's page it came from."""
    for fmt in ("csv", "xlsx"):
        from_2017 = render_export(submission=earlier, fmt=fmt)
        from_2024 = render_export(submission=filled_submission, fmt=fmt)
        assert from_2017[0] == from_2024[0] == f"IOM-rows-2017-2024.{fmt}"
    assert {line["year"] for line in _csv(earlier)} == {"2017", "2024"}
    assert get_exporter("csv").render(earlier, sheet="answers")[0] == "IOM-answers-2017-2024.csv"


def test_one_file_holds_one_organization(filled_submission, other_organization):
    Submission.objects.create(
        organization=other_organization, questionnaire=filled_submission.questionnaire
    )
    with pytest.raises(ValueError, match="One organization per file"):
        get_exporter("csv").render_for(Submission.objects.all())
    filename, _type, content = get_exporter("csv").render_for(
        Submission.objects.all(), organization=other_organization
    )
    assert filename == "UNDP-rows-2024.csv"
    assert content.decode("utf-8-sig").splitlines() == [",".join(HEADERS)]


# -- The rows -------------------------------------------------------------------------------


def test_csv_has_one_line_per_row_with_year_question_fields_and_sdgs(filled_submission):
    lines = _csv(filled_submission)

    assert list(lines[0]) == list(HEADERS)
    assert HEADERS[-18:] == ("sdgs", *(f"sdg_{n}" for n in range(1, 18)))
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
    assert event["sdgs"] == "4, 10, 17"
    assert {n for n in range(1, 18) if event[f"sdg_{n}"] == "1"} == {4, 10, 17}
    assert event["sdg_1"] == "0"


def test_the_sdgs_column_reads_as_written_or_as_the_form_writes_them(filled_submission, earlier):
    lines = {line["name"]: line for line in _csv(filled_submission)}

    assert lines["Initiative or partnership 1 (2017)"]["sdgs"] == "All 17 SDGs"
    assert all(lines["Initiative or partnership 1 (2017)"][f"sdg_{n}"] == "1" for n in range(1, 18))
    # Kept as the document wrote it; its goals were not read, so no flag is set.
    assert lines["Global Forum on Migration and Development"]["sdgs"] == "10.7, 16.2"


def test_rows_span_the_organizations_years_and_no_other_organization(
    filled_submission, earlier, other_organization
):
    add_rows(
        Submission.objects.create(
            organization=other_organization, questionnaire=earlier.questionnaire
        ),
        1,
    )

    lines = _csv(filled_submission)

    assert [(r["organization"], r["year"]) for r in lines] == [("IOM", "2017")] * 2 + [
        ("IOM", "2024")
    ] * 6


def test_the_same_initiative_has_one_item_id_across_years(filled_submission, earlier):
    lines = {line["name"]: line for line in _csv(filled_submission)}
    first_2017 = Initiative.objects.get(submission=earlier)

    assert lines["Initiative or partnership 1 (2017)"]["item_id"] == f"initiatives-{first_2017.pk}"
    assert lines["initiative or partnership 1"]["item_id"] == f"initiatives-{first_2017.pk}"
    ids = [line["item_id"] for name, line in lines.items() if name != "initiative or partnership 1"]
    assert len(set(ids)) == len(ids) == 7  # every other row is an item of its own
    first_event = Event.objects.get(submission=filled_submission, position=1)
    assert lines["event 1"]["item_id"] == f"events-{first_event.pk}"


def test_item_ids_group_the_seeds_rows_as_the_library_does():
    """One rule: each library item's rows share an id, and no two items share one."""
    seeds_load(demo_users=False)
    organization = Organization.objects.get(code="IOM")
    user = make_member(organization, Role.REVIEWER, "reader")
    lines = _csv(Submission.objects.filter(organization=organization).first())
    ids = {(line["table"], line["year"], line["name"]): line["item_id"] for line in lines}
    assert len(ids) == len(lines)

    items = library_items(user=user)
    assert sum(len(item.versions) for item in items) == len(lines)
    item_ids = [{ids[item.kind, str(v.year), v.name] for v in item.versions} for item in items]
    assert all(len(found) == 1 for found in item_ids)  # one id for an item's rows
    assert len(set(ids.values())) == len(items)  # and each item an id of its own
    recurring = [item for item in items if item.recurring]
    assert len(recurring) == 2  # the two IDM sessions, each an id for 2023 and 2024
    oldest = {item.versions[-1].row.pk for item in recurring}
    assert {ids[i.kind, str(v.year), v.name] for i in recurring for v in i.versions} == {
        f"events-{pk}" for pk in oldest
    }


# -- The XLSX -------------------------------------------------------------------------------


def test_xlsx_has_rows_and_answers_sheets_laid_out_for_analysis(filled_submission):
    workbook = _workbook(filled_submission)

    assert workbook.sheetnames == ["Rows", "Answers"]
    rows, answers = workbook["Rows"], workbook["Answers"]
    assert next(rows.iter_rows(max_row=1, values_only=True)) == HEADERS
    assert next(answers.iter_rows(max_row=1, values_only=True)) == ANSWER_HEADERS
    for sheet, headers in ((rows, HEADERS), (answers, ANSWER_HEADERS)):
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(headers))
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert sheet["A1"].font.bold
        widths = [
            sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
            for i in range(1, len(headers) + 1)
        ]
        assert len(set(widths)) > 1
        assert max(widths) <= 100
    widths = {
        h: rows.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        for i, h in enumerate(HEADERS, start=1)
    }
    assert widths["sdg_4"] < widths["location"] <= MAX_WIDTH
    text = ANSWER_HEADERS.index("text") + 1
    assert answers.column_dimensions[openpyxl.utils.get_column_letter(text)].width == 100
    assert answers.cell(row=2, column=text).alignment.wrap_text


def test_xlsx_rows_keep_numbers_as_numbers(filled_submission):
    first = _lines(_workbook(filled_submission)["Rows"])[0]

    assert first["year"] == 2024 and first["position"] == 1 and first["sdg_4"] == 1
    assert first["name"] == "event 1"
    assert first["sdgs"] == "4, 10, 17"


def test_the_answers_sheet_holds_narratives_and_parts_with_words_and_limits(filled_submission):
    energy = QuestionPart.objects.get(title="Energy access")
    Answer.objects.create(  # nothing written: no line
        submission=filled_submission, question=energy.question, part=energy, nothing_to_report=True
    )
    narrative_of_5 = Answer.objects.create(
        submission=filled_submission, question=energy.question, text="Across the transitions."
    )
    QuestionPart.objects.filter(title="Food systems").update(number="1)", word_minimum=20)

    lines = _lines(_workbook(filled_submission)["Answers"])

    assert [(line["question"], line["part"]) for line in lines] == [
        ("1", None),  # an empty cell
        ("5", None),
        ("5", "1) Food systems"),
        ("7", None),
    ]
    decisions, transitions, food, initiatives = lines
    assert decisions["year"] == 2024 and decisions["questionnaire"] == "desa-2024"
    assert decisions["prompt"] == "Decisions?"
    assert decisions["text"].startswith("The Council adopted")
    assert (decisions["words"], decisions["word_limit"], decisions["word_minimum"]) == (
        12,
        200,
        None,
    )
    assert transitions["text"] == narrative_of_5.text and transitions["word_limit"] is None
    assert (food["text"], food["words"], food["word_limit"], food["word_minimum"]) == (
        "Migrants work in agri-food systems.",
        5,
        200,
        20,
    )
    assert initiatives["text"] == "We partner widely." and initiatives["words"] == 3
    # The same lines as CSV, numbers as text.
    assert [line["words"] for line in _csv(filled_submission, sheet="answers")] == [
        "12",
        "3",
        "5",
        "3",
    ]


def test_the_prompt_is_shortened_at_a_word(filled_submission):
    Question.objects.filter(number="1").update(prompt="In the past year, " + "many words " * 30)

    prompt = _lines(_workbook(filled_submission)["Answers"])[0]["prompt"]

    assert len(prompt) <= 100 and prompt.endswith("words …")


# -- Formulas -------------------------------------------------------------------------------


DANGEROUS = {
    "name": '=HYPERLINK("https://evil.example","click")',
    "description": "+1+2",
    "website": "",
    "dates": "-2",
    "location": "@SUM(A1:A9)",
}


def test_formulas_are_neutralised_in_csv_and_both_sheets(filled_submission):
    Event.objects.filter(submission=filled_submission, position=1).update(**DANGEROUS)
    Initiative.objects.filter(submission=filled_submission, position=1).update(
        partners="\tTab", member_states="\rReturn", sdgs_text="=1+1"
    )
    Answer.objects.filter(question__number="1").update(text="=cmd|' /C calc'!A0")
    QuestionPart.objects.filter(title="Food systems").update(title="+Food systems")

    event, initiative = _csv(filled_submission)[0], _csv(filled_submission)[4]
    for field, value in DANGEROUS.items():
        assert event[field] == ("'" + value if value else "")
    assert initiative["partners"] == "'\tTab"
    assert initiative["member_states"] == "'\rReturn"
    assert initiative["sdgs"] == "'=1+1"
    answers = _csv(filled_submission, sheet="answers")
    assert answers[0]["text"] == "'=cmd|' /C calc'!A0"
    assert answers[1]["part"] == "'+Food systems"

    workbook = _workbook(filled_submission)
    rows = workbook["Rows"]
    name = rows.cell(row=2, column=HEADERS.index("name") + 1)
    assert name.data_type == "s"  # text, not a formula
    assert name.value == "'" + DANGEROUS["name"]
    assert rows.cell(row=2, column=HEADERS.index("location") + 1).value == "'@SUM(A1:A9)"
    text = workbook["Answers"].cell(row=2, column=ANSWER_HEADERS.index("text") + 1)
    assert text.data_type == "s" and text.value == "'=cmd|' /C calc'!A0"


def test_the_answers_sheet_costs_one_query_whatever_the_answers(
    filled_submission, earlier, django_assert_num_queries
):
    """Prevents reading each answer's question or part one query per answer: the XLSX reads
    the submissions, three kinds of rows and their SDGs, and the answers."""
    food = QuestionPart.objects.get(title="Food systems")
    Answer.objects.create(submission=earlier, question=food.question, part=food, text="2017.")
    Answer.objects.create(submission=earlier, question=food.question, text="Earlier.")

    with django_assert_num_queries(8):
        workbook = _workbook(filled_submission)
    assert [line["year"] for line in _lines(workbook["Answers"])] == [2017, 2017, 2024, 2024, 2024]


# -- The download ---------------------------------------------------------------------------


@pytest.fixture
def member_of_two(filled_submission, other_organization):
    """A contributor of IOM and UNDP, each with a 2024 submission with rows."""
    user = make_member(filled_submission.organization, Role.CONTRIBUTOR, "two-hats")
    Membership.objects.create(user=user, organization=other_organization, role=Role.CONTRIBUTOR)
    undp = Submission.objects.create(
        organization=other_organization, questionnaire=filled_submission.questionnaire
    )
    add_rows(undp, 1)
    return user


def _download(client, fmt, **query):
    return client.get(reverse("rows_export", args=[fmt]), query)


def test_a_download_holds_the_organization_asked_for(client, member_of_two):
    client.force_login(member_of_two)

    for code, rows in (("IOM", 6), ("UNDP", 3)):
        response = _download(client, "csv", organization=code)
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{code}-rows-2024.csv"'
        lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(lines) == rows and {line["organization"] for line in lines} == {code}
    # None asked for: the first by code, as on the coverage page.
    assert "IOM-rows-2024.xlsx" in _download(client, "xlsx")["Content-Disposition"]


def test_a_download_of_another_organization_or_sheet_is_a_404(
    contributor_client, filled_submission, other_organization
):
    Submission.objects.create(
        organization=other_organization, questionnaire=filled_submission.questionnaire
    )
    assert _download(contributor_client, "csv", organization="UNDP").status_code == 404
    assert _download(contributor_client, "csv", organization="WHO").status_code == 404
    assert _download(contributor_client, "csv", sheet="secrets").status_code == 404


def test_the_answers_download_as_csv(contributor_client, filled_submission):
    response = _download(contributor_client, "csv", organization="IOM", sheet="answers")

    assert response["Content-Disposition"] == 'attachment; filename="IOM-answers-2024.csv"'
    header, *lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert tuple(header) == ANSWER_HEADERS
    assert [line[3] for line in lines] == ["1", "5", "7"]
    assert lines[0][6].endswith("2024–2028.\n\nIt guides SDG acceleration.")  # paragraphs kept


def test_the_submission_page_links_its_organizations_spreadsheets(
    contributor_client, filled_submission
):
    html = contributor_client.get(filled_submission.get_absolute_url()).content.decode()

    for fmt in ("xlsx", "csv"):
        assert f'href="{reverse("rows_export", args=[fmt])}?organization=IOM"' in html
