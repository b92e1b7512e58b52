"""The submission and question a URL names, as every view of a submission looks them up."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from ..models import Question, Submission
from ..selectors import submission_question, submission_visible_to


def visible_submission(request: HttpRequest, pk: int) -> Submission:
    """The submission, if it is one of the user's organizations' (404 otherwise): with its
    organization, questionnaire and the user's role there."""
    submission = submission_visible_to(user=request.user, pk=pk)
    if submission is None:
        raise Http404  # the error page says it: gone, or not shared with you
    return submission


def question_or_404(submission: Submission, number: str) -> Question:
    """The submission's question numbered ``number``, its parts and row fields with it (the
    process's shared copy: no query once read; never change it)."""
    question = submission_question(submission=submission, number=number)
    if question is None:
        raise Http404(_("This questionnaire has no question %(number)s.") % {"number": number})
    return question
