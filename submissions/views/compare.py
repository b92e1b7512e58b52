"""Compare years: two submissions side by side, question by question and row by row.

Any role may compare (the "view" permission). The choices are the user's organizations'
submissions only: another organization's submission, or one that does not exist, is the same
"not among yours" error (404), never its data; a number that is not a number is a form error
(400).
"""

import hashlib

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.selectors import current_organization

from ..carry_forward import submission_previous
from ..forms import DB_INT_MAX, FastSelect
from ..insight.compare import SAME, comparison_state, submissions_compare
from ..models import Submission
from ..permissions import require
from ..selectors import (
    organization_submissions_visible_to,
    shown_digest,
    submissions_visible_to,
)

NOT_FOUND = "not_found"


def submission_label(submission: Submission) -> str:
    """How a submission is named in the selects: "2024 · IOM · UN DESA questionnaire…"."""
    return (
        f"{submission.questionnaire.year} · {submission.organization.code} · "
        f"{submission.questionnaire.get_kind_display()}"
    )


class SubmissionField(forms.ChoiceField):
    """A select of the user's submissions; the value is looked up among them, never elsewhere."""

    widget = FastSelect

    def __init__(self, *, submissions: dict[int, Submission], choices: list, **kwargs):
        self.submissions = submissions
        super().__init__(choices=choices, required=False, **kwargs)

    def to_python(self, value) -> Submission | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if not (value.isascii() and value.isdigit()):
            raise ValidationError(
                _("Choose a submission from the list: “%(value)s” is not a submission number."),
                code="invalid",
                params={"value": value[:20]},
            )
        number = int(value)
        submission = self.submissions.get(number) if number <= DB_INT_MAX else None
        if submission is None:
            raise ValidationError(
                _(
                    "None of your organization's submissions has the number %(value)s: "
                    "you can compare only your own organization's submissions."
                ),
                code=NOT_FOUND,
                params={"value": value[:20]},
            )
        return submission

    def validate(self, value) -> None:
        """Nothing more: to_python only returns one of the user's submissions."""


class CompareForm(forms.Form):
    """The two submissions to compare (a: older, b: newer) and the "only changes" filter."""

    changed = forms.BooleanField(label=gettext_lazy("Only questions that changed"), required=False)

    def __init__(self, *args, submissions: list[Submission], **kwargs):
        super().__init__(*args, **kwargs)
        # The same choices in both selects, named once.
        choices = [("", "—"), *((s.pk, submission_label(s)) for s in submissions)]
        by_pk = {s.pk: s for s in submissions}
        for name, label in (("a", _("Older year")), ("b", _("Newer year"))):
            self.fields[name] = SubmissionField(submissions=by_pk, choices=choices, label=label)
        self.order_fields(["a", "b", "changed"])
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's <form method="get"> carries the button
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("a", css_class="col-md"),
                Column("b", css_class="col-md"),
                Column("changed", css_class="col-md-auto align-self-center"),
            )
        )

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a is not None and a == b:
            raise ValidationError(_("Choose two different submissions."), code="same")
        return cleaned


def _by_year(submission: Submission) -> tuple[int, int]:
    return (submission.questionnaire.year, submission.pk)


def _later(submission: Submission, submissions: list[Submission]) -> Submission | None:
    """The organization's next submission of the same questionnaire kind, if any."""
    later = [
        s
        for s in submissions
        if s.organization_id == submission.organization_id
        and s.questionnaire.kind == submission.questionnaire.kind
        and s.questionnaire.year > submission.questionnaire.year
    ]
    return min(later, key=_by_year, default=None)


def _latest_pair(submissions: list[Submission]) -> tuple[Submission | None, Submission | None]:
    """The two latest submissions of the same kind (and organization), the older first."""
    for newer in sorted(submissions, key=_by_year, reverse=True):
        older = [
            s
            for s in submissions
            if s.organization_id == newer.organization_id
            and s.questionnaire.kind == newer.questionnaire.kind
            and s.questionnaire.year < newer.questionnaire.year
        ]
        if older:
            return max(older, key=_by_year), newer
    return None, None


def _side_labels(old: Submission, new: Submission) -> dict[str, str]:
    """What each column is called, short: its year, else what tells the two apart."""
    if old.questionnaire.year != new.questionnaire.year:
        return {"old_label": str(old.questionnaire.year), "new_label": str(new.questionnaire.year)}
    if old.questionnaire.kind != new.questionnaire.kind:
        # "GBV 2024" and "DESA 2024": the kind's code, as in the questionnaires' slugs.
        return {
            "old_label": f"{old.questionnaire.kind.upper()} {old.questionnaire.year}",
            "new_label": f"{new.questionnaire.kind.upper()} {new.questionnaire.year}",
        }
    return {
        "old_label": f"{old.organization.code} {old.questionnaire.year}",
        "new_label": f"{new.organization.code} {new.questionnaire.year}",
    }


