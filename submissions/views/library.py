"""Library of recurring rows (to be built)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def library(request):
    raise Http404


@login_required
def library_reuse(request):
    raise Http404
