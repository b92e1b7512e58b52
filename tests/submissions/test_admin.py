"""The questionnaire admin: list, edit with questions and parts inline, copy as next year's."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from submissions.admin import QuestionInline, QuestionPartInline
from submissions.forms import QuestionForm
from submissions.models import Questionnaire
from submissions.seeds import seeds_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-2030-admin!")
    client.force_login(admin)
    return client


@pytest.fixture
def seeded(db):
    seeds_load(demo_users=False)


def test_changelist_shows_the_five_seed_questionnaires(admin_client, seeded):
    response = admin_client.get(reverse("admin:submissions_questionnaire_changelist"))
    assert response.status_code == 200
    for slug in ["desa-2017", "desa-2021", "desa-2023", "desa-2024", "gbv-2024"]:
        assert slug in response.content.decode()


def test_changelist_filters_and_search(admin_client, seeded):
    url = reverse("admin:submissions_questionnaire_changelist")
    response = admin_client.get(url, {"kind__exact": "gbv"})
    assert list(response.context["cl"].queryset.values_list("slug", flat=True)) == ["gbv-2024"]
    response = admin_client.get(url, {"q": "12 High-Impact Initiatives"})
    assert list(response.context["cl"].queryset.values_list("slug", flat=True)) == ["desa-2023"]


def test_change_page_shows_questions_and_parts_in_order(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    response = admin_client.get(
        reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Food systems" in html
    q5_prompt = questionnaire.questions.get(number="5").prompt[:40]
    q6_prompt = questionnaire.questions.get(number="6").prompt[:40]
    assert html.index(q5_prompt) < html.index(q6_prompt)


def test_admin_inlines_reuse_the_apps_forms_and_are_sortable():
    assert QuestionInline.form is QuestionForm
    assert QuestionInline.sortable_field_name == "position"
    assert QuestionPartInline.sortable_field_name == "position"


def test_question_form_refuses_rows_limit_without_table(questionnaire):
    form = QuestionForm(
        data={"position": 9, "number": "9", "prompt": "?", "has_narrative": "on", "max_rows": 3},
        instance=questionnaire.questions.model(questionnaire=questionnaire),
    )
    assert not form.is_valid()
    assert form.errors["max_rows"] == ["A maximum number of rows needs a table."]


def test_copy_as_next_year_action(admin_client, seeded):
    source = Questionnaire.objects.get(slug="desa-2024")
    response = admin_client.post(
        reverse("admin:submissions_questionnaire_changelist"),
        {"action": "copy_as_next_year", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = Questionnaire.objects.get(slug="desa-2025")
    assert copy.year == 2025
    assert copy.kind == "desa"
    assert "2025" in copy.title
    assert not copy.is_open
    assert copy.questions.count() == 7
    assert copy.questions.get(number="5").parts.count() == 6
    assert source.questions.count() == 7
    assert "Copied as" in response.content.decode()

    # Copying 2024 again is refused: 2025 exists.
    response = admin_client.post(
        reverse("admin:submissions_questionnaire_changelist"),
        {"action": "copy_as_next_year", "_selected_action": [source.pk]},
        follow=True,
    )
    assert "questionnaire of this kind for 2025 exists already" in response.content.decode()
    assert Questionnaire.objects.filter(year=2025).count() == 1


def test_copy_keeps_limits_tables_and_order(seeded):
    from submissions.services import questionnaire_copy_as_next_year

    source = Questionnaire.objects.get(slug="desa-2021")
    copy = questionnaire_copy_as_next_year(questionnaire=source, accept=set())  # years as they are
    fields = ("number", "position", "prompt", "word_limit", "table", "max_rows")
    assert list(copy.questions.values_list(*fields)) == list(source.questions.values_list(*fields))


def test_admin_requires_staff(client, contributor):
    client.force_login(contributor)
    response = client.get(reverse("admin:submissions_questionnaire_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


class _FormFields(HTMLParser):
    """What a browser would send for the admin's change form as it is shown."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and "__prefix__" not in name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and "__prefix__" not in name:
            self._select = name
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or self._select not in self.data)
        ):
            self.data[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.removeprefix("\n") if not self.data[self._textarea] else data
            )


def test_an_admin_edit_shows_at_once_on_the_editing_page(submission, contributor_client):
    """App servers keep the questions in memory: an edit in the admin replaces them at once."""
    admin_client = Client()
    admin_client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.org", "pw-2030-admin!")
    )
    questionnaire = submission.questionnaire
    edit_page = reverse("question_edit", args=[submission.pk, "5"])
    before = contributor_client.get(edit_page).content.decode()
    assert "Six transitions?" in before and "Food systems" in before

    change = reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk])
    fields = _FormFields()
    fields.feed(admin_client.get(change).content.decode())
    data = fields.data
    question = next(k for k, v in data.items() if k.endswith("-prompt") and v == "Six transitions?")
    prefix = question.removesuffix("-prompt")
    data[question] = "Six transitions, renamed?"
    data[f"{prefix}-parts-0-title"] = "Food systems, renamed"
    data[f"{prefix}-parts-0-word_limit"] = "120"
    response = admin_client.post(change, {**data, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]

    after = contributor_client.get(edit_page).content.decode()
    assert "Six transitions, renamed?" in after
    assert "Food systems, renamed" in after
    assert 'data-word-limit="120"' in after


def test_a_row_removed_in_the_admin_takes_its_assignment_along(
    admin_client, submission, contributor
):
    from submissions.models import Assignment, Event

    question = submission.questionnaire.questions.get(number="3")
    row = Event.objects.create(submission=submission, question=question, name="IDM", position=0)
    Assignment.objects.create(
        submission=submission, question=question, row_id=row.pk, assignee=contributor
    )
    response = admin_client.post(
        reverse("admin:submissions_event_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Event.objects.filter(pk=row.pk).exists()
    assert not Assignment.objects.filter(submission=submission).exists()
