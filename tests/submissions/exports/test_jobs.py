"""Word and PDF exports off the request: the button makes a job, its page offers the file.

The test settings run tasks at once (django-tasks' immediate backend); the tests that need a
job to stay waiting use the dummy backend, and one runs the production path: the database
queue and its worker (``db_worker --batch``).
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Membership, Role
from submissions.exports import get_exporter, jobs
from submissions.models import ExportJob, ExportJobStatus, Submission
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export_url(submission, fmt):
    return reverse("submission_export", args=[submission.pk, fmt])


def click_export(client, submission, fmt) -> ExportJob:
    """Press the overview's export button; the job it sent the browser to."""
    response = client.post(export_url(submission, fmt))
    assert response.status_code == 302
    job = ExportJob.objects.get(pk=response["Location"].strip("/").split("/")[-1])
    assert response["Location"] == reverse("export_job", args=[job.pk])
    return job


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [("docx", "IOM-desa-2024.docx", DOCX), ("pdf", "IOM-desa-2024.pdf", "application/pdf")],
)
def test_export_button_makes_a_job_whose_page_offers_the_file(
    contributor_client, filled_submission, fmt, filename, content_type
):
    overview = contributor_client.get(filled_submission.get_absolute_url()).content.decode()
    assert f'<form method="post" action="{export_url(filled_submission, fmt)}">' in overview

    job = click_export(contributor_client, filled_submission, fmt)

    page = contributor_client.get(job.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    download = reverse("export_job_download", args=[job.pk])
    assert f'href="{download}"' in html
    assert filename in html
    assert "is ready." in html
    status = contributor_client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status["status"] == "ready" and status["finished"] is True
    assert status["download_url"] == download and status["filename"] == filename

    response = contributor_client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if fmt == "pdf":
        assert response.content.startswith(b"%PDF")
    else:
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        assert "The Council adopted the Strategic Plan 2024–2028." in text


def test_the_quick_formats_stay_direct_downloads(contributor_client, filled_submission):
    response = contributor_client.get(export_url(filled_submission, "txt"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IOM-desa-2024.txt"'
    assert contributor_client.post(export_url(filled_submission, "json")).status_code == 405
    assert not ExportJob.objects.exists()


def test_a_bookmarked_export_address_shows_the_button(contributor_client, filled_submission):
    """A GET makes nothing (a link prefetched or followed twice starts no work)."""
    response = contributor_client.get(export_url(filled_submission, "pdf"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{export_url(filled_submission, "pdf")}">' in html
    assert "Make the PDF" in html
    assert not ExportJob.objects.exists()


@override_settings(TASKS=DUMMY)
def test_a_second_click_while_the_export_waits_reuses_it(contributor_client, filled_submission):
    first = click_export(contributor_client, filled_submission, "pdf")
    second = click_export(contributor_client, filled_submission, "pdf")
    word = click_export(contributor_client, filled_submission, "docx")

    assert second == first and word != first
    assert ExportJob.objects.filter(status=ExportJobStatus.PENDING).count() == 2
    page = contributor_client.get(first.get_absolute_url()).content.decode()
    # Waiting: the page reloads itself without JavaScript, and polls with it.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "submissions/js/exportjob.js" in page
    assert "Waiting for the export worker to start on it…" in page
    status = contributor_client.get(reverse("export_job_status", args=[word.pk])).json()
    assert status == {
        "status": "pending",
        "finished": False,
        "message": "Waiting for its turn, behind 1 export asked for before it…",
        "download_url": "",
        "filename": "",
    }
    # Not ready yet: the download sends the person back to the job's page.
    response = contributor_client.get(reverse("export_job_download", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()


@override_settings(TASKS=DUMMY)
def test_a_job_waiting_too_long_says_the_worker_may_be_down_then_is_given_up(
    contributor_client, filled_submission
):
    job = click_export(contributor_client, filled_submission, "pdf")
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    status = contributor_client.get(reverse("export_job_status", args=[job.pk])).json()
    assert "the export worker may not be running: tell your administrator" in status["message"]

    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    status = contributor_client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and status["finished"] is True
    assert "Try again" in contributor_client.get(job.get_absolute_url()).content.decode()
    again = click_export(contributor_client, filled_submission, "pdf")

    assert again != job
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED and job.finished_at is not None


def test_a_failing_renderer_says_so_with_a_retry_button_and_no_server_error(
    contributor_client, filled_submission, monkeypatch
):
    exporter = get_exporter("pdf")

    def broken(submission):
        raise RuntimeError("Pango ran out of fonts")

    monkeypatch.setattr(exporter, "render_content", broken)
    job = click_export(contributor_client, filled_submission, "pdf")

    response = contributor_client.get(job.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "The PDF could not be made. Nothing in the submission was changed." in html
    assert "Pango" not in html  # the cause is for the administrator (the job keeps it)
    retry = f'method="post" action="{export_url(filled_submission, "pdf")}"'
    assert retry in html and "Try again" in html
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert job.error == "RuntimeError: Pango ran out of fonts"
    status = contributor_client.get(reverse("export_job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and status["finished"] is True
    download = contributor_client.get(reverse("export_job_download", args=[job.pk]))
    assert download.status_code == 302

    monkeypatch.undo()
    retried = click_export(contributor_client, filled_submission, "pdf")
    assert retried != job
    retried.refresh_from_db()
    assert retried.status == ExportJobStatus.READY


def test_another_persons_or_organizations_job_is_a_404(
    client, contributor_client, filled_submission, organization, other_organization
):
    job = click_export(contributor_client, filled_submission, "pdf")
    colleague = make_member(organization, Role.COORDINATOR, "colleague")
    stranger = make_member(other_organization, Role.COORDINATOR, "stranger")
    pages = [
        job.get_absolute_url(),
        reverse("export_job_status", args=[job.pk]),
        reverse("export_job_download", args=[job.pk]),
    ]
    for person in (colleague, stranger):
        client.force_login(person)
        for url in pages:
            assert client.get(url).status_code == 404, (person, url)
    client.force_login(stranger)
    assert client.post(export_url(filled_submission, "pdf")).status_code == 404
    assert ExportJob.objects.count() == 1


def test_the_download_checks_again_that_the_person_sees_the_submission(
    contributor_client, contributor, filled_submission
):
    job = click_export(contributor_client, filled_submission, "docx")
    download = reverse("export_job_download", args=[job.pk])
    assert contributor_client.get(download).status_code == 200

    Membership.objects.filter(user=contributor).delete()

    assert contributor_client.get(download).status_code == 404
    assert contributor_client.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["export_job", "export_job_status", "export_job_download"])
def test_anonymous_is_sent_to_login(client, contributor, submission, name):
    job = ExportJob.objects.create(user=contributor, submission=submission, format="pdf")
    response = client.get(reverse(name, args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@override_settings(TASKS=DATABASE)
def test_the_database_queue_and_its_worker_make_the_file(
    contributor_client, filled_submission, monkeypatch
):
    """Production's path: the click queues a task in the database; the worker makes the file."""
    from django_tasks_db.management.commands import db_worker

    # The worker closes connections between tasks, as requests do; here that would close the
    # test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    job = click_export(contributor_client, filled_submission, "pdf")
    job.refresh_from_db()
    assert job.status == ExportJobStatus.PENDING
    assert "Waiting for the export worker" in (
        contributor_client.get(job.get_absolute_url()).content.decode()
    )

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    response = contributor_client.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_document_is_written_in_the_language_it_was_asked_in(
    contributor, filled_submission, monkeypatch
):
    seen = []
    exporter = get_exporter("docx")
    monkeypatch.setattr(exporter, "render_content", lambda s: seen.append(get_language()) or b"x")
    job = ExportJob.objects.create(
        user=contributor, submission=filled_submission, format="docx", language="fr"
    )

    jobs.export_job_run(job_id=job.pk)

    assert seen == ["fr"]
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY and bytes(job.content) == b"x"


def test_finished_jobs_past_their_time_are_removed_when_a_new_one_starts(
    contributor, contributor_client, filled_submission, settings
):
    settings.EXPORT_JOBS_KEEP_HOURS = 24
    long_ago = timezone.now() - timedelta(hours=25)
    old = ExportJob.objects.create(
        user=contributor,
        submission=filled_submission,
        format="pdf",
        status=ExportJobStatus.READY,
        finished_at=long_ago,
    )
    recent = ExportJob.objects.create(
        user=contributor,
        submission=filled_submission,
        format="pdf",
        status=ExportJobStatus.FAILED,
        finished_at=timezone.now() - timedelta(hours=23),
    )

    new = click_export(contributor_client, filled_submission, "docx")

    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, new.pk}
    assert not ExportJob.objects.filter(pk=old.pk).exists()


def test_the_status_poll_reads_a_fixed_number_of_rows_whatever_the_files_size(
    contributor_client, contributor, filled_submission, django_assert_num_queries
):
    """Polled every second and a half: the session, the user, the job without its file, the
    submission with the person's role, and the count of jobs before it."""
    other = Submission.objects.get(pk=filled_submission.pk)
    small = ExportJob.objects.create(user=contributor, submission=other, format="pdf")
    large = ExportJob.objects.create(
        user=contributor,
        submission=other,
        format="docx",
        status=ExportJobStatus.READY,
        content=b"x" * 5_000_000,
    )
    for job, queries in ((small, 5), (large, 4)):
        with django_assert_num_queries(queries):
            contributor_client.get(reverse("export_job_status", args=[job.pk]))


def test_the_administrator_sees_why_an_export_failed(admin_client, contributor, submission):
    job = ExportJob.objects.create(
        user=contributor,
        submission=submission,
        format="pdf",
        status=ExportJobStatus.FAILED,
        error="RuntimeError: Pango ran out of fonts",
        content=b"%PDF" * 1000,
    )

    listing = admin_client.get(reverse("admin:submissions_exportjob_changelist"))
    page = admin_client.get(reverse("admin:submissions_exportjob_change", args=[job.pk]))

    assert listing.status_code == 200 and "contributor" in listing.content.decode()
    assert page.status_code == 200
    assert "RuntimeError: Pango ran out of fonts" in page.content.decode()
