"""Word counts are stored with the text they count, whichever way it is written, and pages
read them instead of counting again."""

import importlib

import pytest
from django.db.models import F
from django.urls import reverse

from submissions.changes import answer_save, row_save
from submissions.models import Answer, Event
from submissions.wordcount import count_words

pytestmark = pytest.mark.django_db

TEXT = "Migration drives development — in 2024, for 1,000 people."


@pytest.fixture
def events_question(questionnaire):
    return questionnaire.questions.get(number="3")


def test_every_way_of_writing_an_answer_keeps_its_count(submission, questionnaire):
    question = questionnaire.questions.get(number="1")
    answer = Answer.objects.create(submission=submission, question=question, text=TEXT)
    assert answer.words == count_words(TEXT) == 8  # the dash is no word
    answer.refresh_from_db()
    assert answer.words == 8

    Answer.objects.filter(pk=answer.pk).update(text="Three short words")
    answer.refresh_from_db()
    assert answer.words == 3

    answer.text = "Two words"
    answer.save(update_fields=["text"])
    answer.refresh_from_db()
    assert answer.words == 2

    answer.text = "One"
    Answer.objects.bulk_update([answer], ["text"])
    answer.refresh_from_db()
    assert answer.words == 1

    part = questionnaire.questions.get(number="5").parts.first()
    [made] = Answer.objects.bulk_create(
        [Answer(submission=submission, question=part.question, part=part, text=TEXT)]
    )
    assert Answer.objects.get(part=part).words == 8


def test_a_text_written_by_an_expression_is_refused_rather_than_left_uncounted(
    submission, questionnaire
):
    question = questionnaire.questions.get(number="1")
    Answer.objects.create(submission=submission, question=question, text=TEXT)
    with pytest.raises(TypeError):
        Answer.objects.update(text=F("text"))


def test_the_write_gate_stores_the_counts_of_answers_and_row_descriptions(
    submission, questionnaire, contributor, events_question, sdgs
):
    result = answer_save(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        part=None,
        text=TEXT,
        base_version=0,
        user=contributor,
        key="answer-main",
    )
    answer_save(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        part=None,
        text=TEXT + " Two more.",
        base_version=result.version,
        user=contributor,
        key="answer-main",
    )
    assert Answer.objects.get().words == 10
    created = row_save(
        submission=submission,
        question=events_question,
        row_id=None,
        base_version=0,
        values={"name": "Forum", "description": "A forum on migration."},
        sdgs=[10],
        position=0,
        user=contributor,
        key="rows-0",
    )
    assert Event.objects.get().description_words == 4
    row_save(
        submission=submission,
        question=events_question,
        row_id=created.id,
        base_version=created.version,
        values={"name": "Forum", "description": "A regional forum on safe migration."},
        sdgs=[10],
        position=0,
        user=contributor,
        key="rows-0",
    )
    assert Event.objects.get().description_words == 6


def test_the_migration_counts_what_was_written_before_it(
    submission, questionnaire, events_question
):
    from django.apps import apps

    answer = Answer.objects.create(
        submission=submission, question=questionnaire.questions.get(number="1"), text=TEXT
    )
    row = Event.objects.create(
        submission=submission, question=events_question, description="Four words right here."
    )
    # As the data stood before the migration: texts without their counts.
    Answer.objects.filter(pk=answer.pk).update(text=TEXT)
    Answer.objects.all().model._base_manager.filter(pk=answer.pk).update(words=0)
    Event._base_manager.filter(pk=row.pk).update(description_words=0)
    migration = importlib.import_module("submissions.migrations.0012_word_counts")
    migration.fill_word_counts(apps, None)
    assert Answer.objects.get(pk=answer.pk).words == 8
    assert Event.objects.get(pk=row.pk).description_words == 4


def test_pages_read_the_stored_counts_and_count_nothing(
    client, submission, questionnaire, contributor, events_question, monkeypatch
):
    from submissions import wordcount

    answer_save(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        part=None,
        text=" ".join(["word"] * 205),
        base_version=0,
        user=contributor,
        key="answer-main",
    )
    Event.objects.create(
        submission=submission,
        question=events_question,
        name="Forum",
        description=" ".join(["word"] * 151),
    )
    counted = []
    original = wordcount.char_class
    monkeypatch.setattr(wordcount, "char_class", lambda c: counted.append(c) or original(c))
    client.force_login(contributor)
    pages = [
        reverse("home"),
        reverse("submission_detail", args=[submission.pk]),
        reverse("question_edit", args=[submission.pk, "1"]),
        reverse("question_edit", args=[submission.pk, "3"]),
        reverse("my_work"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert counted == [], url
    # ...and what they show is right: both over their limits.
    overview = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert "205 / 200 words" in overview
    edit = client.get(reverse("question_edit", args=[submission.pk, "3"])).content.decode()
    assert "151 / 150 words" in edit
