"""Forms of the submissions app; the admin reuses them so validation lives in one place."""

from functools import partial

from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import (
    Event,
    Initiative,
    Question,
    Questionnaire,
    QuestionPart,
    Resource,
    RowField,
    TableKind,
)
from .rowfields import ROW_FIELDS
from .sdgs import SDGS
from .text import MAX_TEXT_LENGTH, strip_control_characters
from .wordcount import count_words

# Ids and versions are 32-bit columns on PostgreSQL: a forged larger number is refused here.
DB_INT_MAX = 2**31 - 1


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = [
            "kind",
            "year",
            "slug",
            "title",
            "intro",
            "deadline",
            "is_open",
            "text_layout",
            "footer",
        ]
        widgets = {"footer": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.ModelForm):
    """A question's definition; the rules live in Question.clean and the database constraints."""

    class Meta:
        model = Question
        fields = [
            "position",
            "number",
            "number_printed",
            "heading_printed",
            "section",
            "prompt",
            "guidance",
            "has_narrative",
            "word_minimum",
            "word_limit",
            "limit_note",
            "table",
            "max_rows",
            "row_description_word_limit",
        ]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 2}),
        }


class QuestionPartForm(forms.ModelForm):
    """A named part of a question; the minimum is checked against the limit by QuestionPart.clean."""

    class Meta:
        model = QuestionPart
        fields = ["position", "number", "title", "word_minimum", "word_limit"]


def row_field_choices(table: str) -> list:
    """The fields a table question's rows may label: those of its table, else every table's."""
    if table in ROW_FIELDS:
        return list(ROW_FIELDS[table])
    return [(TableKind(kind).label, list(fields)) for kind, fields in ROW_FIELDS.items()]


class RowFieldForm(forms.ModelForm):
    """A field of a table question's rows as the year's form words it.

    The field must be one of the question's table (checked in clean, against the table as
    posted with the question); ``table`` narrows the choices shown to that table's fields.
    """

    table = ""

    field = forms.ChoiceField(label=_("field"), choices=partial(row_field_choices, ""))

    class Meta:
        model = RowField
        fields = ["position", "field", "label", "guidance"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].widget.choices = [("", "---------"), *row_field_choices(self.table)]

    def clean(self):
        cleaned = super().clean()
        # In the admin the question comes from its inline form, with the table as posted.
        question = cleaned.get("question") or (
            self.instance.question if self.instance.question_id else None
        )
        name = cleaned.get("field")
        if question is None or not name:
            return cleaned
        if not question.table:
            self.add_error(
                "field",
                forms.ValidationError(
                    _("Row fields need a table: choose the question's table first."),
                    code="row_field_without_table",
                ),
            )
        elif name not in dict(ROW_FIELDS[question.table]):
            self.add_error(
                "field",
                forms.ValidationError(
                    _(
                        "“%(field)s” is not a field of a table of %(table)s: choose one of %(fields)s."
                    ),
                    code="row_field_not_in_table",
                    params={
                        "field": name,
                        "table": TableKind(question.table).label.lower(),
                        "fields": ", ".join(dict(ROW_FIELDS[question.table])),
                    },
                ),
            )
        return cleaned


class StripControlCharactersMixin:
    """Strip control characters from the posted data before any validation sees it.

    They are removed, not refused (a pasted one is invisible to the user), and before
    validation because Django's own validators refuse NUL with an unhelpful message.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for key in data:
                data.setlist(
                    key,
                    [strip_control_characters(v).replace("\r\n", "\n") for v in data.getlist(key)],
                )
        super().__init__(data, *args, **kwargs)


class AnswerForm(StripControlCharactersMixin, forms.Form):
    """A narrative answer (of a question or of one of its parts) and the version it started from."""

    text = forms.CharField(
        label=_("Answer"),
        required=False,
        strip=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "class": "js-counted"}),
    )
    version = forms.IntegerField(
        min_value=0, max_value=DB_INT_MAX, required=False, widget=forms.HiddenInput
    )
    nothing_to_report = forms.BooleanField(
        label=_("Nothing to report this year"),
        required=False,
        help_text=_(
            "Tick it to say that this box stays empty on purpose: it can then be approved."
        ),
    )

    def __init__(
        self,
        *args,
        label: str = "",
        word_limit: int | None = None,
        word_minimum: int | None = None,
        text_box: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.word_limit, self.word_minimum = word_limit, word_minimum
        # Without a text box (a question with only a table), the mark is about the table.
        self.text_box = text_box
        if not text_box:
            self.fields["nothing_to_report"].help_text = _(
                "Tick it to say that this table stays empty on purpose: it can then be approved."
            )
        if label:
            self.fields["text"].label = label
        # A browser silently cuts a paste at maxlength: refuse on save with a message instead.
        self.fields["text"].widget.attrs.pop("maxlength", None)
        if word_limit:
            self.fields["text"].widget.attrs["data-word-limit"] = word_limit
        if word_minimum:
            self.fields["text"].widget.attrs["data-word-minimum"] = word_minimum

    def clean_version(self) -> int:
        return self.cleaned_data["version"] or 0

    def clean_text(self) -> str:
        return self.cleaned_data["text"] if self.text_box else ""


MAX_ROWS_PER_REQUEST = 300

SDG_CHOICES = [(number, format_lazy("{}. {}", number, _(title))) for number, title, _colour in SDGS]


class PythonRenderedMixin:
    """Render an input or textarea in Python instead of through a widget template.

    A table question shows dozens of rows of seven fields each; rendering each input
    through the template engine was most of the editing page's time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        if isinstance(self, forms.Textarea):
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>', name, flatatt(attrs), value or ""
            )
        if value not in (None, ""):
            attrs["value"] = value
        return format_html('<input type="{}" name="{}"{}>', self.input_type, name, flatatt(attrs))


