"""SDG coverage across years (to be built)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def coverage_years(request):
    raise Http404
