"""Importing a document into a submission: upload, preview what will be created, confirm.

Nothing is written before the confirmation: the uploaded text waits in the session, under
a token the preview page sends back, and the confirmation imports it again, for real.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..importers import submission_import
from ..importers.forms import ImportUploadForm
from ..models import Submission
from ..selectors import submissions_visible_to
from ..services import ServiceError
from .coordination import require_coordinator

SESSION_KEY = "submission_import"


def _submission(request: HttpRequest, pk: int) -> Submission:
    """The submission, for its organization's coordinators only (404 elsewhere, 403 to others)."""
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    require_coordinator(request.user, submission.organization)
    return submission


def _import(request: HttpRequest, submission: Submission, pending: dict, *, dry_run: bool):
    return submission_import(
        organization=submission.organization,
        questionnaire=submission.questionnaire,
        document_text=pending["text"],
        replace=pending["replace"],
        layout=pending["layout"] or None,
        user=request.user,
        dry_run=dry_run,
    )


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload form; a valid upload shows the preview, and writes nothing."""
    submission = _submission(request, pk)
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if bound else ImportUploadForm()
    if bound and form.is_valid():
        pending = {
            "submission": submission.pk,
            "token": secrets.token_urlsafe(16),
            "text": form.cleaned_data["document"],
            "replace": form.cleaned_data["replace"],
            "layout": form.cleaned_data["layout"],
        }
        try:
            result = _import(request, submission, pending, dry_run=True)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            request.session[SESSION_KEY] = pending
            context = {"submission": submission, "result": result, "pending": pending}
            return render(request, "submissions/import_preview.html", context)
    return render(
        request, "submissions/import_upload.html", {"submission": submission, "form": form}
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the previewed import, all or nothing."""
    submission = _submission(request, pk)
    pending = request.session.get(SESSION_KEY)
    if (
        not pending
        or pending.get("submission") != submission.pk
        or not secrets.compare_digest(pending.get("token", ""), request.POST.get("token", ""))
    ):
        messages.error(request, _("This import is no longer waiting: upload the file again."))
        return redirect("submission_import", pk=submission.pk)
    try:
        result = _import(request, submission, pending, dry_run=False)
    except ServiceError as error:
        messages.error(request, _("Nothing was imported: %(error)s") % {"error": error})
        return redirect("submission_import", pk=submission.pk)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _("Imported %(answers)d answers and %(rows)d table rows.")
        % {"answers": len(result.answers), "rows": len(result.rows)},
    )
    return redirect(submission)
