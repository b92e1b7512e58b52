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
from django.utils import timezone
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
from .permissions import finalized_message
from .selectors import submissions_progress
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


class SubmissionFinalized(WorkflowError):
    """A write refused because the submission is finalized (read-only until reopened)."""


def submission_ensure_open(*, submission: Submission) -> None:
    """Refuse when the submission is finalized, as it is now in the database (no lock)."""
    fresh = Submission.objects.select_related("finalized_by").get(pk=submission.pk)
    if fresh.status == SubmissionStatus.FINALIZED:
        raise SubmissionFinalized(finalized_message(fresh))


def submission_lock_open(*, submission: Submission) -> Submission:
    """Lock the submission for this transaction and refuse when it is finalized.

    Every change of a submission (its content through ``changes``, its review states here)
    takes this lock first, always in the same order (the submission, then its reviews), so
    that a finalization and a write never interleave and two writers never deadlock.
    Returns the submission as it is now in the database.
    """
    fresh = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("finalized_by")
        .get(pk=submission.pk)
    )
    if fresh.status == SubmissionStatus.FINALIZED:
        raise SubmissionFinalized(finalized_message(fresh))
    return fresh


def question_problems(*, submission: Submission, question: Question) -> list[Problem]:
    """What stops a question from going to review: limits, empty boxes, names, row count."""
    answers = {a.part_id: a for a in submission.answers.filter(question=question).order_by()}
    rows = []
    if question.table:
        rows = list(
            ROW_MODELS[question.table]
            .objects.filter(submission=submission, question=question)
            .order_by("position", "id")
        )
    return _problems(question, answers, rows)


