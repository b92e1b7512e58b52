"""Home page: behind login, and only the user's own organization's submissions."""

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from submissions.models import Submission

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_home_lists_own_submissions_only(contributor_client, submission, other_organization):
    Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    response = contributor_client.get(reverse("home"))
    assert response.status_code == 200
    assert [item["submission"] for item in response.context["items"]] == [submission]
    assert "International Organization for Migration" in response.content.decode()
    assert "United Nations Development Programme" not in response.content.decode()


def test_home_says_what_to_do_without_submissions(contributor_client):
    response = contributor_client.get(reverse("home"))
    assert "no submission yet" in response.content.decode()


def test_submission_page_shows_questions(contributor_client, submission):
    response = contributor_client.get(submission.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Six transitions?" in html
    assert "Food systems" in html


def test_other_organizations_submission_is_a_404(
    contributor_client, submission, other_organization
):
    other = Submission.objects.create(
        organization=other_organization,
        questionnaire=submission.questionnaire.__class__.objects.create(
            kind="gbv", year=2024, slug="gbv-2024", title="GBV"
        ),
    )
    assert contributor_client.get(other.get_absolute_url()).status_code == 404
    assert contributor_client.get(reverse("submission_detail", args=[99999])).status_code == 404


def test_login_with_demo_style_credentials(client, contributor):
    response = client.post(
        reverse("login"),
        {"username": "contributor", "password": "a-long-test-password-2030"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["user"].username == "contributor"


def test_login_refusal_is_clear(client, contributor):
    response = client.post(reverse("login"), {"username": "contributor", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_dashboard_does_not_name_a_question_by_a_number_the_form_does_not_print(
    contributor_client, submission
):
    """2017's form opens with an unnumbered "Background" (numbered 0 here only to order it):
    its card says "Start writing", not "Start at question 0"."""
    from submissions.models import Question
    from submissions.services import questionnaire_structure_changed

    questionnaire = submission.questionnaire
    Question.objects.filter(questionnaire=questionnaire).update(number_printed=False)
    questionnaire_structure_changed(questionnaire=questionnaire)
    page = contributor_client.get(reverse("home")).content.decode()
    assert "Start writing" in page
    assert "Start at question" not in page

    Question.objects.filter(questionnaire=questionnaire).update(number_printed=True)
    questionnaire_structure_changed(questionnaire=questionnaire)
    page = contributor_client.get(reverse("home")).content.decode()
    assert "Start at question 1" in page


def test_a_dashboard_card_counts_open_threads_and_names_who_holds_what(
    client, submission, organization
):
    """Open comments are threads neither resolved nor replies; each question given to
    someone is listed by its number with the holder's name and due date."""
    from datetime import date, timedelta

    from accounts.models import Role
    from submissions.collaboration import assignment_set
    from submissions.models import ReviewComment
    from tests.conftest import make_member

    coordinator = make_member(organization, Role.COORDINATOR, "focal")
    writer = make_member(organization, Role.CONTRIBUTOR, "amina")
    writer.first_name, writer.last_name = "Amina", "Diallo"
    writer.save()
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    for text, resolved in (("Open one", False), ("Open two", False), ("Done", True)):
        thread = ReviewComment.objects.create(
            submission=submission, question=questions["1"], text=text, resolved=resolved
        )
        thread.replies.create(submission=submission, question=questions["1"], text="Reply")
    due = date.today() + timedelta(days=10)
    assignment_set(
        submission=submission,
        question=questions["5"],
        assignee=writer,
        due_date=due,
        user=coordinator,
    )
    client.force_login(coordinator)

    page = client.get(reverse("home")).content.decode()

    assert "2 open comments" in page
    assert "Question 5: Amina Diallo" in page
    assert date_format(due, "DATE_FORMAT") in page


def test_a_dashboard_card_is_drawn_again_only_when_what_it_shows_changes(
    client, submission, organization
):
    """The dashboard keeps each card as drawn under what it shows: shown again, no card is
    drawn; an answer, a comment, a question given to someone, a holder's new name or a
    question sent for review shows at once, and a French reader never gets English."""
    from django.core.cache import cache

    from accounts.models import Role
    from submissions.changes import answer_save
    from submissions.collaboration import assignment_set, comment_add
    from submissions.workflow import question_submit_for_review
    from tests.conftest import make_member, page_html, page_in_french

    coordinator = make_member(organization, Role.COORDINATOR, "focal")
    writer = make_member(organization, Role.CONTRIBUTOR, "amina")
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    client.force_login(coordinator)
    url = reverse("home")
    card = "submissions/includes/submission_card.html"

    def drawn() -> bool:
        return card in {t.name for t in client.get(url).templates}

    cache.clear()  # another test may have drawn a card of the same content
    assert drawn()
    before = page_html(client, url)
    assert not drawn()
    assert page_html(client, url) == before
    assert "0 of 3 questions answered" in before

    saved = answer_save(
        submission=submission,
        question=questions["1"],
        part=None,
        text="The Council adopted the plan.",
        base_version=0,
        user=coordinator,
        key="answer",
    )
    assert saved.status == "saved", saved
    assert drawn()
    assert "1 of 3 questions answered" in client.get(url).content.decode()

    comment_add(submission=submission, question=questions["1"], user=writer, text="Source?")
    assignment_set(
        submission=submission,
        question=questions["5"],
        assignee=writer,
        due_date=None,
        user=coordinator,
    )
    page = client.get(url).content.decode()
    assert "1 open comment" in page and "Question 5: amina" in page

    writer.first_name, writer.last_name = "Amina", "Diallo"
    writer.save()
    assert "Question 5: Amina Diallo" in client.get(url).content.decode()

    question_submit_for_review(submission=submission, question=questions["1"], user=coordinator)
    assert "1 awaiting review" in client.get(url).content.decode()

    french = page_in_french(client, url)
    assert "Question 5\u00a0: Amina Diallo" in french
    assert "questions answered" not in french


def test_the_dashboard_continues_at_the_question_the_user_last_edited(
    contributor_client, contributor, submission, organization
):
    """The card's "Continue at question N" names the question of the answer this user saved
    last, whoever saved others since; with nothing of theirs saved, the first unanswered."""
    from datetime import timedelta

    from django.utils import timezone

    from submissions.models import Answer
    from tests.conftest import make_member

    colleague = make_member(organization, "contributor", "colleague")
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    now = timezone.now()

    def saved(number, by, minutes_ago, part=None):
        answer = Answer.objects.create(
            submission=submission, question=questions[number], part=part, text="Some words."
        )
        Answer.objects.filter(pk=answer.pk).update(
            updated_by=by, updated_at=now - timedelta(minutes=minutes_ago)
        )

    page = contributor_client.get(reverse("home")).content.decode()
    assert "Start at question 1" in page
    saved("1", contributor, 30)
    saved("5", contributor, 10, part=questions["5"].parts.first())
    saved("3", colleague, 1)
    page = contributor_client.get(reverse("home")).content.decode()
    assert "Continue at question 5" in page
    Answer.objects.filter(question=questions["1"]).update(updated_at=now)
    page = contributor_client.get(reverse("home")).content.decode()
    assert "Continue at question 1" in page


def test_the_holders_read_in_one_query_are_the_whole_questions_assignments(
    submission, organization, other_organization, questionnaire
):
    """Who holds what on the dashboard's cards, in one query: each submission's assignments
    of whole questions (not of rows, not another submission's), with their assignees, the
    same as the ORM reads them, and what the cards show of them without another query."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role
    from submissions.models import Assignment
    from submissions.selectors import question_assignments
    from tests.conftest import make_member

    writer = make_member(organization, Role.CONTRIBUTOR, "amina")
    coordinator = make_member(organization, Role.COORDINATOR, "focal")
    questions = {q.number: q for q in submission.questionnaire.questions.all()}
    other = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    made = [
        Assignment.objects.create(
            submission=submission, question=questions["1"], assignee=writer, assigned_by=None
        ),
        Assignment.objects.create(
            submission=submission,
            question=questions["5"],
            assignee=coordinator,
            due_date=date(2026, 12, 9),
            assigned_by=coordinator,
        ),
        Assignment.objects.create(
            submission=other, question=questions["1"], assignee=coordinator, assigned_by=None
        ),
    ]
    Assignment.objects.create(  # a row's: not a question's holder
        submission=submission, question=questions["3"], row_id=7, assignee=writer
    )

    with CaptureQueriesContext(connection) as queries:
        found = question_assignments(submission_ids=[submission.pk, other.pk])
    assert len(queries) == 1
    assert sorted(found) == [submission.pk, other.pk]
    for pk, assignments in found.items():
        expected = Assignment.objects.filter(submission_id=pk, row_id__isnull=True)
        shown = [(a.pk, a.question_id, a.assignee, a.due_date) for a in assignments]
        assert sorted(shown) == sorted(
            (a.pk, a.question_id, a.assignee, a.due_date) for a in expected
        )
    assert {a.pk for a in found[submission.pk]} == {made[0].pk, made[1].pk}
    with CaptureQueriesContext(connection) as shown:  # what a card shows is read with them
        cards = [
            (a.question_id, a.assignee.get_full_name() or a.assignee.get_username(), a.due_date)
            for a in found[submission.pk]
        ]
    assert len(shown) == 0
    assert sorted(cards) == [
        (questions["1"].pk, "amina", None),
        (questions["5"].pk, "focal", date(2026, 12, 9)),
    ]
    assert question_assignments(submission_ids=[]) == {}


def test_the_open_questionnaires_come_with_who_started_them_in_one_query(
    organization, other_organization, questionnaire
):
    """What the dashboard offers to open: each open questionnaire (newest year first, none
    closed), with which of the asked organizations started it (not another's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from submissions.models import Questionnaire
    from submissions.selectors import open_questionnaires_started

    stranger = type(organization).objects.create(code="zzz", name="Not asked")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_open=True)
    newer = Questionnaire.objects.create(
        kind="desa", year=2031, slug="desa-2031", title="2031", is_open=True
    )
    Questionnaire.objects.create(kind="desa", year=2032, slug="desa-2032", title="2032")
    Submission.objects.create(organization=organization, questionnaire=newer)
    Submission.objects.create(organization=other_organization, questionnaire=newer)
    Submission.objects.create(organization=stranger, questionnaire=questionnaire)

    with CaptureQueriesContext(connection) as queries:
        found = open_questionnaires_started(
            organization_ids=[organization.pk, other_organization.pk]
        )
    assert len(queries) == 1
    assert [(q.pk, started) for q, started in found] == [
        (newer.pk, {organization.pk, other_organization.pk}),
        (questionnaire.pk, set()),
    ]
    fields = [f.attname for f in Questionnaire._meta.concrete_fields]
    assert [getattr(found[0][0], f) for f in fields] == [getattr(newer, f) for f in fields]
    assert open_questionnaires_started(organization_ids=[]) == []
