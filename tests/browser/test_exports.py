"""Export PDF in a browser: the overview's button, the job's page while the worker makes the
file, then the download, on the 2024 seed, through the database queue as in production."""

import re
import threading
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.models import Organization, Role
from submissions.models import ExportJob, ExportJobStatus, Submission
from submissions.seeds import seeds_load
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_csp import REPORT_VIOLATIONS, csp_messages
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(db):
    """The seeds (live_server's database is flushed after each test) and an IOM contributor."""
    seeds_load(demo_users=False)
    organization = Organization.objects.get(code="IOM")
    return make_member(organization, Role.CONTRIBUTOR, "staff")


def start_worker() -> threading.Thread:
    """django-tasks-db's worker, in a thread, for one task (``manage.py db_worker`` runs the same)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="browser-test",
        excluded_queue_names=[],
    )

    def run():
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_export_pdf_waits_on_its_page_then_downloads(new_page, live_server, seeded, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submission = Submission.objects.get(organization__code="IOM", questionnaire__slug="desa-2024")
    page = new_page(seeded)
    page.context.add_init_script(REPORT_VIOLATIONS)
    messages = []
    page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")

    page.get_by_role("region", name="Download").get_by_role(
        "button", name="PDF", exact=True
    ).click()

    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "PDF of “UN DESA questionnaire on the 2030 Agenda 2024”"
    )
    status = page.locator("#export-job").get_by_role("status")
    expect(status).to_have_text("Waiting for the export worker to start on it…")
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_be_hidden()
    screenshot(page, "export-pdf-waiting")
    assert blocking_violations(page) == []

    with page.expect_download(timeout=90_000) as started:
        worker = start_worker()
    download = started.value
    worker.join(timeout=30)

    assert download.suggested_filename == "IOM-desa-2024.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    expect(status).to_have_text("Your PDF is ready.")
    link = page.get_by_role("link", name="Download IOM-desa-2024.pdf")
    expect(link).to_be_visible()
    expect(link).to_be_focused()
    expect(page.locator(".js-export-spinner")).to_be_hidden()
    screenshot(page, "export-pdf-ready")
    assert ExportJob.objects.get().status == ExportJobStatus.READY
    page.wait_for_load_state("networkidle")
    assert csp_messages(messages) == []
