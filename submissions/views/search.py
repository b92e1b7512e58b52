"""Search across the organization's submissions and years (any role may search)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..insight.search import (
    MAX_QUERY_LENGTH,
    WHERE_CHOICES,
    SearchScope,
    search_query_parse,
    search_scope,
    submissions_search,
)
from ..sdgs import SDGS
from ..text import strip_control_characters

RESULTS_PER_PAGE = 20


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
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    year = forms.TypedChoiceField(
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
        label=_("Question"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "No question is numbered %(value)s: choose a question from the list."
            )
        },
    )
    table = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=WHERE_CHOICES,
        error_messages={"invalid_choice": _("Choose where to search from the list.")},
    )
    sdg = forms.TypedChoiceField(
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
        self.fields["question"].choices = [
            ("", _("Every question")),
            *[(n, _("Question %(number)s") % {"number": n}) for n in scope.question_numbers],
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False

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


@login_required
def search(request):
    """The search form, and the matching answers, parts and rows of every year, 20 a page."""
    scope = search_scope(user=request.user)
    form = SearchForm(request.GET or None, scope=scope)
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = submissions_search(
            user=request.user,
            query=form.cleaned_data["q"],
            year=form.cleaned_data["year"],
            question_number=form.cleaned_data["question"] or None,
            where=form.cleaned_data["table"],
            sdg=form.cleaned_data["sdg"],
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "submissions/insight/search.html",
        {"form": form, "page": page, "scope": scope},
    )
