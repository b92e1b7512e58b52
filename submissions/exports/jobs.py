"""Word and PDF exports made off the request: a job per click, a task that makes the file.

Laying out the PDF (WeasyPrint) or writing the Word document takes one to several seconds of
CPU; made inside the request, it held a web worker that long, and a few at once stalled the
site. The export button now makes an ``ExportJob`` and enqueues ``export_job_task`` on the task
backend (django-tasks: in production the database queue that ``manage.py db_worker`` works
through, in tests at once, see ``settings.TASKS``); the job's page follows its progress and
offers the file when it is ready. The quick formats (text, JSON, CSV, XLSX: tens of
milliseconds) stay direct downloads.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks import task

from ..models import ExportJob, ExportJobStatus, Submission
from ..permissions import require
from ..selectors import submissions_visible_to
from . import UnknownFormat, get_exporter
from .base import submission_for_export

logger = logging.getLogger(__name__)

ASYNC_FORMATS = {"docx": gettext_lazy("Word document"), "pdf": gettext_lazy("PDF")}
"""The formats made by the task worker, with their names as the job's page says them."""

STALE_AFTER = timedelta(minutes=15)
"""A job unfinished this long is given up as failed (its worker stopped): the next click retries."""

WORKER_LATE_AFTER = timedelta(seconds=30)
"""A job still waiting this long makes its page say that the worker may not be running."""


class Step:
    """What a running job is doing, for its page (stored as a code, translated when shown)."""

    LOADING = "loading"
    RENDERING = "rendering"


# -- Starting a job (the export button) ------------------------------------------------------


def export_job_start(*, user, submission: Submission, fmt: str) -> ExportJob:
    """The user's job for this document: the one still waiting or running, or a new one enqueued.

    Also removes finished jobs older than ``EXPORT_JOBS_KEEP_HOURS`` (see export_jobs_prune).
    """
    if fmt not in ASYNC_FORMATS:
        raise UnknownFormat(fmt)
    require(user, submission, "export")
    now = timezone.now()
    export_jobs_prune(now=now)
    mine = ExportJob.objects.filter(user=user, submission=submission, format=fmt)
    mine.filter(status__in=ExportJob.UNFINISHED, created_at__lt=now - STALE_AFTER).update(
        status=ExportJobStatus.FAILED,
        step="",
        error=f"Given up: not finished after {STALE_AFTER.total_seconds() // 60:.0f} minutes.",
        finished_at=now,
    )
    pending = mine.filter(status__in=ExportJob.UNFINISHED).defer("content").first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                user=user,
                submission=submission,
                format=fmt,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:
        # A second click at the same moment made it (one unfinished job per user and format).
        return mine.filter(status__in=ExportJob.UNFINISHED).defer("content").get()
    # Outside the transaction above: the immediate backend makes the file right here, and a
    # transaction held for seconds would keep SQLite's write lock. With the database backend
    # a caller's transaction commits the job and its task together, so the worker never meets
    # a task without its job.
    export_job_task.enqueue(job.pk)
    return job


def export_jobs_prune(*, now: datetime | None = None) -> int:
    """Remove finished jobs (and their task results) older than EXPORT_JOBS_KEEP_HOURS."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_JOBS_KEEP_HOURS)
    removed, _counts = ExportJob.objects.filter(
        status__in=(ExportJobStatus.READY, ExportJobStatus.FAILED), finished_at__lt=cutoff
    ).delete()
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.finished().filter(
            task_path=export_job_task.module_path, finished_at__lt=cutoff
        ).delete()
    return removed


# -- Making the file (the task worker) ---------------------------------------------------------


@task()
def export_job_task(job_id: int) -> None:
    """The task the worker runs: make the job's file."""
    export_job_run(job_id=job_id)


