"""Completeness at a glance: what the coordinator reads on the page and in the CSV, each sort
order both ways, who may see it, and a query count that does not grow with the questionnaire."""

import csv
import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from submissions.insight.completeness import completeness_sort, submission_completeness
from submissions.models import (
    Answer,
    Assignment,
    Event,
    Question,
    QuestionReview,
    ReviewStatus,
    Submission,
)
from submissions.services import questionnaire_structure_changed
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def words(n: int) -> str:
    return " ".join(["word"] * n)


@pytest.fixture
def coordinator(organization):
    return make_member(organization, Role.COORDINATOR, "coordinator")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def people(organization):
    """Three contributors: one with a full name, two known by their username."""
    zoe = make_member(organization, Role.CONTRIBUTOR, "zoe")
    zoe.first_name, zoe.last_name = "Zoe", "Adams"
    zoe.save()
    return {
        "zoe": zoe,
        "bob": make_member(organization, Role.CONTRIBUTOR, "bob"),
        "anna": make_member(organization, Role.CONTRIBUTOR, "anna"),
    }


@pytest.fixture
def filled(submission, people):
    """Five questions, each first by a different sort key.

    1  narrative 50/200 (25%), in review, Zoe Adams, due 4 days ago (not overdue: sent)
    3  events: 2 rows, one description over 150; approved; bob (+ anna on a row), due later
    5  its own box empty, without limit; two parts 150/200 and 10/200 (75% fullest); draft;
       unassigned
    8  narrative 120/100 (120%, over), changes requested, anna, due 16 days ago: overdue
    9  narrative without limit, nothing written, unassigned
    """
    questionnaire = submission.questionnaire
    q = {question.number: question for question in questionnaire.questions.all()}
    q["8"] = Question.objects.create(
        questionnaire=questionnaire, number="8", position=4, prompt="Results?", word_limit=100
    )
    q["9"] = Question.objects.create(
        questionnaire=questionnaire, number="9", position=5, prompt="Anything else?"
    )
    zoe, bob, anna = people["zoe"], people["bob"], people["anna"]
    Answer.objects.create(submission=submission, question=q["1"], text=words(50), updated_by=zoe)
    food, energy = q["5"].parts.all()
    Answer.objects.create(submission=submission, question=q["5"], part=food, text=words(150))
    Answer.objects.create(submission=submission, question=q["5"], part=energy, text=words(10))
    Answer.objects.create(submission=submission, question=q["8"], text=words(120))
    Event.objects.create(submission=submission, question=q["3"], name="Forum", updated_by=bob)
    event = Event.objects.create(
        submission=submission, question=q["3"], name="Summit", description=words(160)
    )
    for number, status in [
        ("1", ReviewStatus.IN_REVIEW),
        ("3", ReviewStatus.APPROVED),
        ("8", ReviewStatus.CHANGES_REQUESTED),
    ]:
        QuestionReview.objects.create(submission=submission, question=q[number], status=status)
    for number, person, due, row_id in [
        ("1", zoe, TODAY - timedelta(days=4), None),
        ("3", bob, TODAY + timedelta(days=20), None),
        ("3", anna, TODAY + timedelta(days=10), event.pk),
        ("8", anna, TODAY - timedelta(days=16), None),
    ]:
        Assignment.objects.create(
            submission=submission, question=q[number], assignee=person, due_date=due, row_id=row_id
        )
    return submission


def lines_by_number(submission):
    return {line.number: line for line in submission_completeness(submission=submission).lines}


# -- What each line says -------------------------------------------------------------------


def test_words_limits_and_percent_of_the_limit(filled):
    lines = lines_by_number(filled)
    assert (lines["1"].words, lines["1"].limit, lines["1"].percent) == (50, 200, 25)
    assert (lines["8"].words, lines["8"].limit, lines["8"].percent) == (120, 100, 120)
    assert lines["8"].over and not lines["1"].over
    # A question in parts: the words of its own box against its limit (none here), as the
    # overview and the editing page show them; its parts count apart; the percentage is
    # that of its fullest text.
    assert (lines["5"].words, lines["5"].limit, lines["5"].percent) == (0, None, 75)
    Question.objects.filter(questionnaire=filled.questionnaire, number="5").update(
        has_narrative=False
    )
    questionnaire_structure_changed(questionnaire=filled.questionnaire)  # as the admin does
    # No box of its own: no words, and no limit made up by adding its parts' limits.
    assert (lines_by_number(filled)["5"].words, lines_by_number(filled)["5"].limit) == (None, None)
    assert [(p.title, p.words, p.limit, p.percent) for p in lines["5"].parts] == [
        ("Food systems", 150, 200, 75),
        ("Energy access", 10, 200, 5),
    ]
    # A table-only question has no words; a question without a limit has no percentage.
    assert (lines["3"].words, lines["3"].limit, lines["3"].percent) == (None, None, None)
    assert (lines["9"].words, lines["9"].limit, lines["9"].percent) == (0, None, None)


