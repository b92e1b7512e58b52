"""The questionnaire admin: list, edit with questions, parts and row fields inline, copy as next
year's with its years moved on."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from submissions.admin import (
    QuestionInline,
    QuestionPartInline,
    RowFieldInline,
    admin_post_made_safe,
)
from submissions.forms import QuestionForm, QuestionPartForm, RowFieldForm
from submissions.models import Questionnaire, QuestionPart, RowField
from submissions.rowfields import question_row_fields
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
    assert QuestionPartInline.form is QuestionPartForm
    assert RowFieldInline.form is RowFieldForm
    assert RowFieldInline in QuestionInline.inlines
    for inline in (QuestionInline, QuestionPartInline, RowFieldInline):
        assert inline.sortable_field_name == "position"


def test_question_form_refuses_rows_limit_without_table(questionnaire):
    form = QuestionForm(
        data={"position": 9, "number": "9", "prompt": "?", "has_narrative": "on", "max_rows": 3},
        instance=questionnaire.questions.model(questionnaire=questionnaire),
    )
    assert not form.is_valid()
    assert form.errors["max_rows"] == ["A maximum number of rows needs a table."]


def copy_action(client, questionnaire, **data):
    return client.post(
        reverse("admin:submissions_questionnaire_changelist"),
        {"action": "copy_as_next_year", "_selected_action": [questionnaire.pk], **data},
        follow=True,
    )


def test_copy_as_next_year_action(admin_client, seeded):
    source = Questionnaire.objects.get(slug="desa-2024")
    page = copy_action(admin_client, source)
    assert page.status_code == 200
    assert not Questionnaire.objects.filter(year=2025).exists()  # nothing copied yet
    ticked = [r.id for _questionnaire, found in page.context["proposals"] for r in found]

    response = copy_action(admin_client, source, apply="yes", replacement=ticked)

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

    # Copying 2024 again is refused at once: 2025 exists.
    for data in [{}, {"apply": "yes", "replacement": ticked}]:
        response = copy_action(admin_client, source, **data)
        assert "questionnaire of this kind for 2025 exists already" in response.content.decode()
        assert response.redirect_chain  # back to the list, no page of replacements
    assert Questionnaire.objects.filter(year=2025).count() == 1


def test_the_copy_page_lists_each_replacement_ticked_and_applies_the_ticked_ones(
    admin_client, seeded
):
    source = Questionnaire.objects.get(slug="desa-2024")
    page = copy_action(admin_client, source)
    html = page.content.decode()
    assert page.templates[0].name == "admin/submissions/questionnaire/copy_as_next_year.html"
    ((questionnaire, replacements),) = page.context["proposals"]
    assert questionnaire == source
    places = [(r.place, r.text_name) for r in replacements]
    assert ("Questionnaire", "Title") in places
    assert ("Questionnaire", "Footer") in places
    assert ("Question 2", "Question text") in places
    for replacement in replacements:  # each with its checkbox, ticked
        assert (
            f'<input type="checkbox" name="replacement" value="{replacement.id}" '
            f'id="replacement-{replacement.id}" checked>'
        ) in html
    # The old text and the new, the year highlighted in each.
    assert "Year of submission: <mark>2024</mark>" in html
    assert "Year of submission: <mark>2025</mark>" in html
    assert "During <mark>2025</mark>, what actions" in html
    assert "since the <mark>2024</mark> SDG Summit" in html
    assert "<script>" not in html and "style=" not in html  # the site's CSP allows neither

    summit = next(r for r in replacements if r.place == "Question 5")
    ticked = [r.id for r in replacements if r is not summit]
    response = copy_action(admin_client, source, apply="yes", replacement=ticked)

    assert "Copied as" in response.content.decode()
    copy = Questionnaire.objects.get(slug="desa-2025")
    assert copy.footer == "ECESA Plus Member\nYear of submission: 2025"
    assert copy.questions.get(number="2").prompt.startswith("During 2025, what actions")
    assert "since the 2023 SDG Summit" in copy.questions.get(number="5").prompt
    assert "In the past year" in copy.questions.get(number="5").prompt


def test_the_copy_page_shows_again_when_a_text_was_edited_meanwhile(admin_client, seeded):
    source = Questionnaire.objects.get(slug="desa-2024")
    page = copy_action(admin_client, source)
    ticked = [r.id for _questionnaire, found in page.context["proposals"] for r in found]
    source.questions.filter(number="2").update(prompt="During 2024, what else?")

    response = copy_action(admin_client, source, apply="yes", replacement=ticked)

    assert not Questionnaire.objects.filter(year=2025).exists()
    html = response.content.decode()
    assert "were edited since its years to move on were shown" in html
    assert "During <mark>2025</mark>, what else?" in html  # the page again, as it is now


def test_copying_two_questionnaires_shows_both_on_one_page(admin_client, seeded):
    desa, gbv = (
        Questionnaire.objects.get(slug="desa-2024"),
        Questionnaire.objects.get(slug="gbv-2024"),
    )
    url = reverse("admin:submissions_questionnaire_changelist")
    action = {"action": "copy_as_next_year", "_selected_action": [desa.pk, gbv.pk]}
    page = admin_client.post(url, action)
    assert [q for q, _found in page.context["proposals"]] == [desa, gbv]

    response = admin_client.post(url, {**action, "apply": "yes"}, follow=True)  # none ticked

    assert "2 questionnaires copied." in response.content.decode()
    assert Questionnaire.objects.get(kind="desa", year=2025).title == desa.title
    assert Questionnaire.objects.get(kind="gbv", year=2025).title == gbv.title


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


def change_form_data(client, questionnaire) -> dict[str, str]:
    """What the browser would post for the questionnaire's change page as it is shown."""
    fields = _FormFields()
    change = reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk])
    fields.feed(client.get(change).content.decode())
    return fields.data


