"""Review workflow: every transition of a question and of a submission lives here.

Question:   draft -> in review -> approved, or back to "changes requested";
            editing an in-review or approved question puts it back to draft.
Submission: draft -> in review -> approved (all questions approved), derived from its
            questions; approved -> finalized (read-only); finalized -> reopened, with a reason.

Sending for review, approving and finalizing are hard stops on word limits, required fields
and "up to three": the refusal lists what to fix, each problem naming the field it is about.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import notifications
from .models import (
    ROW_MODELS,
    EventKind,
    Question,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from .selectors import cached_word_count
from .services import ServiceError


@dataclass
class Problem:
    """One thing to fix before a transition, with the id of the field it is about."""

    message: str
    question: Question
    anchor: str = ""


class WorkflowError(ServiceError):
    """A refused transition, with the list of what to fix."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def question_problems(*, submission: Submission, question: Question) -> list[Problem]:
    """What stops a question from going to review: limits, required fields, row count."""
    problems: list[Problem] = []
    answers = {a.part_id: a.text for a in submission.answers.filter(question=question)}
    parts = list(question.parts.order_by("position", "id"))
    rows = []
    if question.table:
        rows = list(
            ROW_MODELS[question.table]
            .objects.filter(submission=submission, question=question)
            .order_by("position", "id")
        )

    def over(text: str, limit: int | None, label: str, anchor: str) -> None:
        words = cached_word_count(text)
        if limit and words > limit:
            problems.append(
                Problem(
                    _("%(label)s has %(words)d words; the limit is %(limit)d.")
                    % {"label": label, "words": words, "limit": limit},
                    question,
                    anchor,
                )
            )

    if question.has_narrative:
        over(answers.get(None, ""), question.word_limit, _("The answer"), "id_answer-main-text")
    for part in parts:
        over(
            answers.get(part.pk, ""),
            part.word_limit,
            f"“{part.title}”",
            f"id_answer-part-{part.pk}-text",
        )
    written = any(t.strip() for t in answers.values()) or rows
    if not written:
        first = "id_answer-main-text" if question.has_narrative else ""
        problems.append(Problem(_("Nothing is written for this question yet."), question, first))
    for index, row in enumerate(rows):
        label = row.name or _("Row %(n)d") % {"n": index + 1}
        if not row.name.strip():
            problems.append(
                Problem(
                    _("%(label)s needs a name.") % {"label": label},
                    question,
                    f"id_rows-{index}-name",
                )
            )
        over(
            row.description,
            question.row_description_word_limit,
            _("The description of “%(label)s”") % {"label": label},
            f"id_rows-{index}-description",
        )
    if question.max_rows and len(rows) > question.max_rows:
        problems.append(
            Problem(
                ngettext(
                    "The table has %(count)d rows; this question takes at most %(limit)d.",
                    "The table has %(count)d rows; this question takes at most %(limit)d.",
                    len(rows),
                )
                % {"count": len(rows), "limit": question.max_rows},
                question,
                "table-heading",
            )
        )
    return problems


def _refuse_with_problems(submission: Submission, question: Question, message: str) -> None:
    """The hard stop shared by sending for review and approving: raise while problems remain."""
    problems = question_problems(submission=submission, question=question)
    if problems:
        raise WorkflowError(message % {"number": question.number}, problems)


def _review(submission: Submission, question: Question) -> QuestionReview:
    review, _created = QuestionReview.objects.select_for_update().get_or_create(
        submission=submission, question=question
    )
    return review


def _ensure_open(submission: Submission) -> None:
    # Read from the database: the caller's copy may predate a finalization.
    if Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.FINALIZED).exists():
        raise WorkflowError(
            _("This submission is finalized and read-only. A coordinator can reopen it.")
        )


def _move(review, to: str, user, message: str = "") -> None:
    SubmissionEvent.objects.create(
        submission=review.submission,
        question=review.question,
        kind=EventKind.QUESTION_STATUS,
        from_status=review.status,
        to_status=to,
        actor=user,
        message=message,
    )
    review.status = to
    review.updated_by = user
    review.save()


@transaction.atomic
def question_submit_for_review(
    *, submission: Submission, question: Question, user: AbstractBaseUser
) -> QuestionReview:
    """Send a question for review; refused with the list of problems while any remain."""
    _ensure_open(submission)
    review = _review(submission, question)
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED):
        raise WorkflowError(
            _("Question %(number)s is already %(status)s.")
            % {"number": question.number, "status": review.get_status_display().lower()}
        )
    _refuse_with_problems(
        submission,
        question,
        _("Question %(number)s cannot go to review yet: fix these first."),
    )
    _move(review, ReviewStatus.IN_REVIEW, user)
    submission_refresh_status(submission=submission, user=user)
    notifications.review_requested(submission=submission, question=question, by=user)
    return review


@transaction.atomic
def question_request_changes(
    *, submission: Submission, question: Question, user: AbstractBaseUser, comment: str
) -> ReviewComment:
    """Send a question back to its writers with a comment saying what to change."""
    _ensure_open(submission)
    comment = comment.strip()
    if not comment:
        raise WorkflowError(_("Say what should change: the comment is required."))
    review = _review(submission, question)
    if review.status not in (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED):
        raise WorkflowError(
            _(
                "Changes can be requested on a question in review or approved; question %(number)s is %(status)s."
            )
            % {"number": question.number, "status": review.get_status_display().lower()}
        )
    note = ReviewComment.objects.create(
        submission=submission, question=question, author=user, text=comment
    )
    _move(review, ReviewStatus.CHANGES_REQUESTED, user, comment)
    submission_refresh_status(submission=submission, user=user)
    notifications.changes_requested(
        submission=submission, question=question, by=user, comment=comment
    )
    return note


