"""Review rules of issue "one write gate": empty boxes, who hears of changes requested, one
review thread, the submission's timeline and read-only banners that say why."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from submissions import changes, workflow
from submissions.models import (
    Assignment,
    Question,
    ReviewComment,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization):
    return {
        "writer": make_member(organization, Role.CONTRIBUTOR, "writer"),
        "holder": make_member(organization, Role.CONTRIBUTOR, "holder"),
        "reviewer": make_member(organization, Role.REVIEWER, "checker"),
        "coordinator": make_member(organization, Role.COORDINATOR, "focal"),
    }


def q(submission, number) -> Question:
    return submission.questionnaire.questions.get(number=number)


def save(submission, user, number, text, *, part=None, nothing_to_report=None):
    question = q(submission, number)
    current = submission.answers.filter(question=question, part=part).first()
    result = changes.answer_save(
        submission=submission,
        question=question,
        part=part,
        text=text,
        base_version=current.version if current else 0,
        user=user,
        key="answer",
        nothing_to_report=nothing_to_report,
    )
    assert result.status in (changes.SAVED, changes.UNCHANGED), result
    return result


def parts(submission):
    question = q(submission, "5")
    return question, *question.parts.order_by("position")


# -- Empty boxes ----------------------------------------------------------------------------


def test_an_empty_part_cannot_be_sent_for_review(submission, people):
    """An empty part was sent for review, approved and finalized."""
    question, food, _energy = parts(submission)
    save(submission, people["writer"], "5", "The six transitions.")
    save(submission, people["writer"], "5", "Food.", part=food)

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.question_submit_for_review(
            submission=submission, question=question, user=people["writer"]
        )

    [problem] = error.value.problems
    assert "“Energy access” is empty" in problem.message
    assert "Nothing to report this year" in problem.message


def test_an_empty_narrative_beside_a_table_cannot_be_approved(submission, people):
    """Question 7 of 2024 (a narrative and a table): 0 / 200 words was approved."""
    question = Question.objects.create(
        questionnaire=submission.questionnaire,
        number="7",
        position=7,
        prompt="Initiatives?",
        word_limit=200,
        table="initiatives",
    )
    changes.row_save(
        submission=submission,
        question=question,
        row_id=None,
        base_version=0,
        values={"name": "UN Network on Migration"},
        sdgs=[],
        position=0,
        user=people["writer"],
        key="rows-0",
    )
    problems = workflow.question_problems(submission=submission, question=question)
    assert [p.anchor for p in problems] == ["id_answer-main-text"]


def test_a_box_marked_nothing_to_report_passes_review_and_the_mark_is_in_history(
    submission, people
):
    question, food, energy = parts(submission)
    save(submission, people["writer"], "5", "The six transitions.")
    save(submission, people["writer"], "5", "Food.", part=food)
    save(submission, people["writer"], "5", "", part=energy, nothing_to_report=True)

    workflow.question_submit_for_review(
        submission=submission, question=question, user=people["writer"]
    )
    workflow.question_approve(submission=submission, question=question, user=people["reviewer"])

    from submissions import history

    [version] = history.answer_versions(submission=submission, question=question, part=energy)
    assert version.nothing_to_report and version.text == ""


def test_writing_in_a_box_clears_its_mark(submission, people):
    _question, _food, energy = parts(submission)
    save(submission, people["writer"], "5", "", part=energy, nothing_to_report=True)
    save(submission, people["writer"], "5", "After all, something.", part=energy)
    answer = submission.answers.get(part=energy)
    assert (answer.text, answer.nothing_to_report) == ("After all, something.", False)


def test_an_approval_given_before_the_rule_does_not_let_an_empty_part_be_finalized(
    submission, people
):
    """Approved while the rule did not exist: finalizing checks the boxes again."""
    from submissions.models import QuestionReview

    for question in submission.questionnaire.questions.all():
        QuestionReview.objects.create(
            submission=submission, question=question, status=ReviewStatus.APPROVED
        )
    problems = workflow.finalize_problems(submission=submission)
    assert any("“Energy access” is empty" in p.message for p in problems)
    with pytest.raises(workflow.WorkflowError):
        workflow.submission_finalize(submission=submission, user=people["coordinator"])


def test_a_table_only_question_can_be_marked_nothing_to_report(submission, people):
    question = q(submission, "3")
    assert workflow.question_problems(submission=submission, question=question)
    save(submission, people["writer"], "3", "", nothing_to_report=True)
    assert workflow.question_problems(submission=submission, question=question) == []


def test_the_editing_page_offers_the_mark_and_the_table_of_contents_shows_it(
    client, submission, people
):
    _question, _food, energy = parts(submission)
    save(submission, people["writer"], "5", "", part=energy, nothing_to_report=True)
    client.force_login(people["writer"])

    html = client.get(reverse("question_edit", args=[submission.pk, "5"])).content.decode()

    box = re.search(rf'<input[^>]*name="answer-part-{energy.pk}-nothing_to_report"[^>]*>', html)
    assert box is not None and " checked" in box.group(0)
    assert "Nothing to report</span>" in html  # the table of contents' badge


# -- Changes requested ----------------------------------------------------------------------


def sent_for_review(submission, people):
    save(submission, people["coordinator"], "1", "Imported text.")
    question = q(submission, "1")
    Assignment.objects.create(submission=submission, question=question, assignee=people["holder"])
    workflow.question_submit_for_review(
        submission=submission, question=question, user=people["writer"]
    )
    return question


def test_changes_requested_reaches_the_sender_and_the_assignee(
    submission, people, django_capture_on_commit_callbacks
):
    """It reached the coordinator (the answer's last editor) only."""
    question = sent_for_review(submission, people)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.question_request_changes(
            submission=submission, question=question, user=people["reviewer"], comment="Shorter."
        )

    [message] = mail.outbox
    assert sorted(message.to) == ["holder@example.org", "writer@example.org"]


def test_request_changes_continues_the_open_review_thread(submission, people):
    """The request's text became a second open thread, which then blocked finalizing."""
    question = sent_for_review(submission, people)
    first = ReviewComment.objects.create(
        submission=submission, question=question, author=people["reviewer"], text="Which year?"
    )

    workflow.question_request_changes(
        submission=submission, question=question, user=people["reviewer"], comment="Add 2024."
    )

    assert ReviewComment.objects.filter(parent__isnull=True).count() == 1
    assert list(first.replies.values_list("text", flat=True)) == ["Add 2024."]
    # Resolving the thread resolves the request with it.
    from submissions import collaboration

    collaboration.comment_set_resolved(comment=first, user=people["writer"], resolved=True)
    assert not [
        p for p in workflow.finalize_problems(submission=submission) if "open comment" in p.message
    ]


def test_request_changes_without_a_thread_opens_one(submission, people):
    question = sent_for_review(submission, people)
    note = workflow.question_request_changes(
        submission=submission, question=question, user=people["reviewer"], comment="Add 2024."
    )
    assert note.parent is None and not note.resolved


# -- Timeline and banners -------------------------------------------------------------------


def finalize(submission, people):
    """Approve every question (each answered) and finalize, as the people would."""
    question_5, food, energy = parts(submission)
    save(submission, people["writer"], "1", "One.")
    save(submission, people["writer"], "3", "", nothing_to_report=True)
    save(submission, people["writer"], "5", "The six transitions.")
    save(submission, people["writer"], "5", "Food.", part=food)
    save(submission, people["writer"], "5", "Energy.", part=energy)
    for question in submission.questionnaire.questions.all():
        workflow.question_submit_for_review(
            submission=submission, question=question, user=people["writer"]
        )
        workflow.question_approve(submission=submission, question=question, user=people["reviewer"])
    workflow.submission_finalize(submission=submission, user=people["coordinator"])


def test_the_overview_of_a_finalized_submission_says_who_finalized_it_and_offers_reopen(
    client, submission, people
):
    """The overview showed no "finalized on / by" and no Reopen button."""
    people["coordinator"].first_name, people["coordinator"].last_name = "Fatou", "Diallo"
    people["coordinator"].save()
    finalize(submission, people)
    client.force_login(people["coordinator"])

    html = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()

    assert "finalized by Fatou Diallo on" in html
    assert reverse("submission_reopen", args=[submission.pk]) in html
    client.force_login(people["writer"])
    html = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert "finalized by Fatou Diallo" in html
    assert reverse("submission_reopen", args=[submission.pk]) not in html


def test_the_reopen_reason_is_in_the_timeline_for_every_role(client, submission, people):
    """The reason given when reopening was stored but shown nowhere."""
    finalize(submission, people)
    workflow.submission_reopen(
        submission=submission, user=people["coordinator"], reason="UN DESA asked for a fix."
    )

    for role in ("writer", "reviewer", "coordinator"):
        client.force_login(people[role])
        html = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
        timeline = html[html.index('id="timeline"') :]
        assert "Reopened" in timeline and "Reason: UN DESA asked for a fix." in timeline
        assert "Finalized" in timeline
        assert "Question 1: In review → Approved" in timeline
    submission.refresh_from_db()
    assert submission.finalized_at is None and submission.finalized_by is None


def test_the_timeline_shows_what_happened_now(client, submission, people):
    """The overview keeps its timeline as drawn while its lines are the same: a new line, a
    person renamed and the page in French show at once."""
    client.force_login(people["coordinator"])

    def timeline(language="en"):
        session = client.session
        session["language"] = language
        session.save()
        html = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
        return html[html.index('id="timeline"') :]

    finalize(submission, people)
    assert "Finalized" in timeline() and "Reopened" not in timeline()
    workflow.submission_reopen(
        submission=submission, user=people["coordinator"], reason="UN DESA asked for a fix."
    )
    assert "Reason: UN DESA asked for a fix." in timeline()
    assert "by focal" in timeline()
    people["coordinator"].first_name, people["coordinator"].last_name = "Fatima", "Diallo"
    people["coordinator"].save()
    assert "by Fatima Diallo" in timeline()
    assert "par Fatima Diallo" in timeline("fr")


def test_a_reviewer_on_a_draft_is_told_why_the_page_is_read_only(client, submission, people):
    """Reviewers were told "This submission is finalized and read-only" on a draft."""
    client.force_login(people["reviewer"])
    html = client.get(reverse("question_edit", args=[submission.pk, "1"])).content.decode()
    assert "finalized" not in html
    assert "reviewers comment and approve; contributors and coordinators edit" in html


def test_a_finalized_page_names_who_finalized_it(client, submission, people):
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.FINALIZED,
        finalized_by=people["coordinator"],
        finalized_at=timezone.now(),
    )
    client.force_login(people["writer"])
    html = client.get(reverse("question_edit", args=[submission.pk, "1"])).content.decode()
    assert "This submission was finalized by focal on" in html
    assert "A coordinator can reopen it." in html


