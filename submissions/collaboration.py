"""Comments and assignments: how people talk about and share out the questions."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.selectors import person_name

from . import notifications
from .models import (
    ROW_MODELS,
    Assignment,
    EventKind,
    Presence,
    Question,
    QuestionPart,
    ReviewComment,
    Submission,
    SubmissionEvent,
)
from .services import ServiceError
from .text import strip_control_characters
from .validators import validate_due_date

MAX_COMMENT_LENGTH = 5000


def comment_add(
    *,
    submission: Submission,
    question: Question,
    user: AbstractBaseUser,
    text: str,
    part: QuestionPart | None = None,
    row_id: int | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """Comment on a question's answer, one of its parts or one of its rows; or reply."""
    text = strip_control_characters(text or "").strip()
    if not text:
        raise ServiceError(_("Write something: the comment is empty."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise ServiceError(
            _("A comment holds at most %(max)d characters; this one has %(count)d.")
            % {"max": MAX_COMMENT_LENGTH, "count": len(text)}
        )
    if part is not None and part.question_id != question.pk:
        raise ServiceError(_("That part belongs to another question."))
    row_name = ""
    if row_id is not None:
        if not question.table:
            raise ServiceError(_("This question has no table."))
        row = (
            ROW_MODELS[question.table]
            .objects.filter(submission=submission, question=question, pk=row_id)
            .first()
        )
        if row is None:
            raise ServiceError(_("That row no longer exists."))
        row_name = row.name
    if parent is not None:
        if parent.submission_id != submission.pk or parent.question_id != question.pk:
            raise ServiceError(_("That comment belongs to another question."))
        parent = parent.parent or parent  # replies stay one level deep
        part, row_id, row_name = parent.part, parent.row_id, parent.row_name
    return ReviewComment.objects.create(
        submission=submission,
        question=question,
        part=part,
        row_id=row_id,
        row_name=row_name,
        parent=parent,
        author=user,
        text=text,
    )


def comment_set_resolved(*, comment: ReviewComment, user: AbstractBaseUser, resolved: bool) -> None:
    """Resolve a comment thread, or reopen it."""
    root = comment.parent or comment
    root.resolved = resolved
    root.resolved_by = user if resolved else None
    root.resolved_at = timezone.now() if resolved else None
    root.save(update_fields=["resolved", "resolved_by", "resolved_at"])


@transaction.atomic
def assignment_set(
    *,
    submission: Submission,
    question: Question,
    assignee: AbstractBaseUser,
    due_date: datetime.date | None,
    user: AbstractBaseUser,
    row_id: int | None = None,
) -> Assignment:
    """Give a question (or one of its rows) to a contributor of the organization.

    A due date before today is refused, whichever path asks (form, command, shell).
    """
    writer = Membership.objects.filter(
        user=assignee,
        organization=submission.organization,
        role__in=[Role.CONTRIBUTOR, Role.COORDINATOR],
    ).exists()
    if not writer:
        raise ServiceError(
            _("%(name)s is not a contributor or coordinator of %(org)s.")
            % {"name": person_name(assignee), "org": submission.organization.code}
        )
    if row_id is not None and not (
        question.table
        and ROW_MODELS[question.table]
        .objects.filter(submission=submission, question=question, pk=row_id)
        .exists()
    ):
        raise ServiceError(_("That row no longer exists."))
    try:
        validate_due_date(due_date)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from None
    assignment, _created = Assignment.objects.update_or_create(
        submission=submission,
        question=question,
        row_id=row_id,
        defaults={"assignee": assignee, "due_date": due_date, "assigned_by": user},
    )
    SubmissionEvent.objects.create(
        submission=submission,
        question=question,
        kind=EventKind.ASSIGNMENT,
        actor=user,
        message=_("Assigned to %(name)s%(due)s.")
        % {
            "name": person_name(assignee),
            "due": _(", due %(date)s") % {"date": formats.date_format(due_date, "DATE_FORMAT")}
            if due_date
            else "",
        },
    )
    notifications.assigned(assignment=assignment, by=user)
    return assignment


def assignment_remove(*, assignment: Assignment, user: AbstractBaseUser) -> None:
    SubmissionEvent.objects.create(
        submission=assignment.submission,
        question=assignment.question,
        kind=EventKind.ASSIGNMENT,
        actor=user,
        message=_("Assignment to %(name)s removed.") % {"name": person_name(assignment.assignee)},
    )
    assignment.delete()


# -- Presence: who has which question open ---------------------------------------------------

PRESENCE_SECONDS = 45  # a page beats every 15 s: three missed beats and it is gone


def presence_beat(
    *, submission: Submission, question: Question, user: AbstractBaseUser, editing: bool
) -> None:
    """Say that the user has the question open (and is typing in it, or not) now."""
    now = timezone.now()
    Presence.objects.update_or_create(
        submission=submission,
        question=question,
        user=user,
        defaults={"seen_at": now, "editing": editing},
    )
    # Pages closed long ago: one indexed delete, so the table stays small.
    Presence.objects.filter(seen_at__lt=now - datetime.timedelta(hours=1)).delete()


def presence_leave(*, submission: Submission, question: Question, user: AbstractBaseUser) -> None:
    """The user closed the question (the page says so as it unloads)."""
    Presence.objects.filter(submission=submission, question=question, user=user).delete()
