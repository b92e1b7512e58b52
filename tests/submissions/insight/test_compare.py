"""Comparing two years: questions paired, answers diffed word by word, rows matched by name."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization, Role
from submissions.changes import answer_save
from submissions.insight.compare import (
    CHANGED,
    DROPPED,
    NEW,
    SAME,
    structure_changes,
    submissions_compare,
)
from submissions.models import Answer, Event, Question, Questionnaire, QuestionPart, Submission
from submissions.seeds import seeds_load
from tests.conftest import make_member, page_html, page_in_french

pytestmark = pytest.mark.django_db

IDM_2023 = "International Dialogue on Migration (IDM) – First Session 2023"
IDM_2024 = "International Dialogue on Migration (IDM) – First Session 2024"


def answer(submission, number, text, part=None):
    question = submission.questionnaire.questions.get(number=number)
    part = question.parts.get(title=part) if part else None
    return Answer.objects.create(submission=submission, question=question, part=part, text=text)


def event(submission, number, name, sdgs=(), **values):
    question = submission.questionnaire.questions.get(number=number)
    row = Event.objects.create(submission=submission, question=question, name=name, **values)
    row.sdgs.set(sdgs)
    return row


@pytest.fixture
def older(organization, sdgs):
    """IOM's 2023 submission: question 1 as in 2024, events under another number and wording,
    question 5 with one part of 2024 and one part of its own, and a question dropped in 2024."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2023, slug="desa-2023", title="UN DESA questionnaire 2023"
    )
    Question.objects.create(
        questionnaire=questionnaire, number="1", position=1, prompt="Decisions?", word_limit=200
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="2",
        position=2,
        prompt="Events organized in 2023?",
        has_narrative=False,
        table="events",
    )
    transitions = Question.objects.create(
        questionnaire=questionnaire, number="5", position=3, prompt="Six transitions?"
    )
    QuestionPart.objects.create(question=transitions, position=1, title="FOOD SYSTEMS")
    QuestionPart.objects.create(question=transitions, position=2, title="Jobs")
    Question.objects.create(
        questionnaire=questionnaire, number="6", position=4, prompt="The 2023 SDG Summit?"
    )
    return Submission.objects.create(organization=organization, questionnaire=questionnaire)


@pytest.fixture
def two_years(older, submission):
    """The 2023 submission and the 2024 one (the conftest questionnaire), both filled."""
    answer(older, "1", "IOM's Council adopted the Strategic Plan.")
    answer(submission, "1", "IOM's Council adopted the new Strategic Plan 2024–2028.")
    answer(older, "5", "Food was scarce.", part="FOOD SYSTEMS")
    answer(submission, "5", "Food was scarce.", part="Food systems")
    answer(older, "5", "Decent work.", part="Jobs")
    answer(submission, "5", "Clean energy.", part="Energy access")
    answer(older, "6", "We took part in the Summit.")
    event(
        older,
        "2",
        IDM_2023,
        sdgs=[10, 17],
        dates="30-31 March 2023",
        location="New York, USA",
        description="A platform to discuss migration.",
    )
    event(
        submission,
        "3",
        IDM_2024,
        sdgs=[5, 10],
        dates="21-22 May 2024",
        location="New York, USA",
        description="A platform to discuss migration and human mobility.",
    )
    event(older, "2", "Mayors Mechanism", sdgs=[11])
    event(submission, "3", "Mayors Mechanism", sdgs=[11])
    event(older, "2", "CLIMB Database")
    event(submission, "3", "Second Africa Regional GCM Review", sdgs=[10])
    return older, submission


def by_number(comparison):
    return {
        (q.old.number if q.old else None, q.new.number if q.new else None): q
        for q in comparison.questions
    }


# -- The selector ---------------------------------------------------------------------------