class FastTextInput(PythonRenderedMixin, forms.TextInput):
    pass


class FastTextarea(PythonRenderedMixin, forms.Textarea):
    pass


class FastHiddenInput(PythonRenderedMixin, forms.HiddenInput):
    pass


class FastDateInput(PythonRenderedMixin, forms.DateInput):
    pass


class FastSelect(forms.Select):
    """A select rendered in Python, the same HTML as Django's template but for whitespace.

    Django renders each option through two templates, and builds a dictionary of attributes
    for each first: the review page's "Assign to" lists (a person per option, one list per
    question) and the search's filters (years, questions, the 17 goals) spent most of their
    rendering there. The options are written straight from the choices, selected as Django
    selects them (the first option whose value is the field's, as text).
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = {str(v) for v in self.format_value(value)}
        selected = False

        def option(option_value, label) -> str:
            nonlocal selected
            option_value = str(option_value)
            chosen = option_value in values and (self.allow_multiple_selected or not selected)
            selected = selected or chosen
            return format_html(
                '<option value="{}"{}>{}</option>',
                option_value,
                mark_safe(" selected") if chosen else "",
                label,
            )

        html = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for group, label in self.choices:
            if isinstance(label, (list, tuple)):
                # A group without a name is its options alone (as Django's template has it).
                html.append(format_html('<optgroup label="{}">', group) if group else "")
                html.extend(option(v, sub) for v, sub in label)
                html.append("</optgroup>" if group else "")
            else:  # a value of None is the empty one (in a group, Django writes "None")
                html.append(option("" if group is None else group, label))
        html.append("</select>")
        return mark_safe("".join(html))


def bootstrap_classes(form: forms.Form) -> None:
    """Give each control of the form Bootstrap's class (``form-select`` for a list,
    ``form-control`` otherwise), ``is-invalid`` beside it once it has errors: what
    crispy-forms adds, for forms drawn field by field with ``includes/field.html``."""
    errors = form.errors if form.is_bound and hasattr(form, "cleaned_data") else {}
    for name, field in form.fields.items():
        base = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{base} is-invalid" if name in errors else base


class SDGPicker(forms.CheckboxSelectMultiple):
    """17 toggles in the goals' colours, rendered in Python (a table shows many rows)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value or [])}
        base_id = escape((attrs or {}).get("id") or name)
        name = escape(name)
        disabled = " disabled" if self.attrs.get("disabled") else ""
        toggles = "".join(
            f'<input type="checkbox" class="btn-check" name="{name}" value="{number}" '
            f'id="{base_id}_{number}"{" checked" if str(number) in selected else ""}{disabled}>'
            f'<label class="btn btn-sm sdg-toggle sdg-{number}" for="{base_id}_{number}" '
            f'title="{escape(label)}">{number}</label>'
            for number, label in self.choices
        )
        return mark_safe(f'<div class="d-flex flex-wrap gap-1 sdg-toggles">{toggles}</div>')


class SDGField(forms.TypedMultipleChoiceField):
    """The 17 goals as plain choices: no query per form (model formsets would run one each)."""

    widget = SDGPicker
    default_error_messages = {
        "invalid_choice": _("SDG numbers go from 1 to 17; %(value)s is not one of them."),
    }

    def __init__(self, **kwargs):
        super().__init__(choices=SDG_CHOICES, coerce=int, required=False, **kwargs)


