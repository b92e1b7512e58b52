"""Completeness at a glance for coordinators (to be built)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from ..permissions import require
from ..selectors import submissions_visible_to


@login_required
def completeness(request, pk: int):
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    require(request.user, submission, "completeness")
    return HttpResponse("")


@login_required
def completeness_csv(request, pk: int):
    submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
    require(request.user, submission, "completeness")
    return HttpResponse("")