def test_the_same_question_is_diffed_word_by_word(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    decisions = by_number(comparison)[("1", "1")]
    assert decisions.status == CHANGED
    assert not decisions.reworded
    assert decisions.narrative.diff == [
        ("equal", "IOM's Council adopted the"),
        ("insert", " new"),
        ("equal", " Strategic"),
        ("delete", " Plan."),
        ("insert", " Plan 2024–2028."),
    ]
    # Each column shows its own year's text: removals on the left, additions on the right.
    assert "".join(t for _op, t in decisions.narrative.old_side) == (
        "IOM's Council adopted the Strategic Plan."
    )
    assert "".join(t for _op, t in decisions.narrative.new_side) == (
        "IOM's Council adopted the new Strategic Plan 2024–2028."
    )


def test_parts_are_paired_by_title_as_carry_forward_pairs_them(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    transitions = by_number(comparison)[("5", "5")]
    parts = {(p.title, p.old, p.new) for p in transitions.parts}
    assert parts == {
        ("Food systems", "Food was scarce.", "Food was scarce."),  # case of the title ignored
        ("Energy access", None, "Clean energy."),  # a part new in 2024
        ("Jobs", "Decent work.", None),  # a part of 2023 only
    }
    food = transitions.parts[0]
    assert not food.changed
    assert transitions.status == CHANGED


def test_questions_of_one_year_only_are_listed_as_such(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    summit = by_number(comparison)[("6", None)]
    assert summit.status == DROPPED
    assert summit.narrative.old == "We took part in the Summit."
    assert summit.narrative.new is None
    assert comparison.questions[-1] is summit  # after the newer year's questions
    assert [q.status for q in comparison.questions] == [CHANGED, CHANGED, CHANGED, DROPPED]


def test_a_question_only_in_the_newer_year_is_new(two_years):
    older, newer = two_years
    Question.objects.create(
        questionnaire=newer.questionnaire, number="8", position=9, prompt="A new question?"
    )
    answer(newer, "8", "A new answer.")

    comparison = submissions_compare(old=older, new=newer)

    new = by_number(comparison)[(None, "8")]
    assert new.status == NEW
    assert (new.narrative.old, new.narrative.new) == (None, "A new answer.")
    assert comparison.question_counts == {CHANGED: 3, SAME: 0, NEW: 1, DROPPED: 1}


def test_a_reworded_table_question_is_paired_by_its_table(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    events = by_number(comparison)[("2", "3")]
    assert events.reworded
    assert events.prompt_diff == [("delete", "Events organized in 2023?"), ("insert", "Events?")]


def test_rows_are_matched_by_name_new_dropped_changed_and_unchanged(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    rows = by_number(comparison)[("2", "3")].rows
    assert [(r.status, r.old and r.old.name, r.new and r.new.name) for r in rows] == [
        (CHANGED, IDM_2023, IDM_2024),
        (SAME, "Mayors Mechanism", "Mayors Mechanism"),
        (NEW, None, "Second Africa Regional GCM Review"),
        (DROPPED, "CLIMB Database", None),
    ]
    idm = rows[0]
    assert [c.name for c in idm.changes] == ["name", "dates", "sdgs", "description"]
    assert (idm.sdgs_added, idm.sdgs_removed) == ([5], [17])
    description = next(c for c in idm.changes if c.name == "description")
    assert description.diff == [
        ("equal", "A platform to discuss"),
        ("delete", " migration."),
        ("insert", " migration and human mobility."),
    ]
    assert by_number(comparison)[("2", "3")].row_counts == {
        CHANGED: 1,
        SAME: 1,
        NEW: 1,
        DROPPED: 1,
    }
    assert [(t.label, t.counts) for t in comparison.tables] == [
        ("Events", {CHANGED: 1, SAME: 1, NEW: 1, DROPPED: 1})
    ]


def test_identical_answers_and_rows_are_the_same(two_years):
    older, newer = two_years
    comparison = submissions_compare(old=newer, new=newer)

    assert {q.status for q in comparison.questions} == {SAME}
    assert comparison.question_counts == {CHANGED: 0, SAME: 3, NEW: 0, DROPPED: 0}


def test_compare_runs_a_fixed_number_of_queries(two_years, django_assert_num_queries):
    """Questions, parts, answers, each table's rows and their SDGs: never one query per row.

    Prevents the N+1 of reading each row's SDGs (row.sdgs.all()) and each question's parts and
    answers one by one: 40 more events cost no query.
    """
    older, newer = two_years
    with CaptureQueriesContext(connection) as small:
        submissions_compare(old=older, new=newer)
    for index in range(20):
        event(older, "2", f"Regional consultation {index}", sdgs=[1, 2, 3])
        event(newer, "3", f"Regional consultation {index}", sdgs=[1, 2, 4])
    with django_assert_num_queries(len(small.captured_queries)):
        comparison = submissions_compare(old=older, new=newer)
    # 1 questions + 1 parts + 1 answers + 2 for the events and their SDGs.
    assert len(small.captured_queries) == 5
    assert comparison.tables[0].counts[CHANGED] == 21


# -- The question's form -----------------------------------------------------------------


def same_answers_in_both(two_years):
    """Question 1 written the same in both years: only its form can make it changed."""
    older, newer = two_years
    Answer.objects.filter(submission=newer, question__number="1").update(
        text="IOM's Council adopted the Strategic Plan."
    )
    return older, newer


def test_a_part_added_in_the_newer_year_is_a_change(two_years):
    """The new year added a part to a question: it was called "Unchanged"."""
    older, newer = same_answers_in_both(two_years)
    decisions = newer.questionnaire.questions.get(number="1")
    assert by_number(submissions_compare(old=older, new=newer))[("1", "1")].status == SAME
    QuestionPart.objects.create(question=decisions, position=1, title="Examples", word_limit=100)

    entry = by_number(submissions_compare(old=older, new=newer))[("1", "1")]
    assert entry.status == CHANGED
    assert [(c.kind, c.message) for c in entry.structure] == [
        ("part_added", "Part added: “Examples” (100 words).")
    ]


def change_question(questionnaire, number, **values):
    question = questionnaire.questions.get(number=number)
    for name, value in values.items():
        setattr(question, name, value)
    question.save()


@pytest.mark.parametrize(
    ("number", "older_values", "newer_values", "expected"),
    [
        ("1", {}, {"word_limit": 250}, [("word_limit", "200 words → 250 words")]),
        ("1", {}, {"word_limit": None}, [("word_limit", "200 words → no limit")]),
        ("1", {}, {"has_narrative": False}, [("answer_removed", "No written answer")]),
        (
            "1",
            {"has_narrative": False},
            {},
            [("answer_added", "A written answer is asked for (200 words).")],
        ),
        ("1", {}, {"table": "resources"}, [("table_added", "Table added: Resources.")]),
        ("1", {"table": "events"}, {}, [("table_removed", "Table removed: Events.")]),
        (
            "1",
            {"table": "events"},
            {"table": "initiatives"},
            [("table_changed", "Events → Initiatives and partnerships")],
        ),
        (
            "1",
            {"table": "resources", "max_rows": 3},
            {"table": "resources"},
            [("max_rows", "Maximum rows: 3 rows → no maximum.")],
        ),
        (
            "1",
            {"table": "events", "row_description_word_limit": 150},
            {"table": "events", "row_description_word_limit": 100},
            [("row_word_limit", "description: 150 words → 100 words.")],
        ),
    ],
)
def test_each_change_of_form_is_said_and_makes_the_question_changed(
    two_years, number, older_values, newer_values, expected
):
    older, newer = same_answers_in_both(two_years)
    change_question(older.questionnaire, number, **older_values)
    change_question(newer.questionnaire, number, **newer_values)

    entry = by_number(submissions_compare(old=older, new=newer))[(number, number)]
    assert entry.status == CHANGED
    assert [c.kind for c in entry.structure] == [kind for kind, _text in expected]
    for change, (_kind, text) in zip(entry.structure, expected, strict=True):
        assert text in change.message


def test_parts_removed_and_part_limits_changed_are_said(two_years):
    comparison = submissions_compare(old=two_years[0], new=two_years[1])

    transitions = by_number(comparison)[("5", "5")]
    assert [(c.kind, c.message) for c in transitions.structure] == [
        # "FOOD SYSTEMS" in 2023 is "Food systems" in 2024: the same part, now limited.
        ("part_word_limit", "Word limit of “Food systems”: no limit → 200 words."),
        ("part_added", "Part added: “Energy access” (200 words)."),
        ("part_removed", "Part removed: “Jobs”."),
    ]


def test_a_question_of_the_same_form_has_no_change_of_form(two_years):
    older, newer = two_years
    assert (
        structure_changes(
            older.questionnaire.questions.get(number="1"),
            newer.questionnaire.questions.get(number="1"),
        )
        == []
    )
    comparison = submissions_compare(old=newer, new=newer)
    assert all(q.structure == [] for q in comparison.questions)


def test_the_page_lists_the_changes_of_form(contributor_client, two_years):
    older, newer = same_answers_in_both(two_years)
    decisions = newer.questionnaire.questions.get(number="1")
    QuestionPart.objects.create(question=decisions, position=1, title="Examples", word_limit=100)

    response = contributor_client.get(compare_url(a=older.pk, b=newer.pk, changed="on"))

    assert "1" in [q.question.number for q in response.context["questions"]]
    page = response.content.decode()
    card = page[page.index('id="question-1"') : page.index('id="question-2"')]
    assert "The question itself changed from 2023 to 2024" in card
    assert '<li data-change="part_added">Part added: “Examples” (100 words).</li>' in card
    assert "Unchanged" not in card and "Changed" in card
    # Question 1; 5, its parts; the events, their descriptions limited to 150 words in 2024.
    assert "3 questions changed their form" in page


# -- The seeds: IOM's 2023 and 2024 DESA submissions -----------------------------------------


@pytest.fixture
def seeded_years():
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    old = Submission.objects.get(organization=iom, questionnaire__slug="desa-2023")
    new = Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")
    return old, new


def test_the_seeds_idm_sessions_are_changed_rows_of_the_events_table(seeded_years):
    old, new = seeded_years
    comparison = submissions_compare(old=old, new=new)

    events = next(q for q in comparison.questions if q.table == "events")
    assert (events.old.number, events.new.number) == ("2", "3")
    assert events.reworded  # "…, or has been in the process of planning…"
    assert [(r.status, r.old and r.old.name, r.new and r.new.name) for r in events.rows] == [
        (CHANGED, IDM_2023, IDM_2024),
        (
            CHANGED,
            "International Dialogue on Migration (IDM) – Second Session 2023",
            "International Dialogue on Migration (IDM) – Second Session 2024",
        ),
        (
            NEW,
            None,
            "Second Africa Regional Global Compact on Safe, Orderly and Regular Migration (GCM) Review",
        ),
    ]
    first = events.rows[0]
    assert {"name", "dates", "description"} <= {c.name for c in first.changes}
    assert first.sdgs_added == first.sdgs_removed == []  # all 17 in both years
    description = next(c for c in first.changes if c.name == "description")
    assert any(op == "insert" for op, _text in description.diff)
    assert any(op == "equal" for op, _text in description.diff)

    tables = {t.table: t.counts for t in comparison.tables}
    assert tables["events"] == {CHANGED: 2, SAME: 0, NEW: 1, DROPPED: 0}
    assert tables["resources"] == {CHANGED: 0, SAME: 0, NEW: 3, DROPPED: 3}
    assert tables["initiatives"][NEW] == 10 and tables["initiatives"][DROPPED] == 8


def test_the_seeds_2023_questions_reworded_for_2024_are_new_and_dropped(seeded_years):
    comparison = submissions_compare(old=seeded_years[0], new=seeded_years[1])

    # Only the three tables pair (by table); the narrative questions were all reworded.
    assert comparison.question_counts == {CHANGED: 3, SAME: 0, NEW: 4, DROPPED: 3}


def test_the_seeds_2024_initiatives_ask_for_a_written_answer_too(seeded_years):
    comparison = submissions_compare(old=seeded_years[0], new=seeded_years[1])

    initiatives = next(q for q in comparison.questions if q.table == "initiatives")
    assert (initiatives.old.number, initiatives.new.number) == ("5", "7")
    assert [c.message for c in initiatives.structure] == [
        "A written answer is asked for (200 words)."
    ]
    assert comparison.structure_changed == 1


# -- The page -------------------------------------------------------------------------------


def compare_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('compare')}?{query}" if query else reverse("compare")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("compare"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_shows_both_years_side_by_side(contributor_client, two_years):
    older, newer = two_years
    response = contributor_client.get(compare_url(a=older.pk, b=newer.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Council adopted the" in page
    assert "[added:] </span> new</ins>" in page
    assert "[removed:] </span> Plan.</del>" in page
    assert "Only in 2023" in page and "We took part in the Summit." in page
    assert IDM_2024 in page
    assert "New in 2024" in page  # the GCM review
    assert "Unchanged:" in page and "Mayors Mechanism" in page
    context = response.context
    assert (context["old"], context["new"]) == (older, newer)
    assert context["comparison"].question_counts[CHANGED] == 3


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.REVIEWER, Role.COORDINATOR])
def test_every_role_may_compare(client, two_years, organization, role):
    client.force_login(make_member(organization, role, f"someone-{role}"))
    response = client.get(compare_url(a=two_years[0].pk, b=two_years[1].pk))
    assert response.status_code == 200
    assert response.context["comparison"] is not None


def test_with_only_the_newer_year_the_older_is_the_previous_submission(
    contributor_client, two_years
):
    older, newer = two_years
    response = contributor_client.get(compare_url(b=newer.pk))
    assert (response.context["old"], response.context["new"]) == (older, newer)
    assert response.context["form"]["a"].value() == older.pk


def test_with_only_the_older_year_the_newer_is_the_next_submission(contributor_client, two_years):
    older, newer = two_years
    response = contributor_client.get(compare_url(a=older.pk))
    assert (response.context["old"], response.context["new"]) == (older, newer)


def test_with_nothing_chosen_the_two_latest_of_the_same_kind_are_compared(
    contributor_client, two_years, organization
):
    older, newer = two_years
    gbv = Questionnaire.objects.create(kind="gbv", year=2025, slug="gbv-2025", title="GBV 2025")
    Submission.objects.create(organization=organization, questionnaire=gbv)  # alone of its kind

    response = contributor_client.get(reverse("compare"))

    assert (response.context["old"], response.context["new"]) == (older, newer)


def test_the_older_year_chosen_as_newer_is_swapped_and_said(contributor_client, two_years):
    older, newer = two_years
    response = contributor_client.get(compare_url(a=newer.pk, b=older.pk))

    assert response.status_code == 200
    assert (response.context["old"], response.context["new"]) == (older, newer)
    assert "the two you chose were swapped" in response.content.decode()


def test_only_changed_questions_can_be_shown(contributor_client, two_years):
    older, newer = two_years
    Answer.objects.filter(submission=newer, question__number="1").update(
        text="IOM's Council adopted the Strategic Plan."
    )
    response = contributor_client.get(compare_url(a=older.pk, b=newer.pk, changed="on"))

    shown = [q.question.number for q in response.context["questions"]]
    assert shown == ["3", "5", "6"]  # question 1 is the same in both years
    assert "One unchanged question is hidden." in response.content.decode()
    everything = contributor_client.get(compare_url(a=older.pk, b=newer.pk))
    assert [q.question.number for q in everything.context["questions"]] == ["1", "3", "5", "6"]


def test_another_organizations_submission_is_refused_without_its_data(
    contributor_client, two_years, other_organization
):
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=two_years[0].questionnaire
    )
    answer(theirs, "1", "UNDP's confidential answer.")

    for params in ({"a": theirs.pk, "b": two_years[1].pk}, {"b": theirs.pk}):
        response = contributor_client.get(compare_url(**params))
        assert response.status_code == 404
        page = response.content.decode()
        assert "you can compare only your own organization" in page
        assert "confidential" not in page
        assert "UNDP" not in page
        assert response.context.get("comparison") is None


def test_the_selects_list_only_the_users_submissions(
    contributor_client, two_years, other_organization
):
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=two_years[0].questionnaire
    )
    response = contributor_client.get(reverse("compare"))
    values = [value for value, _label in response.context["form"].fields["a"].choices]
    assert theirs.pk not in values
    assert set(values) == {"", *(s.pk for s in two_years)}


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "١", "1%00", "' OR 1=1 --"])
def test_a_malformed_id_is_a_form_error_not_a_crash(contributor_client, two_years, value):
    response = contributor_client.get(reverse("compare"), {"a": value, "b": two_years[1].pk})
    assert response.status_code == 400
    assert "is not a submission number" in response.content.decode()


