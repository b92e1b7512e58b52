"""Administrators edit each year's questionnaire here: questions, parts and row fields inline."""

import re

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import changes, workflow
from .forms import QuestionForm, QuestionnaireForm, QuestionPartForm, RowFieldForm
from .models import (
    SDG,
    Answer,
    Event,
    ExportJob,
    Initiative,
    Question,
    Questionnaire,
    QuestionPart,
    Resource,
    RowField,
    Submission,
    SubmissionStatus,
)
from .services import (
    ReplacementsOutdated,
    ServiceError,
    questionnaire_copy_as_next_year,
    questionnaire_ensure_copyable,
    questionnaire_structure_changed,
    questionnaire_year_replacements,
)


class BoundedInlineMixin:
    """At most max_num forms, whatever TOTAL_FORMS says.

    Django builds one form per TOTAL_FORMS up to max_num + 1000; with nested parts a forged
    "questions-TOTAL_FORMS=99999" meant a million forms. Above the bound the formset
    refuses with "Please submit at most N forms".
    """

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


# The questions' formset, and the parts and row fields of each question.
FORMSET = r"(?P<formset>questions(?:-\d+-(?P<nested>parts|row_fields))?)"
POSITION = re.compile(rf"^{FORMSET}-(?P<index>\d+)-position$")
INITIAL_FORMS = re.compile(rf"^{FORMSET}-INITIAL_FORMS$")


def _whole_number(value: str) -> int | None:
    return int(value) if re.fullmatch(r"-?\d{1,18}", value) else None


def _count(value: str) -> int | None:
    """A form count as Django's IntegerField reads it (any number of digits), else None."""
    value = value.strip()
    if not re.fullmatch(r"\+?\d+", value):
        return None
    return int(value) if len(value) <= 18 else 10**18


def admin_post_made_safe(data: QueryDict) -> QueryDict:
    """The questionnaire form's posted data, made safe for django-nested-admin.

    When it shows the form again with errors, django-nested-admin sorts the forms by
    int(position), and reads the saved questions once per form that INITIAL_FORMS announces.
    A position that is not a number or is shared by two forms made that a server error, and a
    forged INITIAL_FORMS of 10**21 exhausted the server's memory. The page's drag and drop
    keeps positions distinct whole numbers and INITIAL_FORMS true, so this only changes forged
    or broken data: positions are renumbered 1, 2, 3... in their order (by number where there
    is one, then as posted), and INITIAL_FORMS is held to the formset's bound.
    """
    data = data.copy()
    formsets: dict[str, list[tuple[int, str]]] = {}
    for key in list(data):
        if match := POSITION.match(key):
            formsets.setdefault(match["formset"], []).append((int(match["index"]), key))
        elif match := INITIAL_FORMS.match(key):
            inline = NESTED_INLINES.get(match["nested"], QuestionInline)
            if (count := _count(data[key])) is not None and count > inline.max_num:
                data[key] = str(inline.max_num)
    for entries in formsets.values():
        values = {key: data.get(key, "").strip() for _index, key in entries}
        numbers = {key: _whole_number(value) for key, value in values.items()}
        placed = [numbers[key] for key, value in values.items() if value not in ("", "-1")]
        if None not in placed and len(set(placed)) == len(placed):
            continue
        ranked = sorted(entries, key=lambda e: (numbers[e[1]] is None, numbers[e[1]] or 0, e[0]))
        for position, (_index, key) in enumerate(ranked, start=1):
            data[key] = str(position)
    return data


class QuestionPartInline(BoundedInlineMixin, nested_admin.NestedTabularInline):
    model = QuestionPart
    form = QuestionPartForm
    extra = 0
    max_num = 50
    sortable_field_name = "position"


class RowFieldInline(BoundedInlineMixin, nested_admin.NestedTabularInline):
    """A table question's row fields as the year's form words them ("Website (if applicable)")."""

    model = RowField
    form = RowFieldForm
    extra = 0
    max_num = 20
    sortable_field_name = "position"

    def get_formset(self, request, obj=None, **kwargs):
        # Called once per question (obj): its table's fields are the choices shown.
        table = obj.table if obj is not None else ""
        kwargs["form"] = type(RowFieldForm.__name__, (RowFieldForm,), {"table": table})
        return super().get_formset(request, obj, **kwargs)


NESTED_INLINES = {"parts": QuestionPartInline, "row_fields": RowFieldInline}


class QuestionInline(BoundedInlineMixin, nested_admin.NestedStackedInline):
    model = Question
    form = QuestionForm
    extra = 0
    max_num = 200
    sortable_field_name = "position"
    inlines = [QuestionPartInline, RowFieldInline]
    # Each question folded to its number and the start of its prompt (see the template).
    template = "admin/submissions/questionnaire/question_inline.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "position",
                    ("number", "number_printed"),
                    "section",
                    ("prompt", "heading_printed"),
                    "guidance",
                ]
            },
        ),
        (
            _("Answer"),
            {
                "fields": [
                    "has_narrative",
                    ("word_minimum", "word_limit"),
                    "limit_note",
                    ("table", "max_rows", "row_description_word_limit"),
                ]
            },
        ),
    ]


