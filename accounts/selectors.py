"""Reads about people and their roles."""

from django.contrib.auth.models import AbstractBaseUser

from .models import Membership, Organization, Role


def membership_role(*, user: AbstractBaseUser, organization: Organization) -> Role | None:
    """The user's role in the organization, or None when they do not belong to it."""
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(user=user, organization=organization)
        .order_by()  # one membership at most; the default ordering joins the organization
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role else None


def person_name(user: AbstractBaseUser | None) -> str:
    """How a person is named on pages and in files: full name, else username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
