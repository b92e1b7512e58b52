"""The coordinators' upload page: who may use it, the preview that writes nothing, the confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, Role
from submissions.models import Answer, Event, Submission

from .conftest import seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_2024(organization, desa_2024):
    return Submission.objects.create(organization=organization, questionnaire=desa_2024)


@pytest.fixture
def coordinator_client(client, organization):
    # No password: hashing one is slow and force_login does not need it.
    user = get_user_model().objects.create(username="coordinator")
    Membership.objects.create(user=user, organization=organization, role=Role.COORDINATOR)
    client.force_login(user)
    return client


def upload(client, submission, content: bytes, name="IOM-desa-2024.txt", **data):
    document = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(
        reverse("submission_import", args=[submission.pk]), {"document": document, **data}
    )


def test_anonymous_users_are_sent_to_log_in(client, empty_2024):
    response = client.get(reverse("submission_import", args=[empty_2024.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_contributors_may_not_import(contributor_client, empty_2024):
    url = reverse("submission_import", args=[empty_2024.pk])
    assert contributor_client.get(url).status_code == 403
    confirm = reverse("submission_import_confirm", args=[empty_2024.pk])
    assert contributor_client.post(confirm, {"token": "x"}).status_code == 403


def test_another_organizations_submission_is_a_404(
    coordinator_client, other_organization, desa_2024
):
    other = Submission.objects.create(organization=other_organization, questionnaire=desa_2024)
    assert coordinator_client.get(reverse("submission_import", args=[other.pk])).status_code == 404


def test_upload_page_renders(coordinator_client, empty_2024):
    response = coordinator_client.get(reverse("submission_import", args=[empty_2024.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="document"' in html
    assert "Detect it from the document" in html


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        ("IOM’s answer".encode("cp1252"), "a.txt", "line 1: the file is not UTF-8 text"),
        (b"\x00\x01binary", "a.txt", "the file is binary"),
        (b"x" * (2 * 1024 * 1024 + 1), "a.txt", "the file is larger than 2 MB"),
        # The content decides, not the name: text named .docx is read as text.
        (b"text", "answers.docx", "line 1: expected the questionnaire&#x27;s questions"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "encrypted"),
        (b"Nothing to import", "a.txt", "line 1: expected the questionnaire&#x27;s questions"),
    ],
)
def test_unusable_files_get_a_clear_error(coordinator_client, empty_2024, content, name, error):
    response = upload(coordinator_client, empty_2024, content, name=name)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Answer.objects.exists()


def test_preview_writes_nothing_and_confirm_writes(coordinator_client, empty_2024):
    response = upload(coordinator_client, empty_2024, seed_text("desa-2024").encode("utf-8"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What the import will create" in html
    assert "International Dialogue on Migration (IDM) – First Session 2024" in html
    assert "Food systems" in html
    assert not Answer.objects.exists() and not Event.objects.exists()

    token = response.context["pending"]["token"]
    confirm = reverse("submission_import_confirm", args=[empty_2024.pk])
    response = coordinator_client.post(confirm, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == empty_2024.get_absolute_url()
    assert "Imported 10 answers and 16 table rows." in response.content.decode()
    assert empty_2024.answers.count() == 10 and empty_2024.events.count() == 3
    assert empty_2024.answers.first().updated_by.username == "coordinator"

    # The pending import is used up: confirming again imports nothing twice.
    response = coordinator_client.post(confirm, {"token": token}, follow=True)
    assert "no longer waiting" in response.content.decode()
    assert empty_2024.events.count() == 3


def test_confirm_needs_the_previewed_token(coordinator_client, empty_2024):
    upload(coordinator_client, empty_2024, seed_text("desa-2024").encode("utf-8"))
    confirm = reverse("submission_import_confirm", args=[empty_2024.pk])
    response = coordinator_client.post(confirm, {"token": "forged"})
    assert response.status_code == 302
    assert not Answer.objects.exists()


def test_a_submission_with_answers_needs_replace(coordinator_client, iom_2024):
    text = seed_text("desa-2024").encode("utf-8")
    response = upload(coordinator_client, iom_2024, text)
    assert "already holds 10 answers and 16 table rows" in response.content.decode()
    response = upload(coordinator_client, iom_2024, text, replace="on")
    assert "will be replaced" in response.content.decode()
    token = response.context["pending"]["token"]
    coordinator_client.post(
        reverse("submission_import_confirm", args=[iom_2024.pk]), {"token": token}
    )
    assert set(iom_2024.answers.values_list("version", flat=True)) == {2}


CORPUS = seed_text.__globals__["SEEDS"].parent / "tests" / "data" / "import_variants"


def test_a_word_document_is_previewed_with_its_matches_comments_and_confirmed(
    coordinator_client, empty_2024
):
    """The import page refused .docx ("File extension “docx” is not allowed")."""
    content = (CORPUS / "word_comment.docx").read_bytes()
    response = upload(coordinator_client, empty_2024, content, name="reply.docx")
    html = response.content.decode()
    assert "Questions found" in html
    assert "paragraph" in html and "% alike" in html
    assert "Word comment" in html  # comments are reported, not imported
    assert not Answer.objects.exists()

    token = response.context["pending"]["token"]
    confirm = reverse("submission_import_confirm", args=[empty_2024.pk])
    coordinator_client.post(confirm, {"token": token})
    assert empty_2024.answers.exists() and empty_2024.events.exists()


def test_pasted_text_is_imported_and_what_cannot_be_placed_is_kept_until_dismissed(
    coordinator_client, empty_2024
):
    pasted = (CORPUS / "pasted_from_email.txt").read_text(encoding="utf-8")
    response = coordinator_client.post(
        reverse("submission_import", args=[empty_2024.pk]), {"pasted": pasted}
    )
    html = response.content.decode()
    assert "questions of the questionnaire are not in the document" in html
    assert "could not be placed" in html
    unplaced = [n.text for n in response.context["result"].unplaced]
    assert unplaced

    token = response.context["pending"]["token"]
    confirm = reverse("submission_import_confirm", args=[empty_2024.pk])
    response = coordinator_client.post(confirm, {"token": token, "keep_unplaced": "1"}, follow=True)
    html = response.content.decode()
    assert "texts the import could not place" in html or "text the import could not place" in html
    kept = list(empty_2024.unplaced_texts.order_by("pk"))
    assert [item.text for item in kept] == [text for text in unplaced if text.strip()]
    item = kept[0]
    assert item.where.startswith("line ") and "Following our call" in item.text
    assert item.document == "pasted text"

    response = coordinator_client.post(
        reverse("unplaced_dismiss", args=[empty_2024.pk, item.pk]), follow=True
    )
    item.refresh_from_db()
    assert item.dismissed_at is not None and item.dismissed_by.username == "coordinator"
    assert item.text not in response.content.decode()


def test_not_keeping_the_unplaced_text_is_a_choice(coordinator_client, empty_2024):
    pasted = (CORPUS / "pasted_from_email.txt").read_text(encoding="utf-8")
    response = coordinator_client.post(
        reverse("submission_import", args=[empty_2024.pk]), {"pasted": pasted}
    )
    token = response.context["pending"]["token"]
    coordinator_client.post(
        reverse("submission_import_confirm", args=[empty_2024.pk]), {"token": token}
    )
    assert empty_2024.answers.exists() and not empty_2024.unplaced_texts.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose a Word or text file, or paste the text"),
        ({"pasted": "  "}, "Choose a Word or text file, or paste the text"),
    ],
)
def test_nothing_given_is_a_clear_error(coordinator_client, empty_2024, data, error):
    response = coordinator_client.post(reverse("submission_import", args=[empty_2024.pk]), data)
    assert response.status_code == 200 and error in response.content.decode()


def test_a_file_and_a_pasted_text_at_once_is_refused(coordinator_client, empty_2024):
    response = upload(
        coordinator_client, empty_2024, seed_text("desa-2024").encode(), pasted="More text"
    )
    assert "not both" in response.content.decode()
