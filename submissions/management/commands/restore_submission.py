import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from submissions.exports.restore import RestoreError, submission_restore


class Command(BaseCommand):
    help = (
        "Load a submission exported as JSON (export_submission --format json) into this "
        "database, all or nothing; a missing organization or questionnaire is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON file written by export_submission.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the organization's submission to this questionnaire if there is one.",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        try:
            data = json.loads(file.read_bytes().decode("utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(
                f"{file} is not a complete JSON file ({error}); nothing was restored."
            ) from None
        try:
            result = submission_restore(data=data, replace=replace)
        except RestoreError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        for line in result.created:
            self.stdout.write(f"Created {line}")
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        submission = result.submission
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {submission.organization.code} – {submission.questionnaire.slug}: "
                f"{submission.answers.count()} answers, {submission.events.count()} events, "
                f"{submission.resources.count()} resources, "
                f"{submission.initiatives.count()} initiatives."
            )
        )