@transaction.atomic
def question_approve(
    *, submission: Submission, question: Question, user: AbstractBaseUser
) -> QuestionReview:
    """Approve a question in review; the same hard stops as sending it for review apply."""
    _ensure_open(submission)
    review = _review(submission, question)
    if review.status != ReviewStatus.IN_REVIEW:
        raise WorkflowError(
            _("Only a question in review can be approved; question %(number)s is %(status)s.")
            % {"number": question.number, "status": review.get_status_display().lower()}
        )
    _refuse_with_problems(
        submission, question, _("Question %(number)s cannot be approved: fix these first.")
    )
    _move(review, ReviewStatus.APPROVED, user)
    submission_refresh_status(submission=submission, user=user)
    notifications.approved(submission=submission, question=question, by=user)
    return review


@transaction.atomic
def question_edited(*, submission: Submission, question: Question, user: AbstractBaseUser) -> None:
    """An edit puts an in-review or approved question back to draft, and tells its reviewer."""
    review = (
        QuestionReview.objects.select_for_update()
        .filter(submission=submission, question=question)
        .first()
    )
    if review is None or review.status not in (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED):
        return
    reviewer = review.updated_by if review.status == ReviewStatus.APPROVED else None
    _move(review, ReviewStatus.DRAFT, user, _("Edited after it was sent for review."))
    submission_refresh_status(submission=submission, user=user)
    if reviewer is not None and reviewer != user:
        notifications.edited_after_approval(
            submission=submission, question=question, by=user, reviewer=reviewer
        )


def _derived_status(submission: Submission) -> str:
    statuses = dict(submission.reviews.values_list("question_id", "status"))
    question_ids = list(submission.questionnaire.questions.values_list("pk", flat=True))
    if question_ids and all(statuses.get(q) == ReviewStatus.APPROVED for q in question_ids):
        return SubmissionStatus.APPROVED
    if any(s != ReviewStatus.DRAFT for s in statuses.values()):
        return SubmissionStatus.IN_REVIEW
    return SubmissionStatus.DRAFT


def submission_refresh_status(*, submission: Submission, user: AbstractBaseUser | None) -> None:
    """Derive draft / in review / approved from the questions (finalized is left alone)."""
    submission.refresh_from_db(fields=["status"])
    if submission.status == SubmissionStatus.FINALIZED:
        return
    status = _derived_status(submission)
    if status != submission.status:
        SubmissionEvent.objects.create(
            submission=submission,
            kind=EventKind.SUBMISSION_STATUS,
            from_status=submission.status,
            to_status=status,
            actor=user,
        )
        submission.status = status
        submission.save(update_fields=["status", "updated_at"])


def finalize_problems(*, submission: Submission) -> list[Problem]:
    """Unapproved questions and open comments: what stops finalizing."""
    reviews = dict(submission.reviews.values_list("question_id", "status"))
    problems = [
        Problem(
            _("Question %(number)s is not approved.") % {"number": q.number},
            q,
        )
        for q in submission.questionnaire.questions.all()
        if reviews.get(q.pk) != ReviewStatus.APPROVED
    ]
    open_comments = submission.comments.filter(resolved=False, parent__isnull=True).select_related(
        "question"
    )
    problems += [
        Problem(
            _("Question %(number)s has an open comment: “%(text)s”.")
            % {"number": c.question.number, "text": c.text[:80]},
            c.question,
            f"comment-{c.pk}",
        )
        for c in open_comments
    ]
    return problems


@transaction.atomic
def submission_finalize(*, submission: Submission, user: AbstractBaseUser) -> Submission:
    """Finalize: read-only for everyone until a coordinator reopens it."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == SubmissionStatus.FINALIZED:
        raise WorkflowError(_("This submission is already finalized."))
    problems = finalize_problems(submission=submission)
    if problems:
        raise WorkflowError(
            _(
                "The submission cannot be finalized yet: every question must be approved and every comment resolved."
            ),
            problems,
        )
    SubmissionEvent.objects.create(
        submission=submission,
        kind=EventKind.SUBMISSION_STATUS,
        from_status=submission.status,
        to_status=SubmissionStatus.FINALIZED,
        actor=user,
    )
    submission.status = SubmissionStatus.FINALIZED
    submission.save(update_fields=["status", "updated_at"])
    notifications.finalized(submission=submission, by=user)
    return submission


@transaction.atomic
def submission_reopen(*, submission: Submission, user: AbstractBaseUser, reason: str) -> Submission:
    """Reopen a finalized submission; the reason is kept in its timeline."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    reason = reason.strip()
    if submission.status != SubmissionStatus.FINALIZED:
        raise WorkflowError(_("Only a finalized submission can be reopened."))
    if not reason:
        raise WorkflowError(
            _("Give a reason for reopening: it is kept in the submission's timeline.")
        )
    status = _derived_status(submission)
    SubmissionEvent.objects.create(
        submission=submission,
        kind=EventKind.SUBMISSION_STATUS,
        from_status=SubmissionStatus.FINALIZED,
        to_status=status,
        actor=user,
        message=reason,
    )
    submission.status = status
    submission.save(update_fields=["status", "updated_at"])
    return submission
