"""The header's organization switcher and Members link, from the session (no query a page)."""

from django.http import HttpRequest

from .selectors import CURRENT_ORGANIZATION_KEY, ORGANIZATIONS_KEY


def organizations(request: HttpRequest) -> dict:
    session = getattr(request, "session", None)
    if session is None:
        return {}
    mine = session.get(ORGANIZATIONS_KEY) or []
    current = session.get(CURRENT_ORGANIZATION_KEY, "")
    coordinated = [o for o in mine if o["role"] == "coordinator"]
    return {
        "header_organizations": mine,
        "header_current_organization": current,
        "header_members_link": bool(coordinated),
    }
