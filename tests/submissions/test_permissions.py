"""The permission matrix, cell by cell: role x action x own or other organization x anonymous.

Every action of submissions.permissions.ACTIONS is tried by an anonymous visitor (sent to
log in), by each role of the submission's own organization (allowed or 403), and by each role
of another organization (404: another organization's submission does not exist for them).
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from submissions.models import Answer, QuestionReview, ReviewStatus, Submission
from submissions.permissions import ACTIONS
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def answered(submission):
    question = submission.questionnaire.questions.get(number="1")
    Answer.objects.get_or_create(
        submission=submission, question=question, part=None, defaults={"text": "Some words."}
    )
    return question


def in_review(submission):
    question = answered(submission)
    QuestionReview.objects.update_or_create(
        submission=submission, question=question, defaults={"status": ReviewStatus.IN_REVIEW}
    )


def request_for(action, client, submission):
    """Do the action over HTTP; return the response."""
    pk = submission.pk
    if action == "view":
        return client.get(reverse("question_edit", args=[pk, "1"]))
    if action == "export":
        return client.get(reverse("submission_export", args=[pk, "txt"]))
    if action == "edit":
        return client.post(
            reverse("question_edit", args=[pk, "1"]),
            {"autosave": "1", "answer-main-text": "Edited.", "answer-main-version": "0"},
            **JSON,
        )
    if action == "submit_for_review":
        answered(submission)
        return client.post(reverse("question_transition", args=[pk, "1", "submit"]))
    if action == "comment":
        return client.post(reverse("comment_add", args=[pk, "1"]), {"text": "Looks good."})
    if action == "review":
        in_review(submission)
        return client.post(reverse("question_transition", args=[pk, "1", "approve"]))
    if action == "assign":
        return client.post(reverse("assign", args=[pk, "1"]), {"assignee": "", "due_date": ""})
    if action == "open":
        return client.get(reverse("carry_forward", args=[pk]))
    if action == "finalize":
        return client.post(reverse("submission_finalize", args=[pk]))
    if action == "reopen":
        submission.status = "finalized"
        submission.save()
        return client.post(reverse("submission_reopen", args=[pk]), {"reason": "A typo."})
    if action == "completeness":
        return client.get(reverse("completeness", args=[pk]))
    raise AssertionError(action)


def allowed(response) -> bool:
    return response.status_code in (200, 302, 400) and "/accounts/login/" not in response.get(
        "Location", ""
    )


@pytest.mark.parametrize("action", list(ACTIONS))
def test_anonymous_is_sent_to_log_in(client, submission, action):
    response = request_for(action, client, submission)
    if action == "edit":
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_own_organization_role_decides(submission, organization, role, action):
    client = Client()
    client.force_login(make_member(organization, role, f"{role}-user"))
    response = request_for(action, client, submission)
    if role in ACTIONS[action][0]:
        assert allowed(response), (action, role, response.status_code)
    else:
        assert response.status_code == 403, (action, role, response.status_code)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_other_organization_sees_nothing(submission, other_organization, role, action):
    client = Client()
    client.force_login(make_member(other_organization, role, f"other-{role}"))
    response = request_for(action, client, submission)
    assert response.status_code == 404, (action, role, response.status_code)
    submission.refresh_from_db()
    assert not submission.answers.filter(text="Edited.").exists()
    assert not submission.comments.exists()


def test_forged_ids_in_forms_cannot_reach_another_organization(
    contributor_client, submission, other_organization
):
    """A comment reply or a row naming another organization's objects changes nothing there."""
    other = Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    other_question = other.questionnaire.questions.get(number="1")
    theirs = other.comments.create(question=other_question, text="Private")
    response = contributor_client.post(
        reverse("comment_add", args=[submission.pk, "1"]),
        {"text": "Reply", "parent": theirs.pk},
        follow=True,
    )
    assert "no longer exists" in response.content.decode()
    assert theirs.replies.count() == 0
    response = contributor_client.post(
        reverse("comment_resolve", args=[submission.pk, theirs.pk]), {"resolved": "1"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.resolved


def test_readme_matrix_matches_the_code():
    """The README's permission matrix is the one the views enforce."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- permission-matrix:start -->")[1].split(
        "<!-- permission-matrix:end -->"
    )[0]
    table = {}
    for line in block.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0].strip("`")] = (cells[1], [c == "yes" for c in cells[2:]])
    expected = {
        action: (str(description), [role in roles for role in Role])
        for action, (roles, description) in ACTIONS.items()
    }
    assert table == expected


def test_a_submission_read_for_a_user_carries_that_users_role(
    submission, organization, django_assert_num_queries
):
    """Pages check permissions on the submission they read: the role comes with it, for its
    reader only; asking about anyone else still reads their own membership."""
    from submissions.permissions import allowed_actions, viewer_role
    from submissions.selectors import submissions_visible_to

    members = {role: make_member(organization, role, f"{role}-member") for role in Role}
    for role, user in members.items():
        read = submissions_visible_to(user=user).get(pk=submission.pk)
        with django_assert_num_queries(0):
            assert viewer_role(user, read) == role
            assert allowed_actions(user, read) == {
                action for action, (roles, _) in ACTIONS.items() if role in roles
            }
        for other_role, other in members.items():
            assert viewer_role(other, read) == other_role


def test_a_submission_is_looked_up_for_its_organizations_members_only(
    client, submission, organization, django_assert_num_queries
):
    """Every page of a submission starts by reading it for the signed-in person (one query,
    with its organization, questionnaire and the person's role): exactly what the ORM's
    ``submissions_visible_to`` reads, for a member of each role; nothing for anyone else, for a
    number no submission has, or for one too large for the database; the page is then a 404."""
    from datetime import date

    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from submissions.selectors import submission_visible_to, submissions_visible_to

    submission.finalized_at = timezone.now()  # a date, a time and a boolean to convert
    submission.save()
    submission.questionnaire.deadline, submission.questionnaire.is_open = date(2025, 2, 28), True
    submission.questionnaire.save()

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    for role in Role:
        user = make_member(organization, role, f"{role}-reader")
        expected = submissions_visible_to(user=user).get(pk=submission.pk)
        with django_assert_num_queries(1):
            read = submission_visible_to(user=user, pk=submission.pk)
            assert (read.organization.code, read.questionnaire.year) == (
                expected.organization.code,
                expected.questionnaire.year,
            )
        assert fields(read) == fields(expected)
        assert fields(read.organization) == fields(expected.organization)
        assert fields(read.questionnaire) == fields(expected.questionnaire)
        assert read.finalized_at.tzinfo is not None and read.questionnaire.is_open is True
        assert (
            (read.viewer_id, read.viewer_role)
            == (user.pk, expected.viewer_role)
            == (
                user.pk,
                role,
            )
        )
        assert not read._state.adding

    other = make_member(
        type(organization).objects.create(code="other", name="Other"), Role.COORDINATOR, "stranger"
    )
    missing = Submission.objects.order_by("-pk").first().pk + 1
    for user, pk in (
        (other, submission.pk),
        (AnonymousUser(), submission.pk),
        (make_member(organization, Role.REVIEWER, "looker"), missing),
        (make_member(organization, Role.REVIEWER, "prober"), 2**63),
    ):
        assert submission_visible_to(user=user, pk=pk) is None
    client.force_login(other)
    assert client.get(reverse("question_edit", args=[submission.pk, "1"])).status_code == 404
    client.force_login(make_member(organization, Role.REVIEWER, "guesser"))
    assert client.get(f"/submissions/{2**63}/questions/1/").status_code == 404


def as_read(submissions) -> list:
    """Every stored field of each submission, its organization and questionnaire, and the
    reader's role: what two ways of reading submissions must agree on."""

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    return [
        (fields(s), fields(s.organization), fields(s.questionnaire), s.viewer_role)
        for s in submissions
    ]


def test_an_organizations_submissions_are_read_for_its_members_only(
    submission, organization, other_organization, questionnaire, django_assert_num_queries
):
    """One organization's submissions (the library, coverage and compare read them), in one
    query: exactly what the ORM's ``submissions_visible_to`` reads of that organization, in
    its order (newest year first), with the person's role; none for a non-member, none of
    another organization."""
    from datetime import date

    from django.utils import timezone

    from submissions.models import Questionnaire
    from submissions.selectors import (
        organization_submissions_visible_to,
        submissions_visible_to,
    )

    submission.finalized_at = timezone.now()  # a date, a time and a boolean to convert
    submission.save()
    submission.questionnaire.deadline, submission.questionnaire.is_open = date(2025, 2, 28), True
    submission.questionnaire.save()
    for year in (2019, 2031):
        later = Questionnaire.objects.create(
            kind="desa", year=year, slug=f"desa-{year}", title=f"Questionnaire {year}"
        )
        Submission.objects.create(organization=organization, questionnaire=later)
    Submission.objects.create(organization=other_organization, questionnaire=questionnaire)

    for role in Role:
        user = make_member(organization, role, f"{role}-reader")
        expected = list(submissions_visible_to(user=user).filter(organization=organization))
        with django_assert_num_queries(1):
            read = organization_submissions_visible_to(user=user, organization_id=organization.pk)
        assert as_read(read) == as_read(expected)
        assert [s.questionnaire.year for s in read] == [2031, 2024, 2019]
        assert {s.viewer_role for s in read} == {role}
        assert read[1].finalized_at.tzinfo is not None and read[1].questionnaire.is_open is True
    stranger = make_member(other_organization, Role.COORDINATOR, "stranger")
    assert organization_submissions_visible_to(user=stranger, organization_id=organization.pk) == []


def test_the_dashboards_submissions_are_read_a_page_at_a_time_as_the_orm_reads_them(
    organization, other_organization, django_assert_num_queries
):
    """The dashboard's submissions of one organization or all of a person's: each as
    ``submissions_visible_to`` reads it, in its order, with its open threads counted (not
    resolved ones, not replies); a slice is one query, and so is their count."""
    from accounts.models import Membership
    from accounts.selectors import user_memberships
    from submissions.models import Questionnaire, ReviewComment
    from submissions.selectors import VisibleSubmissions, submissions_visible_to

    person = make_member(organization, Role.COORDINATOR, "focal")
    Membership.objects.create(user=person, organization=other_organization, role=Role.REVIEWER)
    stranger = type(organization).objects.create(code="zzz", name="Not theirs")
    made = []
    for year in (2020, 2023, 2021):
        questionnaire = Questionnaire.objects.create(
            kind="desa", year=year, slug=f"desa-{year}", title=f"Q {year}"
        )
        for owner in (organization, other_organization, stranger):
            made.append(Submission.objects.create(organization=owner, questionnaire=questionnaire))
    asked = made[3]  # IOM 2023
    question = asked.questionnaire.questions.create(number="1", position=1, prompt="?")
    thread = ReviewComment.objects.create(submission=asked, question=question, text="Open.")
    ReviewComment.objects.create(submission=asked, question=question, text="Reply.", parent=thread)
    ReviewComment.objects.create(submission=asked, question=question, text="Done.", resolved=True)
    ReviewComment.objects.create(submission=asked, question=question, text="Also open.")

    for organization_id in (None, organization.pk, other_organization.pk):
        expected = submissions_visible_to(user=person)
        if organization_id:
            expected = expected.filter(organization_id=organization_id)
        roles = {m.organization_id: m.role for m in user_memberships(person)}
        if organization_id:
            roles = {organization_id: roles[organization_id]}
        source = VisibleSubmissions(user=person, roles=roles)
        with django_assert_num_queries(1):
            found = source[:]
        assert as_read(found) == as_read(expected) and found
        with django_assert_num_queries(1):
            assert source.count() == expected.count() == len(found)
        assert as_read(source[1:3]) == as_read(expected[1:3])
        assert source[len(found) :] == []
    every = VisibleSubmissions(user=person, roles={organization.pk: Role.COORDINATOR})[:]
    assert [(s.questionnaire.year, s.organization.code) for s in every] == [
        (2023, organization.code),
        (2021, organization.code),
        (2020, organization.code),
    ]
    assert {s.pk: s.open_threads for s in every}[asked.pk] == 2
    assert sum(s.open_threads for s in every) == 2
    nobody = VisibleSubmissions(user=person, roles={})
    assert nobody.count() == 0 and nobody[:13] == []
