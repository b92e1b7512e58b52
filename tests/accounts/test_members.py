"""The members page: coordinators see who has access, invite, change roles and deactivate;
the rules (an organization keeps a coordinator, an invitation works once) are the services'."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import FormerMembership, Invitation, Membership, OrganizationEvent, Role
from submissions.models import Assignment
from tests.conftest import make_member

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Mails leave after commit: ``with mails():`` runs what commits, for mail.outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_contributor_gets_the_403_page_with_the_reason(contributor_client):
    response = contributor_client.get("/accounts/members/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are a contributor in International Organization for Migration" in page
    assert "only coordinators see and manage its members" in page


def test_the_page_lists_who_has_access(client, coordinator, contributor):
    contributor.first_name, contributor.last_name = "Karim", "Haddad"
    contributor.save()
    client.force_login(coordinator)
    page = client.get("/accounts/members/").content.decode()
    assert "Karim Haddad" in page and "contributor@example.org" in page
    assert "2 people have access" in page


def test_an_invitation_works_once_and_names_the_person(client, coordinator, organization, mails):
    client.force_login(coordinator)
    with mails():
        response = client.post(
            "/accounts/members/",
            {"action": "invite", "email": "lea@iom.int", "name": "Léa Martin", "role": "reviewer"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["lea@iom.int"]
    link = next(w for w in mail.outbox[-1].body.split() if "/accounts/invitation/" in w)
    path = link.split("127.0.0.1:8000")[1]
    client.logout()
    response = client.post(
        path,
        {
            "action": "password",
            "username": "lea",
            "password1": "a-long-password-2030!",
            "password2": "a-long-password-2030!",
        },
    )
    assert response.status_code == 302
    lea = User.objects.get(username="lea")
    assert lea.get_full_name() == "Léa Martin"
    assert Membership.objects.get(user=lea).role == Role.REVIEWER
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    kinds = set(OrganizationEvent.objects.values_list("kind", flat=True))
    assert {"invited", "joined"} <= kinds


def test_an_expired_invitation_is_refused(client, coordinator, organization):
    invitation, token = services.member_invite(
        organization=organization, by=coordinator, email="x@iom.int", name="", role="contributor"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    with pytest.raises(services.MembersError):
        services.invitation_accept(invitation=invitation, user=coordinator)


def test_changing_a_role_is_recorded_and_mailed(client, coordinator, contributor, mails):
    client.force_login(coordinator)
    membership = Membership.objects.get(user=contributor)
    with mails():
        client.post(f"/accounts/members/{membership.pk}/role/", {"role": "coordinator"})
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    event = OrganizationEvent.objects.get(kind="role_changed")
    assert (event.person, event.actor, event.from_role, event.to_role) == (
        contributor,
        coordinator,
        "contributor",
        "coordinator",
    )
    assert mail.outbox[-1].to == [contributor.email]
    assert "Coordinator" in mail.outbox[-1].subject


def test_the_last_coordinator_cannot_be_demoted_or_deactivated(coordinator, organization):
    membership = Membership.objects.get(user=coordinator)
    with pytest.raises(services.MembersError, match="last coordinator"):
        services.member_change_role(membership=membership, role="reviewer", by=coordinator)
    with pytest.raises(services.MembersError, match="last coordinator"):
        services.member_deactivate(membership=membership, by=coordinator)
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR


def test_deactivating_keeps_the_work_and_lists_open_assignments(
    client, coordinator, contributor, submission, organization, mails
):
    question = submission.questionnaire.questions.get(number="1")
    Assignment.objects.create(
        submission=submission, question=question, assignee=contributor, assigned_by=coordinator
    )
    membership = Membership.objects.get(user=contributor)
    client.force_login(coordinator)
    confirm = client.get(f"/accounts/members/{membership.pk}/deactivate/").content.decode()
    assert "question 1" in confirm
    with mails():
        response = client.post(f"/accounts/members/{membership.pk}/deactivate/")
    assert "Reassign on the review page" in response.content.decode()
    assert not Membership.objects.filter(user=contributor).exists()
    assert FormerMembership.objects.get(user=contributor).role == Role.CONTRIBUTOR
    contributor.refresh_from_db()
    assert not contributor.is_active
    assert Assignment.objects.filter(assignee=contributor).exists()  # until reassigned
    assert mail.outbox[-1].to == [contributor.email]
    page = client.get("/accounts/members/").content.decode()
    assert "was Contributor" in page


def test_a_member_of_another_organization_is_not_reachable(client, coordinator, other_organization):
    outsider = make_member(other_organization, Role.CONTRIBUTOR, "outsider")
    client.force_login(coordinator)
    membership = Membership.objects.get(user=outsider)
    assert (
        client.post(f"/accounts/members/{membership.pk}/role/", {"role": "reviewer"}).status_code
        == 404
    )
    assert client.get(f"/accounts/members/{membership.pk}/deactivate/").status_code == 404


def test_the_header_switches_between_organizations(client, coordinator, other_organization):
    Membership.objects.create(user=coordinator, organization=other_organization, role="reviewer")
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert 'id="header-organization"' in page and ">UNDP</option>" in page
    client.post("/accounts/organization/", {"organization": "UNDP", "next": "/"})
    assert client.session["accounts_current_organization"] == "UNDP"
    page = client.get("/").content.decode()
    assert '<option value="UNDP" selected>' in page
    # The members page follows the switch: a reviewer there may not manage members.
    assert client.get("/accounts/members/").status_code == 403
    assert client.get("/accounts/members/?organization=IOM").status_code == 200


def test_a_persons_memberships_read_in_one_query_are_what_the_orm_reads(db):
    """Every field of each membership and its organization, by organization code, the
    person's only, in one query (the pages' filters and header read them first)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Membership, Organization
    from accounts.selectors import user_memberships

    person, other = (get_user_model().objects.create_user(n) for n in ("amina", "other"))
    for code, role in (("WFP", "reviewer"), ("IOM", "coordinator"), ("UNDP", "contributor")):
        organization = Organization.objects.create(code=code, name=f"{code} <&> name")
        Membership.objects.create(user=person, organization=organization, role=role)
    Membership.objects.create(user=other, organization=organization, role="coordinator")

    def fields(membership):
        values = [getattr(membership, f.attname) for f in Membership._meta.concrete_fields]
        organization = membership.organization
        return values + [
            getattr(organization, f.attname) for f in organization._meta.concrete_fields
        ]

    with CaptureQueriesContext(connection) as queries:
        found = user_memberships(person)
    assert len(queries) == 1
    expected = Membership.objects.filter(user=person).select_related("organization")
    assert [fields(m) for m in found] == [
        fields(m) for m in expected.order_by("organization__code")
    ]
    assert [m.organization.code for m in found] == ["IOM", "UNDP", "WFP"]
    assert user_memberships(get_user_model().objects.create_user("nobody")) == []
