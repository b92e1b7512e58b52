"""Pages of the submissions app. Views stay thin: reads come from selectors."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from ..selectors import submissions_visible_to


@login_required
def home(request):
    """The organization's submissions, newest year first."""
    return render(
        request,
        "submissions/home.html",
        {"submissions": submissions_visible_to(user=request.user)},
    )


@login_required
def submission_detail(request, pk: int):
    """A submission's questions; another organization's submission is a 404."""
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    questions = submission.questionnaire.questions.prefetch_related(
        Prefetch("parts"),
    )
    return render(
        request,
        "submissions/submission_detail.html",
        {"submission": submission, "questions": questions},
    )
