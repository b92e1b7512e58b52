"""Pages for people of several organizations: which one to show, and a page at a time.

A user may belong to every UN entity's organization (a UN DESA colleague, a system-wide
focal point): the dashboard, My work, search and the library then filter by organization
(``?organization=IOM``) and show one page of results, so that no page reads every
organization's data at once.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Organization, Role
from accounts.selectors import CURRENT_ORGANIZATION_KEY, user_memberships


@dataclass
class OrganizationFilter:
    """The user's organizations, the one asked for (None: all of them) and what went wrong."""

    organizations: list[Organization] = field(default_factory=list)
    selected: Organization | None = None
    error: str = ""
    # Those of the user's organizations where they are a coordinator.
    coordinated: list[Organization] = field(default_factory=list)
    # The user's role in each of their organizations, by id.
    roles: dict[int, str] = field(default_factory=dict)

    @property
    def shown_roles(self) -> dict[int, str]:
        """The user's role in each organization shown (the selected one, or all)."""
        if self.selected is None:
            return self.roles
        return {self.selected.pk: self.roles[self.selected.pk]}

    @property
    def several(self) -> bool:
        return len(self.organizations) > 1

    def restrict(self, queryset: QuerySet, path: str = "organization") -> QuerySet:
        """The queryset restricted to the selected organization (unchanged for all)."""
        return queryset.filter(**{path: self.selected.pk}) if self.selected else queryset


def organization_filter(request: HttpRequest, user: AbstractBaseUser) -> OrganizationFilter:
    """Read ``?organization=<code>``; a code the user is not a member of is refused with a
    message, and then every organization of the user is shown."""
    memberships = user_memberships(user)  # one per organization (a constraint)
    organizations = [m.organization for m in memberships]
    found = OrganizationFilter(
        organizations=organizations,
        coordinated=[m.organization for m in memberships if m.role == Role.COORDINATOR],
        roles={m.organization_id: m.role for m in memberships},
    )
    code = request.GET.get("organization")
    if code is None:  # no filter asked for: the organization switched to in the header
        code = request.session.get(CURRENT_ORGANIZATION_KEY, "")
    code = code.strip()
    if code:
        found.selected = next((o for o in organizations if o.code == code), None)
        if found.selected is None:
            found.error = _(
                "You are not a member of an organization with the code “%(code)s”: showing "
                "all of yours."
            ) % {"code": code[:50]}
    return found


def page_number(value: str | None) -> int:
    """The page asked for; anything but a positive number is the first page."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return max(number, 1)


def page_of(request: HttpRequest, items, per_page: int) -> Page:
    """One page of a queryset or list (``?page=``); a page past the end shows the last.

    ``page.numbers`` are the page numbers to link to, elided around the current one. The
    first page (what most people see, and all there is for one organization's dozen years)
    is read with one item more than it shows: when that is all there is, nothing is counted.
    """
    if request.GET.get("page") in (None, "", "1"):
        first = list(items[: per_page + 1])
        if len(first) <= per_page:
            page = Paginator(first, per_page).page(1)
            page.numbers = [1]
            return page
        page = Page(first[:per_page], 1, Paginator(items, per_page))
    else:
        page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
    return page