@pytest.mark.parametrize("value", ["999999", str(2**31), str(2**63), "9" * 40])
def test_an_unknown_or_huge_id_is_not_found(contributor_client, two_years, value):
    response = contributor_client.get(reverse("compare"), {"a": value, "b": two_years[1].pk})
    assert response.status_code == 404
    assert "you can compare only your own organization" in response.content.decode()


def test_the_same_submission_twice_is_refused(contributor_client, two_years):
    response = contributor_client.get(compare_url(a=two_years[1].pk, b=two_years[1].pk))
    assert response.status_code == 400
    assert "Choose two different submissions." in response.content.decode()


def test_a_lone_submission_asks_for_another(contributor_client, submission):
    response = contributor_client.get(compare_url(b=submission.pk))
    assert response.status_code == 200
    assert "There is no other submission of the same questionnaire" in (response.content.decode())


def test_the_page_runs_a_fixed_number_of_queries(
    contributor_client, two_years, django_assert_num_queries
):
    """The page reads the user's submissions once for both selects and compares in a fixed
    number of queries: no query per row's SDGs, per question or per choice in the selects."""
    older, newer = two_years
    url = compare_url(a=older.pk, b=newer.pk)
    with CaptureQueriesContext(connection) as few:
        contributor_client.get(url)
    for index in range(15):
        event(older, "2", f"Consultation {index}", sdgs=[1])
        event(newer, "3", f"Consultation {index}", sdgs=[2])
    with django_assert_num_queries(len(few.captured_queries)):
        response = contributor_client.get(url)
    assert response.context["comparison"].tables[0].counts[CHANGED] == 16