def question_prefix(data: dict[str, str], number: str) -> str:
    key = next(
        k for k, v in data.items() if re.fullmatch(r"questions-\d+-number", k) and v == number
    )
    return key.removesuffix("-number")


def post_change(client, questionnaire, data):
    change = reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk])
    return client.post(change, {**data, "_save": "Save"})


def test_the_change_page_shows_the_wording_of_the_form(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    assert data["text_layout"] == "blank-line"
    assert data["footer"] == "ECESA Plus Member\nYear of submission: 2024"
    q5, q3 = question_prefix(data, "5"), question_prefix(data, "3")
    assert data[f"{q5}-limit_note"] == "(max 200 words under each transition)"
    assert data[f"{q5}-number_printed"] == "on"
    assert data[f"{q5}-parts-0-title"] == "Food systems"
    assert f"{q5}-parts-0-number" in data and f"{q5}-parts-0-word_minimum" in data
    labels = [data[f"{q3}-row_fields-{i}-label"] for i in range(6)]
    assert labels[0] == "Event Name" and labels[-1] == "Website (if applicable)"
    assert data[f"{q3}-row_fields-4-guidance"].startswith("please include a short summary")


def test_a_row_field_label_edited_in_the_admin_is_what_documents_print(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    stamp = questionnaire.structure_stamp
    data = change_form_data(admin_client, questionnaire)
    q3 = question_prefix(data, "3")
    data[f"{q3}-row_fields-5-label"] = "Link to access"
    data[f"{q3}-row_fields-5-guidance"] = "if there is one"

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    website = question_row_fields(questionnaire.questions.get(number="3"))[5]
    assert (website.name, website.label, website.guidance) == (
        "website",
        "Link to access",
        "if there is one",
    )
    questionnaire.refresh_from_db()
    assert questionnaire.structure_stamp != stamp  # app servers read the questions afresh


def test_row_fields_are_added_reordered_and_removed_in_the_admin(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    q3 = question_prefix(data, "3")
    data[f"{q3}-row_fields-0-DELETE"] = "on"  # the name's label: the app's again
    data[f"{q3}-row_fields-1-position"], data[f"{q3}-row_fields-2-position"] = "3", "2"

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    worded = question_row_fields(questionnaire.questions.get(number="3"))
    assert [f.name for f in worded if f.listed] == [
        "location",
        "dates",
        "sdgs",
        "description",
        "website",
    ]
    assert [(f.name, f.label) for f in worded if not f.listed] == [("name", "Event name")]


def test_a_table_questions_row_fields_offer_its_tables_fields(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    response = admin_client.get(
        reverse("admin:submissions_questionnaire_change", args=[questionnaire.pk])
    )
    html = response.content.decode()
    q7 = question_prefix(change_form_data(admin_client, questionnaire), "7")
    select = re.search(rf'<select name="{q7}-row_fields-0-field".*?</select>', html, re.S)[0]
    options = re.findall(r'<option value="([^"]*)"', select)
    assert options == ["", "name", "partners", "sdgs", "member_states", "description", "website"]


def test_a_row_field_of_another_table_is_refused(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    q3 = question_prefix(data, "3")
    data[f"{q3}-row_fields-1-field"] = "partners"  # a field of initiatives, not of events

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "“partners” is not a field of a table of events" in html
    assert questionnaire.questions.get(number="3").row_fields.filter(field="dates").exists()


def test_row_fields_need_a_table(questionnaire):
    question = questionnaire.questions.get(number="1")
    form = RowFieldForm(
        data={"position": "1", "field": "name", "label": "Name"},
        instance=RowField(question=question),
    )
    assert not form.is_valid()
    assert form.errors["field"] == ["Row fields need a table: choose the question's table first."]


def test_a_new_table_question_gets_its_row_fields_in_the_same_save(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    data["questions-TOTAL_FORMS"] = "8"
    new = "questions-7"
    data.update(
        {
            f"{new}-position": "8",
            f"{new}-number": "8",
            f"{new}-prompt": "Resources of 2024?",
            f"{new}-table": "resources",
            f"{new}-number_printed": "on",
            f"{new}-heading_printed": "on",
            f"{new}-parts-TOTAL_FORMS": "0",
            f"{new}-parts-INITIAL_FORMS": "0",
            f"{new}-row_fields-TOTAL_FORMS": "2",
            f"{new}-row_fields-INITIAL_FORMS": "0",
            f"{new}-row_fields-0-position": "1",
            f"{new}-row_fields-0-field": "languages",
            f"{new}-row_fields-0-label": "Languages available",
            f"{new}-row_fields-1-position": "2",
            f"{new}-row_fields-1-field": "name",
            f"{new}-row_fields-1-label": "Title of the resource",
        }
    )

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    worded = question_row_fields(questionnaire.questions.get(number="8"))
    assert [(f.name, f.label) for f in worded if f.listed] == [
        ("languages", "Languages available"),
        ("name", "Title of the resource"),
    ]


def test_a_minimum_above_the_limit_is_refused_in_the_admin(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    q1, q5 = question_prefix(data, "1"), question_prefix(data, "5")
    data[f"{q1}-word_minimum"] = "250"  # its limit is 200
    data[f"{q5}-parts-0-word_minimum"] = "300"  # the part's limit is 200

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("The minimum is above the limit.") == 2
    assert questionnaire.questions.get(number="1").word_minimum is None
    # Both questions with an error are shown unfolded, the others folded.
    assert len(re.findall(r'<details class="question-fields" open>', html)) == 2 + 1  # + template


def test_minimum_and_limit_as_the_form_states_them(questionnaire):
    question = questionnaire.questions.get(number="1")
    form = QuestionForm(
        data={
            "position": 1,
            "number": "1",
            "prompt": "Decisions?",
            "has_narrative": "on",
            "word_minimum": "200",
            "word_limit": "800",
        },
        instance=question,
    )
    assert form.is_valid(), form.errors
    form.save()
    assert question.limit_text() == "(200-800 words)"
    part_form = QuestionPartForm(
        data={"position": 1, "number": "1)", "title": "Food", "word_minimum": 90, "word_limit": 80},
        instance=QuestionPart(question=question),
    )
    assert not part_form.is_valid()
    assert part_form.errors["word_minimum"] == ["The minimum is above the limit."]


def test_forged_row_field_positions_and_counts_are_made_safe():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for index, position in enumerate(["x", "1", "1"]):
        data[f"questions-0-row_fields-{index}-position"] = position
    data["questions-0-row_fields-INITIAL_FORMS"] = "1" + "0" * 21
    data["questions-0-parts-INITIAL_FORMS"] = "1" + "0" * 21

    result = admin_post_made_safe(data)

    positions = [result[f"questions-0-row_fields-{i}-position"] for i in range(3)]
    assert positions == ["3", "1", "2"]
    assert result["questions-0-row_fields-INITIAL_FORMS"] == str(RowFieldInline.max_num)
    assert result["questions-0-parts-INITIAL_FORMS"] == str(QuestionPartInline.max_num)


def test_a_forged_row_field_count_is_refused(admin_client, seeded):
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    data = change_form_data(admin_client, questionnaire)
    q3 = question_prefix(data, "3")
    data[f"{q3}-row_fields-TOTAL_FORMS"] = "99999"

    response = post_change(admin_client, questionnaire, data)

    assert response.status_code == 200
    assert "Please submit at most 20 forms." in response.content.decode()


def test_copying_needs_the_permission_to_add_questionnaires(client, seeded):
    from django.contrib.auth.models import Permission

    editor = get_user_model().objects.create_user("editor", password="pw-2030-editor!")
    editor.is_staff = True
    editor.save()
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_questionnaire", "change_questionnaire"])
    )
    client.force_login(editor)
    response = copy_action(client, Questionnaire.objects.get(slug="desa-2024"))
    assert response.templates[0].name == "admin/change_list.html"  # no page of replacements
    assert "copy_as_next_year" not in response.content.decode()  # not offered either
    assert not Questionnaire.objects.filter(year=2025).exists()
