"""Back up every submission of every organization as its lossless JSON export.

    python manage.py backup                      # into ./backups/<UTC date and time>/
    python manage.py backup --output-dir /srv/backups

One folder per run, named by the UTC date and time (``2025-03-01T020000Z``), holding one
``<ORGANIZATION>-<questionnaire>.json`` per submission (the JSON export, which
``restore_submission`` reads), ``accounts.json`` (users, organizations, memberships, provider identities, invitations,
the organizations' timelines and people's languages, for
``loaddata`` into an empty database, so that logins and editors come back) and
``manifest.json`` (what was written, with sizes and SHA-256 sums). The folder is written
under a temporary name and renamed when complete: a folder with a date is a whole backup.
On PostgreSQL every file is read in one read-only, repeatable-read transaction: the backup
is one consistent moment even while people keep writing.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from submissions.exports import render_export
from submissions.models import Submission

ACCOUNTS_FILE = "accounts.json"
MANIFEST_FILE = "manifest.json"
# Everything about people: without their provider identities a restored deployment would
# give everyone a new, empty account at their next sign-in.
ACCOUNT_MODELS = [
    "auth.group",
    "auth.user",
    "accounts.organization",
    "accounts.membership",
    "accounts.formermembership",
    "accounts.identity",
    "accounts.invitation",
    "accounts.organizationevent",
    "accounts.preference",
]


class Command(BaseCommand):
    help = (
        "Write every submission of every organization as its JSON export (restore_submission "
        "reads it), with the accounts, into a new folder named by the date and time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path(os.environ.get("DJANGO_BACKUP_DIR") or settings.BASE_DIR / "backups"),
            help="Folder that receives the dated backup folders "
            "(default: $DJANGO_BACKUP_DIR, else backups/ in the project).",
        )

    def handle(self, *args, output_dir: Path, **options):
        started = timezone.now()
        name = started.strftime("%Y-%m-%dT%H%M%SZ")
        final = output_dir / name
        partial = output_dir / f".{name}.partial"
        if final.exists():
            raise CommandError(f"{final} exists already: wait a second and run again.")
        try:
            partial.mkdir(parents=True, mode=0o700)  # accounts.json holds password hashes
        except OSError as error:
            raise CommandError(f"Cannot create {partial}: {error.strerror or error}") from None
        try:
            files = self._write(partial)
            manifest = {
                "format": "yearly-submission-backup",
                "format_version": 1,
                "started_at": started.isoformat(),
                "finished_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "files": files,
            }
            (partial / MANIFEST_FILE).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            partial.rename(final)
        except BaseException as error:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(error, OSError):
                raise CommandError(f"Cannot write the backup: {error.strerror or error}") from None
            raise
        submissions = sum(1 for f in files if f["kind"] == "submission")
        size = sum(f["bytes"] for f in files)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {submissions} submissions and the accounts to {final} ({size:,} bytes)."
            )
        )

    def _write(self, folder: Path) -> list[dict]:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                # One snapshot for every file; must be the transaction's first statement.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            files = []
            submissions = Submission.objects.select_related(
                "organization", "questionnaire"
            ).order_by("organization__code", "questionnaire__slug")
            for submission in submissions:
                filename, _content_type, content = render_export(submission=submission, fmt="json")
                path = folder / filename
                if path.exists():  # "A-B" + "c" and "A" + "B-c" make the same name
                    path = path.with_stem(f"{path.stem}-{submission.pk}")
                files.append(
                    _record(
                        path,
                        content,
                        kind="submission",
                        organization=submission.organization.code,
                        questionnaire=submission.questionnaire.slug,
                    )
                )
            accounts = folder / ACCOUNTS_FILE
            call_command(
                "dumpdata",
                *ACCOUNT_MODELS,
                natural_foreign=True,
                natural_primary=True,
                indent=2,
                output=str(accounts),
                verbosity=0,
            )
            files.append(_record(accounts, None, kind="accounts"))
        return files


def _record(path: Path, content: bytes | None, **about) -> dict:
    """Write content (unless already written) and describe the file for the manifest."""
    if content is not None:
        path.write_bytes(content)
    data = path.read_bytes()
    return {
        "file": path.name,
        **about,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