def row_formfield(db_field, **kwargs):
    """Model fields to form fields with the Python-rendered widgets."""
    if isinstance(db_field, models.TextField):
        kwargs.setdefault("widget", FastTextarea(attrs={"rows": 2}))
    elif isinstance(db_field, models.CharField):
        kwargs.setdefault("widget", FastTextInput)
    return db_field.formfield(**kwargs)


class RowForm(StripControlCharactersMixin, forms.ModelForm):
    """One row of a question's table; the id and version say which saved row it edits."""

    id = forms.IntegerField(
        min_value=1, max_value=DB_INT_MAX, required=False, widget=FastHiddenInput
    )
    version = forms.IntegerField(
        min_value=0, max_value=DB_INT_MAX, required=False, widget=FastHiddenInput
    )
    # Bounded: a forged huge number would overflow the database column.
    position = forms.IntegerField(
        min_value=0, max_value=MAX_ROWS_PER_REQUEST * 100, required=False, widget=FastHiddenInput
    )
    sdgs = SDGField(label=_("Relevant SDGs"))
    # The browser's key for a row it adds (see TableRow.client_key).
    client_key = forms.RegexField(
        regex=r"^[0-9a-zA-Z-]{8,36}$",
        required=False,
        widget=FastHiddenInput,
        error_messages={"invalid": _("This new row could not be read: reload the page.")},
    )

    text_fields: tuple[str, ...] = ()

    def __init__(self, *args, description_limit: int | None = None, wording=(), **kwargs):
        super().__init__(*args, **kwargs)
        description = self.fields["description"]
        description.widget.attrs.update({"rows": 4, "class": "js-counted"})
        description.label = _("Description")
        if description_limit:
            description.widget.attrs["data-word-limit"] = description_limit
        self.fields["website"].label = _("Website (if applicable)")
        # The questionnaire's own labels and guidance (rowfields.question_row_fields), in its
        # order: the page asks what that year's form asks.
        for worded in wording:
            if worded.name in self.fields:
                self.fields[worded.name].label = worded.label
                self.fields[worded.name].help_text = worded.guidance
        if wording:
            self.order_fields([w.name for w in wording])
        for name, field in self.fields.items():
            field.widget.attrs.pop("maxlength", None)
            if not field.widget.is_hidden and name != "sdgs":
                css = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = f"form-control {css}".strip()

    @property
    def description_words(self) -> int:
        """Words of the description shown: the stored count, or of the text sent back."""
        if not self.is_bound and "description_words" in self.initial:
            return self.initial["description_words"]
        return count_words(self["description"].value() or "")

    @property
    def row_id(self) -> int | None:
        """The saved row this form edits (None for a new one), bound or not."""
        value = self["id"].value()
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def values(self) -> dict:
        """The row's model field values as cleaned (SDGs apart)."""
        return {name: self.cleaned_data.get(name) or "" for name in self.text_fields}


class EventForm(RowForm):
    text_fields = ("name", "dates", "location", "description", "website")

    class Meta:
        model = Event
        fields = ["name", "dates", "location", "description", "website"]
        labels = {"name": _("Event name")}
        formfield_callback = row_formfield


class ResourceForm(RowForm):
    text_fields = (
        "name",
        "publishing_entities",
        "target_audience",
        "languages",
        "description",
        "website",
    )

    class Meta:
        model = Resource
        fields = [
            "name",
            "publishing_entities",
            "target_audience",
            "languages",
            "description",
            "website",
        ]
        labels = {"name": _("Resource")}
        formfield_callback = row_formfield


class InitiativeForm(RowForm):
    text_fields = ("name", "partners", "member_states", "description", "website")

    class Meta:
        model = Initiative
        fields = ["name", "partners", "member_states", "description", "website"]
        labels = {"name": _("Initiative or partnership")}
        formfield_callback = row_formfield


ROW_FORMS: dict[str, type[RowForm]] = {
    TableKind.EVENTS: EventForm,
    TableKind.RESOURCES: ResourceForm,
    TableKind.INITIATIVES: InitiativeForm,
}

# Rows are matched to saved rows by their id field, not by the formset's initial-form
# count, so that autosave can add rows without reloading the page.


def row_formset_class(table: str):
    return forms.formset_factory(
        ROW_FORMS[table],
        extra=0,
        can_delete=True,
        absolute_max=MAX_ROWS_PER_REQUEST,
        max_num=MAX_ROWS_PER_REQUEST,
        validate_max=True,
    )
