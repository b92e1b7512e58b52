"""Downloads of a submission in each export format, the print view, and the rows across years."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organization

from ..exports import EXPORTERS, LIST_FORMATS, get_exporter, jobs, render_export, txt
from ..exports.base import in_document_language, submission_for_export
from ..exports.pdf import STYLESHEET, TEMPLATE, print_context
from ..exports.rows import SHEETS
from ..models import ExportJobStatus
from ..selectors import submissions_visible_to
from .lookup import visible_submission


def _download(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def submission_export(request, pk: int, fmt: str):
    """The submission as a file (IOM-desa-2024.json); csv and xlsx hold all its organization's rows.

    The Word document and the PDF are made by the task worker: the button posts here, which
    starts the export (or finds the one still being made) and sends the person to its page. A
    plain GET of those (a bookmark) shows that page's button.
    """
    if fmt not in EXPORTERS:
        raise Http404(_("There is no export format “%(format)s”.") % {"format": fmt})
    submission = visible_submission(request, pk)
    if fmt in jobs.ASYNC_FORMATS:
        if request.method == "POST":
            job = jobs.export_job_start(user=request.user, submission=submission, fmt=fmt)
            return redirect(job)
        return render(
            request,
            "submissions/export_job.html",
            {"submission": submission, "fmt": fmt, "format_name": jobs.ASYNC_FORMATS[fmt]},
        )
    if request.method == "POST":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    return _download(*render_export(submission=submission, fmt=fmt))


@login_required
@require_GET
@never_cache
def export_job(request, pk: int):
    """An export's page: its progress while it is made, then its file (or why it failed)."""
    job = jobs.export_job_for(user=request.user, pk=pk)
    state = jobs.export_job_state(job)
    return render(
        request,
        "submissions/export_job.html",
        {
            "submission": job.submission,
            "fmt": job.format,
            "format_name": state.format_name,
            "job": job,
            "state": state,
            "keep_hours": settings.EXPORT_JOBS_KEEP_HOURS,
        },
    )


@login_required
@require_GET
@never_cache
def export_job_status(request, pk: int):
    """The export's state as JSON, which its page polls."""
    job = jobs.export_job_for(user=request.user, pk=pk)
    return JsonResponse(jobs.export_job_state(job).as_json())


@login_required
@require_GET
@never_cache
def export_job_download(request, pk: int):
    """The finished file, to its owner while they still see the submission."""
    job = jobs.export_job_for(user=request.user, pk=pk, with_content=True)
    if job.status != ExportJobStatus.READY:
        return redirect(job)
    return _download(job.filename, job.content_type, bytes(job.content))


@login_required
@require_GET
def submission_print(request, pk: int):
    """The submission laid out for printing: the same template the PDF is made from."""
    visible = visible_submission(request, pk)
    submission = submission_for_export(visible.pk)
    with in_document_language(submission):
        return render(
            request,
            TEMPLATE,
            print_context(
                submission,
                stylesheet_url=static(STYLESHEET),
                back_url=submission.get_absolute_url(),
            ),
        )


@login_required
@require_GET
def organization_rows_export(request, fmt: str):
    """One organization's table rows of every year as CSV, or its rows and answers as XLSX.

    ``organization`` (a code) picks one of the user's organizations, another's is a 404 (as
    on the coverage page, the first by code when none is given); ``sheet=answers`` makes the
    CSV the answers instead of the rows.
    """
    if fmt not in LIST_FORMATS:
        raise Http404(_("There is no export format “%(format)s”.") % {"format": fmt})
    sheet = request.GET.get("sheet", "")
    if sheet and sheet not in SHEETS:
        raise Http404(_("There is no sheet “%(sheet)s”.") % {"sheet": sheet})
    organizations = Organization.objects.filter(memberships__user=request.user).order_by("code")
    code = request.GET.get("organization")
    organization = (organizations.filter(code=code) if code else organizations).first()
    if organization is None:
        raise Http404(_("You do not belong to this organization."))
    return _download(
        *get_exporter(fmt).render_for(
            submissions_visible_to(user=request.user), organization=organization, sheet=sheet
        )
    )


@login_required
@require_GET
def submission_text(request, pk: int):
    """The text to paste into UN DESA's form, as plain text for the page's "Copy text":
    the whole submission, or one question (``?question=3``)."""
    visible = visible_submission(request, pk)
    submission = submission_for_export(visible.pk)
    number = request.GET.get("question") or None
    if number is not None and not submission.questionnaire.questions.filter(number=number):
        raise Http404(_("This questionnaire has no question %(number)s.") % {"number": number})
    with in_document_language(submission):
        text = txt.submission_text(submission, number=number)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
