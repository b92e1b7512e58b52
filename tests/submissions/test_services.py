"""Questionnaire services: next year's copy, its year replacements and what it copies."""

import pytest

from submissions.models import Question, Questionnaire, QuestionPart, RowField
from submissions.rowfields import question_row_fields
from submissions.seeds import seeds_load
from submissions.services import (
    ReplacementsOutdated,
    ServiceError,
    questionnaire_copy_as_next_year,
    questionnaire_year_replacements,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worded(db):
    """A 2024 questionnaire that names 2024 and 2023 in every kind of text, and 2030 too."""
    questionnaire = Questionnaire.objects.create(
        kind="desa",
        year=2024,
        slug="desa-2024",
        title="UN DESA questionnaire 2024",
        intro="Answers about 2024 for the 2030 Agenda.",
        text_layout="pipe",
        footer="ECESA Plus Member\nYear of submission: 2024",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="1",
        position=1,
        section="Looking back at 2023",
        prompt="During 2024, since the 2023 SDG Summit, what did your governing body decide?",
        guidance="Mention decisions of 2024 only.",
        word_minimum=50,
        word_limit=200,
        limit_note="(50-200 words about 2024)",
        number_printed=False,
    )
    events = Question.objects.create(
        questionnaire=questionnaire,
        number="2",
        position=2,
        prompt="Events held in 2024?",
        has_narrative=False,
        table="events",
        row_description_word_limit=150,
        heading_printed=False,
    )
    RowField.objects.create(question=events, field="name", position=1, label="Event name")
    RowField.objects.create(
        question=events,
        field="dates",
        position=2,
        label="Dates in 2024",
        guidance="as held in 2024 or planned for 2025",
    )
    transitions = Question.objects.create(
        questionnaire=questionnaire, number="3", position=3, prompt="Transitions?"
    )
    QuestionPart.objects.create(
        question=transitions,
        position=1,
        number="1)",
        title="Food systems in 2024",
        word_minimum=20,
        word_limit=200,
    )
    QuestionPart.objects.create(
        question=transitions, position=2, number="2)", title="Energy access", word_limit=200
    )
    return questionnaire


def by_text(replacements):
    return {(r.place, r.text_name): r for r in replacements}


def test_every_text_naming_the_year_or_the_year_before_is_proposed(worded):
    replacements = by_text(questionnaire_year_replacements(questionnaire=worded))

    assert sorted(replacements) == sorted(
        [
            ("Questionnaire", "Title"),
            ("Questionnaire", "Introduction"),
            ("Questionnaire", "Footer"),
            ("Question 1", "Section heading"),
            ("Question 1", "Question text"),
            ("Question 1", "Guidance"),
            ("Question 1", "Limit note"),
            ("Question 2", "Question text"),
            ("Question 2, row field “Dates in 2024”", "Label"),
            ("Question 2, row field “Dates in 2024”", "Guidance"),
            ("Question 3, part “1) Food systems in 2024”", "Title"),
        ]
    )
    prompt = replacements[("Question 1", "Question text")]
    assert prompt.old == worded.questions.get(number="1").prompt
    # One pass: 2023 becomes 2024 and 2024 becomes 2025, never 2023 to 2025.
    assert prompt.new == (
        "During 2025, since the 2024 SDG Summit, what did your governing body decide?"
    )
    assert [(piece, new) for piece, new in prompt.pieces if new] == [
        ("2024", "2025"),
        ("2023", "2024"),
    ]
    # 2030 and 2025 are no years of this questionnaire: left as they are.
    assert replacements[("Questionnaire", "Introduction")].new == (
        "Answers about 2025 for the 2030 Agenda."
    )
    guidance = replacements[("Question 2, row field “Dates in 2024”", "Guidance")]
    assert guidance.new == "as held in 2025 or planned for 2025"
    assert len({r.id for r in replacements.values()}) == len(replacements)


def test_the_copy_moves_on_exactly_the_accepted_texts(worded):
    replacements = by_text(questionnaire_year_replacements(questionnaire=worded))
    accepted = {
        replacements[key].id
        for key in [
            ("Questionnaire", "Footer"),
            ("Question 1", "Question text"),
            ("Question 2, row field “Dates in 2024”", "Label"),
            ("Question 3, part “1) Food systems in 2024”", "Title"),
        ]
    }

    copy = questionnaire_copy_as_next_year(questionnaire=worded, accept=accepted)

    assert (copy.year, copy.slug, copy.is_open) == (2025, "desa-2025", False)
    assert copy.title == "UN DESA questionnaire 2024"  # not accepted: as it was
    assert copy.intro == worded.intro
    assert copy.footer == "ECESA Plus Member\nYear of submission: 2025"
    decisions = copy.questions.get(number="1")
    assert decisions.prompt == (
        "During 2025, since the 2024 SDG Summit, what did your governing body decide?"
    )
    assert decisions.section == "Looking back at 2023"
    assert decisions.guidance == "Mention decisions of 2024 only."
    assert decisions.limit_note == "(50-200 words about 2024)"
    events = copy.questions.get(number="2")
    assert events.prompt == "Events held in 2024?"
    assert [(f.name, f.label, f.guidance) for f in question_row_fields(events)][:2] == [
        ("name", "Event name", ""),
        ("dates", "Dates in 2025", "as held in 2024 or planned for 2025"),
    ]
    parts = copy.questions.get(number="3").parts.all()
    assert [p.title for p in parts] == ["Food systems in 2025", "Energy access"]
    # The source is untouched.
    assert worded.questions.get(number="1").prompt.startswith("During 2024, since the 2023")


def test_without_accept_every_replacement_is_made(worded):
    copy = questionnaire_copy_as_next_year(questionnaire=worded)
    assert copy.title == "UN DESA questionnaire 2025"
    assert copy.questions.get(number="1").section == "Looking back at 2024"
    assert copy.questions.get(number="1").limit_note == "(50-200 words about 2025)"


def test_with_nothing_accepted_only_the_year_and_slug_move_on(worded):
    copy = questionnaire_copy_as_next_year(questionnaire=worded, accept=set())
    assert (copy.year, copy.slug, copy.title) == (2025, "desa-2025", worded.title)
    assert copy.footer == worded.footer
    assert copy.questions.get(number="1").prompt == worded.questions.get(number="1").prompt


def test_the_copy_keeps_the_wording_of_the_form(worded):
    copy = questionnaire_copy_as_next_year(questionnaire=worded, accept=set())

    assert (copy.text_layout, copy.footer) == ("pipe", worded.footer)
    fields = (
        "number",
        "position",
        "number_printed",
        "heading_printed",
        "word_minimum",
        "word_limit",
        "limit_note",
        "table",
        "row_description_word_limit",
    )
    assert list(copy.questions.values_list(*fields)) == list(worded.questions.values_list(*fields))
    assert copy.questions.get(number="1").limit_text() == "(50-200 words about 2024)"
    part_fields = ("position", "number", "title", "word_minimum", "word_limit")
    assert list(
        QuestionPart.objects.filter(question__questionnaire=copy).values_list(*part_fields)
    ) == list(QuestionPart.objects.filter(question__questionnaire=worded).values_list(*part_fields))
    row_field_fields = ("position", "field", "label", "guidance")
    assert list(
        RowField.objects.filter(question__questionnaire=copy).values_list(*row_field_fields)
    ) == list(
        RowField.objects.filter(question__questionnaire=worded).values_list(*row_field_fields)
    )


def test_a_replacement_accepted_before_its_text_was_edited_is_refused(worded):
    (prompt,) = [
        r
        for r in questionnaire_year_replacements(questionnaire=worded)
        if (r.place, r.text_name) == ("Question 2", "Question text")
    ]
    Question.objects.filter(pk=worded.questions.get(number="2").pk).update(
        prompt="Events held in 2024 or planned?"
    )

    with pytest.raises(ReplacementsOutdated, match="were edited since"):
        questionnaire_copy_as_next_year(questionnaire=worded, accept={prompt.id})
    assert not Questionnaire.objects.filter(year=2025).exists()
    # The edited text is proposed again, under a new id.
    (again,) = [
        r
        for r in questionnaire_year_replacements(questionnaire=worded)
        if (r.place, r.text_name) == ("Question 2", "Question text")
    ]
    assert again.id != prompt.id
    assert again.new == "Events held in 2025 or planned?"


def test_ids_of_another_questionnaire_are_ignored(worded):
    other = Questionnaire.objects.create(kind="gbv", year=2024, slug="gbv-2024", title="GBV 2024")
    (title,) = questionnaire_year_replacements(questionnaire=other)
    copy = questionnaire_copy_as_next_year(questionnaire=worded, accept={title.id})
    assert copy.title == worded.title


def test_a_copy_for_a_year_that_has_one_is_refused(worded):
    questionnaire_copy_as_next_year(questionnaire=worded)
    with pytest.raises(ServiceError, match="for 2025 exists already"):
        questionnaire_copy_as_next_year(questionnaire=worded)


def test_the_2024_seed_proposes_its_years_and_copies_its_wording(db):
    seeds_load(demo_users=False)
    source = Questionnaire.objects.get(slug="desa-2024")
    replacements = by_text(questionnaire_year_replacements(questionnaire=source))

    assert replacements[("Question 2", "Question text")].new.startswith("During 2025, what actions")
    # The 2023 SDG Summit happened in 2023: proposed, for the administrator to untick.
    assert "since the 2024 SDG Summit" in replacements[("Question 5", "Question text")].new
    assert "2025 Ministerial Declaration" in replacements[("Question 6", "Question text")].new
    assert replacements[("Questionnaire", "Footer")].new.endswith("Year of submission: 2025")

    summit = replacements[("Question 5", "Question text")].id
    copy = questionnaire_copy_as_next_year(
        questionnaire=source, accept={r.id for r in replacements.values()} - {summit}
    )
    q5 = copy.questions.get(number="5")
    assert "since the 2023 SDG Summit" in q5.prompt
    assert q5.limit_note == "(max 200 words under each transition)"
    assert copy.questions.get(number="3").row_fields.count() == 6
    assert copy.questions.get(number="1").prompt.endswith(
        "taken by your governing body in 2025 and provide the respective symbols."
    )
