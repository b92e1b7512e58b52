"""Downloads and the print view: behind login, own organization only, named like IOM-desa-2024.docx."""

import pytest
from django.test import override_settings
from django.urls import reverse

from submissions.models import Answer, Questionnaire, Submission, SubmissionStatus

from .conftest import add_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_submission(other_organization, full_questionnaire):
    submission = Submission.objects.create(
        organization=other_organization, questionnaire=full_questionnaire
    )
    add_rows(submission, 1)
    return submission


# The Word document and the PDF are made by the task worker: see test_jobs.py.
@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [
        ("txt", "IOM-desa-2024.txt", "text/plain; charset=utf-8"),
        ("json", "IOM-desa-2024.json", "application/json"),
        ("csv", "IOM-rows-2024.csv", "text/csv; charset=utf-8"),
    ],
)
def test_download_has_its_filename_and_content_type(
    contributor_client, filled_submission, fmt, filename, content_type
):
    response = contributor_client.get(
        reverse("submission_export", args=[filled_submission.pk, fmt])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content


def test_unknown_format_is_a_404(contributor_client, filled_submission):
    url = reverse("submission_export", args=[filled_submission.pk, "exe"])
    assert contributor_client.get(url).status_code == 404
    assert contributor_client.get(reverse("rows_export", args=["docx"])).status_code == 404


def test_another_organizations_submission_is_a_404(contributor_client, other_submission):
    assert (
        contributor_client.get(
            reverse("submission_export", args=[other_submission.pk, "json"])
        ).status_code
        == 404
    )
    assert (
        contributor_client.get(reverse("submission_print", args=[other_submission.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("submission_export", lambda s: [s.pk, "docx"]),
        ("submission_print", lambda s: [s.pk]),
        ("rows_export", lambda s: ["csv"]),
    ],
)
def test_anonymous_is_sent_to_login(client, submission, name, args):
    response = client.get(reverse(name, args=args(submission)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_print_view_shows_the_submission_with_its_stylesheet(contributor_client, filled_submission):
    response = contributor_client.get(reverse("submission_print", args=[filled_submission.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "submissions/css/print.css" in html
    assert "DRAFT" in html
    assert '<div class="watermark" aria-hidden="true">DRAFT</div>' in html
    assert '>1. Decisions? <span class="limit-note">(max 200 words)</span></h2>' in html
    assert "Migrants work in agri-food systems." in html
    assert '<th scope="row">Event dates</th>' in html
    assert "Exported on" in html


def test_print_view_keeps_to_the_sites_content_security_policy(
    contributor_client, filled_submission
):
    """No inline script or style (the CSP forbids them): the paper is a class of the body."""
    response = contributor_client.get(reverse("submission_print", args=[filled_submission.pk]))

    html = response.content.decode()
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert '<body class="paper-a4 draft">' in html
    # The page header and footer are the PDF's: a browser would show them inline.
    assert "running-page" not in html and "running-title" not in html
    with override_settings(DOCUMENT_PAGE_SIZE="Letter"):
        response = contributor_client.get(reverse("submission_print", args=[filled_submission.pk]))
    assert '<body class="paper-letter draft">' in response.content.decode()


def test_print_view_marks_what_is_missing_in_a_draft_only(contributor_client, filled_submission):
    """The print view (and so the PDF) of a finalized submission holds no placeholder text."""
    url = reverse("submission_print", args=[filled_submission.pk])
    assert "[Missing: no answer yet]" in contributor_client.get(url).content.decode()

    energy = filled_submission.questionnaire.questions.get(number="5").parts.get(
        title="Energy access"
    )
    Answer.objects.create(
        submission=filled_submission, question=energy.question, part=energy, nothing_to_report=True
    )
    filled_submission.status = SubmissionStatus.FINALIZED
    filled_submission.save()

    html = contributor_client.get(url).content.decode()
    assert "Nothing to report this year." in html
    assert "[Missing" not in html and "No answer yet" not in html


def test_rows_export_holds_only_the_users_organizations_rows(
    contributor_client, filled_submission, other_submission
):
    gbv = Questionnaire.objects.create(kind="gbv", year=2024, slug="gbv-2024", title="GBV")
    Submission.objects.create(organization=filled_submission.organization, questionnaire=gbv)

    response = contributor_client.get(reverse("rows_export", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IOM-rows-2024.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 6
    assert all(line.startswith("IOM,") for line in lines[1:])


def test_rows_export_as_xlsx(contributor_client, filled_submission):
    response = contributor_client.get(reverse("rows_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IOM-rows-2024.xlsx"'
    assert response.content.startswith(b"PK")
