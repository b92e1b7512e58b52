"""Downloads of a submission in each export format, the print view, and the rows across years."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Organization

from ..exports import EXPORTERS, LIST_FORMATS, get_exporter, render_export, txt
from ..exports.base import in_document_language, submission_for_export
from ..exports.pdf import STYLESHEET, TEMPLATE, print_context
from ..exports.rows import SHEETS
from ..selectors import submissions_visible_to


def _download(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_GET
def submission_export(request, pk: int, fmt: str):
    """The submission as a file (IOM-desa-2024.docx); csv and xlsx hold all its organization's rows."""
    if fmt not in EXPORTERS:
        raise Http404(_("There is no export format “%(format)s”.") % {"format": fmt})
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    return _download(*render_export(submission=submission, fmt=fmt))


@login_required
@require_GET
def submission_print(request, pk: int):
    """The submission laid out for printing: the same template the PDF is made from."""
    visible = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
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
    visible = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    submission = submission_for_export(visible.pk)
    number = request.GET.get("question") or None
    if number is not None and not submission.questionnaire.questions.filter(number=number):
        raise Http404(_("This questionnaire has no question %(number)s.") % {"number": number})
    with in_document_language(submission):
        text = txt.submission_text(submission, number=number)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
