"""Opening a new year's submission and carrying rows and unchanged answers forward."""

import pytest
from django.urls import reverse

from accounts.models import Role
from submissions.carry_forward import carry_forward_plan
from submissions.changes import submission_carry_forward
from submissions.models import Answer, Initiative, Question, Questionnaire, Submission
from submissions.services import questionnaire_copy_as_next_year
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(submission, contributor, sdgs):
    """The 2024 submission with an initiative, an event and answers."""
    questionnaire = submission.questionnaire
    initiatives = Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=7,
        prompt="During 2024, which initiatives?",
        table="initiatives",
    )
    row = Initiative.objects.create(
        submission=submission, question=initiatives, name="UN Network on Migration", position=0
    )
    row.sdgs.set([10, 17])
    events = questionnaire.questions.get(number="3")
    submission.events.create(question=events, name="IDM 2024")
    Answer.objects.create(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        text="Governing body decisions.",
    )
    q5 = questionnaire.questions.get(number="5")
    Answer.objects.create(
        submission=submission, question=q5, part=q5.parts.get(title="Food systems"), text="Food."
    )
    return submission


@pytest.fixture
def this_year(last_year):
    questionnaire = questionnaire_copy_as_next_year(questionnaire=last_year.questionnaire)
    # The 2025 form changed question 1's wording: its answer must not be carried.
    questionnaire.questions.filter(number="1").update(prompt="A new question this year?")
    return Submission.objects.create(
        organization=last_year.organization, questionnaire=questionnaire
    )


def test_plan_copies_initiatives_and_unchanged_answers_not_events(this_year):
    plan = carry_forward_plan(submission=this_year)
    assert plan.source.questionnaire.year == 2024
    assert [(q.number, [r.name for r in rows]) for q, rows in plan.rows] == [
        ("7", ["UN Network on Migration"])
    ]
    assert [(q.number, a.text) for q, a in plan.answers] == [("5", "Food.")]


def test_carry_forward_marks_rows_until_edited(this_year, coordinator):
    submission_carry_forward(submission=this_year, user=coordinator)
    row = Initiative.objects.get(submission=this_year)
    assert row.carried_from_year == 2024
    assert sorted(row.sdgs.values_list("number", flat=True)) == [10, 17]
    assert row.question.questionnaire == this_year.questionnaire
    part_answer = Answer.objects.get(submission=this_year)
    assert part_answer.part.title == "Food systems"
    assert part_answer.part.question.questionnaire == this_year.questionnaire
    # Last year's rows are untouched.
    assert Initiative.objects.filter(submission__questionnaire__year=2024).count() == 1

    # Running it again copies nothing more.
    plan = submission_carry_forward(submission=this_year, user=coordinator)
    assert plan.row_count == 0 and plan.answers == []
    assert Initiative.objects.filter(submission=this_year).count() == 1


def test_editing_a_carried_row_clears_the_mark(this_year, contributor, coordinator):
    from submissions.changes import row_save

    submission_carry_forward(submission=this_year, user=coordinator)
    row = Initiative.objects.get(submission=this_year)
    row_save(
        submission=this_year,
        question=row.question,
        row_id=row.pk,
        base_version=1,
        values={
            "name": "UN Network on Migration",
            "partners": "UNHCR",
            "member_states": "",
            "description": "",
            "website": "",
        },
        sdgs=[10, 17],
        position=0,
        user=contributor,
        key="rows-0",
    )
    row.refresh_from_db()
    assert row.carried_from_year is None


def test_coordinator_opens_the_new_year_and_carries_forward(client, last_year, organization):
    coordinator = make_member(organization, Role.COORDINATOR, "focal")
    client.force_login(coordinator)
    questionnaire = questionnaire_copy_as_next_year(questionnaire=last_year.questionnaire)
    questionnaire.is_open = True
    questionnaire.save()
    home = client.get(reverse("home")).content.decode()
    assert "Open the 2025 submission" in home

    response = client.post(reverse("submission_open", args=[organization.pk, questionnaire.pk]))
    submission = Submission.objects.get(questionnaire=questionnaire)
    assert response["Location"] == reverse("carry_forward", args=[submission.pk])
    page = client.get(response["Location"]).content.decode()
    assert "UN Network on Migration" in page
    client.post(reverse("carry_forward", args=[submission.pk]))
    assert Initiative.objects.get(submission=submission).carried_from_year == 2024
    edit = client.get(reverse("question_edit", args=[submission.pk, "7"])).content.decode()
    assert "from 2024" in edit


def test_only_coordinators_open_or_carry_forward(contributor_client, last_year, organization):
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2025, slug="desa-2025", title="2025", is_open=True
    )
    response = contributor_client.post(
        reverse("submission_open", args=[organization.pk, questionnaire.pk])
    )
    assert response.status_code == 403
    assert not Submission.objects.filter(questionnaire=questionnaire).exists()
    assert contributor_client.get(reverse("carry_forward", args=[last_year.pk])).status_code == 403


def test_a_row_the_new_year_has_already_is_not_carried_again(this_year, coordinator):
    """The same rule as comparing years and the library: a row already there under its new
    year's name (here reused into another initiatives question) is not copied a second time."""
    other = Question.objects.create(
        questionnaire=this_year.questionnaire,
        number="8",
        position=8,
        prompt="Any other initiatives?",
        table="initiatives",
    )
    last_year = Submission.objects.get(questionnaire__year=2024)
    question = last_year.questionnaire.questions.get(number="7")
    Initiative.objects.create(
        submission=last_year, question=question, name="Mayors Mechanism", position=1
    )
    Initiative.objects.create(
        submission=this_year, question=other, name="UN Network on Migration (UNNM) 2025"
    )

    plan = carry_forward_plan(submission=this_year)

    assert [(q.number, [r.name for r in rows]) for q, rows in plan.rows] == [
        ("7", ["Mayors Mechanism"])
    ]