def _status(form: CompareForm) -> int:
    """404 when an id is not among the user's submissions, 400 for other errors."""
    codes = {error.code for errors in form.errors.as_data().values() for error in errors}
    return 404 if NOT_FOUND in codes else 400


def _offered(request: HttpRequest) -> list[Submission]:
    """The submissions to choose from: those of the organizations of the two asked for, else
    of the one switched to in the header (or first coordinated) — a member of fifty
    organizations is not offered five hundred submissions."""
    visible = submissions_visible_to(user=request.user)
    numbers = [
        int(v)
        for v in (request.GET.get("a", ""), request.GET.get("b", ""))
        if v.strip().isascii() and v.strip().isdigit() and int(v) <= DB_INT_MAX
    ]
    if numbers:
        # One query: the asked-for submissions' organizations are a subquery.
        asked = visible.filter(pk__in=numbers).order_by().values("organization_id")
        offered = list(visible.filter(organization_id__in=asked))
        if offered:
            return offered
    current = current_organization(request, request.user)
    if current is None:
        return []
    return organization_submissions_visible_to(user=request.user, organization_id=current.pk)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Pick two submissions (?a= older, ?b= newer) and see what changed from one to the other."""
    submissions = _offered(request)
    form = CompareForm(request.GET, submissions=submissions)
    context = {"form": form, "submissions": submissions}
    if not form.is_valid():
        return render(request, "submissions/insight/compare.html", context, status=_status(form))

    old, new = form.cleaned_data["a"], form.cleaned_data["b"]
    if new is not None and old is None:
        previous = submission_previous(submission=new)
        old = next((s for s in submissions if previous and s.pk == previous.pk), None)
    elif old is not None and new is None:
        new = _later(old, submissions)
    elif old is None and new is None:
        old, new = _latest_pair(submissions)
    swapped = False
    if old is not None and new is not None and old.questionnaire.year > new.questionnaire.year:
        old, new = new, old
        swapped = True

    only_changed = form.cleaned_data["changed"]
    initial = {"a": old.pk if old else "", "b": new.pk if new else "", "changed": only_changed}
    context["form"] = CompareForm(initial=initial, submissions=submissions)
    context["form_key"] = _form_key(context["form"], initial)
    if old is None or new is None:
        context["missing"] = new or old
        return render(request, "submissions/insight/compare.html", context)

    require(request.user, old, "view")
    require(request.user, new, "view")
    comparison = SimpleLazyObject(lambda: submissions_compare(old=old, new=new))
    questions = SimpleLazyObject(
        lambda: [q for q in comparison.questions if not (only_changed and q.status == SAME)]
    )
    context.update(
        compared=True,
        comparison=comparison,
        questions=questions,
        only_changed=only_changed,
        swapped=swapped,
        kinds_differ=old.questionnaire.kind != new.questionnaire.kind,
        old=old,
        new=new,
        **_side_labels(old, new),
    )
    context["result"] = _result(context)
    return render(request, "submissions/insight/compare.html", context)


def _form_key(form: CompareForm, initial: dict) -> str:
    """What the unbound form shows, hashed: with the language, the key of its cached HTML.
    The form drawn with errors is never cached."""
    return shown_digest((form.fields["a"].choices, initial))


RESULT_CACHE_SECONDS = 3600


def _result(context: dict) -> str:
    """The comparison as HTML: its summary and its questions side by side.

    The same two submissions with the same content compare the same way: the HTML is kept
    in the cache under ``comparison_state`` (their questionnaires' stamps, their answers'
    and rows' versions), the language, the labels and the filter; on a hit nothing is
    compared (``comparison`` is read only when the HTML is rendered)."""
    old, new = context["old"], context["new"]
    state = comparison_state(old=old, new=new)
    labels = f"{context['old_label']}\t{context['new_label']}\t{context['only_changed']}"
    key = "compare:" + hashlib.sha256(f"{get_language()} {labels} {state}".encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        comparison = context["comparison"]
        html = render_to_string(
            "submissions/insight/compare_result.html",
            {**context, "hidden": len(comparison.questions) - len(context["questions"])},
        )
        cache.set(key, html, RESULT_CACHE_SECONDS)
    return mark_safe(html)
