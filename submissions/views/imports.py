"""Importing a document into a submission: upload or paste, preview what it creates, confirm.

Nothing is written before the confirmation: the document as read (a Word file's paragraphs,
or the text) waits in the session, under a token the preview page sends back, and the
confirmation imports it again, for real.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ..importers import SourceDocument, services, submission_import
from ..importers.forms import ImportUploadForm
from ..models import Submission
from ..services import ServiceError
from .coordination import require_coordinator
from .lookup import visible_submission

SESSION_KEY = "submission_import"


def _submission(request: HttpRequest, pk: int) -> Submission:
    """The submission, for its organization's coordinators only (404 elsewhere, 403 to others)."""
    submission = visible_submission(request, pk)
    require_coordinator(request.user, submission.organization)
    return submission


def _import(
    request: HttpRequest, submission: Submission, pending: dict, *, dry_run: bool, keep=True
):
    return submission_import(
        organization=submission.organization,
        questionnaire=submission.questionnaire,
        document=SourceDocument.from_data(pending["source"]),
        replace=pending["replace"],
        layout=pending["layout"] or None,
        user=request.user,
        dry_run=dry_run,
        keep_unplaced=keep,
        name=pending["name"],
    )


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload form; a valid upload shows the preview, and writes nothing."""
    submission = _submission(request, pk)
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if bound else ImportUploadForm()
    if bound and form.is_valid():
        upload = form.cleaned_data["document"]
        pending = {
            "submission": submission.pk,
            "token": secrets.token_urlsafe(16),
            "source": form.source.as_data(),
            "name": upload.name[:255] if upload else _("pasted text"),
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
        or "source" not in pending  # waiting since before Word files were read
        or not secrets.compare_digest(pending.get("token", ""), request.POST.get("token", ""))
    ):
        messages.error(request, _("This import is no longer waiting: upload the file again."))
        return redirect("submission_import", pk=submission.pk)
    try:
        keep = request.POST.get("keep_unplaced") == "1"
        result = _import(request, submission, pending, dry_run=False, keep=keep)
    except ServiceError as error:
        messages.error(request, _("Nothing was imported: %(error)s") % {"error": error})
        return redirect("submission_import", pk=submission.pk)
    del request.session[SESSION_KEY]
    answers = ngettext("%(count)d answer", "%(count)d answers", len(result.answers)) % {
        "count": len(result.answers)
    }
    rows = ngettext("%(count)d table row", "%(count)d table rows", len(result.rows)) % {
        "count": len(result.rows)
    }
    messages.success(
        request, _("Imported %(answers)s and %(rows)s.") % {"answers": answers, "rows": rows}
    )
    kept = result.submission.unplaced_texts.filter(dismissed_at__isnull=True).count()
    if keep and kept:
        messages.warning(
            request,
            ngettext(
                "%(count)d text could not be placed: it is listed on this page until someone "
                "dismisses it.",
                "%(count)d texts could not be placed: they are listed on this page until "
                "someone dismisses them.",
                kept,
            )
            % {"count": kept},
        )
    return redirect(submission)


@login_required
@require_POST
def unplaced_dismiss(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Take a text the import could not place off the submission's page."""
    submission = visible_submission(request, pk)
    item = get_object_or_404(submission.unplaced_texts.select_related("submission"), pk=item_id)
    try:
        services.unplaced_dismiss(item=item, user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The text is dismissed."))
    return redirect(reverse("submission_detail", args=[submission.pk]) + "#unplaced")
