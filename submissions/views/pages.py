"""Dashboard and submission overview."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from accounts.models import Organization, Role

from ..insight.coverage import sdg_chart, sdg_coverage
from ..models import (
    Questionnaire,
    SubmissionStatus,
)
from ..permissions import allowed_actions, finalized_message, viewer_role
from ..selectors import (
    VisibleSubmissions,
    open_questionnaires_started,
    question_assignments,
    shown_digest,
    submission_timeline,
    submissions_progress,
)
from .lookup import visible_submission
from .organizations import organization_filter, page_of


def _continue_numbers(user, progress) -> dict[int, str]:
    """Per submission, the question of the answer the user last edited (where to continue),
    from the progress's answers (no query of its own)."""
    numbers: dict[int, str] = {}
    for submission_id, found in progress.items():
        edits = [
            (answer.updated_at, state.question.number)
            for state in found.states
            for answer in state.answers
            if answer.updated_by_id == user.pk
        ]
        if edits:
            numbers[submission_id] = max(edits, key=lambda edit: edit[0])[1]
    return numbers


@login_required
def home(request):
    """The organization's submissions by year, with progress and where to continue; a page
    at a time, by organization for people of several."""
    organizations = organization_filter(request, request.user)
    # Each card counts its open threads: counted with the page's submissions (a query of its
    # own cost the page its round trip and its building).
    page = page_of(
        request, VisibleSubmissions(user=request.user, roles=organizations.shown_roles), PER_PAGE
    )
    submissions = list(page.object_list)
    progress = submissions_progress(submissions=submissions, texts=False)
    last = _continue_numbers(request.user, progress)
    # The questions are the progress's (the process memo's): not read again with each
    # assignment.
    questions = {s.question.pk: s.question for p in progress.values() for s in p.states}
    holders = question_assignments(submission_ids=[s.pk for s in submissions])
    for assignment in (a for found in holders.values() for a in found):
        assignment.question = questions[assignment.question_id]
    items = []
    for submission in submissions:
        states = progress[submission.pk].states
        first_open = next((s.question.number for s in states if not s.answered), None)
        fallback = states[0].question.number if states else None
        number = last.get(submission.pk) or first_open or fallback
        printed = {s.question.number: s.question.number_printed for s in states}
        item = {
            "submission": submission,
            "progress": progress[submission.pk],
            "continue_number": number,
            # A form that prints no numbers (2017's) is not "question 0" to its readers.
            "continue_printed": printed.get(number, True),
            "resumed": submission.pk in last,
            "open_comments": submission.open_threads,
            "holders": sorted(holders.get(submission.pk, []), key=lambda a: a.question.position),
        }
        item["key"] = _card_key(item)
        items.append(item)
    return render(
        request,
        "submissions/home.html",
        {
            "items": items,
            "page": page,
            "organizations": organizations,
            "query": urlencode({"organization": organizations.selected.code})
            if organizations.selected
            else "",
            "openable": _openable(organizations),
        },
    )


def _card_key(item: dict) -> str:
    """What a submission's card shows, hashed: with the language, the key of its cached HTML."""
    submission, progress = item["submission"], item["progress"]
    shown = (
        submission.pk,
        submission.status,
        submission.questionnaire.year,
        submission.questionnaire.kind,
        submission.organization.name,
        (progress.percent, progress.answered, progress.total, progress.over),
        (progress.in_review, progress.approved, item["open_comments"]),
        (item["continue_number"], item["continue_printed"], item["resumed"]),
        [
            (a.question.number, a.assignee.get_full_name() or a.assignee.username, a.due_date)
            for a in item["holders"]
        ],
    )
    return shown_digest(shown)


PER_PAGE = 12
OPENABLE_SHOWN = 10


def _openable(organizations) -> list[tuple[Organization, Questionnaire]]:
    """Open questionnaires that the user's organizations (where they coordinate) have not
    started: the selected organization's, or the first few (by code) of all of them.

    One query (none for someone who coordinates nowhere): each open questionnaire with the
    submissions those organizations started of it, joined.
    """
    coordinated = [o for o in organizations.coordinated if organizations.selected in (None, o)]
    if not coordinated:
        return []
    found = [
        (organization, questionnaire)
        for questionnaire, started in open_questionnaires_started(
            organization_ids=[o.pk for o in coordinated]
        )
        for organization in coordinated  # by code, as the memberships are read
        if organization.pk not in started
    ]
    return found[:OPENABLE_SHOWN]


@login_required
def submission_detail(request, pk: int):
    """A submission's overview: every question with its status, and its SDG coverage;
    another organization's is a 404."""
    submission = visible_submission(request, pk)
    progress = submissions_progress(submissions=[submission], texts=False)[submission.pk]
    role = viewer_role(request.user, submission)
    timeline = submission_timeline(submission=submission)
    coverage = sdg_coverage(submission=submission)
    finalized = submission.status == SubmissionStatus.FINALIZED
    return render(
        request,
        "submissions/submission_detail.html",
        {
            "submission": submission,
            "progress": progress,
            "is_coordinator": role == Role.COORDINATOR,
            "document_languages": settings.LANGUAGES,
            "allowed": allowed_actions(request.user, submission),
            "finalized_message": finalized_message(submission) if finalized else "",
            "timeline": timeline,
            # What the timeline shows, hashed: with the language, the key of its drawn lines.
            "timeline_key": shown_digest([(t.what, t.detail, t.who, t.when) for t in timeline]),
            "unplaced": list(
                submission.unplaced_texts.filter(dismissed_at__isnull=True).order_by("pk")
            ),
            "coverage": coverage,
            # Drawn only when its cached HTML is missing (the template keeps it under the
            # coverage's digest).
            "chart": SimpleLazyObject(lambda: sdg_chart(coverage)),
        },
    )


def health(request):
    """Health check for load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database_ok = cursor.fetchone() == (1,)
    except DatabaseError:
        database_ok = False
    return render(
        request,
        "health.html",
        {"database_ok": database_ok},
        status=200 if database_ok else 503,
    )
