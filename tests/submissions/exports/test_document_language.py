"""The labels a document adds (cover block, status, "Relevant SDGs", DRAFT) follow the
submission's document language, English by default, whoever exports it; the questionnaire's
text and the answers stay as written."""

import io

import docx
import pytest
from django.urls import reverse
from django.utils import translation

from accounts.services import preference_set_language
from submissions.exports import render_export
from submissions.services import ServiceError, submission_set_document_language
from tests.submissions.exports.conftest import add_rows, body_paragraphs

pytestmark = pytest.mark.django_db


def _docx_text(submission) -> list[str]:
    _name, _type, content = render_export(submission=submission, fmt="docx")
    document = docx.Document(io.BytesIO(content))
    text = [p.text for p in body_paragraphs(document)]
    for table in document.tables:
        text += [cell.text for row in table.rows for cell in row.cells]
    text += [p.text for p in document.sections[0].header.paragraphs]
    return text


def test_english_by_default_even_when_the_person_exporting_reads_french(filled_submission):
    add_rows(filled_submission, 1)
    with translation.override("fr"):
        text = _docx_text(filled_submission)
    assert "Status\tDraft" in text
    assert "Relevant SDGs" in text
    assert "Statut\tBrouillon" not in text


def test_french_labels_around_the_questionnaires_own_text(filled_submission):
    add_rows(filled_submission, 1)
    submission_set_document_language(submission=filled_submission, language="fr")
    text = _docx_text(filled_submission)
    assert "Statut\tBrouillon" in text
    assert "Organisation\tInternational Organization for Migration" in text
    assert any(line.startswith("Exporté le\t") for line in text)
    assert "ODD concernés" in text
    assert "[Manquant\u00a0: pas encore de réponse]" in text
    # The questionnaire's text and the answers, as written.
    assert "1. Decisions? (max 200 words)" in text
    assert "The Council adopted the Strategic Plan 2024–2028." in text
    assert "Status\tDraft" not in text and "Relevant SDGs" not in text


def test_the_print_view_follows_the_document_language_not_the_reader(
    filled_submission, client, contributor
):
    preference_set_language(user=contributor, language="fr")
    client.force_login(contributor)
    url = reverse("submission_print", args=[filled_submission.pk])
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page and "<dt>Status</dt>" in page
    submission_set_document_language(submission=filled_submission, language="fr")
    page = client.get(url).content.decode()
    assert '<html lang="fr">' in page and "<dt>Statut</dt>" in page
    assert "Decisions?" in page


def test_only_the_sites_languages_and_only_coordinators(
    filled_submission, client, contributor, coordinator
):
    with pytest.raises(ServiceError):
        submission_set_document_language(submission=filled_submission, language="xx")
    url = reverse("submission_document_language", args=[filled_submission.pk])
    client.force_login(contributor)
    assert client.post(url, {"language": "fr"}).status_code == 403
    client.force_login(coordinator)
    assert client.post(url, {"language": "fr"}).status_code == 302
    filled_submission.refresh_from_db()
    assert filled_submission.document_language == "fr"
