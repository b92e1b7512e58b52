"""Constraints the database keeps whatever code path writes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from submissions.models import SDG, Question, Questionnaire, QuestionPart, Submission
from submissions.services import ServiceError, submission_open

pytestmark = pytest.mark.django_db


def test_second_submission_for_same_organization_and_questionnaire_is_refused(submission):
    with pytest.raises(ServiceError, match="IOM already has a submission for"):
        submission_open(
            organization=submission.organization, questionnaire=submission.questionnaire
        )
    assert Submission.objects.count() == 1


def test_second_submission_is_refused_by_the_database_too(submission):
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            organization=submission.organization, questionnaire=submission.questionnaire
        )


def test_second_submission_fails_validation_with_a_clear_message(submission):
    duplicate = Submission(
        organization=submission.organization, questionnaire=submission.questionnaire
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a submission for this questionnaire" in str(error.value)


def test_same_organization_may_answer_another_questionnaire(submission, questionnaire):
    gbv = Questionnaire.objects.create(kind="gbv", year=2024, slug="gbv-2024", title="GBV 2024")
    opened = submission_open(organization=submission.organization, questionnaire=gbv)
    assert opened.pk != submission.pk


def test_question_numbers_are_unique_within_a_questionnaire(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(questionnaire=questionnaire, number="1", prompt="Again")
    other = Questionnaire.objects.create(kind="desa", year=2023, slug="desa-2023", title="2023")
    Question.objects.create(questionnaire=other, number="1", prompt="Fine elsewhere")


def test_one_questionnaire_per_year_and_kind(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(kind="desa", year=2024, slug="desa-2024-bis", title="Twice")


@pytest.mark.parametrize("number", [0, 18])
def test_sdg_numbers_go_from_1_to_17(number):
    with pytest.raises(IntegrityError), transaction.atomic():
        SDG.objects.create(number=number, title="Not a goal", colour="#000000")


def test_the_17_sdgs_are_loaded_with_their_official_colours():
    sdgs = list(SDG.objects.order_by("number"))
    assert [sdg.number for sdg in sdgs] == list(range(1, 18))
    assert sdgs[0].colour == "#E5243B"
    assert sdgs[16].title == "Partnerships for the Goals"


@pytest.mark.parametrize("field", ["word_limit", "max_rows", "row_description_word_limit"])
def test_limits_must_be_positive(questionnaire, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            questionnaire=questionnaire, number="9", prompt="Zero?", table="events", **{field: 0}
        )


def test_part_word_limit_must_be_positive(questionnaire):
    question = questionnaire.questions.get(number="5")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionPart.objects.create(question=question, title="Zero", word_limit=0)


def test_unknown_table_kind_is_refused(questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(questionnaire=questionnaire, number="9", prompt="?", table="x")


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"max_rows": 3}, "max_rows"),
        ({"row_description_word_limit": 150}, "row_description_word_limit"),
        ({"has_narrative": False, "word_limit": 200}, "word_limit"),
    ],
)
def test_question_rules_explain_what_is_wrong(questionnaire, fields, error_field):
    question = Question(questionnaire=questionnaire, number="9", prompt="?", **fields)
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert error_field in error.value.message_dict