@pytest.mark.parametrize(
    ("count", "percent", "over"), [(199, 99, False), (200, 100, False), (201, 100, True)]
)
def test_percent_is_rounded_down_and_over_is_strict(filled, count, percent, over):
    Answer.objects.filter(submission=filled, question__number="1").update(text=words(count))
    line = lines_by_number(filled)["1"]
    assert (line.percent, line.over, line.text_over) == (percent, over, over)


def test_rows_against_the_maximum_and_descriptions_over_their_limit(filled):
    line = lines_by_number(filled)["3"]
    assert (line.row_count, line.rows_over) == (2, 1)
    assert line.over  # a description over its limit puts the question over
    assert lines_by_number(filled)["1"].row_count is None


def test_status_answered_and_labels(filled):
    lines = lines_by_number(filled)
    assert {n: (line.status, line.status_label) for n, line in lines.items()} == {
        "1": ("in_review", "In review"),
        "3": ("approved", "Approved"),
        "5": ("draft", "Draft"),
        "8": ("changes_requested", "Changes requested"),
        "9": ("empty", "Not started"),
    }
    assert [n for n, line in lines.items() if not line.answered] == ["9"]


def test_assignees_due_dates_and_overdue(filled, people):
    lines = lines_by_number(filled)
    assert lines["1"].assignees == [people["zoe"]]
    # The whole question's assignee first, then a row's; the earliest due date counts.
    assert lines["3"].assignees == [people["bob"], people["anna"]]
    assert lines["3"].due_date == TODAY + timedelta(days=10)
    assert lines["5"].assignees == [] and lines["5"].due_date is None
    # Overdue: past its date and still being written. Sent for review is not overdue.
    assert {n for n, line in lines.items() if line.overdue} == {"8"}
    assert lines["1"].due_date < TODAY


def test_last_edited_by_whom(filled, people):
    lines = lines_by_number(filled)
    assert lines["1"].last_edit.by == people["zoe"]
    assert lines["3"].last_edit is not None  # rows count as edits of their question
    assert lines["9"].last_edit is None


def test_summary(filled):
    report = submission_completeness(submission=filled)
    assert (report.answered, report.total) == (4, 5)
    assert (report.over, report.in_review, report.approved, report.overdue) == (2, 1, 1, 1)


# -- Sorting -------------------------------------------------------------------------------

ORDERS = {
    ("number", False): ["1", "3", "5", "8", "9"],
    ("number", True): ["9", "8", "5", "3", "1"],
    # Lines without a value (a table-only question, no limit, nobody) come last either way.
    ("words", False): ["5", "9", "1", "8", "3"],
    ("words", True): ["8", "1", "5", "9", "3"],
    ("percent", False): ["1", "5", "8", "3", "9"],
    ("percent", True): ["8", "5", "1", "3", "9"],
    ("status", False): ["9", "5", "8", "1", "3"],
    ("status", True): ["3", "1", "8", "5", "9"],
    ("assignee", False): ["8", "3", "1", "5", "9"],
    ("assignee", True): ["1", "3", "8", "5", "9"],
    ("due", False): ["8", "1", "3", "5", "9"],
    ("due", True): ["3", "1", "8", "5", "9"],
}


def page_order(response) -> list[str]:
    return re.findall(r'<tr data-question="([^"]+)"', response.content.decode())


@pytest.mark.parametrize(("sort", "descending"), list(ORDERS))
def test_each_sort_key_both_ways(filled, coordinator_client, sort, descending):
    expected = ORDERS[(sort, descending)]
    report = submission_completeness(submission=filled, sort=sort, descending=descending)
    assert [line.number for line in report.lines] == expected

    direction = "desc" if descending else "asc"
    response = coordinator_client.get(
        reverse("completeness", args=[filled.pk]), {"sort": sort, "dir": direction}
    )
    assert page_order(response) == expected
    header = re.search(
        r'<th[^>]*aria-sort="(\w+)"[^>]*>\s*<a[^>]*href="\?([^"]+)"', response.content.decode()
    )
    assert header.group(1) == ("descending" if descending else "ascending")
    # Clicking the sorted header again turns the order round.
    opposite = "asc" if descending else "desc"
    assert header.group(2).replace("&amp;", "&") == f"sort={sort}&dir={opposite}"
    assert response.content.decode().count("aria-sort=") == 1

    csv_lines = csv_rows(
        coordinator_client.get(
            reverse("completeness_csv", args=[filled.pk]), {"sort": sort, "dir": direction}
        )
    )
    assert [row[0] for row in csv_lines[1:] if not row[1]] == expected


