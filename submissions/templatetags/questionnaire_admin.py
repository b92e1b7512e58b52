"""Template helpers for the questionnaire's change page in the admin."""

from django import template

register = template.Library()


@register.filter
def question_is_open(inline_admin_form) -> bool:
    """Whether a question's block starts unfolded: a new question, or one with errors
    (in its own fields, its parts or its row fields), so that nothing to fix is hidden."""
    form = inline_admin_form.form
    if not inline_admin_form.original or form.errors:
        return True
    return any(
        formset.is_bound and formset.total_error_count()
        for formset in getattr(form, "nested_formsets", [])
    )


@register.filter
def saved_count(inline_admin_formset) -> int:
    """How many saved forms (parts, row fields) a question's nested inline holds."""
    return inline_admin_formset.formset.initial_form_count()
