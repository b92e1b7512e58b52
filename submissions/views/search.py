"""Search across the organization's submissions and years (any role may search)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.selectors import current_organization

from ..forms import FastSelect, FastTextInput, bootstrap_classes
from ..insight.search import (
    MAX_QUERY_LENGTH,
    WHERE_CHOICES,
    SearchPage,
    SearchScope,
    search_query_parse,
    search_scope,
    submissions_search,
)
from ..sdgs import SDGS
from ..text import strip_control_characters
from .organizations import page_number

ALL_ORGANIZATIONS = "all"


class SearchForm(forms.Form):
    """What to look for and where; the year and question lists are the user's own."""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "The search is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            )
        },
        widget=FastTextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    year = forms.TypedChoiceField(
        widget=FastSelect,
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "There is no submission of %(value)s to search: choose a year from the list."
            )
        },
    )
    question = forms.ChoiceField(
        widget=FastSelect,
        label=_("Question"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "No question is numbered %(value)s: choose a question from the list."
            )
        },
    )
    table = forms.ChoiceField(
        widget=FastSelect,
        label=_("Where"),
        required=False,
        choices=WHERE_CHOICES,
        error_messages={"invalid_choice": _("Choose where to search from the list.")},
    )
    organization = forms.ChoiceField(
        widget=FastSelect,
        label=_("Organization"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "You are not a member of %(value)s: choose one of your organizations from the list."
            )
        },
    )
    sdg = forms.TypedChoiceField(
        widget=FastSelect,
        label=_("SDG"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any SDG")),
            *[(n, format_lazy("{}. {}", n, _(title))) for n, title, _c in SDGS],
        ],
        help_text=_("Only table rows carry SDGs."),
        error_messages={"invalid_choice": _("Choose an SDG from 1 to 17.")},
    )

    def __init__(self, *args, scope: SearchScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Every year")), *[(y, y) for y in scope.years]]
        self.fields["organization"].choices = [
            (ALL_ORGANIZATIONS, _("All my organizations")),
            *[(code, f"{code} – {name}") for _id, code, name in scope.organizations],
        ]
        self._organization_ids = {code: pk for pk, code, _name in scope.organizations}
        self.fields["question"].choices = [
            ("", _("Every question")),
            *[(n, _("Question %(number)s") % {"number": n}) for n in scope.question_numbers],
        ]
        bootstrap_classes(self)

    def full_clean(self):
        super().full_clean()
        bootstrap_classes(self)

    def clean_organization(self) -> int | None:
        """The chosen organization's id (one of the user's: the choices are theirs only);
        None for all of them."""
        return self._organization_ids.get(self.cleaned_data["organization"])

    def clean_q(self) -> str:
        query = " ".join(strip_control_characters(self.cleaned_data["q"]).split())
        if not query:
            return query
        parsed = search_query_parse(query)
        if not parsed.words and not parsed.excluded:
            raise ValidationError(
                _("Type at least one word or number to search for, not only punctuation."),
                code="no_words",
            )
        if not parsed.words:
            raise ValidationError(
                _("Say what to find as well as what to leave out (-word)."),
                code="only_excluded",
            )
        return query


class _Matches:
    """All the matches as the Paginator sees them: how many (the database counted them)."""

    def __init__(self, count: int):
        self._count = count

    def count(self) -> int:
        return self._count


def _as_page(found: SearchPage) -> Page:
    """The search's page as Django's Page (numbers, previous and next) for the template."""
    paginator = Paginator(_Matches(found.count), found.per_page)
    return Page(found.results, found.number, paginator)


@login_required
def search(request):
    """The search form, and the matching answers, parts and rows of every year, 20 a page.

    Only the page shown is read and highlighted. A user of several organizations searches
    one of them unless they choose "All my organizations": the one switched to in the
    header, else the first they coordinate.
    """
    scope = search_scope(user=request.user)
    data = request.GET.copy() if request.GET else None
    if data is not None and "organization" not in data and scope.organization_count > 1:
        current = current_organization(request, request.user)
        data["organization"] = current.code if current else ALL_ORGANIZATIONS
    form = SearchForm(data, scope=scope)
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        found = submissions_search(
            user=request.user,
            query=form.cleaned_data["q"],
            year=form.cleaned_data["year"],
            question_number=form.cleaned_data["question"] or None,
            where=form.cleaned_data["table"],
            sdg=form.cleaned_data["sdg"],
            organization_id=form.cleaned_data["organization"],
            page=page_number(request.GET.get("page")),
        )
        page = _as_page(found)
    return render(
        request,
        "submissions/insight/search.html",
        {"form": form, "page": page, "scope": scope},
    )
