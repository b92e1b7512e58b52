"""SDG coverage across years: goals x years for one of the user's organizations."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Organization

from ..insight.coverage import KINDS, sdg_coverage_across_years
from ..models import TableKind
from ..selectors import organization_submissions_visible_to


@login_required
@require_GET
def coverage_years(request):
    """A grid of the 17 goals x the organization's years, each cell the rows touching the goal.

    ``organization`` (a code) picks one of the user's organizations, another's is a 404;
    ``kind`` counts one table kind (events, resources, initiatives) instead of all three.
    """
    organizations = list(
        Organization.objects.filter(memberships__user=request.user).order_by("code").distinct()
    )
    code = request.GET.get("organization")
    if code:
        organization = next((o for o in organizations if o.code == code), None)
        if organization is None:
            raise Http404(_("You do not belong to this organization."))
    else:
        organization = organizations[0] if organizations else None
    kind = request.GET.get("kind") or None
    if kind not in KINDS:
        kind = None

    grid = None
    if organization is not None:
        submissions = organization_submissions_visible_to(
            user=request.user, organization_id=organization.pk
        )
        if submissions:
            grid = sdg_coverage_across_years(submissions=submissions, kind=kind)
    return render(
        request,
        "submissions/insight/coverage_years.html",
        {
            "organizations": organizations,
            "organization": organization,
            "kind": kind or "",
            "kind_choices": [(k, TableKind(k).label) for k in KINDS],
            "kind_label": TableKind(kind).label if kind else None,
            "grid": grid,
        },
    )
