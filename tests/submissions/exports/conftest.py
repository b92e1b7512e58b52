"""A submission with something in every shape: narrative, parts, and rows of each table kind."""

import pytest
from django.contrib.auth import get_user_model

from submissions.models import (
    ROW_MODELS,
    SDG,
    Answer,
    Assignment,
    Event,
    Question,
    QuestionReview,
    ReviewComment,
    SubmissionEvent,
    TableKind,
)

ROW_VALUES = {
    TableKind.EVENTS: {"dates": "21-22 May 2024", "location": "New York, United States"},
    TableKind.RESOURCES: {
        "publishing_entities": "IOM",
        "target_audience": "Member States",
        "languages": "English, French",
    },
    TableKind.INITIATIVES: {"partners": "UNDP, ILO", "member_states": "All"},
}


def add_rows(submission, count: int, *, description: str = "A short description.") -> None:
    """count rows of each table kind, each with three SDGs."""
    questions = {q.table: q for q in submission.questionnaire.questions.exclude(table="")}
    sdgs = list(SDG.objects.filter(number__in=[4, 10, 17]))
    for kind, model in ROW_MODELS.items():
        rows = model.objects.bulk_create(
            model(
                submission=submission,
                question=questions[kind],
                position=position,
                name=f"{model._meta.verbose_name} {position}",
                description=description,
                website="https://www.iom.int/",
                **ROW_VALUES[kind],
            )
            for position in range(1, count + 1)
        )
        model.sdgs.through.objects.bulk_create(
            model.sdgs.through(**{f"{model._meta.model_name}_id": row.pk, "sdg": sdg})
            for row in rows
            for sdg in sdgs
        )


@pytest.fixture
def full_questionnaire(questionnaire):
    """The shared questionnaire plus a resources table and a narrative with initiatives."""
    Question.objects.create(
        questionnaire=questionnaire,
        number="6",
        position=4,
        prompt="Resources?",
        has_narrative=False,
        table="resources",
        max_rows=3,
        row_description_word_limit=150,
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=5,
        section="Partnerships",
        prompt="Initiatives?",
        word_limit=200,
        table="initiatives",
        row_description_word_limit=150,
    )
    return questionnaire


@pytest.fixture
def editor(db):
    """The last editor of an answer (no password: hashing one is slow and not needed here)."""
    return get_user_model().objects.create(username="editor")


@pytest.fixture
def filled_submission(submission, full_questionnaire, sdgs, editor):
    """An answered draft: Q1 in two paragraphs, one part of Q5, Q7's narrative, 2 rows a kind."""
    questions = {q.number: q for q in full_questionnaire.questions.prefetch_related("parts")}
    Answer.objects.create(
        submission=submission,
        question=questions["1"],
        text="The Council adopted the Strategic Plan 2024–2028.\n\nIt guides SDG acceleration.",
        updated_by=editor,
        version=3,
    )
    food = questions["5"].parts.get(title="Food systems")
    Answer.objects.create(
        submission=submission,
        question=questions["5"],
        part=food,
        text="Migrants work in agri-food systems.",
    )
    QuestionReview.objects.create(
        submission=submission, question=questions["5"], status="approved", updated_by=editor
    )
    Answer.objects.create(submission=submission, question=questions["7"], text="We partner widely.")
    add_rows(submission, 2)
    Event.objects.filter(submission=submission, position=2).update(carried_from_year=2023)
    return submission


@pytest.fixture
def reviewed_submission(filled_submission, editor):
    """The answered draft under review: comments (a reply, one on a row), assignments, timeline."""
    questions = {q.number: q for q in filled_submission.questionnaire.questions.all()}
    coordinator = get_user_model().objects.create(username="coordinator")
    second_event = filled_submission.events.get(position=2)
    food = questions["5"].parts.get(title="Food systems")
    question = ReviewComment.objects.create(
        submission=filled_submission,
        question=questions["5"],
        part=food,
        author=coordinator,
        text="Which countries?",
    )
    ReviewComment.objects.create(
        submission=filled_submission,
        question=questions["5"],
        part=food,
        parent=question,
        author=editor,
        text="Twelve; listed in the annex.",
        resolved=True,
        resolved_by=coordinator,
        resolved_at="2024-03-02T10:00:00.123456+00:00",
    )
    ReviewComment.objects.create(
        submission=filled_submission,
        question=questions["3"],
        row_id=second_event.pk,
        row_name=second_event.name,
        author=coordinator,
        text="Check the dates.",
    )
    Assignment.objects.create(
        submission=filled_submission,
        question=questions["1"],
        assignee=editor,
        due_date="2024-04-30",
        assigned_by=coordinator,
    )
    Assignment.objects.create(
        submission=filled_submission,
        question=questions["3"],
        row_id=second_event.pk,
        assignee=coordinator,
        assigned_by=editor,
    )
    SubmissionEvent.objects.create(
        submission=filled_submission,
        question=questions["5"],
        kind="question_status",
        from_status="in_review",
        to_status="approved",
        actor=coordinator,
        message="Clear and complete.",
    )
    SubmissionEvent.objects.create(
        submission=filled_submission, kind="import", actor=editor, message="Imported."
    )
    return filled_submission


def body_paragraphs(document) -> list:
    """The document's paragraphs in order, those inside content controls too (python-docx's
    ``document.paragraphs`` skips them, and the export wraps its cover block and chart so)."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body
    found = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            found.append(Paragraph(child, document._body))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            found += [Paragraph(p, document._body) for p in content.iterchildren(qn("w:p"))]
    return found


@pytest.fixture
def seed_submission(request, sdgs, organization):
    """IOM's submission to one seed questionnaire (indirect parameter: its slug)."""
    from submissions.importers import submission_import
    from submissions.services import questionnaire_create_from_definition
    from tests.submissions.importers.conftest import definition, seed_text

    questionnaire = questionnaire_create_from_definition(definition=definition(request.param))
    return submission_import(
        organization=organization,
        questionnaire=questionnaire,
        document=seed_text(request.param),
    ).submission
