"""Review workflow: hard stops, transitions, the submission's status, comments, mail."""

import re
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role
from submissions import collaboration, workflow
from submissions.models import (
    Answer,
    Assignment,
    Event,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
    SubmissionEvent,
    SubmissionStatus,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization):
    return {
        "writer": make_member(organization, Role.CONTRIBUTOR, "writer"),
        "reviewer": make_member(organization, Role.REVIEWER, "checker"),
        "coordinator": make_member(organization, Role.COORDINATOR, "focal"),
    }


def q(submission, number):
    return submission.questionnaire.questions.get(number=number)


def write(submission, number, text, user=None, part=None):
    return Answer.objects.create(
        submission=submission, question=q(submission, number), part=part, text=text, updated_by=user
    )


def status(submission, number):
    review = QuestionReview.objects.filter(submission=submission, question=q(submission, number))
    return review.get().status if review.exists() else ReviewStatus.DRAFT


def test_sending_an_over_limit_answer_for_review_is_refused_with_the_field(submission, people):
    write(submission, "1", " ".join(["word"] * 201))
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.question_submit_for_review(
            submission=submission, question=q(submission, "1"), user=people["writer"]
        )
    [problem] = error.value.problems
    assert "201 words; the limit is 200" in problem.message
    assert problem.anchor == "id_answer-main-text"
    assert status(submission, "1") == ReviewStatus.DRAFT


def test_empty_question_and_unnamed_row_and_long_description_are_listed(submission, people):
    question = q(submission, "3")
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.question_submit_for_review(
            submission=submission, question=question, user=people["writer"]
        )
    assert "The table has no rows" in error.value.problems[0].message
    Event.objects.create(submission=submission, question=question, name="", description="w " * 151)
    problems = workflow.question_problems(submission=submission, question=question)
    assert [p.anchor for p in problems] == ["id_rows-0-name", "id_rows-0-description"]


def test_parts_over_their_limit_are_hard_stops(submission, people):
    question = q(submission, "5")
    food = question.parts.get(title="Food systems")
    energy = question.parts.get(title="Energy access")
    write(submission, "5", "An introduction to the transitions.")
    write(submission, "5", " ".join(["w"] * 201), part=food)
    write(submission, "5", "Energy.", part=energy)
    problems = workflow.question_problems(submission=submission, question=question)
    assert [p.anchor for p in problems] == [f"id_answer-part-{food.pk}-text"]


