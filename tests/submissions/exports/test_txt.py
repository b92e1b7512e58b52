"""Plain text in the 2024 seed layout: labels, SDGs, footer, and a fixed number of queries."""

import pytest

from submissions.exports.txt import TxtExporter
from submissions.models import SDG, Event

from .conftest import add_rows

pytestmark = pytest.mark.django_db


def render(submission) -> str:
    filename, content_type, content = TxtExporter().render(submission)
    assert (filename, content_type) == ("IOM-desa-2024.txt", "text/plain; charset=utf-8")
    return content.decode("utf-8")


def test_txt_is_the_2024_layout(filled_submission):
    event = filled_submission.events.order_by("position").first()
    event.sdgs.set(SDG.objects.all())
    text = render(filled_submission)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "International Organization for Migration (IOM)"
    assert paragraphs[1] == "1. Decisions? (max 200 words)"
    assert paragraphs[2:4] == [
        "The Council adopted the Strategic Plan 2024–2028.",
        "It guides SDG acceleration.",
    ]
    assert (
        "\n\n1) Food systems\n\nMigrants work in agri-food systems.\n\n2) Energy access\n\n" in text
    )
    assert (
        "Event Name\n\nevent 1\n\nEvent Dates\n\n21-22 May 2024\n\n"
        "Event Location (City, Country)\n\nNew York, United States\n\n"
        "Relevant SDGs\n\nAll 17 SDGs\n\n"
        "Description (max 150 words): please include a short summary of the event’s mandate "
        "and contributions to the SDGs, including its main outcome(s)\n\n"
        "A short description.\n\nWebsite (if applicable)\n\nhttps://www.iom.int/\n\n"
    ) in text
    assert "Relevant SDGs (list all relevant goals)\n\n4, 10, 17\n\n" in text
    assert "Partnerships\n\n7. Initiatives? (max 200 words)\n\nWe partner widely." in text
    assert text.endswith("ECESA Plus Member\n\nYear of submission: 2024\n")


def test_txt_leaves_empty_values_empty(filled_submission):
    Event.objects.filter(submission=filled_submission).update(website="", dates="")
    text = render(filled_submission)
    assert "Event Dates\n\nEvent Location (City, Country)" in text
    assert "Website (if applicable)\n\nEvent Name" in text


def test_txt_queries_do_not_grow_with_rows(
    submission, full_questionnaire, sdgs, django_assert_num_queries
):
    """Prevents the N+1 of reading each row's SDGs (and each answer's question and part) one
    query per row: the submission, questions, parts, answers, and rows and SDGs of each of the
    three tables are ten queries for 1 row of each kind as for 50."""
    add_rows(submission, 1)
    with django_assert_num_queries(11):
        TxtExporter().render(submission)
    for related in ("events", "resources", "initiatives"):
        getattr(submission, related).all().delete()
    add_rows(submission, 50)
    with django_assert_num_queries(11):
        text = TxtExporter().render(submission)[2].decode("utf-8")
    assert text.count("Event Name") == 50