def test_the_write_gate_refuses_a_finalized_submission_saying_who_and_when(submission, people):
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.FINALIZED,
        finalized_by=people["coordinator"],
        finalized_at=timezone.now(),
    )
    with pytest.raises(workflow.SubmissionFinalized, match="finalized by focal on"):
        save(submission, people["writer"], "1", "Too late.")
    assert not submission.answers.exists()


def test_the_review_page_lists_what_finalizing_would_refuse(client, submission, people):
    """The review page passes what it read (progress, comment threads) to the finalize
    check instead of reading them again: its list is the one finalizing gives."""
    from submissions.models import Event, QuestionReview, ReviewStatus
    from submissions.selectors import submissions_progress

    _question, food, energy = parts(submission)
    save(submission, people["writer"], "1", "Decided. " * 250)  # over the 200-word limit
    save(submission, people["writer"], "5", "Food.", part=food)
    Event.objects.create(submission=submission, question=q(submission, "3"), name=" ")
    for question in submission.questionnaire.questions.all():
        QuestionReview.objects.create(
            submission=submission, question=question, status=ReviewStatus.APPROVED
        )
    for text, resolved in (("Second thread", False), ("Settled", True), ("First thread", False)):
        thread = ReviewComment.objects.create(
            submission=submission, question=q(submission, "1"), text=text, resolved=resolved
        )
        thread.replies.create(submission=submission, question=thread.question, text="A reply")

    alone = workflow.finalize_problems(submission=submission)
    progress = submissions_progress(submissions=[submission])[submission.pk]
    threads = list(submission.comments.filter(parent__isnull=True).order_by("resolved", "-pk"))
    given = workflow.finalize_problems(submission=submission, progress=progress, comments=threads)

    messages = [p.message for p in alone]
    assert messages == [p.message for p in given]
    assert [(p.question.pk, p.anchor) for p in alone] == [(p.question.pk, p.anchor) for p in given]
    assert any("has 250 words; the limit is 200" in m for m in messages)
    assert any("“Energy access” is empty" in m for m in messages)
    assert any("needs a name" in m for m in messages)
    assert [m for m in messages if "open comment" in m] == [
        "Question 1 has an open comment: “Second thread”.",
        "Question 1 has an open comment: “First thread”.",
    ]
    client.force_login(people["coordinator"])
    page = client.get(reverse("review_page", args=[submission.pk])).content.decode()
    assert f"{len(messages)} things stand before finalizing" in page
