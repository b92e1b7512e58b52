from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from submissions.importers import (
    LAYOUTS,
    ImportResult,
    submission_import,
)
from submissions.models import Questionnaire
from submissions.services import ServiceError


class Command(BaseCommand):
    help = (
        "Import a submission from a plain-text document in one of the seed layouts "
        f"({', '.join(LAYOUTS)}; detected unless --layout says), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="The document: a Word file (.docx) or UTF-8 plain text."
        )
        parser.add_argument("--organization", required=True, help="Organization code, e.g. IOM.")
        parser.add_argument(
            "--questionnaire", required=True, help="Questionnaire slug, e.g. desa-2024."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the answers and rows the submission already holds.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be imported; write nothing."
        )
        parser.add_argument("--layout", choices=list(LAYOUTS), help="Skip layout detection.")

    def handle(self, *args, file: Path, organization: str, questionnaire: str, **options):
        org = Organization.objects.filter(code__iexact=organization).first()
        if org is None:
            codes = ", ".join(Organization.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown organization {organization!r}: expected one of {codes}.")
        form = Questionnaire.objects.filter(slug=questionnaire).first()
        if form is None:
            slugs = ", ".join(Questionnaire.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"Unknown questionnaire {questionnaire!r}: expected one of {slugs}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            result = submission_import(
                organization=org,
                questionnaire=form,
                document=data,
                name=file.name,
                replace=options["replace"],
                layout=options["layout"],
                dry_run=options["dry_run"],
            )
        except ServiceError as error:
            message = str(error).rstrip(".")
            raise CommandError(f"{file}: {message}. Nothing was imported.") from None
        self._summary(result, verbose=options["dry_run"] or options["verbosity"] > 1)
        if result.written:
            self.stdout.write(self.style.SUCCESS(f"Imported {file} into {result.submission}."))
        else:
            self.stdout.write("Dry run: nothing was written.")

    def _summary(self, result: ImportResult, *, verbose: bool) -> None:
        counts = result.row_counts()
        tables = ", ".join(f"{count} {kind}" for kind, count in counts.items()) or "no table rows"
        self.stdout.write(f"Layout: {result.layout} ({result.layout_label})")
        self.stdout.write(f"Answers: {len(result.answers)}; rows: {tables}")
        if verbose:
            for match in result.matches:
                self.stdout.write(
                    f"  {match.where} read as question {match.question}, "
                    f"{match.similarity}% alike: {_quoted(match.text)[2:]}"
                )
            for answer in result.answer_previews():
                where = f"{answer.question} / {answer.part}" if answer.part else answer.question
                limit = f" of {answer.limit}" if answer.limit else ""
                over = "  OVER THE LIMIT" if answer.over else ""
                self.stdout.write(f"  answer {where}: {answer.words} words{limit}{over}")
            for question, rows in result.rows_by_question():
                for item in rows:
                    sdgs = ", ".join(map(str, item.sdgs)) or "-"
                    self.stdout.write(
                        f"  {question.table} {question.number}.{item.row.position}: "
                        f"{item.row.name or '(no name)'} [SDGs {sdgs}]"
                    )
        if result.missing:
            self.stdout.write(
                self.style.WARNING(
                    f"Not in the document: {len(result.missing)} question(s) of the questionnaire"
                )
            )
            for question in result.missing:
                self.stdout.write(
                    self.style.WARNING(f"  {question.number}. {question.prompt[:70]}")
                )
        for notice in result.comments:
            self.stdout.write(f"  {notice}{_quoted(notice.text)}")
        self.stdout.write(f"Warnings: {len(result.warnings)}")
        for notice in result.warnings:
            self.stdout.write(self.style.WARNING(f"  {notice}{_quoted(notice.text)}"))
        self.stdout.write(f"Unplaced: {len(result.unplaced)}")
        for notice in result.unplaced:
            self.stdout.write(self.style.WARNING(f"  {notice}{_quoted(notice.text)}"))


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f": “{text[:77]}…”" if len(text) > 80 else (f": “{text}”" if text else "")