def test_the_selects_show_what_is_saved_now(contributor_client, two_years, organization):
    """The form is kept as drawn while its choices, the chosen two and the language are the
    same: a new submission, another choice, a renamed organization and French show at once."""
    older, newer = two_years

    def selects(language="en", **query):
        session = contributor_client.session
        session["language"] = language
        session.save()
        html = contributor_client.get(compare_url(**query)).content.decode()
        return re.search(r'<form method="get".*?</form>', html, re.S)[0]

    first = selects(a=older.pk, b=newer.pk)
    assert f'<option value="{older.pk}" selected>2023 · IOM' in first
    assert "2025" not in first
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2025, slug="desa-2025", title="UN DESA questionnaire 2025"
    )
    latest = Submission.objects.create(organization=organization, questionnaire=questionnaire)
    assert f'<option value="{latest.pk}">2025 · IOM' in selects(a=older.pk, b=newer.pk)
    assert f'<option value="{latest.pk}" selected>2025 · IOM' in selects(a=newer.pk, b=latest.pk)
    checked = re.compile(r'name="changed"[^>]*checked')
    assert checked.search(selects(a=older.pk, b=newer.pk, changed="on"))
    assert not checked.search(selects(a=older.pk, b=newer.pk))
    organization.code = "IOM-UN"
    organization.save()
    assert f'<option value="{older.pk}" selected>2023 · IOM-UN' in selects(a=older.pk, b=newer.pk)
    assert "Année la plus ancienne" in selects("fr", a=older.pk, b=newer.pk)


