"""The same figures on every page: a question's words against its limit, its status, and the
counts of questions in review and approved, on the overview, the editing page's table of
contents, the completeness page, the dashboard and the review page, for one submission (the
seeded 2024 one). All of them read ``submissions_progress``."""

import html as html_module
import re

import pytest
from django.urls import reverse

from accounts.models import Organization, Role
from submissions.models import QuestionPart, QuestionReview, ReviewStatus, Submission
from submissions.seeds import seeds_load
from submissions.services import questionnaire_structure_changed
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NUMBERS = ["1", "2", "3", "4", "5", "6", "7"]
WORDS_BADGE = re.compile(r'<span class="badge rounded-pill[^"]*">(\d+(?: / \d+)? words?)</span>')


@pytest.fixture
def seeded(client):
    """IOM's 2024 submission from the seeds, and its coordinator logged in."""
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    client.force_login(make_member(iom, Role.COORDINATOR, "focal"))
    return Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")


def text(fragment: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(html: str, tag: str, attribute: str, value: str) -> str:
    """The inside of the first <tag attribute="value"> of the page (not nested in its like)."""
    match = re.search(rf'<{tag}\b[^>]*\b{attribute}="{value}"[^>]*>(.*?)</{tag}>', html, re.S)
    assert match, f"no <{tag} {attribute}={value!r}>"
    return match.group(1)


def words_shown(fragment: str) -> str | None:
    """The words badge of a fragment ("100 / 200 words"), or None when it has none."""
    found = WORDS_BADGE.findall(fragment)
    assert len(found) <= 1, found
    return found[0] if found else None


def overview(client, submission) -> str:
    return client.get(reverse("submission_detail", args=[submission.pk])).content.decode()


def completeness(client, submission) -> str:
    return client.get(reverse("completeness", args=[submission.pk])).content.decode()


def edit_page(client, submission, number="1") -> str:
    return client.get(reverse("question_edit", args=[submission.pk, number])).content.decode()


def question_words(client, submission) -> dict[str, dict[str, str | None]]:
    """Each question's words badge, page by page."""
    detail = overview(client, submission)
    toc = element(edit_page(client, submission), "nav", "class", "toc")
    report = completeness(client, submission)

    def cell(page: str, number: str) -> str:
        return element(element(page, "tr", "data-question", number), "td", "data-col", "words")

    return {
        "overview": {n: words_shown(cell(detail, n)) for n in NUMBERS},
        "toc": {n: words_shown(element(toc, "li", "data-question", n)) for n in NUMBERS},
        "completeness": {n: words_shown(cell(report, n)) for n in NUMBERS},
    }


def part_words(client, submission, number: str) -> dict[str, list[str]]:
    """(part, words badge) of a question's parts on the overview and the completeness page."""
    detail, report = overview(client, submission), completeness(client, submission)
    return {
        "overview": [
            text(match)
            for match in re.findall(rf'data-part-of="{number}">(.*?)</div>', detail, re.S)
        ],
        "completeness": [
            text(match)
            for match in re.findall(rf'<tr[^>]*data-part-of="{number}">(.*?)</tr>', report, re.S)
        ],
    }


AS_SEEDED = {
    "1": "196 / 200 words",
    "2": "100 / 200 words",
    "3": None,  # a table only
    "4": None,
    "5": "97 words",  # its own box has no limit; its six parts count apart
    "6": "187 / 200 words",
    "7": "0 / 200 words",
}


def test_every_page_shows_a_questions_words_against_its_own_limit(client, seeded):
    shown = question_words(client, seeded)
    assert shown["overview"] == AS_SEEDED
    assert shown["toc"] == shown["overview"]
    assert shown["completeness"] == shown["overview"]


def test_a_part_added_to_a_question_counts_apart_on_every_page(client, seeded):
    """Question 2 with a part of 100 words: the completeness page said "100 / 300" where the
    overview and the table of contents said "100 / 200 words"."""
    question = seeded.questionnaire.questions.get(number="2")
    QuestionPart.objects.create(question=question, position=1, title="Examples", word_limit=100)
    questionnaire_structure_changed(questionnaire=seeded.questionnaire)  # as the admin does

    shown = question_words(client, seeded)
    assert shown["overview"]["2"] == "100 / 200 words"
    assert shown["toc"]["2"] == "100 / 200 words"
    assert shown["completeness"]["2"] == "100 / 200 words"
    parts = part_words(client, seeded, "2")
    assert parts["overview"] == ["Examples 0 / 100 words"]
    assert [line.replace(" —", "") for line in parts["completeness"]] == [
        "Examples 0 / 100 words 0%"
    ]


def test_parts_have_the_same_figures_on_the_overview_and_the_completeness_page(client, seeded):
    parts = part_words(client, seeded, "5")
    figures = [re.search(r"\d+ / \d+ words", line).group(0) for line in parts["overview"]]
    assert figures == [
        "189 / 200 words",
        "190 / 200 words",
        "200 / 200 words",
        "199 / 200 words",
        "195 / 200 words",
        "198 / 200 words",
    ]
    assert [re.search(r"\d+ / \d+ words", line).group(0) for line in parts["completeness"]] == (
        figures
    )


def statuses(client, submission) -> dict[str, dict[str, str]]:
    """Each question's status badge, page by page."""
    detail = overview(client, submission)
    toc = element(edit_page(client, submission), "nav", "class", "toc")
    report = completeness(client, submission)

    def status(fragment: str) -> str:
        return text(re.search(r'<span class="badge rounded-pill[^"]*">([^<]+)</span>', fragment)[1])

    return {
        "overview": {
            n: status(
                element(element(detail, "tr", "data-question", n), "td", "data-col", "status")
            )
            for n in NUMBERS
        },
        "toc": {n: status(element(toc, "li", "data-question", n)) for n in NUMBERS},
        "completeness": {
            n: status(
                element(element(report, "tr", "data-question", n), "td", "data-col", "status")
            )
            for n in NUMBERS
        },
    }


def summary(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-summary="(\w+)">([^<]+)<', html))


def review_everything(submission, status_of: dict[str, str]):
    for question in submission.questionnaire.questions.all():
        if question.number in status_of:
            QuestionReview.objects.create(
                submission=submission, question=question, status=status_of[question.number]
            )


def test_all_seven_approved_reads_as_seven_approved_everywhere(client, seeded):
    """The tile "In review / approved 0 / 7" read as none approved, when all seven were."""
    review_everything(seeded, dict.fromkeys(NUMBERS, ReviewStatus.APPROVED))

    tiles = summary(completeness(client, seeded))
    assert (tiles["in_review"], tiles["approved"]) == ("0", "7 / 7")
    assert "0 awaiting review · 7 approved" in client.get(reverse("home")).content.decode()
    review = client.get(reverse("review_page", args=[seeded.pk])).content.decode()
    assert "7 of 7 questions approved" in review
    shown = statuses(client, seeded)
    assert set(shown["overview"].values()) == {"Approved"}
    assert shown["toc"] == shown["completeness"] == shown["overview"]


def test_in_review_and_approved_counts_agree_across_pages(client, seeded):
    review_everything(
        seeded,
        {
            "1": ReviewStatus.IN_REVIEW,
            "2": ReviewStatus.IN_REVIEW,
            "3": ReviewStatus.APPROVED,
            "4": ReviewStatus.APPROVED,
            "5": ReviewStatus.APPROVED,
            "6": ReviewStatus.CHANGES_REQUESTED,
        },
    )
    tiles = summary(completeness(client, seeded))
    assert (tiles["answered"], tiles["in_review"], tiles["approved"]) == ("7 / 7", "2", "3 / 7")
    assert "2 awaiting review · 3 approved" in client.get(reverse("home")).content.decode()
    review = client.get(reverse("review_page", args=[seeded.pk])).content.decode()
    assert "3 of 7 questions approved" in review
    shown = statuses(client, seeded)
    assert shown["overview"] == {
        "1": "In review",
        "2": "In review",
        "3": "Approved",
        "4": "Approved",
        "5": "Approved",
        "6": "Changes requested",
        "7": "Draft",  # its table has rows
    }
    assert shown["toc"] == shown["completeness"] == shown["overview"]
