"""Library of recurring items: the organization's events, resources and initiatives by year.

Any member may read it; reusing an item needs the "edit" permission on the target submission.
A row or submission of another organization is a 404.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import current_organization, user_memberships

from ..changes import library_item_reuse
from ..insight.library import (
    library_item_details,
    library_item_list,
    library_reuse_offers,
    library_reuse_targets,
    library_rows,
)
from ..models import ROW_MODELS, TableKind
from ..selectors import organization_submissions_visible_to, submissions_visible_to
from ..services import ServiceError

QUERY_MAX_LENGTH = 200
ITEMS_PER_PAGE = 20
ITEM_CACHE_SECONDS = 3600


def _item_bodies(items: list) -> None:
    """Set each shown item's ``body``: its name, years, SDGs and history by year as HTML.

    An item whose rows have not changed renders the same HTML every time: it is cached under
    the item's ``state`` (its rows' ids, versions and times of change) and the language, and
    on a hit its rows are not read in full. The items not cached are read (two queries a
    table, ``library_item_details``) and rendered. What depends on the reader (the reuse
    offers) is never in the cache."""
    language = get_language()
    keys = {
        id(item): "library-item:" + hashlib.sha256(f"{language} {item.state}".encode()).hexdigest()
        for item in items
    }
    bodies = cache.get_many(list(keys.values()))
    missing = [item for item in items if keys[id(item)] not in bodies]
    library_item_details(missing)
    fresh = {
        keys[id(item)]: render_to_string(
            "submissions/insight/library_item_body.html", {"item": item}
        )
        for item in missing
    }
    cache.set_many(fresh, ITEM_CACHE_SECONDS)
    bodies.update(fresh)
    for item in items:
        item.body = mark_safe(bodies[keys[id(item)]])


def _offer_html(item, offer, csrf_token: str, back: str, action: str) -> SafeString:
    """One reuse offer: a form to reuse the item in an open submission, or why it is not."""
    year = offer.submission.questionnaire.year
    if offer.state == "available":
        return format_html(
            '<form method="post" action="{}" class="m-0">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="submission" value="{}">'
            '<input type="hidden" name="table" value="{}">'
            '<input type="hidden" name="row" value="{}">'
            '<input type="hidden" name="next" value="{}">'
            '<button type="submit" class="btn btn-sm btn-primary">{}</button></form>',
            action,
            csrf_token,
            offer.submission.pk,
            item.kind,
            item.pk,
            back,
            _("Reuse in %(year)s submission") % {"year": year},
        )
    if offer.state == "present":
        return format_html(
            '<span class="badge text-bg-success">{}</span>',
            _("In the %(year)s submission") % {"year": year},
        )
    return format_html(
        '<span class="small text-body-secondary">{}</span>',
        ngettext(
            "Not reusable in %(year)s: question %(number)s takes at most %(limit)s row and is "
            "full.",
            "Not reusable in %(year)s: question %(number)s takes at most %(limit)s rows and is "
            "full.",
            offer.limit,
        )
        % {"year": year, "number": offer.question.number, "limit": offer.limit},
    )


def _items_html(request: HttpRequest, items: list) -> SafeString:
    """The items as the library draws them: each its body (kept as drawn) and the reader's
    reuse offers. Written in Python, not a template included twenty times: drawing them was
    the page's largest cost (a form with its token for each open submission)."""
    csrf_token, back, action = get_token(request), request.get_full_path(), reverse("library_reuse")
    drawn = []
    for item in items:
        offers = ""
        if item.offers:
            offers = format_html(
                '<div class="d-flex flex-wrap gap-2 align-items-center">{}</div>',
                format_html_join(
                    "",
                    "{}",
                    (
                        (_offer_html(item, offer, csrf_token, back, action),)
                        for offer in item.offers
                    ),
                ),
            )
        drawn.append(
            format_html(
                '<article class="card shadow-sm mb-3 library-item" '
                'aria-labelledby="library-item-{}-{}"><div class="card-body">{}{}</div></article>',
                item.kind,
                item.pk,
                item.body,
                offers,
            )
        )
    return format_html_join("", "{}", ((html,) for html in drawn))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page_number(value: str | None, num_pages: int) -> tuple[int, str | None]:
    """The page asked for, or the nearest one with a notice saying why it is shown instead."""
    if not value:
        return 1, None
    try:
        number = int(value)
    except ValueError:
        return 1, _("“%(page)s” is not a page number: the first page is shown.") % {
            "page": value[:20]
        }
    if number < 1:
        return 1, _("Pages are numbered from 1: the first page is shown.")
    if number > num_pages:
        return num_pages, _(
            "There is no page %(page)s (the last is page %(last)s): the last page is shown."
        ) % {"page": number, "last": num_pages}
    return number, None


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """Items of the organization's tables across years, recurring first, with their history;
    20 a page, filtered by table, name and recurrence; one organization at a time (for a
    member of several: the one asked for, else the one switched to in the header, else the
    first they coordinate).

    A filter or page that does not exist is not an error page: the page says what it shows
    instead (every table, their own organization, the first or last page)."""
    notices = []
    kind = request.GET.get("kind", "")
    if kind not in ROW_MODELS:
        if kind:
            notices.append(
                _("There is no table “%(kind)s”: every table is shown.") % {"kind": kind[:40]}
            )
        kind = ""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    recurring_only = request.GET.get("recurring") == "1"
    memberships = user_memberships(request.user)  # one per organization (a constraint)
    organizations = [membership.organization for membership in memberships]
    # One organization at a time: an item recurs within an organization, and a member of
    # fifty (a UN DESA colleague) would otherwise have every organization's rows read at once.
    code = request.GET.get("organization", "")
    organization = next((o for o in organizations if o.code == code), None)
    if organization is None:
        organization = (
            current_organization(request, request.user, memberships) if organizations else None
        )
        if code:
            notices.append(
                _("“%(code)s” is not one of your organizations: %(shown)s is shown.")
                % {"code": code[:40], "shown": organization.code if organization else "—"}
            )
    # Read once for the list and the reuse offers (no organization: the user has none).
    submissions = (
        organization_submissions_visible_to(user=request.user, organization_id=organization.pk)
        if organization
        else []
    )
    # The rows' names and keys, read once for the list and the reuse offers.
    rows = library_rows(
        submission_ids=[s.pk for s in submissions], kinds=[kind] if kind else list(ROW_MODELS)
    )
    items = library_item_list(
        user=request.user,
        kind=kind,
        query=query,
        recurring_only=recurring_only,
        organization=organization.pk if organization else None,
        submissions=submissions,
        rows=rows,
    )
    paginator = Paginator(items, ITEMS_PER_PAGE, allow_empty_first_page=True)
    number, notice = _page_number(request.GET.get("page"), paginator.num_pages)
    if notice:
        notices.append(notice)
    page = paginator.page(number)
    shown = list(page.object_list)
    _item_bodies(shown)
    targets = library_reuse_targets(
        user=request.user,
        kinds=[kind] if kind else None,
        organization=organization,
        submissions=submissions,
        rows=rows,
    )
    library_reuse_offers(items=shown, targets=targets)
    recurring_count = sum(1 for item in items if item.recurring)
    return render(
        request,
        "submissions/insight/library.html",
        {
            "items": shown,
            "page": page,
            "notices": notices,
            "recurring": _items_html(request, [item for item in shown if item.recurring]),
            "single": _items_html(request, [item for item in shown if not item.recurring]),
            "recurring_count": recurring_count,
            "single_count": len(items) - recurring_count,
            "kind": kind,
            "kinds": [(value, label) for value, label in TableKind.choices if value],
            "query": query,
            "recurring_only": recurring_only,
            "organizations": organizations,
            "organization": organization,
            "filtered": bool(kind or query or recurring_only),
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
