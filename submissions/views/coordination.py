"""Coordinator actions: open the year's submission and carry forward last year's rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization, Role
from accounts.selectors import membership_role

from ..carry_forward import carry_forward_plan
from ..changes import submission_carry_forward
from ..models import Questionnaire
from ..services import ServiceError, submission_open, submission_set_document_language
from .lookup import visible_submission


def require_coordinator(user, organization: Organization) -> None:
    if membership_role(user=user, organization=organization) != Role.COORDINATOR:
        raise PermissionDenied(_("Only the organization's coordinators can do this."))


@login_required
@require_POST
def submission_open_view(request, organization_pk: int, questionnaire_pk: int):
    """Open the organization's submission to an open questionnaire."""
    organization = get_object_or_404(
        Organization.objects.filter(memberships__user=request.user), pk=organization_pk
    )
    require_coordinator(request.user, organization)
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_pk, is_open=True)
    try:
        submission = submission_open(
            organization=organization, questionnaire=questionnaire, user=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("home")
    messages.success(request, _("The %(year)s submission is open.") % {"year": questionnaire.year})
    if carry_forward_plan(submission=submission).source:
        return redirect("carry_forward", pk=submission.pk)
    return redirect(submission)


@login_required
@require_POST
def submission_document_language(request, pk: int):
    """A coordinator chooses the language of the labels in the submission's documents."""
    submission = visible_submission(request, pk)
    require_coordinator(request.user, submission.organization)
    try:
        submission_set_document_language(
            submission=submission, language=request.POST.get("language", "")
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The documents' labels are now in %(language)s.")
            % {"language": submission.get_document_language_display()},
        )
    return redirect(submission)


@login_required
def carry_forward(request, pk: int):
    """Show what would be copied from the previous submission; POST copies it."""
    submission = visible_submission(request, pk)
    require_coordinator(request.user, submission.organization)
    if request.method == "POST":
        try:
            plan = submission_carry_forward(submission=submission, user=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
            return redirect(submission)
        messages.success(
            request,
            _("Copied %(rows)d rows and %(answers)d answers from %(year)s.")
            % {
                "rows": plan.row_count,
                "answers": len(plan.answers),
                "year": plan.source.questionnaire.year,
            },
        )
        return redirect(submission)
    return render(
        request,
        "submissions/carry_forward.html",
        {"submission": submission, "plan": carry_forward_plan(submission=submission)},
    )
