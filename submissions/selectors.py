"""Reads: what a user may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import Submission


def submissions_visible_to(*, user: AbstractBaseUser) -> QuerySet[Submission]:
    """Submissions of the organizations the user belongs to, newest year first."""
    return (
        Submission.objects.filter(organization__memberships__user=user)
        .select_related("organization", "questionnaire")
        .order_by("-questionnaire__year", "questionnaire__kind", "organization__code")
        .distinct()
    )