@pytest.mark.parametrize(
    "query", [{"sort": "nonsense"}, {"sort": "words", "dir": "sideways"}, {"sort": ""}, {}]
)
def test_unknown_sort_falls_back_without_error(filled, coordinator_client, query):
    response = coordinator_client.get(reverse("completeness", args=[filled.pk]), query)
    assert response.status_code == 200
    expected = ["1", "3", "5", "8", "9"]
    if query.get("sort") == "words":  # a known key with an unknown direction: ascending
        expected = ORDERS[("words", False)]
    assert page_order(response) == expected


def test_completeness_sort_parses_the_query_string():
    assert completeness_sort("due", "desc") == ("due", True)
    assert completeness_sort("due", None) == ("due", False)
    assert completeness_sort("<script>", "desc") == ("number", False)
    assert completeness_sort(None, None) == ("number", False)


# -- The page ------------------------------------------------------------------------------


def test_page_shows_words_status_assignee_due_date_and_links(filled, coordinator_client):
    response = coordinator_client.get(reverse("completeness", args=[filled.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    row = {
        number: re.search(rf'<tr data-question="{number}">(.*?)</tr>', html, re.S).group(1)
        for number in ["1", "3", "5", "8", "9"]
    }
    assert "50 / 200" in row["1"] and "25%" in row["1"]
    assert "In review" in row["1"] and "Zoe Adams" in row["1"]
    assert f'datetime="{(TODAY - timedelta(days=4)).isoformat()}"' in row["1"]
    assert "Overdue" not in row["1"]
    assert "120 / 100" in row["8"] and "120%" in row["8"] and "Over the limit" in row["8"]
    assert "Changes requested" in row["8"] and "anna" in row["8"] and "Overdue" in row["8"]
    assert "2" in row["3"] and "1 description too long" in row["3"] and "bob, anna" in row["3"]
    assert "Not started" in row["9"] and "Unassigned" in row["9"]
    for number in row:
        assert reverse("question_edit", args=[filled.pk, number]) in row[number]
    # Parts follow their question as sub-lines.
    assert re.search(r'data-part-of="5">.*?Food systems.*?150 / 200.*?75%', html, re.S)
    # The summary on top.
    summary = dict(re.findall(r'data-summary="(\w+)">([^<]+)<', html))
    assert summary == {
        "answered": "4 / 5",
        "over": "2",
        "in_review": "1",
        "approved": "1 / 5",
        "overdue": "1",
    }
    assert f"{reverse('completeness_csv', args=[filled.pk])}?sort=number&amp;dir=asc" in html


def rows_cell(html: str) -> str:
    return re.search(r'data-col="rows"[^>]*>(.*?)</td>', html, re.S).group(1)


def test_page_shows_what_is_saved_now(filled, coordinator_client, coordinator, people):
    """The table's lines are kept as drawn while nothing they show changes; each change shows
    at once: words, the wording and the limit changed in the admin, a row and its description,
    the status, the assignee, their name, the due date and its passing, who edited last, a
    part's words, the order, the page in French and a question renumbered."""
    url = reverse("completeness", args=[filled.pk])
    question = {q.number: q for q in filled.questionnaire.questions.all()}

    def line(number, query="", language="en"):
        session = coordinator_client.session
        session["language"] = language
        session.save()
        html = coordinator_client.get(url + query).content.decode()
        return re.search(
            rf'<tr data-question="{number}">(.*?)</tr>(.*?)(?=<tr data-q|</tbody>)', html, re.S
        ).group(0)

    assert "50 / 200" in line("1")
    Answer.objects.filter(question=question["1"]).update(text=words(60), words=60)
    assert "60 / 200" in line("1") and "30%" in line("1")
    Question.objects.filter(pk=question["1"].pk).update(prompt="Reworded?")
    questionnaire_structure_changed(questionnaire=filled.questionnaire)
    assert "Reworded?" in line("1")
    Question.objects.filter(pk=question["1"].pk).update(word_limit=50)
    questionnaire_structure_changed(questionnaire=filled.questionnaire)
    assert "60 / 50" in line("1") and "Over the limit" in line("1")
    assert rows_cell(line("3")).startswith("2")
    Event.objects.create(
        submission=filled, question=question["3"], name="Third", description=words(200)
    )
    assert rows_cell(line("3")).startswith("3") and "2 descriptions too long" in line("3")
    QuestionReview.objects.filter(question=question["1"]).update(status=ReviewStatus.APPROVED)
    assert "Approved" in line("1")
    assignment = Assignment.objects.get(question=question["1"])
    assert "Zoe Adams" in line("1")
    people["zoe"].first_name = "Zoé"
    people["zoe"].save()
    assert "Zoé Adams" in line("1")
    Assignment.objects.filter(pk=assignment.pk).update(assignee=people["bob"])
    assert "bob" in line("1") and "Zoé" not in line("1").split("Last edited")[0]
    later = TODAY + timedelta(days=30)
    Assignment.objects.filter(pk=assignment.pk).update(due_date=later)
    assert f'datetime="{later.isoformat()}"' in line("1")
    assert "Overdue" not in line("9")
    Assignment.objects.create(
        submission=filled,
        question=question["9"],
        assignee=people["anna"],
        due_date=TODAY + timedelta(days=2),
    )
    assert "Overdue" not in line("9") and "anna" in line("9")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=3)):
        assert "Overdue" in line("9")  # the same due date, passed
    edited = timezone.now() - timedelta(days=400)
    Answer.objects.filter(question=question["1"]).update(
        updated_by=people["anna"], updated_at=edited
    )
    assert f'datetime="{edited.isoformat()}"' in line("1")
    food = question["5"].parts.first()
    Answer.objects.filter(part=food).update(text=words(190), words=190)
    assert "190 / 200" in line("5") and "95%" in line("5")
    numbers = page_order(coordinator_client.get(url))
    assert page_order(coordinator_client.get(url + "?sort=number&dir=desc")) == numbers[::-1]
    assert "Approuvé" in line("1", language="fr")
    Question.objects.filter(pk=question["9"].pk).update(number="9a")
    questionnaire_structure_changed(questionnaire=filled.questionnaire)
    assert reverse("question_edit", args=[filled.pk, "9a"]) in line("9a")


def test_page_of_a_questionnaire_without_questions(organization, coordinator_client):
    from submissions.models import Questionnaire

    empty = Questionnaire.objects.create(kind="gbv", year=2024, slug="gbv-2024", title="GBV")
    submission = Submission.objects.create(organization=organization, questionnaire=empty)
    response = coordinator_client.get(reverse("completeness", args=[submission.pk]))
    assert response.status_code == 200
    assert "no questions yet" in response.content.decode()


# -- CSV -----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_has_the_same_columns_and_values(filled, coordinator_client, people):
    response = coordinator_client.get(reverse("completeness_csv", args=[filled.pk]))
    assert 'filename="IOM-2024-desa-completeness.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    header, *lines = csv_rows(response)
    assert header == [
        "Number",
        "Part",
        "Question",
        "Words",
        "Word limit",
        "Limit used (percent)",
        "Rows",
        "Maximum rows",
        "Descriptions over their limit",
        "Status",
        "Answered",
        "Over the limit",
        "Assignee (username)",
        "Assignee (name)",
        "Due date",
        "Overdue",
        "Last edited",
        "Last edited by",
    ]
    rows = {(line[0], line[1]): dict(zip(header, line, strict=True)) for line in lines}
    assert [key for key in rows] == [
        ("1", ""),
        ("3", ""),
        ("5", ""),
        ("5", "Food systems"),
        ("5", "Energy access"),
        ("8", ""),
        ("9", ""),
    ]
    one = rows[("1", "")]
    assert (one["Question"], one["Words"], one["Word limit"], one["Limit used (percent)"]) == (
        "Decisions?",
        "50",
        "200",
        "25",
    )
    assert (one["Status"], one["Answered"], one["Over the limit"]) == ("In review", "yes", "no")
    assert (one["Assignee (username)"], one["Assignee (name)"]) == ("zoe", "Zoe Adams")
    assert one["Due date"] == (TODAY - timedelta(days=4)).isoformat()
    assert (one["Overdue"], one["Last edited by"]) == ("no", "Zoe Adams")
    three = rows[("3", "")]
    assert (three["Words"], three["Rows"], three["Descriptions over their limit"]) == ("", "2", "1")
    assert three["Assignee (username)"] == "bob; anna"
    eight = rows[("8", "")]
    assert (eight["Status"], eight["Over the limit"], eight["Overdue"]) == (
        "Changes requested",
        "yes",
        "yes",
    )
    food = rows[("5", "Food systems")]
    assert (food["Words"], food["Word limit"], food["Limit used (percent)"]) == ("150", "200", "75")
    assert rows[("9", "")]["Status"] == "Not started"


def test_csv_neutralises_formulas(filled, coordinator_client, people):
    Question.objects.filter(questionnaire=filled.questionnaire, number="9").update(
        prompt='=HYPERLINK("http://evil.example","click")'
    )
    anna = people["anna"]
    anna.first_name, anna.last_name = "@SUM(1+1)", ""
    anna.save()
    part = filled.questionnaire.questions.get(number="5").parts.get(title="Energy access")
    part.title = "-2+3"
    part.save()
    _header, *lines = csv_rows(
        coordinator_client.get(reverse("completeness_csv", args=[filled.pk]))
    )
    cells = [cell for line in lines for cell in line]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'@SUM(1+1)" in cells
    assert "'-2+3" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


# -- Who may see it ------------------------------------------------------------------------

URLS = ["completeness", "completeness_csv"]


@pytest.mark.parametrize("name", URLS)
def test_coordinator_sees_it(submission, coordinator_client, name):
    assert coordinator_client.get(reverse(name, args=[submission.pk])).status_code == 200


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.REVIEWER])
def test_other_roles_are_refused(submission, organization, name, role):
    client = Client()
    client.force_login(make_member(organization, role, f"{role}-user"))
    assert client.get(reverse(name, args=[submission.pk])).status_code == 403


