"""Dashboard and submission overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from ..models import Answer
from ..selectors import submissions_progress, submissions_visible_to


def _continue_numbers(user, submissions) -> dict[int, str]:
    """Per submission, the question the user last edited (where to continue)."""
    numbers: dict[int, str] = {}
    last_edits = (
        Answer.objects.filter(submission__in=submissions, updated_by=user)
        .order_by("-updated_at")
        .values_list("submission_id", "question__number")[:500]
    )
    for submission_id, number in last_edits:
        numbers.setdefault(submission_id, number)
    return numbers


@login_required
def home(request):
    """The organization's submissions by year, with progress and where to continue."""
    submissions = list(submissions_visible_to(user=request.user))
    progress = submissions_progress(submissions=submissions)
    last = _continue_numbers(request.user, submissions)
    items = []
    for submission in submissions:
        states = progress[submission.pk].states
        first_open = next((s.question.number for s in states if not s.answered), None)
        fallback = states[0].question.number if states else None
        items.append(
            {
                "submission": submission,
                "progress": progress[submission.pk],
                "continue_number": last.get(submission.pk) or first_open or fallback,
                "resumed": submission.pk in last,
            }
        )
    return render(request, "submissions/home.html", {"items": items})


@login_required
def submission_detail(request, pk: int):
    """A submission's overview: every question with its status; another organization's is a 404."""
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    progress = submissions_progress(submissions=[submission])[submission.pk]
    return render(
        request,
        "submissions/submission_detail.html",
        {"submission": submission, "progress": progress},
    )