def test_a_member_of_several_organizations_is_offered_one_organizations_submissions(
    client, organization, other_organization, two_years
):
    """The lists offer the submissions of the organization being compared (or, with nothing
    chosen yet, the first one the member coordinates), not every organization's."""
    older, newer = two_years
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=newer.questionnaire
    )
    user = make_member(organization, Role.CONTRIBUTOR, "both")
    other_organization.memberships.create(user=user, role=Role.COORDINATOR)
    client.force_login(user)

    iom = client.get(compare_url(a=older.pk, b=newer.pk))
    first = client.get(compare_url())

    assert iom.status_code == 200
    assert set(iom.context["submissions"]) == {older, newer}
    assert set(first.context["submissions"]) == {theirs}


def test_a_comparison_shown_again_is_not_compared_again_and_an_edit_shows_at_once(
    contributor_client, contributor, two_years
):
    """The page keeps the comparison as rendered under the two submissions' versions: shown
    again it compares nothing; an answer edited through the write gate shows at once, and a
    French reader never gets the English HTML."""
    older, newer = two_years
    url = compare_url(a=older.pk, b=newer.pk)

    def page():
        return page_html(contributor_client, url)

    with CaptureQueriesContext(connection) as first:
        before = page()
    with CaptureQueriesContext(connection) as again:
        assert page() == before
    assert len(again.captured_queries) < len(first.captured_queries)

    current = Answer.objects.get(submission=newer, question__number="1", part=None)
    result = answer_save(
        submission=newer,
        question=current.question,
        part=None,
        text="IOM's Council adopted the Strategic Plan and its results framework.",
        base_version=current.version,
        user=contributor,
        key="answer",
    )
    assert result.status == "saved", result
    after = page()
    assert "results framework" in after and "Strategic Plan 2024–2028" not in after

    french = page_in_french(contributor_client, url)
    assert "Inchangée" in french and "Unchanged" not in french
