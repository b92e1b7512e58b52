"""Each seed layout parsed: counts verified by reading the seeds, and the values that show how."""

from collections import Counter

import pytest

from submissions.importers import DocumentError, detect_layout, parse_document

from .conftest import outline_of, seed_text


def parse(slug: str, **kwargs):
    return parse_document(seed_text(slug), outline_of(slug), **kwargs)


def answer_counts(document) -> Counter:
    return Counter(number for number, _part in document.answers)


def row_counts(document) -> dict[str, int]:
    return {number: len(rows) for number, rows in document.rows.items()}


@pytest.mark.parametrize(
    ("slug", "layout"),
    [
        ("desa-2024", "blank-line"),
        ("desa-2023", "pipe"),
        ("desa-2021", "inline"),
        ("desa-2017", "plain"),
        ("gbv-2024", "web-capture"),
    ],
)
def test_layout_is_detected(slug, layout):
    assert detect_layout(seed_text(slug)) == layout


def test_2024_label_blank_line_value():
    document = parse("desa-2024")
    # Q1, Q2, Q6 narratives; Q5 its introduction and six transitions; Q7 has no narrative text.
    assert answer_counts(document) == {"1": 1, "2": 1, "5": 7, "6": 1}
    assert row_counts(document) == {"3": 3, "4": 3, "7": 10}
    assert document.organization_line == "International Organization for Migration (IOM)"
    first, _, third = document.rows["3"]
    assert first.values["name"] == "International Dialogue on Migration (IDM) – First Session 2024"
    assert first.values["dates"] == "21-22 May 2024"
    assert first.values["website"] == ""  # an empty "Website (if applicable)" stays empty
    assert first.sdgs == list(range(1, 18))  # "All 17 SDGs"
    assert third.sdgs == list(range(1, 18))  # "All"
    assert third.values["description"].count("\n\n") == 1  # two paragraphs kept
    assert document.rows["4"][0].sdgs == [4, 5, 8, 10, 17]
    alliance = document.rows["7"][1]
    assert alliance.values["partners"].startswith("Lead organization: IOM\n\nSecretariat: ILO")
    assert document.answers[("5", "Food systems")].text.startswith("People on the move")
    assert document.answers[("5", None)].text.startswith("While migration or human mobility")
    assert not document.unplaced and not document.warnings


def test_2023_values_ending_in_a_pipe():
    document = parse("desa-2023")
    assert answer_counts(document) == {"1": 1, "4": 1, "6": 1}
    assert row_counts(document) == {"2": 2, "3": 3, "5": 8}
    second_event = document.rows["2"][1]
    assert second_event.values["dates"] == "05 and 06 October 2023"
    # A value over two lines keeps both, as two paragraphs, without the " |".
    assert second_event.values["description"].count("\n\n") == 1
    assert "|" not in second_event.values["description"]
    assert second_event.values["website"].startswith("https://www.iom.int/")
    resources = document.rows["3"]
    assert [r.sdgs for r in resources] == [
        [10, 16, 17],
        [10, 11, 13, 16, 17],
        [1, 2, 3, 4, 5, 6, 10, 17],
    ]
    assert resources[1].values["website"] == "Forthcoming"  # kept as written
    initiatives = document.rows["5"]
    assert initiatives[2].values["name"].startswith("Inter-regional Briefings")  # "Name\n|"
    assert initiatives[2].values["website"] == "n/a"
    assert initiatives[4].sdgs == [10, 13, 16, 17]  # "10, 13, 10, 16 and 17"
    assert initiatives[7].sdgs == [13]  # "SDG 13"
    assert initiatives[6].values["website"] == "N/A"
    assert document.answers[("4", None)].text == "Not at this time."
    assert document.answers[("6", None)].text.split("\n\n")[1] == "-"  # the "-" bullets kept
    assert not document.unplaced and not document.warnings