@pytest.mark.parametrize("name", URLS)
def test_another_organizations_coordinator_gets_404(submission, other_organization, name):
    client = Client()
    client.force_login(make_member(other_organization, Role.COORDINATOR, "other-coordinator"))
    assert client.get(reverse(name, args=[submission.pk])).status_code == 404


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_log_in(client, submission, name):
    response = client.get(reverse(name, args=[submission.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- Queries -------------------------------------------------------------------------------


def _grow(submission, people, start: int, count: int) -> None:
    """Add questions with answers, parts, rows, assignments and editors."""
    questionnaire = submission.questionnaire
    users = list(people.values())
    for i in range(start, start + count):
        user = users[i % len(users)]
        question = Question.objects.create(
            questionnaire=questionnaire,
            number=f"X{i}",
            position=100 + i,
            prompt=f"Extra {i}?",
            word_limit=100,
            table="events",
            row_description_word_limit=150,
        )
        part = question.parts.create(title=f"Part {i}", position=1, word_limit=50)
        Answer.objects.create(
            submission=submission, question=question, text=words(i), updated_by=user
        )
        Answer.objects.create(
            submission=submission, question=question, part=part, text=words(3), updated_by=user
        )
        Event.objects.create(submission=submission, question=question, name="E", updated_by=user)
        Assignment.objects.create(
            submission=submission, question=question, assignee=user, due_date=TODAY
        )


def test_selector_queries_do_not_grow_with_questions(filled, people, django_assert_max_num_queries):
    """Prevents the N+1 of reading, per question, its answers, parts, rows, assignment's
    assignee and last editor: 7 queries for the counts, 1 for assignments, 3 for last edits."""
    _grow(filled, people, 0, 2)
    with django_assert_max_num_queries(11):
        lines = submission_completeness(submission=filled, sort="assignee").lines
        [(line.assignees, line.last_edit and line.last_edit.by) for line in lines]
    _grow(filled, people, 2, 30)
    with django_assert_max_num_queries(11):
        lines = submission_completeness(submission=filled, sort="assignee").lines
        [(line.assignees, line.last_edit and line.last_edit.by) for line in lines]


@pytest.mark.parametrize("name", URLS)
def test_page_and_csv_queries_do_not_grow_with_questions(
    filled, people, coordinator_client, name, django_assert_max_num_queries
):
    """Prevents the N+1 of rendering each line's assignees, editor and status on the page and
    in the CSV: the number of queries for 5 questions holds for 35."""
    url = reverse(name, args=[filled.pk])
    with CaptureQueriesContext(connection) as small:
        coordinator_client.get(url, {"sort": "due", "dir": "desc"})
    _grow(filled, people, 0, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = coordinator_client.get(url, {"sort": "due", "dir": "desc"})
    assert response.status_code == 200