@admin.register(Questionnaire)
class QuestionnaireAdmin(nested_admin.NestedModelAdmin):
    form = QuestionnaireForm
    fieldsets = [
        (None, {"fields": ["kind", "year", "slug", "title", "deadline", "is_open"]}),
        (
            _("Text of the form"),
            {"fields": ["intro", "text_layout", "footer"], "classes": ["collapse"]},
        ),
    ]
    list_display = ["title", "year", "kind", "slug", "question_count", "is_open", "deadline"]
    list_filter = ["kind", "year", "is_open"]
    search_fields = ["title", "slug", "questions__prompt"]
    prepopulated_fields = {"slug": ["kind", "year"]}
    inlines = [QuestionInline]
    actions = ["copy_as_next_year"]

    class Media:
        css = {"all": ["submissions/css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            request.POST = admin_post_made_safe(request.POST)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        questionnaire_structure_changed(questionnaire=form.instance)

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, obj: Questionnaire) -> int:
        return obj.question_count

    @admin.action(description=_("Copy as next year's questionnaire"), permissions=["add"])
    def copy_as_next_year(self, request, queryset):
        """First a page of the years the copy would move on, each to accept; then the copy."""
        copyable = []
        for questionnaire in queryset.order_by("-year", "kind"):
            try:
                questionnaire_ensure_copyable(questionnaire=questionnaire)
            except ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                copyable.append(questionnaire)
        if not copyable:
            return None
        if "apply" in request.POST:
            accepted = set(request.POST.getlist("replacement"))
            try:
                with transaction.atomic():  # all or none: the page is about all of them
                    copies = [
                        questionnaire_copy_as_next_year(
                            questionnaire=questionnaire, accept=accepted
                        )
                        for questionnaire in copyable
                    ]
            except ReplacementsOutdated as error:
                self.message_user(request, str(error), messages.WARNING)  # shown again, as now
            except ServiceError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            else:
                self._say_copied(request, copies)
                return None
        proposals = [
            (questionnaire, questionnaire_year_replacements(questionnaire=questionnaire))
            for questionnaire in copyable
        ]
        return TemplateResponse(
            request,
            "admin/submissions/questionnaire/copy_as_next_year.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Copy as next year's questionnaire"),
                "opts": self.model._meta,
                "proposals": proposals,
                "selected": [questionnaire.pk for questionnaire in copyable],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )

    def _say_copied(self, request, copies: list[Questionnaire]) -> None:
        for copy in copies:
            self.message_user(
                request,
                format_html(
                    _('Copied as <a href="{}">{}</a>: edit it, then open it for answers.'),
                    reverse("admin:submissions_questionnaire_change", args=[copy.pk]),
                    copy,
                ),
                messages.SUCCESS,
            )
        if len(copies) > 1:
            self.message_user(
                request,
                ngettext("%d questionnaire copied.", "%d questionnaires copied.", len(copies))
                % len(copies),
                messages.SUCCESS,
            )


@admin.register(SDG)
class SDGAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "colour"]
    ordering = ["number"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "part", "version", "updated_by", "updated_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Submissions are read here; their status moves only through the review workflow."""

    list_display = ["organization", "questionnaire", "status", "updated_at"]
    list_filter = ["status", "questionnaire__year", "organization"]
    search_fields = ["organization__code", "organization__name", "questionnaire__title"]
    list_select_related = ["organization", "questionnaire"]
    readonly_fields = ["status", "finalized_at", "finalized_by"]
    inlines = [AnswerInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == SubmissionStatus.FINALIZED:
            return False
        return super().has_delete_permission(request, obj)


class TableRowAdminForm(forms.ModelForm):
    """A row in the admin; a finalized submission's rows are refused with the reason."""

    def clean(self):
        cleaned = super().clean()
        submission = cleaned.get("submission") or getattr(self.instance, "submission", None)
        if submission is not None:
            try:
                workflow.submission_ensure_open(submission=submission)
            except ServiceError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class TableRowAdmin(admin.ModelAdmin):
    """Rows changed or deleted here go through the write gate, like every other change.

    Each change is recorded in the row's history (on the app's history pages), gives the row
    a new version, and puts an approved question back to draft.
    """

    form = TableRowAdminForm
    list_display = ["name", "submission", "question", "position"]
    list_filter = ["submission__questionnaire__year", "submission__organization"]
    search_fields = ["name", "description"]
    list_select_related = ["submission__organization", "submission__questionnaire", "question"]
    filter_horizontal = ["sdgs"]
    exclude = ["version", "updated_by", "carried_from_year"]

    def save_model(self, request, obj, form, change):
        """Written with its SDGs in save_related, through the gate."""

    def save_related(self, request, form, formsets, change):
        def save() -> None:
            form.instance.save()
            form.save_m2m()
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)

        changes.row_admin_save(row=form.instance, user=request.user, save=save)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.submission.status == SubmissionStatus.FINALIZED:
            return False  # read-only until a coordinator reopens it
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        changes.row_admin_delete(rows=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        rows = list(queryset.select_related("submission", "question"))
        try:
            changes.row_admin_delete(rows=rows, user=request.user)
        except ServiceError as error:
            # The admin then says how many it deleted: none, as this says first.
            self.message_user(request, str(error), messages.ERROR)


admin.site.register(Event, TableRowAdmin)
admin.site.register(Resource, TableRowAdmin)
admin.site.register(Initiative, TableRowAdmin)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Word and PDF exports, read only: who asked, how it went, and why one failed."""

    list_display = ["created_at", "user", "submission", "format", "status", "size", "finished_at"]
    list_filter = ["status", "format"]
    list_select_related = ["user", "submission__organization", "submission__questionnaire"]
    search_fields = ["user__username", "submission__organization__code", "filename"]
    fields = [
        "user",
        "submission",
        "format",
        "language",
        "status",
        "step",
        "filename",
        "size",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
