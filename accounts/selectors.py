"""Reads about people and their roles."""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.http import HttpRequest

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


def person_shown(user: AbstractBaseUser | None) -> tuple[int, str] | None:
    """What a page shows of a person, as part of a drawn fragment's key: who, by name."""
    return None if user is None else (user.pk, person_name(user))


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person making the request, as login throttling counts it.

    Each of the ``TRUSTED_PROXIES`` proxies in front of the app (DJANGO_TRUSTED_PROXIES)
    appends the address it was reached from to X-Forwarded-For, so the person's is that many
    entries from the end; what a client writes there itself comes before and is ignored.
    Without proxies, or without the header, it is the connection's address.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= proxies:
            return addresses[-proxies]
    return request.META.get("REMOTE_ADDR")


# The session keeps the user's organizations for the header (read at sign-in, so that no page
# queries them) and the organization the user switched to ("" for all of them).
ORGANIZATIONS_KEY = "accounts_organizations"
CURRENT_ORGANIZATION_KEY = "accounts_current_organization"


def remember_organizations(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Store the user's organizations and roles in the session, for the header."""
    request.session[ORGANIZATIONS_KEY] = [
        {"code": code, "name": name, "role": role}
        for code, name, role in Membership.objects.filter(user=user)
        .order_by("organization__code")
        .values_list("organization__code", "organization__name", "role")
    ]
    codes = {o["code"] for o in request.session[ORGANIZATIONS_KEY]}
    if request.session.get(CURRENT_ORGANIZATION_KEY) not in codes:
        request.session[CURRENT_ORGANIZATION_KEY] = ""


def current_organization(
    request: HttpRequest, user: AbstractBaseUser, memberships: list[Membership] | None = None
) -> Organization | None:
    """The organization a page is about: ``?organization=``, else the one switched to, else
    the first the user coordinates, else their first. ``memberships``: the user's, as
    ``user_memberships`` gives them, when the caller has read them."""
    code = request.GET.get("organization") or request.session.get(CURRENT_ORGANIZATION_KEY, "")
    if memberships is None:
        memberships = user_memberships(user)
    for membership in memberships:
        if code and membership.organization.code == code:
            return membership.organization
    coordinated = [m for m in memberships if m.role == Role.COORDINATOR]
    chosen = coordinated or memberships
    return chosen[0].organization if chosen else None


def user_languages(users) -> dict[int, str]:
    """Each person's language by their id (the site's default for those who chose none)."""
    from .models import Preference

    ids = [user.pk for user in users if user is not None]
    chosen = dict(
        Preference.objects.filter(user_id__in=ids).order_by().values_list("user_id", "language")
    )
    known = dict(settings.LANGUAGES)
    return {pk: chosen[pk] if chosen.get(pk) in known else settings.LANGUAGE_CODE for pk in ids}


def user_memberships(user: AbstractBaseUser) -> list[Membership]:
    """The user's memberships with their organizations, by organization code.

    Most pages start with this read (the header's organizations, the filters by
    organization): its SQL is written out once per process (``_memberships_sql``), where the
    ORM's building of the two-table query took longer than running it. Neither model has a
    field the database converts (a test compares every field with the ORM's reading)."""
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(connection.vendor), [user.pk])
        records = cursor.fetchall()
    found = []
    size = len(_MEMBERSHIP_FIELDS)
    for record in records:
        membership = Membership.from_db(connection.alias, _MEMBERSHIP_FIELDS, record[:size])
        membership.organization = Organization.from_db(
            connection.alias, _ORGANIZATION_FIELDS, record[size:]
        )
        found.append(membership)
    return found


_MEMBERSHIP_FIELDS = tuple(f.attname for f in Membership._meta.concrete_fields)
_ORGANIZATION_FIELDS = tuple(f.attname for f in Organization._meta.concrete_fields)


@lru_cache(maxsize=4)
def _memberships_sql(vendor: str) -> str:
    """The memberships of the person whose id is the parameter, each with its organization's
    fields after its own, by the organization's code."""
    quote = connection.ops.quote_name
    memberships, organizations = (quote(m._meta.db_table) for m in (Membership, Organization))

    def columns(model, table):
        return [f"{table}.{quote(f.column)}" for f in model._meta.concrete_fields]

    organization_id = quote(Membership._meta.get_field("organization").column)
    user_id = quote(Membership._meta.get_field("user").column)
    code = quote(Organization._meta.get_field("code").column)
    selected = [*columns(Membership, memberships), *columns(Organization, organizations)]
    return (
        f"SELECT {', '.join(selected)} FROM {memberships} INNER JOIN {organizations} "
        f"ON {organizations}.{quote(Organization._meta.pk.column)} = {memberships}.{organization_id} "
        f"WHERE {memberships}.{user_id} = %s ORDER BY {organizations}.{code}"
    )
