"""Who may do what: one table, used by every view and rendered in the README.

Scoping comes first and is not in this table: a submission of an organization the user does
not belong to is a 404 whatever the action (submissions.selectors.submissions_visible_to).
Within their own organization, a user's role decides; a refusal is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.selectors import membership_role, person_name

from .models import Submission, SubmissionStatus

C, R, K = Role.CONTRIBUTOR, Role.REVIEWER, Role.COORDINATOR

# action: (roles allowed, description for the README)
ACTIONS: dict[str, tuple[frozenset[Role], str]] = {
    "view": (frozenset({C, R, K}), _("Read the submission, its history and comments")),
    "export": (frozenset({C, R, K}), _("Download DOCX, PDF, text, JSON, CSV/XLSX")),
    "edit": (frozenset({C, K}), _("Write answers and table rows; restore an old version")),
    "submit_for_review": (frozenset({C, K}), _("Send a question for review")),
    "comment": (frozenset({C, R, K}), _("Comment, reply, resolve and reopen comments")),
    "review": (frozenset({R, K}), _("Approve a question or request changes")),
    "assign": (frozenset({K}), _("Assign questions to contributors, with a due date")),
    "open": (frozenset({K}), _("Open the year's submission, carry forward, import")),
    "finalize": (frozenset({K}), _("Finalize the submission")),
    "reopen": (frozenset({K}), _("Reopen a finalized submission, with a reason")),
    "completeness": (
        frozenset({K}),
        _("See every question's words, status, assignee and due date; download it as CSV"),
    ),
}

# Actions that change the submission: refused on a finalized one, whatever the role.
WRITES = {"edit", "submit_for_review", "comment", "review", "assign", "open", "finalize"}


def viewer_role(user, submission: Submission) -> Role | None:
    """The user's role in the submission's organization, None for a non-member.

    A submission read through ``submissions_visible_to(user=...)`` brings it along; any other
    costs a query.
    """
    if user.is_authenticated and getattr(submission, "viewer_id", None) == user.pk:
        return Role(submission.viewer_role)
    return membership_role(user=user, organization=submission.organization)


def can(user, submission: Submission, action: str, *, role: Role | None = None) -> bool:
    """Whether the user may do the action on the submission (a member of its organization)."""
    role = role if role is not None else viewer_role(user, submission)
    if role is None or role not in ACTIONS[action][0]:
        return False
    return not (action in WRITES and submission.status == SubmissionStatus.FINALIZED)


def finalized_message(submission: Submission) -> str:
    """Why a finalized submission cannot be changed: who finalized it, when, who can reopen it."""
    if submission.finalized_at is None:
        return gettext("This submission is finalized and read-only. A coordinator can reopen it.")
    return gettext(
        "This submission was finalized by %(name)s on %(when)s and is read-only. "
        "A coordinator can reopen it."
    ) % {
        "name": person_name(submission.finalized_by) or gettext("someone"),
        "when": formats.date_format(timezone.localtime(submission.finalized_at), "DATETIME_FORMAT"),
    }


def require(user, submission: Submission, action: str) -> None:
    """Raise PermissionDenied (403) with a message saying why."""
    role = viewer_role(user, submission)
    if can(user, submission, action, role=role):
        return
    if role is not None and role in ACTIONS[action][0]:
        raise PermissionDenied(finalized_message(submission))
    raise PermissionDenied(
        _("Your role does not allow this: %(what)s.") % {"what": ACTIONS[action][1]}
    )


def require_role(user, submission: Submission, action: str) -> None:
    """Raise PermissionDenied unless the user's role allows the action (status aside).

    For the write gate, which reads the submission's status itself, afresh.
    """
    role = viewer_role(user, submission)
    if role is None or role not in ACTIONS[action][0]:
        raise PermissionDenied(
            _("Your role does not allow this: %(what)s.") % {"what": ACTIONS[action][1]}
        )


def read_only_reason(user, submission: Submission) -> str:
    """Why the editing page is read-only for this user ("" when they may edit)."""
    if submission.status == SubmissionStatus.FINALIZED:
        return finalized_message(submission)
    role = viewer_role(user, submission)
    if role is not None and role not in ACTIONS["edit"][0]:
        return gettext(
            "You are a %(role)s here: reviewers comment and approve; contributors and "
            "coordinators edit."
        ) % {"role": role.label.lower()}
    return ""


def allowed_actions(user, submission: Submission) -> set[str]:
    """Every action the user may do on the submission (for showing buttons)."""
    role = viewer_role(user, submission)
    return {action for action in ACTIONS if can(user, submission, action, role=role)}
