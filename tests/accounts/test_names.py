"""People by name: pages, mails and the timeline show full names, the username only when no
name is known."""

import pytest
from django.core import mail

from accounts.models import Role
from submissions import collaboration
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_review_page_mail_and_timeline_name_people(
    client, submission, coordinator, contributor, django_capture_on_commit_callbacks
):
    contributor.first_name, contributor.last_name = "Karim", "Haddad"
    contributor.save()
    coordinator.first_name, coordinator.last_name = "Nadia", "Okafor"
    coordinator.save()
    nameless = make_member(submission.organization, Role.CONTRIBUTOR, "jdoe")
    question = submission.questionnaire.questions.get(number="1")
    with django_capture_on_commit_callbacks(execute=True):
        collaboration.assignment_set(
            submission=submission,
            question=question,
            assignee=contributor,
            due_date=None,
            user=coordinator,
        )
    collaboration.comment_add(
        submission=submission, question=question, user=contributor, text="See the annex."
    )
    assert "Nadia Okafor assigned question 1" in mail.outbox[-1].body
    client.force_login(coordinator)
    page = client.get(f"/submissions/{submission.pk}/review/").content.decode()
    assert "Held by Karim Haddad" in page
    assert "<strong>Karim Haddad</strong>" in page
    assert ">Karim Haddad</option>" in page and ">jdoe</option>" in page
    assert "Held by contributor" not in page
    event = submission.events_log.get(kind="assignment")
    assert event.message == "Assigned to Karim Haddad."
    assert nameless.get_full_name() == ""