def test_2021_label_and_value_on_one_line():
    document = parse("desa-2021")
    assert answer_counts(document) == {
        "1": 1, "5": 10, "6": 1, "7": 1, "8": 4, "9": 1, "10": 1, "11": 1
    }  # fmt: skip
    assert row_counts(document) == {"2": 3, "3": 4, "4": 4}
    strategic_plan = document.rows["2"][0]
    assert strategic_plan.values["name"] == "IOM’s 2021 Strategic Response and Recovery Plan"
    assert strategic_plan.values["partners"].startswith("UN System, Member States")
    assert strategic_plan.values["member_states"] == "Global"
    assert strategic_plan.sdgs == list(range(1, 18))
    resources = document.rows["3"]
    assert resources[2].values["target_audience"].startswith("National governments")  # next line
    # The fourth resource: fields in another order, and a description without its label.
    fourth = resources[3]
    assert fourth.values["languages"] == "English"
    assert fourth.values["description"].startswith("The Human Mobility Impacts due to COVID-19")
    assert fourth.values["description"].count("\n\n") == 4
    assert document.rows["4"][3].values["member_states"].startswith("As the UN Network")
    assert document.answers[
        ("5", "5.10 strengthening the High Level Political Forum on Sustainable Development (HLPF)")
    ]
    assert document.answers[("8", "SDG-specific strategies, plans or work programmes;")]
    warnings = [str(notice) for notice in document.warnings]
    assert "line 91: text without a label read as the row's description" in warnings
    assert "line 85: question 3 allows 3 rows; the document has 4" in warnings
    moved = [n.text for n in document.warnings if "not a web address" in n.message]
    assert moved == ["…", "…", "Website:"]
    assert fourth.values["website"] == ""


def test_2021_reports_a_label_that_fits_no_field():
    """iDiaspora (an initiative) has a "Target audience": reported, with its value, not dropped."""
    document = parse("desa-2021")
    [notice] = document.unplaced
    assert notice.line == 123
    assert "“Target audience” fits no field of the initiatives of question 4" in notice.message
    assert notice.text.startswith("diaspora organizations, governments, academia")
    idiaspora = document.rows["4"][2]
    assert "diaspora organizations, governments" not in str(idiaspora.values)


def test_2017_numbered_narrative_with_an_annex():
    document = parse("desa-2017")
    numbers = [number for number, _part in document.answers]
    assert numbers == ["0", "1", "2", "3", "4", "5", "6", "A0", "A1", "A2", "A3", "A4", "A5", "A6"]
    assert not document.rows and not document.unplaced
    assert document.answers[("0", None)].text.startswith("The IOM Council")
    assert document.answers[("A6", None)].text.endswith("the country of origin.")
    # The archive banner and the closing "United Nations" are page furniture, not answers.
    assert [notice.line for notice in document.ignored] == [1, 205]


def test_gbv_view_more_copies_are_folded_into_one_answer():
    document = parse("gbv-2024")
    texts = [answer.text for answer in document.answers.values()]
    assert [number for number, _part in document.answers] == [str(n) for n in range(1, 10)]
    assert len(set(texts)) == 9
    assert not any("View More" in text for text in texts)
    # Each answer once, whole: its first paragraph appears once and its last paragraph is there.
    first = texts[0]
    assert first.count("IOM has significantly scaled up advocacy efforts") == 1
    assert first.endswith("Data Protection and Protection Mainstreaming policies.")
    assert texts[3].count("\n\n") == 3  # four paragraphs, the two bullets among them
    # The capture cut the last full copy's final period; the longer copy is kept.
    assert texts[8].endswith("in their respective contexts.")
    assert document.organization_line == "International Organization for Migration"
    assert not document.unplaced and not document.warnings


def test_a_layout_can_be_given_instead_of_detected():
    document = parse("desa-2024", layout="plain")
    assert document.layout == "plain"
    assert row_counts(document) == {"3": 3, "4": 3, "7": 10}  # same engine, same result
    with pytest.raises(DocumentError, match="line 1: expected lines starting with “View More”"):
        parse("desa-2024", layout="web-capture")
    with pytest.raises(DocumentError, match="unknown layout “docx”"):
        parse("desa-2024", layout="docx")


def test_text_a_question_cannot_hold_is_reported():
    text = "\n\n".join(
        [
            "International Organization for Migration (IOM)",
            "Stray line before the questions",
            "3. In the past year, has your organization organized any intergovernmentally "
            "mandated conferences, forums or events that contributed to the achievement of the "
            "SDGs, or has been in the process of planning and organizing any such mandated "
            "events to be held next year?",
            "Narrative the events table has no room for",
            "Event Name",
            "Forum",
            "Target audience",
            "Member States",
        ]
    )
    document = parse_document(text, outline_of("desa-2024"))
    assert [(n.line, n.text) for n in document.unplaced] == [
        (3, "Stray line before the questions"),
        (7, "Narrative the events table has no room for"),
        (13, "Member States"),  # the label's value goes with it
    ]
    assert "question 3 has no narrative answer" in document.unplaced[1].message
    assert "“Target audience” fits no field of the events" in document.unplaced[2].message
    assert document.rows["3"][0].values == {"name": "Forum", "sdgs_text": ""}