def export_job_run(*, job_id: int) -> None:
    """Make a waiting job's file and keep it on the job; a failure is recorded, never raised.

    A job already taken, or removed, is left alone. The document is written in the language
    of the page it was asked from.
    """
    jobs = ExportJob.objects.filter(pk=job_id)
    claimed = jobs.filter(status=ExportJobStatus.PENDING).update(
        status=ExportJobStatus.RUNNING, step=Step.LOADING, started_at=timezone.now()
    )
    if not claimed:
        return
    running = jobs.filter(status=ExportJobStatus.RUNNING)
    job = jobs.only("submission_id", "format", "language").get()
    try:
        with translation.override(job.language):
            exporter = get_exporter(job.format)
            loaded = submission_for_export(job.submission_id, with_review=exporter.with_review)
            running.update(step=Step.RENDERING)
            content = exporter.render_content(loaded)
            filename = exporter.filename(loaded)
    except Exception as error:
        logger.exception(
            "Export %s (%s of submission %s) failed", job_id, job.format, job.submission_id
        )
        running.update(
            status=ExportJobStatus.FAILED,
            step="",
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return
    running.update(
        status=ExportJobStatus.READY,
        step="",
        filename=filename,
        content_type=exporter.content_type,
        content=content,
        size=len(content),
        finished_at=timezone.now(),
    )


# -- Reading a job (its page, its status, its download) ----------------------------------------


def export_job_for(*, user, pk: int, with_content: bool = False) -> ExportJob:
    """The user's own job, of a submission they still see; Http404 otherwise.

    Another person's job, or one of a submission of an organization the user has left, is a
    404 whatever its id, as submissions are.
    """
    jobs = ExportJob.objects.all() if with_content else ExportJob.objects.defer("content")
    job = jobs.filter(pk=pk, user=user).first()
    submission = (
        submissions_visible_to(user=user).filter(pk=job.submission_id).first() if job else None
    )
    if job is None or submission is None:
        raise Http404(_("There is no such export: it was removed, or someone else asked for it."))
    require(user, submission, "export")
    job.submission = submission
    return job


@dataclass
class JobState:
    """What the job's page and its status (polled as JSON) say."""

    status: str
    finished: bool
    message: str
    format_name: str
    download_url: str = ""
    filename: str = ""

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "finished": self.finished,
            "message": self.message,
            "download_url": self.download_url,
            "filename": self.filename,
        }


def export_job_state(job: ExportJob, *, now: datetime | None = None) -> JobState:
    """The job's state in plain words: waiting (behind how many), being made, ready or failed."""
    now = now or timezone.now()
    name = str(ASYNC_FORMATS.get(job.format, job.format))
    status = job.status
    if not job.is_finished and now - job.created_at > STALE_AFTER:
        status = ExportJobStatus.FAILED  # its worker stopped: offer to try again
    state = JobState(
        status=status, finished=status not in ExportJob.UNFINISHED, message="", format_name=name
    )
    if status == ExportJobStatus.PENDING:
        ahead = ExportJob.objects.filter(
            status__in=ExportJob.UNFINISHED, created_at__lt=job.created_at
        ).count()
        if ahead:
            state.message = ngettext(
                "Waiting for its turn, behind %(count)d export asked for before it…",
                "Waiting for its turn, behind %(count)d exports asked for before it…",
                ahead,
            ) % {"count": ahead}
        else:
            state.message = _("Waiting for the export worker to start on it…")
        if now - job.created_at > WORKER_LATE_AFTER:
            state.message += " " + _(
                "This is taking longer than usual. If it does not start within a minute, the "
                "export worker may not be running: tell your administrator."
            )
    elif status == ExportJobStatus.RUNNING:
        if job.step == Step.RENDERING:
            state.message = (
                _("Laying out the pages…") if job.format == "pdf" else _("Writing the document…")
            )
        else:
            state.message = _("Reading the submission…")
    elif status == ExportJobStatus.READY:
        state.message = _("Your %(format)s is ready.") % {"format": name}
        state.download_url = reverse("export_job_download", args=[job.pk])
        state.filename = job.filename
    else:
        state.message = _(
            "The %(format)s could not be made. Nothing in the submission was changed. Try "
            "again; if it fails again, tell your administrator."
        ) % {"format": name}
    return state
