"""Forms of the submissions app; the admin reuses them so validation lives in one place."""

from django import forms

from .models import Question, Questionnaire, QuestionPart


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["kind", "year", "slug", "title", "intro", "deadline", "is_open"]


class QuestionForm(forms.ModelForm):
    """A question's definition; the rules live in Question.clean and the database constraints."""

    class Meta:
        model = Question
        fields = [
            "position",
            "number",
            "section",
            "prompt",
            "guidance",
            "has_narrative",
            "word_limit",
            "table",
            "max_rows",
            "row_description_word_limit",
        ]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 2}),
        }


class QuestionPartForm(forms.ModelForm):
    class Meta:
        model = QuestionPart
        fields = ["position", "title", "word_limit"]
