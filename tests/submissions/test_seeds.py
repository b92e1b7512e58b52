"""load_seeds: what the seeds hold, and that running it twice changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command

from accounts.models import Membership, Organization
from submissions.models import Answer, Event, Question, Questionnaire, QuestionPart, Submission
from submissions.seeds import questionnaire_definitions

pytestmark = pytest.mark.django_db

SLUGS = ["desa-2017", "desa-2021", "desa-2023", "desa-2024", "gbv-2024"]


def load_seeds(**kwargs) -> str:
    out = StringIO()
    call_command("load_seeds", stdout=out, **kwargs)
    return out.getvalue()


def snapshot() -> str:
    """Every row load_seeds writes, serialized, to compare two runs."""
    objects = [
        *Organization.objects.all(),
        *Questionnaire.objects.all(),
        *Question.objects.all(),
        *QuestionPart.objects.all(),
        *Submission.objects.all(),
        *Membership.objects.all(),
        *get_user_model().objects.all(),
    ]
    return serializers.serialize("json", objects)


def test_seed_definitions_are_the_five_questionnaires():
    assert sorted(d["slug"] for d in questionnaire_definitions()) == SLUGS


def test_load_seeds_loads_the_questionnaires_and_the_demo_organization():
    load_seeds()
    assert sorted(Questionnaire.objects.values_list("slug", flat=True)) == SLUGS
    iom = Organization.objects.get(code="IOM")
    assert iom.submissions.count() == 5


def test_desa_2024_has_seven_questions_and_six_transitions_of_200_words():
    load_seeds()
    questionnaire = Questionnaire.objects.get(slug="desa-2024")
    assert questionnaire.year == 2024
    assert list(questionnaire.questions.values_list("number", flat=True)) == [
        "1", "2", "3", "4", "5", "6", "7"
    ]  # fmt: skip
    q5 = questionnaire.questions.get(number="5")
    assert q5.parts.count() == 6
    assert set(q5.parts.values_list("word_limit", flat=True)) == {200}
    assert q5.parts.first().title == "Food systems"
    tables = dict(questionnaire.questions.values_list("number", "table"))
    assert tables == {
        "1": "", "2": "", "3": "events", "4": "resources", "5": "", "6": "", "7": "initiatives"
    }  # fmt: skip
    q4 = questionnaire.questions.get(number="4")
    assert q4.max_rows == 3
    assert q4.row_description_word_limit == 150
    assert questionnaire.questions.get(number="1").word_limit == 200


def test_desa_2021_has_ten_priority_areas_as_parts_of_question_5():
    load_seeds()
    q5 = Question.objects.get(questionnaire__slug="desa-2021", number="5")
    titles = list(q5.parts.values_list("title", flat=True))
    assert len(titles) == 10
    assert titles[0].startswith("5.1")
    assert titles[9].startswith("5.10")


def test_desa_2023_and_gbv_2024_shapes():
    load_seeds()
    desa_2023 = Questionnaire.objects.get(slug="desa-2023")
    assert desa_2023.questions.count() == 6
    assert desa_2023.questions.get(number="3").max_rows == 3
    assert Questionnaire.objects.get(slug="gbv-2024").questions.count() == 9


def test_running_load_seeds_twice_changes_nothing(settings):
    settings.DEBUG = True
    load_seeds()
    before = snapshot()
    output = load_seeds()
    assert snapshot() == before
    assert "already loaded" in output


def test_load_seeds_leaves_an_edited_questionnaire_alone():
    load_seeds()
    Question.objects.filter(questionnaire__slug="desa-2024", number="1").update(word_limit=250)
    load_seeds()
    assert Question.objects.get(questionnaire__slug="desa-2024", number="1").word_limit == 250


def test_demo_users_only_in_debug(settings):
    settings.DEBUG = False
    output = load_seeds()
    assert not get_user_model().objects.exists()
    assert "Demo logins" not in output

    settings.DEBUG = True
    output = load_seeds()
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "contributor": "contributor", "reviewer": "reviewer", "coordinator": "coordinator"
    }  # fmt: skip
    assert get_user_model().objects.get(username="admin").is_superuser
    assert "demo-contributor-2030" in output
    client_user = get_user_model().objects.get(username="contributor")
    assert client_user.check_password("demo-contributor-2030")


def test_load_seeds_imports_the_seed_documents_into_iom_submissions():
    load_seeds()
    iom = {
        s.questionnaire.slug: s
        for s in Submission.objects.filter(organization__code="IOM").select_related("questionnaire")
    }
    desa_2024 = iom["desa-2024"]
    events = list(desa_2024.events.prefetch_related("sdgs"))
    assert len(events) >= 3
    # "All 17 SDGs" twice and "All" once: each of them the 17 goals.
    assert [len(event.sdgs.all()) for event in events] == [17, 17, 17]
    assert desa_2024.resources.count() <= 3
    assert desa_2024.initiatives.count() == 10
    assert desa_2024.answers.filter(part__title="Food systems").exists()
    assert iom["desa-2023"].events.count() == 2
    assert iom["desa-2021"].resources.count() == 4
    assert iom["desa-2017"].answers.count() == 14
    assert iom["gbv-2024"].answers.count() == 9


def test_load_seeds_leaves_imported_and_edited_answers_alone():
    load_seeds()
    answer = Answer.objects.filter(submission__questionnaire__slug="desa-2024").first()
    Answer.objects.filter(pk=answer.pk).update(text="Edited in the demo.")
    rows = list(Event.objects.values_list("pk", "name"))
    load_seeds()
    answer.refresh_from_db()
    assert answer.text == "Edited in the demo."
    assert list(Event.objects.values_list("pk", "name")) == rows
