"""E-mail notifications through Django's mail (the console backend in development).

Each mail links to the page it is about, in its recipient's language (their preference). Mails go out after the transaction commits, and a
mail server that is down is logged, never allowed to undo the change it reports.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Role
from accounts.selectors import person_name, user_languages

from .models import Assignment, Question, Submission

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(recipients, subject, template: str, context: dict) -> None:
    """Mail `recipients`, each in their own language (subject and body rendered in it).

    `subject` is a (lazy message, values) pair, translated for each language.
    """
    people = {u.pk: u for u in recipients if u is not None and u.email}
    if not people:
        return
    message, values = subject
    languages = user_languages(people.values())
    by = context.get("by")
    mails = []
    for language in sorted(set(languages.values())):
        addresses = sorted({people[pk].email for pk, lang in languages.items() if lang == language})
        with translation.override(language):
            rendered = {**context, "by_name": person_name(by) or _("An administrator")}
            mails.append(
                (
                    str(message) % values,
                    render_to_string(f"submissions/email/{template}.txt", rendered),
                    addresses,
                )
            )

    def deliver() -> None:
        for mail_subject, body, addresses in mails:
            try:
                send_mail(mail_subject, body, None, addresses)
            except Exception:  # a mail server problem must not undo the change
                logger.exception("Could not send %r to %s", mail_subject, addresses)

    transaction.on_commit(deliver)


def _subject(message, submission: Submission, question: Question | None = None):
    values = {"org": submission.organization.code, "year": submission.questionnaire.year}
    if question is not None:
        values["number"] = question.number
    return message, values


def _members(submission: Submission, roles) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            organization=submission.organization, role__in=roles
        ).select_related("user")
    ]


def _assignees(submission: Submission, question: Question) -> list:
    """Who holds the question or one of its rows."""
    return [
        a.assignee
        for a in Assignment.objects.filter(submission=submission, question=question).select_related(
            "assignee"
        )
    ]


def _writers(submission: Submission, question: Question) -> list:
    """The people who hold or wrote the question: its assignee and its answers' editors."""
    people = _assignees(submission, question)
    people += [
        a.updated_by
        for a in submission.answers.filter(
            question=question, updated_by__isnull=False
        ).select_related("updated_by")
    ]
    return people


def _question_context(submission, question, by, **extra) -> dict:
    url = absolute(reverse("question_edit", args=[submission.pk, question.number]))
    return {"submission": submission, "question": question, "by": by, "url": url, **extra}


def _without(people, user) -> list:
    return [p for p in people if p is not None and p != user]


def review_requested(*, submission: Submission, question: Question, by) -> None:
    _send(
        _without(_members(submission, [Role.REVIEWER, Role.COORDINATOR]), by),
        _subject(
            gettext_lazy("[%(org)s %(year)s] Question %(number)s is ready for review"),
            submission,
            question,
        ),
        "review_requested",
        _question_context(submission, question, by),
    )


def changes_requested(
    *, submission: Submission, question: Question, by, comment: str, sender=None
) -> None:
    """To whoever sent the question for review and to its assignees."""
    _send(
        _without([sender, *_assignees(submission, question)], by),
        _subject(
            gettext_lazy("[%(org)s %(year)s] Changes requested on question %(number)s"),
            submission,
            question,
        ),
        "changes_requested",
        _question_context(submission, question, by, comment=comment),
    )


def approved(*, submission: Submission, question: Question, by) -> None:
    _send(
        _without(_writers(submission, question), by),
        _subject(
            gettext_lazy("[%(org)s %(year)s] Question %(number)s is approved"),
            submission,
            question,
        ),
        "approved",
        _question_context(submission, question, by),
    )


def edited_after_approval(*, submission: Submission, question: Question, by, reviewer) -> None:
    _send(
        [reviewer],
        _subject(
            gettext_lazy("[%(org)s %(year)s] Question %(number)s was edited after you approved it"),
            submission,
            question,
        ),
        "edited_after_approval",
        _question_context(submission, question, by),
    )


def assigned(*, assignment: Assignment, by) -> None:
    submission, question = assignment.submission, assignment.question
    _send(
        _without([assignment.assignee], by),
        _subject(
            gettext_lazy("[%(org)s %(year)s] Question %(number)s is assigned to you"),
            submission,
            question,
        ),
        "assigned",
        _question_context(submission, question, by, assignment=assignment),
    )


def finalized(*, submission: Submission, by) -> None:
    _send(
        _without(_members(submission, list(Role)), by),
        _subject(gettext_lazy("[%(org)s %(year)s] The submission is finalized"), submission),
        "finalized",
        {"submission": submission, "by": by, "url": absolute(submission.get_absolute_url())},
    )
