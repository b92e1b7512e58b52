"""People of many organizations: the dashboard and My work a page at a time, by organization."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from submissions.models import Assignment, Submission
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def organizations(count: int, start: int = 0) -> list[Organization]:
    return Organization.objects.bulk_create(
        Organization(code=f"E{n:03d}", name=f"Entity {n}") for n in range(start, start + count)
    )


@pytest.fixture
def focal_point(organization, questionnaire):
    """A coordinator of IOM and of many other entities, each with its submission."""
    user = make_member(organization, Role.COORDINATOR, "focal")
    Submission.objects.create(organization=organization, questionnaire=questionnaire)
    return user


def join(user, entities, questionnaire, role=Role.COORDINATOR):
    Membership.objects.bulk_create(
        Membership(user=user, organization=o, role=role) for o in entities
    )
    Submission.objects.bulk_create(
        Submission(organization=o, questionnaire=questionnaire) for o in entities
    )


def dashboard_queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_dashboard_shows_a_page_of_submissions_and_reads_no_more(
    client, focal_point, questionnaire
):
    join(focal_point, organizations(5), questionnaire)
    client.force_login(focal_point)
    dashboard_queries(client)  # the questions are then in the cache
    one_page, page = dashboard_queries(client)
    assert page.count('class="card h-100') == 6 and 'aria-label="Pages"' not in page
    join(focal_point, organizations(10, start=5), questionnaire)
    few, page = dashboard_queries(client)
    assert page.count('class="card h-100') == 12 and "1–12 of 16" in page
    assert few == one_page + 1  # what is not all on one page is counted
    join(focal_point, organizations(35, start=15), questionnaire)
    many, page = dashboard_queries(client)
    assert page.count('class="card h-100') == 12
    assert "1–12 of 51" in page
    assert many == few
    _queries, last = dashboard_queries(client, page=5)
    assert last.count('class="card h-100') == 3


def test_the_dashboard_filters_by_organization(client, focal_point, questionnaire):
    join(focal_point, organizations(20), questionnaire)
    client.force_login(focal_point)
    _queries, page = dashboard_queries(client, organization="E007")
    assert page.count('class="card h-100') == 1
    assert "Entity 7" in page
    assert 'value="E007" selected' in page
    assert "Your organization's submissions" in page


def test_an_organization_one_is_not_in_is_refused_with_a_message(
    client, focal_point, questionnaire, other_organization
):
    join(focal_point, organizations(3), questionnaire)
    Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    client.force_login(focal_point)
    _queries, page = dashboard_queries(client, organization="UNDP")
    assert "You are not a member of an organization with the code “UNDP”" in page
    assert "United Nations Development Programme" not in page
    assert page.count('class="card h-100') == 4


def test_a_member_of_one_organization_sees_no_filter_and_no_pages(client, submission, contributor):
    client.force_login(contributor)
    _queries, page = dashboard_queries(client)
    assert 'name="organization"' not in page
    assert 'aria-label="Pages"' not in page


def test_open_questionnaires_to_start_are_offered_for_a_few_organizations_at_most(
    client, focal_point, questionnaire
):
    questionnaire.is_open = True
    questionnaire.save()
    entities = organizations(30)
    Membership.objects.bulk_create(
        Membership(user=focal_point, organization=o, role=Role.COORDINATOR) for o in entities
    )
    client.force_login(focal_point)
    _queries, page = dashboard_queries(client)
    assert page.count("has not started it") == 10
    _queries, page = dashboard_queries(client, organization="E012")
    assert page.count("has not started it") == 1 and "E012 has not started it" in page


def test_open_questionnaires_are_offered_where_the_user_coordinates_and_nothing_started(
    client, focal_point, questionnaire
):
    """Each open questionnaire (newest first) for each organization the user coordinates
    that has not started it; not where they only contribute; in the same number of queries
    whatever the number of open questionnaires."""
    from submissions.models import Questionnaire

    started, waiting, contributed = organizations(3)
    join(focal_point, [started, waiting], questionnaire)
    join(focal_point, [contributed], questionnaire, role=Role.CONTRIBUTOR)
    Submission.objects.filter(organization=waiting).delete()
    Submission.objects.filter(organization=contributed).delete()
    questionnaire.is_open = True
    questionnaire.save()
    client.force_login(focal_point)
    dashboard_queries(client)  # the questions are then in the process's memo
    one_open, page = dashboard_queries(client)
    offers = re.findall(r"“([^”]+)” is open and (\w+) has not started it", page)
    assert offers == [(questionnaire.title, waiting.code)]

    newer = Questionnaire.objects.create(
        kind="desa", year=2025, slug="desa-2025", title="UN DESA questionnaire 2025", is_open=True
    )
    Submission.objects.create(organization=started, questionnaire=newer)
    dashboard_queries(client)
    two_open, page = dashboard_queries(client)
    offers = re.findall(r"“([^”]+)” is open and (\w+) has not started it", page)
    assert offers == [  # organizations by code
        (newer.title, waiting.code),
        (newer.title, "IOM"),
        (questionnaire.title, waiting.code),
    ]
    assert two_open == one_open


def test_my_work_pages_and_filters_the_assignments(client, focal_point, questionnaire):
    entities = organizations(30)
    join(focal_point, entities, questionnaire)
    question = questionnaire.questions.get(number="1")
    Assignment.objects.bulk_create(
        Assignment(submission=s, question=question, assignee=focal_point, assigned_by=focal_point)
        for s in Submission.objects.filter(organization__in=entities)
    )
    client.force_login(focal_point)
    client.get(reverse("my_work"))  # the questions are then in the cache
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("my_work")).content.decode()
    assert page.count("data-assignment=") == 25
    assert "1–25 of 30" in page
    second = client.get(reverse("my_work"), {"page": 2}).content.decode()
    assert second.count("data-assignment=") == 5
    only = client.get(reverse("my_work"), {"organization": "E004"}).content.decode()
    assert only.count("data-assignment=") == 1 and "E004 · 2024" in only
    Assignment.objects.filter(submission__organization__in=entities[25:]).delete()
    with CaptureQueriesContext(connection) as fewer:
        client.get(reverse("my_work"))
    assert len(fewer) == len(queries)