def _problems(question: Question, answers: dict, rows: list) -> list[Problem]:
    """The hard stops of one question, from its answers (by part id, None: its own) and rows."""
    problems: list[Problem] = []

    def check_box(part, label: str, limit: int | None, anchor: str, minimum=None) -> None:
        answer = answers.get(part.pk if part else None)
        text = answer.text if answer else ""
        if not text.strip():
            if not (answer and answer.nothing_to_report):
                problems.append(
                    Problem(
                        _("%(label)s is empty: write it, or tick “Nothing to report this year”.")
                        % {"label": label},
                        question,
                        anchor,
                    )
                )
            return
        words = answer.words
        if limit and words > limit:
            problems.append(
                Problem(
                    _("%(label)s has %(words)d words; the limit is %(limit)d.")
                    % {"label": label, "words": words, "limit": limit},
                    question,
                    anchor,
                )
            )
        if minimum and words < minimum:
            problems.append(
                Problem(
                    _("%(label)s has %(words)d words; it needs at least %(minimum)d.")
                    % {"label": label, "words": words, "minimum": minimum},
                    question,
                    anchor,
                )
            )

    parts = sorted(question.parts.all(), key=lambda p: (p.position, p.pk))
    if question.has_narrative:
        check_box(
            None, _("The answer"), question.word_limit, "id_answer-main-text", question.word_minimum
        )
    for part in parts:
        check_box(
            part,
            f"“{part.title}”",
            part.word_limit,
            f"id_answer-part-{part.pk}-text",
            part.word_minimum,
        )
    own = answers.get(None)
    table_only = question.table and not question.has_narrative and not parts
    if table_only and not rows and not (own and own.nothing_to_report):
        problems.append(
            Problem(
                _("The table has no rows: add one, or tick “Nothing to report this year”."),
                question,
                "table-heading",
            )
        )
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
        if question.row_description_word_limit:
            words = row.description_words
            if words > question.row_description_word_limit:
                problems.append(
                    Problem(
                        _("%(label)s has %(words)d words; the limit is %(limit)d.")
                        % {
                            "label": _("The description of “%(label)s”") % {"label": label},
                            "words": words,
                            "limit": question.row_description_word_limit,
                        },
                        question,
                        f"id_rows-{index}-description",
                    )
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
    submission_lock_open(submission=submission)
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
    submission_lock_open(submission=submission)
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
    sender = _sent_for_review_by(submission, question)
    note = _review_thread_add(submission, question, user, comment)
    _move(review, ReviewStatus.CHANGES_REQUESTED, user, comment)
    submission_refresh_status(submission=submission, user=user)
    notifications.changes_requested(
        submission=submission, question=question, by=user, comment=comment, sender=sender
    )
    return note


def _sent_for_review_by(submission: Submission, question: Question):
    """Who last sent the question for review (None if nobody has)."""
    event = (
        SubmissionEvent.objects.filter(
            submission=submission,
            question=question,
            kind=EventKind.QUESTION_STATUS,
            to_status=ReviewStatus.IN_REVIEW,
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event else None


def _review_thread_add(submission, question, user, text: str) -> ReviewComment:
    """Continue the question's open review thread (on its answer), or open one.

    A second open thread per request would block finalizing after the first is resolved.
    """
    thread = (
        ReviewComment.objects.filter(
            submission=submission,
            question=question,
            parent__isnull=True,
            part__isnull=True,
            row_id__isnull=True,
            resolved=False,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return ReviewComment.objects.create(
        submission=submission, question=question, author=user, text=text, parent=thread
    )


@transaction.atomic
def question_approve(
    *, submission: Submission, question: Question, user: AbstractBaseUser
) -> QuestionReview:
    """Approve a question in review; the same hard stops as sending it for review apply."""
    submission_lock_open(submission=submission)
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


def question_edited(
    *,
    submission: Submission,
    question_ids: set[int],
    user: AbstractBaseUser | None,
    prior: dict[int, tuple[str, AbstractBaseUser | None]] | None = None,
) -> None:
    """Questions whose content changed go back to draft if in review or approved.

    Called by the write gate (``changes``), inside its transaction, for every path that
    changes content; the approver is told after commit. ``prior`` gives the review states
    as they were before the write, for a write that replaced the reviews themselves (a
    restore from a backup).
    """
    if not question_ids:
        return
    moving = (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED)
    reviews = (
        QuestionReview.objects.select_for_update(of=("self",))
        .filter(submission=submission, question_id__in=question_ids)
        .select_related("question", "updated_by")
        .order_by("question_id")
    )
    moved = False
    for review in reviews:
        was, approver = (
            prior.get(review.question_id, (ReviewStatus.DRAFT, None))
            if prior is not None
            else (review.status, review.updated_by)
        )
        if was not in moving and review.status not in moving:
            continue
        reviewer = approver if was == ReviewStatus.APPROVED else None
        if review.status in moving:
            review.submission = submission
            _move(review, ReviewStatus.DRAFT, user, _("Edited after it was sent for review."))
            moved = True
        if reviewer is not None and reviewer != user:
            notifications.edited_after_approval(
                submission=submission, question=review.question, by=user, reviewer=reviewer
            )
    if moved:
        submission_refresh_status(submission=submission, user=user)


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


def finalize_problems(
    *, submission: Submission, progress=None, comments: list | None = None
) -> list[Problem]:
    """Unapproved questions, hard stops left in approved ones, open comments.

    Read from the submission's progress (``selectors.submissions_progress``, with its texts)
    and its comment threads; a page that has read them passes them (``progress``,
    ``comments``) and they are not read again, finalizing reads them under the submission's
    lock. The rows are read only for the table kinds of approved questions: nothing else is
    checked."""
    if progress is None:
        progress = submissions_progress(submissions=[submission])[submission.pk]
    states = progress.states
    approved = [s.question for s in states if s.review and s.review.status == ReviewStatus.APPROVED]
    problems = [
        Problem(
            _("Question %(number)s is not approved.") % {"number": s.question.number}, s.question
        )
        for s in states
        if s.question not in approved
    ]
    # An approval given before a rule existed (an empty box) still stops finalizing.
    answers: dict[int, dict] = {}
    for state in states:
        found = {part.part.pk: part.answer for part in state.parts if part.answer}
        if state.narrative is not None:
            found[None] = state.narrative
        answers[state.question.pk] = found
    rows: dict[int, list] = {}
    for kind in {q.table for q in approved if q.table}:
        for row in (
            ROW_MODELS[kind]
            .objects.filter(submission=submission, question__in=approved)
            .order_by("position", "id")
            .only("id", "question_id", "name", "description_words")
        ):
            rows.setdefault(row.question_id, []).append(row)
    for question in approved:
        problems += _problems(question, answers.get(question.pk, {}), rows.get(question.pk, []))
    if comments is None:
        open_comments = submission.comments.filter(
            resolved=False, parent__isnull=True
        ).select_related("question")
    else:
        open_comments = sorted(
            (c for c in comments if not c.resolved and c.parent_id is None),
            key=lambda c: (c.created_at, c.pk),
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
    submission.finalized_at = timezone.now()
    submission.finalized_by = user if getattr(user, "is_authenticated", False) else None
    submission.save(update_fields=["status", "finalized_at", "finalized_by", "updated_at"])
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
    submission.finalized_at = submission.finalized_by = None
    submission.save(update_fields=["status", "finalized_at", "finalized_by", "updated_at"])
    return submission
