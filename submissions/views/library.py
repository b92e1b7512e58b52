"""Library of recurring items: the organization's events, resources and initiatives by year.

Any member may read it; reusing an item needs the "edit" permission on the target submission.
A row or submission of another organization is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..changes import library_item_reuse
from ..insight.library import (
    library_items,
    library_reuse_offers,
    library_reuse_targets,
)
from ..models import ROW_MODELS, TableKind
from ..selectors import submissions_visible_to
from ..services import ServiceError

QUERY_MAX_LENGTH = 200


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """Items of the organization's tables across years, recurring first, with their history."""
    kind = request.GET.get("kind", "")
    if kind not in ROW_MODELS:
        kind = ""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    recurring_only = request.GET.get("recurring") == "1"
    items = library_items(user=request.user, kind=kind, query=query, recurring_only=recurring_only)
    targets = library_reuse_targets(user=request.user, kinds=[kind] if kind else None)
    library_reuse_offers(items=items, targets=targets)
    return render(
        request,
        "submissions/insight/library.html",
        {
            "items": items,
            "recurring": [item for item in items if item.recurring],
            "single": [item for item in items if not item.recurring],
            "kind": kind,
            "kinds": [(value, label) for value, label in TableKind.choices if value],
            "query": query,
            "recurring_only": recurring_only,
            "filtered": bool(kind or query or recurring_only),
            "several_organizations": len({item.organization.pk for item in items}) > 1,
        },
    )


def _back(request: HttpRequest) -> str:
    """The library page the form was sent from (its filters kept), never another address."""
    library_url = reverse("library")
    back = request.POST.get("next", "")
    return back if back.startswith(library_url + "?") else library_url


@login_required
@require_POST
def library_reuse(request: HttpRequest) -> HttpResponse:
    """Copy an item's latest version into an open submission; then edit it there."""
    visible = submissions_visible_to(user=request.user)
    submission = get_object_or_404(visible, pk=_int(request.POST.get("submission")))
    model = ROW_MODELS.get(request.POST.get("table", ""))
    if model is None:
        raise Http404(_("No such table."))
    row = get_object_or_404(
        model.objects.filter(submission__in=visible).select_related(
            "submission__questionnaire", "submission__organization"
        ),
        pk=_int(request.POST.get("row")),
    )
    # The write gate decides: a role that does not edit is a 403 saying why; a finalized
    # submission is refused with a message on the library page like its other refusals.
    try:
        copy = library_item_reuse(submission=submission, row=row, user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(_back(request))
    messages.success(
        request,
        _("“%(name)s” from %(source)s is now in question %(number)s of the %(year)s submission.")
        % {
            "name": copy.name or _("(unnamed row)"),
            "source": row.submission.questionnaire.year,
            "number": copy.question.number,
            "year": submission.questionnaire.year,
        },
    )
    return redirect("question_edit", pk=submission.pk, number=copy.question.number)
