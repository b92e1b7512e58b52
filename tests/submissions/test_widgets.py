"""Widgets rendered in Python: the HTML Django's templates would give, for every case a
form of the app meets (selected values, empty choices, groups, errors, characters to escape)."""

from datetime import date

import pytest
from django import forms
from django.test.html import parse_html

from submissions.forms import FastDateInput, FastSelect, FastTextInput


def same_html(html: str):
    """The HTML as a tree: attributes in any order, whitespace between tags aside (Django's
    templates put line breaks there)."""
    return parse_html(str(html))


CHOICES = [
    ("", "Nobody"),
    (3, "Amina <Diallo> & Co"),
    (7, "Jean “JB” Bosco"),
]


@pytest.mark.parametrize("value", [None, "", 3, "7", 99])
def test_a_select_renders_as_djangos(value):
    attrs = {"class": "form-select form-select-sm", "id": "id_q1-assignee"}
    fast = FastSelect(attrs=attrs, choices=CHOICES).render("assignee", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("assignee", value)
    assert same_html(fast) == same_html(django)
    assert "Amina &lt;Diallo&gt; &amp; Co" in fast


def test_a_select_with_groups_errors_and_a_multiple_value_renders_as_djangos():
    choices = [
        ("Years", [(2024, "2024"), (2023, "2023")]),
        ("", [(2023, "2023 again"), (None, "None")]),
        ("all", "All my organizations"),
    ]
    extra = {"aria-invalid": "true", "required": True, "disabled": False}
    fast = FastSelect(choices=choices).render("year", 2023, attrs=extra)
    django = forms.Select(choices=choices).render("year", 2023, attrs=extra)
    assert same_html(fast) == same_html(django)
    assert '<option value="2023" selected>2023</option>' in fast


def test_a_bound_form_field_renders_the_same_through_either_widget():
    class Fast(forms.Form):
        assignee = forms.TypedChoiceField(choices=CHOICES, coerce=int, widget=FastSelect)
        due_date = forms.DateField(widget=FastDateInput(attrs={"placeholder": "dd/mm/yyyy"}))
        q = forms.CharField(widget=FastTextInput(attrs={"type": "search"}))

    class Slow(forms.Form):
        assignee = forms.TypedChoiceField(choices=CHOICES, coerce=int)
        due_date = forms.DateField(widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
        q = forms.CharField(widget=forms.TextInput(attrs={"type": "search"}))

    for data in ({"assignee": "7", "due_date": "not a date", "q": '"climate" <b>'}, None):
        initial = {"due_date": date(2025, 2, 15), "assignee": 3}
        fast, slow = Fast(data, initial=initial), Slow(data, initial=initial)
        for name in ("assignee", "due_date", "q"):
            assert same_html(fast[name]) == same_html(slow[name]), name