def test_full_review_cycle_with_mail(submission, people, django_capture_on_commit_callbacks):
    writer, reviewer = people["writer"], people["reviewer"]
    write(submission, "1", "A good answer.", user=writer)
    question = q(submission, "1")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.question_submit_for_review(submission=submission, question=question, user=writer)
    assert status(submission, "1") == ReviewStatus.IN_REVIEW
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert {to for m in mail.outbox for to in m.to} == {"checker@example.org", "focal@example.org"}
    assert f"/submissions/{submission.pk}/questions/1/" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.question_request_changes(
            submission=submission, question=question, user=reviewer, comment="Add the symbols."
        )
    assert status(submission, "1") == ReviewStatus.CHANGES_REQUESTED
    assert submission.comments.get().text == "Add the symbols."
    assert [m.to for m in mail.outbox] == [["writer@example.org"]]
    assert "Add the symbols." in mail.outbox[0].body

    workflow.question_submit_for_review(submission=submission, question=question, user=writer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.question_approve(submission=submission, question=question, user=reviewer)
    assert status(submission, "1") == ReviewStatus.APPROVED
    assert "approved" in mail.outbox[0].subject
    kinds = list(
        SubmissionEvent.objects.filter(question=question).values_list("to_status", flat=True)
    )
    assert kinds == ["in_review", "changes_requested", "in_review", "approved"]


def test_request_changes_needs_a_comment(submission, people):
    write(submission, "1", "Text.")
    workflow.question_submit_for_review(
        submission=submission, question=q(submission, "1"), user=people["writer"]
    )
    with pytest.raises(workflow.WorkflowError, match="comment is required"):
        workflow.question_request_changes(
            submission=submission, question=q(submission, "1"), user=people["reviewer"], comment=" "
        )


def test_approving_a_draft_is_refused(submission, people):
    write(submission, "1", "Text.")
    with pytest.raises(workflow.WorkflowError, match="Only a question in review"):
        workflow.question_approve(
            submission=submission, question=q(submission, "1"), user=people["reviewer"]
        )


def test_editing_an_approved_answer_puts_it_back_to_draft_and_tells_the_reviewer(
    client, submission, people, django_capture_on_commit_callbacks
):
    write(submission, "1", "Approved text.")
    question = q(submission, "1")
    workflow.question_submit_for_review(
        submission=submission, question=question, user=people["writer"]
    )
    workflow.question_approve(submission=submission, question=question, user=people["reviewer"])
    client.force_login(people["writer"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("question_edit", args=[submission.pk, "1"]),
            {"answer-main-text": "Changed after approval.", "answer-main-version": "1"},
        )
    assert status(submission, "1") == ReviewStatus.DRAFT
    assert [m.to for m in mail.outbox] == [["checker@example.org"]]
    assert "edited" in mail.outbox[0].subject


def approve_all(submission, people):
    for question in submission.questionnaire.questions.all():
        if question.has_narrative:
            write(submission, question.number, "Done.")
        for part in question.parts.all():
            write(submission, question.number, "Done.", part=part)
        if question.table:
            Event.objects.create(submission=submission, question=question, name="An event")
        workflow.question_submit_for_review(
            submission=submission, question=question, user=people["writer"]
        )
        workflow.question_approve(submission=submission, question=question, user=people["reviewer"])


def test_finalize_is_refused_with_an_open_comment_then_allowed(submission, people):
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.submission_finalize(submission=submission, user=people["coordinator"])
    assert len(error.value.problems) == 3  # three questions not approved
    approve_all(submission, people)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    comment = collaboration.comment_add(
        submission=submission, question=q(submission, "3"), user=people["reviewer"], text="Date?"
    )
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.submission_finalize(submission=submission, user=people["coordinator"])
    assert [p.anchor for p in error.value.problems] == [f"comment-{comment.pk}"]
    collaboration.comment_set_resolved(comment=comment, user=people["writer"], resolved=True)
    workflow.submission_finalize(submission=submission, user=people["coordinator"])
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FINALIZED


def test_finalized_submission_refuses_edits_and_reopens_with_a_reason(client, submission, people):
    approve_all(submission, people)
    workflow.submission_finalize(submission=submission, user=people["coordinator"])
    client.force_login(people["writer"])
    response = client.post(
        reverse("question_edit", args=[submission.pk, "1"]),
        {"answer-main-text": "Sneaky.", "answer-main-version": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert Answer.objects.get(question__number="1").text == "Done."
    with pytest.raises(workflow.WorkflowError):
        workflow.question_request_changes(
            submission=submission, question=q(submission, "1"), user=people["reviewer"], comment="x"
        )
    with pytest.raises(workflow.WorkflowError, match="Give a reason"):
        workflow.submission_reopen(submission=submission, user=people["coordinator"], reason="")
    workflow.submission_reopen(
        submission=submission, user=people["coordinator"], reason="DESA asked for a link."
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    event = SubmissionEvent.objects.filter(submission=submission).last()
    assert (event.from_status, event.message) == ("finalized", "DESA asked for a link.")


def test_transition_refusal_page_links_each_problem(client, submission, people):
    write(submission, "1", " ".join(["word"] * 250))
    client.force_login(people["writer"])
    response = client.post(reverse("question_transition", args=[submission.pk, "1", "submit"]))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_answer-main-text"' in html
    assert "250 words; the limit is 200" in html


def test_assignment_mail_my_work_and_dashboard(
    client, submission, people, django_capture_on_commit_callbacks
):
    due = timezone.localdate() + timedelta(days=30)
    client.force_login(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assign", args=[submission.pk, "3"]),
            {"assignee": people["writer"].pk, "due_date": due.isoformat()},
        )
    assert [m.to for m in mail.outbox] == [["writer@example.org"]]
    assert "assigned to you" in mail.outbox[0].subject
    assert "Due: " in mail.outbox[0].body
    dashboard = client.get(reverse("home")).content.decode()
    assert "Question 3: writer" in dashboard

    client.force_login(people["writer"])
    page = client.get(reverse("my_work")).content.decode()
    assert "Events?" in page and date_format(due) in page

    response = client.post(
        reverse("assign", args=[submission.pk, "3"]),
        {"assignee": people["reviewer"].pk, "due_date": ""},
    )
    assert response.status_code == 403


def test_assigning_a_reviewer_is_refused_clearly(submission, people):
    with pytest.raises(Exception, match="not a contributor or coordinator"):
        collaboration.assignment_set(
            submission=submission,
            question=q(submission, "1"),
            assignee=people["reviewer"],
            due_date=None,
            user=people["coordinator"],
        )


def test_comment_threads_and_assignments_come_in_one_query(
    client, submission, people, django_assert_num_queries
):
    """The edit and review pages read a question's (or every question's) threads, their
    replies and assignments in one query: open threads first, each group oldest first,
    replies in order under their own thread, each with its author, question and part (from the
    page's progress); each question's assignment (not its rows') with its assignee, as the ORM
    reads them; and the edit page shows each reply under its thread."""
    from submissions.selectors import comment_threads_and_assignments, submissions_progress

    one, five = q(submission, "1"), q(submission, "5")
    food = five.parts.get(title="Food systems")

    def comment(question, text, parent=None, user="reviewer", part=None):
        return collaboration.comment_add(
            submission=submission,
            question=question,
            user=people[user],
            text=text,
            parent=parent,
            part=part,
        )

    first = comment(one, "First, later resolved.")
    second = comment(one, "Second, open.")
    elsewhere = comment(five, "On question 5's food systems.", part=food)
    comment(one, "Reply to the second.", parent=second, user="writer")
    comment(one, "Reply to the first.", parent=first, user="writer")
    comment(one, "Another reply to the second.", parent=second)
    collaboration.comment_set_resolved(comment=first, user=people["writer"], resolved=True)
    deleted = get_user_model().objects.create_user("leaver")
    ReviewComment.objects.create(
        submission=submission, question=five, author=deleted, text="Written by someone gone."
    )
    deleted.delete()  # the comment stays, without its author
    for question, row_id, due in (
        (one, None, date(2025, 3, 1)),
        (five, None, None),
        (one, 7, None),
    ):
        Assignment.objects.create(
            submission=submission,
            question=question,
            row_id=row_id,
            assignee=people["writer"],
            due_date=due,
            assigned_by=people["coordinator"],
        )
    progress = submissions_progress(submissions=[submission])[submission.pk]

    with django_assert_num_queries(1):
        threads, assignments = comment_threads_and_assignments(
            submission=submission, progress=progress, question=one
        )
        shown = [
            (t.text, t.resolved, [(r.text, r.author.username) for r in t.thread_replies])
            for t in threads
        ]
    assert shown == [
        (
            "Second, open.",
            False,
            [("Reply to the second.", "writer"), ("Another reply to the second.", "checker")],
        ),
        ("First, later resolved.", True, [("Reply to the first.", "writer")]),
    ]
    assert list(assignments) == [one.pk]
    with django_assert_num_queries(1):
        every, assignments = comment_threads_and_assignments(
            submission=submission, progress=progress
        )
        assert [t.pk for t in every] == [second.pk, elsewhere.pk, every[2].pk, first.pk]
        assert (every[1].question.number, every[1].part.title) == ("5", "Food systems")
        assert every[0].question.number == "1" and every[0].part is None
        gone = every[2]
        assert (gone.text, gone.author_id, gone.author) == ("Written by someone gone.", None, None)
        assert every[3].pk == first.pk and every[3].resolved_by_id == people["writer"].pk
    # What the ORM reads: every field, the times aware, the dates dates, the booleans booleans.
    fields = [f.attname for f in ReviewComment._meta.concrete_fields]
    orm = {c.pk: c for c in ReviewComment.objects.filter(submission=submission)}
    read = [every_comment for t in every for every_comment in [t, *t.thread_replies]]
    assert len(read) == len(orm)
    for comment in read:
        assert [getattr(comment, f) for f in fields] == [
            getattr(orm[comment.pk], f) for f in fields
        ]
    assert isinstance(every[3].resolved_at, datetime) and every[3].resolved_at.tzinfo is not None
    assert sorted(assignments) == sorted([one.pk, five.pk])
    fields = [f.attname for f in Assignment._meta.concrete_fields]
    for question_id, assignment in assignments.items():
        expected = Assignment.objects.get(
            submission=submission, question_id=question_id, row_id=None
        )
        assert [getattr(assignment, f) for f in fields] == [getattr(expected, f) for f in fields]
        assert assignment.assignee.username == "writer" and assignment.assignee.is_active is True
    assert assignments[one.pk].due_date == date(2025, 3, 1)

    client.force_login(people["writer"])
    page = client.get(reverse("question_edit", args=[submission.pk, "1"])).content.decode()
    article = page.split(f'id="comment-{second.pk}"')[1].split("</article>")[0]
    assert "Reply to the second." in article and "Another reply to the second." in article
    assert "Reply to the first." not in article
    review = client.get(reverse("review_page", args=[submission.pk])).content.decode()
    assert "On question 5&#x27;s food systems." in review and "Food systems" in review


def test_comments_replies_resolve_and_reopen_over_http(client, submission, people):
    client.force_login(people["reviewer"])
    url = reverse("comment_add", args=[submission.pk, "5"])
    food = q(submission, "5").parts.get(title="Food systems")
    client.post(url, {"text": "Which countries?", "target": f"part-{food.pk}"})
    comment = submission.comments.get()
    assert comment.part == food
    client.force_login(people["writer"])
    client.post(url, {"text": "Added them.", "parent": comment.pk})
    assert comment.replies.get().text == "Added them."
    client.post(reverse("comment_resolve", args=[submission.pk, comment.pk]), {"resolved": "1"})
    comment.refresh_from_db()
    assert comment.resolved and comment.resolved_by == people["writer"]
    client.post(reverse("comment_resolve", args=[submission.pk, comment.pk]), {"resolved": "0"})
    comment.refresh_from_db()
    assert not comment.resolved
    page = client.get(reverse("review_page", args=[submission.pk])).content.decode()
    assert "Which countries?" in page and "Added them." in page
    response = client.post(url, {"text": ""}, follow=True)
    assert "This field is required" in response.content.decode()


# -- Due dates -------------------------------------------------------------------------------


def assign(submission, people, due_date, number="1"):
    return collaboration.assignment_set(
        submission=submission,
        question=q(submission, number),
        assignee=people["writer"],
        due_date=due_date,
        user=people["coordinator"],
    )


def test_a_due_date_in_the_past_is_refused_by_the_service(submission, people):
    today = timezone.localdate()
    with pytest.raises(collaboration.ServiceError, match="is in the past: choose today or a later"):
        assign(submission, people, today - timedelta(days=1))
    assert not Assignment.objects.exists()
    assert assign(submission, people, today).due_date == today  # today is still in time
    assert assign(submission, people, None).due_date is None  # no date at all is fine


@override_settings(TIME_ZONE="Pacific/Kiritimati")  # UTC+14
def test_today_is_the_configured_time_zones_today(submission, people):
    # 20:00 UTC on 1 December is already 2 December in Kiritimati.
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 12, 1, 20, tzinfo=UTC)
    ):
        with pytest.raises(collaboration.ServiceError, match="in the past"):
            assign(submission, people, datetime(2026, 12, 1).date())
        assert assign(submission, people, datetime(2026, 12, 2).date())


def field_error(html: str, field_id: str) -> str:
    """The error shown under a field of the page, and that the field points to it."""
    field = re.search(rf'<[^>]* id="{field_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and f'aria-describedby="{field_id}_error"' in field
    assert "is-invalid" in field
    return re.search(rf'<div class="invalid-feedback" id="{field_id}_error">([^<]*)</div>', html)[1]


def test_the_assignment_form_shows_a_past_due_date_on_the_field(client, submission, people):
    question = q(submission, "1")
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(people["coordinator"])
    response = client.post(
        reverse("assign", args=[submission.pk, "1"]),
        {"assignee": people["writer"].pk, "due_date": yesterday.isoformat()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = f"The due date {date_format(yesterday)} is in the past: choose today or a later day."
    assert field_error(html, f"id_q{question.pk}-due_date") == message
    # What was posted stays in the form; the summary on top links to the field.
    assert f'value="{yesterday.isoformat()}"' in html
    assert f'<a href="#id_q{question.pk}-due_date">{message}</a>' in html
    assert not Assignment.objects.exists()


def test_taking_an_assignment_away_needs_no_new_date(client, submission, people):
    assign(submission, people, timezone.localdate())
    Assignment.objects.update(due_date=timezone.localdate() - timedelta(days=3))  # time passed
    client.force_login(people["coordinator"])
    page = client.get(reverse("review_page", args=[submission.pk])).content.decode()
    old_date = (timezone.localdate() - timedelta(days=3)).isoformat()
    shown = (timezone.localdate() - timedelta(days=3)).strftime("%d/%m/%Y")
    assert f'value="{shown}"' in page  # the form shows the date it had, day first
    response = client.post(
        reverse("assign", args=[submission.pk, "1"]), {"assignee": "", "due_date": old_date}
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()


# -- Overdue on My work ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "written", "overdue"),
    [
        (None, False, True),  # not started
        (ReviewStatus.DRAFT, True, True),
        (ReviewStatus.CHANGES_REQUESTED, True, True),
        (ReviewStatus.IN_REVIEW, True, False),  # sent: with the reviewer now
        (ReviewStatus.APPROVED, True, False),
    ],
)
def test_my_work_flags_overdue_questions_as_the_completeness_page_does(
    client, submission, people, status, written, overdue
):
    from submissions.insight.completeness import submission_completeness

    assignment = assign(submission, people, timezone.localdate())
    if written:
        write(submission, "1", "IOM's Council met twice.")
    if status:
        QuestionReview.objects.create(
            submission=submission, question=q(submission, "1"), status=status
        )
    Assignment.objects.update(due_date=timezone.localdate() - timedelta(days=1))
    client.force_login(people["writer"])
    html = client.get(reverse("my_work")).content.decode()
    row = re.search(rf'<tr[^>]*data-assignment="{assignment.pk}">(.*?)</tr>', html, re.S)[1]
    assert ("Overdue" in row) is overdue
    line = next(
        line for line in submission_completeness(submission=submission).lines if line.number == "1"
    )
    assert line.overdue is overdue


def test_my_work_shows_what_is_saved_now(client, submission, people):
    """My work's table is kept as drawn while nothing it shows changes; each change shows at
    once: the due date, the question sent for review, an answer over its limit, a due date
    passing, the question's wording and the organization's code changed in the admin, and the
    page in French."""
    from submissions.services import questionnaire_structure_changed

    question = q(submission, "1")
    assignment = assign(submission, people, timezone.localdate() + timedelta(days=3))
    client.force_login(people["writer"])

    def row(language="en"):
        session = client.session
        session["language"] = language
        session.save()
        html = client.get(reverse("my_work")).content.decode()
        return re.search(rf'<tr[^>]*data-assignment="{assignment.pk}">(.*?)</tr>', html, re.S)[1]

    first = row()
    assert "Not started" in first and "Overdue" not in first and "IOM · 2024" in first
    later = timezone.localdate() + timedelta(days=10)
    Assignment.objects.filter(pk=assignment.pk).update(due_date=later)
    assert f'datetime="{later.isoformat()}"' in row()
    write(submission, "1", " ".join(["word"] * (question.word_limit + 1)), people["writer"])
    assert "Over the limit" in row()
    QuestionReview.objects.create(
        submission=submission, question=question, status=ReviewStatus.CHANGES_REQUESTED
    )
    assert "Changes requested" in row()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=11)):
        assert "Overdue" in row()  # the same due date, passed
    assert "Overdue" not in row()
    question.prompt = "Reworded by the administrator?"
    question.save()
    questionnaire_structure_changed(questionnaire=submission.questionnaire)
    assert "Reworded by the administrator?" in row()
    submission.organization.code = "IOM-UN"
    submission.organization.save()
    assert "IOM-UN · 2024" in row()
    assert "Modifications demandées" in row("fr")


def test_my_work_does_not_flag_work_due_today(client, submission, people):
    assign(submission, people, timezone.localdate())
    client.force_login(people["writer"])
    html = client.get(reverse("my_work")).content.decode()
    assert "Overdue</span>" not in html


def test_the_review_page_runs_the_same_queries_whatever_the_rows_comments_and_answers(
    client, people, submission
):
    """Rows, comments with replies, answers and assignments cost the review page (and its
    finalize check) no query more: nothing is read per question, row or comment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from submissions.models import ReviewComment

    events = q(submission, "3")

    def grow(numbers, comments, rows):
        for number in numbers:
            for n in range(comments):
                comment = ReviewComment.objects.create(
                    submission=submission,
                    question=q(submission, number),
                    author=people["reviewer"],
                    text=f"Comment {number}.{n}",
                )
                comment.replies.create(
                    submission=submission,
                    question=comment.question,
                    author=people["writer"],
                    text="Done.",
                )
            collaboration.assignment_set(
                submission=submission,
                question=q(submission, number),
                assignee=people["writer"],
                due_date=None,
                user=people["coordinator"],
            )
        start = Event.objects.filter(submission=submission).count()
        for n in range(rows):
            Event.objects.create(
                submission=submission, question=events, name=f"Event {start + n}", position=n
            )

    client.force_login(people["coordinator"])
    url = reverse("review_page", args=[submission.pk])
    write(submission, "1", "One answer.")
    grow(["1"], comments=1, rows=1)
    client.get(url)  # the questions are read once per process (the memo), not per page
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for part in q(submission, "5").parts.all():
        write(submission, "5", f"The {part.title} part.", part=part)
    grow(["3", "5"], comments=4, rows=25)
    QuestionReview.objects.create(
        submission=submission, question=q(submission, "1"), status=ReviewStatus.APPROVED
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert "Comment 5.3" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries), [
        query["sql"][:120] for query in many.captured_queries
    ]


def test_the_review_page_reads_the_assignable_people_once_for_every_question(
    client, people, submission
):
    """Each question's "Assign to" list names the same people: read once for the page, not
    once per question (seven times on the 2024 questionnaire)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["coordinator"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("review_page", args=[submission.pk]))

    assert response.status_code == 200
    people_reads = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "auth_user" INNER JOIN "accounts_membership"' in q["sql"]
    ]
    assert len(people_reads) == 1, people_reads
    questions = submission.questionnaire.questions.count()
    assert questions > 1
    page = response.content.decode()
    # Every question's list still offers the writer, by name.
    assert page.count(f'<option value="{people["writer"].pk}"') == questions


def test_the_review_pages_question_cards_show_what_is_saved_now(client, submission, people):
    """A question's card is kept as drawn while nothing it shows changes; each change shows at
    once: the answer's text, its status, who holds it until when, a comment, its reply and
    its resolving, a person renamed, the wording changed in the admin, the page in French."""
    from submissions.services import questionnaire_structure_changed

    question = q(submission, "1")
    client.force_login(people["coordinator"])
    url = reverse("review_page", args=[submission.pk])

    def card(language="en"):
        session = client.session
        session["language"] = language
        session.save()
        html = client.get(url).content.decode()
        return re.search(
            rf'<section[^>]*aria-labelledby="review-q-{question.pk}">(.*?)</section>', html, re.S
        )[1]

    assert "Nothing written yet." in card() and "Not assigned" in card()
    answer = write(submission, "1", "Our first decisions.", people["writer"])
    assert "Our first decisions." in card() and "Nothing written yet." not in card()
    Answer.objects.filter(pk=answer.pk).update(text="Our decisions, reworded.")
    assert "Our decisions, reworded." in card()
    QuestionReview.objects.create(
        submission=submission, question=question, status=ReviewStatus.IN_REVIEW
    )
    assert "In review" in card()
    due = timezone.localdate() + timedelta(days=9)
    assign(submission, people, due)
    assert "Held by writer" in card()
    comment = collaboration.comment_add(
        submission=submission, question=question, user=people["reviewer"], text="Which year?"
    )
    assert "Which year?" in card() and "1 open comment" in card()
    collaboration.comment_add(
        submission=submission,
        question=question,
        user=people["writer"],
        text="2024, as asked.",
        parent=comment,
    )
    assert "2024, as asked." in card()
    collaboration.comment_set_resolved(comment=comment, user=people["writer"], resolved=True)
    assert "open comment" not in card() and "resolved" in card()
    people["writer"].first_name, people["writer"].last_name = "Amina", "Diallo"
    people["writer"].save()
    assert "Held by Amina Diallo" in card() and "<strong>Amina Diallo</strong>: 2024" in card()
    question.prompt = "Decisions of the governing bodies, reworded?"
    question.save()
    questionnaire_structure_changed(questionnaire=submission.questionnaire)
    assert "reworded?" in card()
    assert "En relecture" in card("fr") and "Détenue par Amina Diallo" in card("fr")


def test_the_review_pages_assignment_forms_show_what_is_saved_now(client, submission, people):
    """The forms' fields are kept as drawn while nothing they show changes; each change shows
    at once: a new assignee or due date, taking the assignment away, a person renamed or
    joining, the page in French, and a refused form's own input and error."""
    question = q(submission, "1")
    client.force_login(people["coordinator"])
    url = reverse("review_page", args=[submission.pk])

    def fields(language="en"):
        session = client.session
        session["language"] = language  # the person's choice, as the header's switch keeps it
        session.save()
        html = client.get(url).content.decode()
        select = re.search(
            rf'<select name="assignee"[^>]* id="id_q{question.pk}-assignee"[^>]*>(.*?)</select>',
            html,
            re.S,
        )[1]
        date = re.search(rf'<input[^>]* id="id_q{question.pk}-due_date"[^>]*>', html)[0]
        selected = re.findall(r'<option value="([^"]*)" selected>([^<]*)</option>', select)
        return selected, re.findall(r"<option[^>]*>([^<]*)</option>", select), date

    selected, names, date = fields()
    assert selected == [("", "Nobody")] and "value=" not in date.replace('name="due_date"', "")
    due = timezone.localdate() + timedelta(days=9)
    assign(submission, people, due)
    selected, names, date = fields()
    assert selected == [(str(people["writer"].pk), "writer")]
    assert f'value="{due.strftime("%d/%m/%Y")}"' in date
    people["writer"].first_name, people["writer"].last_name = "Amina", "Diallo"
    people["writer"].save()
    newcomer = make_member(submission.organization, Role.CONTRIBUTOR, "newcomer")
    selected, names, date = fields()
    assert selected == [(str(people["writer"].pk), "Amina Diallo")] and "newcomer" in names
    collaboration.assignment_set(  # someone else, the same day
        submission=submission,
        question=question,
        assignee=newcomer,
        due_date=due,
        user=people["coordinator"],
    )
    assert fields()[0] == [(str(newcomer.pk), "newcomer")]
    later = due + timedelta(days=1)
    collaboration.assignment_set(  # the same person, another day
        submission=submission,
        question=question,
        assignee=newcomer,
        due_date=later,
        user=people["coordinator"],
    )
    assert f'value="{later.strftime("%d/%m/%Y")}"' in fields()[2]
    assert fields("fr")[1][0] == "Personne"
    collaboration.assignment_remove(
        assignment=Assignment.objects.get(question=question), user=people["coordinator"]
    )
    assert fields()[0] == [("", "Nobody")]
    refused = client.post(
        reverse("assign", args=[submission.pk, "1"]),
        {"assignee": people["writer"].pk, "due_date": "31/02/2030"},
    ).content.decode()
    assert 'value="31/02/2030"' in refused and "invalid-feedback" in refused
