from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from submissions.exports import EXPORTERS, LIST_FORMATS, render_export
from submissions.models import Questionnaire, Submission


class Command(BaseCommand):
    help = (
        "Export an organization's submission to a questionnaire as "
        f"{', '.join(EXPORTERS)}. csv and xlsx hold the table rows of all the "
        "organization's submissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Organization code, e.g. IOM.")
        parser.add_argument(
            "--questionnaire", required=True, help="Questionnaire slug, e.g. desa-2024."
        )
        parser.add_argument("--format", required=True, help=", ".join(EXPORTERS))
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="File to write (default: the export's own name, e.g. IOM-desa-2024.docx).",
        )

    def handle(self, *args, organization: str, questionnaire: str, output, **options):
        fmt = options["format"]
        if fmt not in EXPORTERS:
            raise CommandError(f"Unknown format {fmt!r}: choose one of {', '.join(EXPORTERS)}.")
        org = Organization.objects.filter(code__iexact=organization).first()
        if org is None:
            codes = ", ".join(Organization.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No organization {organization!r} (known: {codes}).")
        form = Questionnaire.objects.filter(slug=questionnaire).first()
        if form is None:
            slugs = ", ".join(Questionnaire.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No questionnaire {questionnaire!r} (known: {slugs}).")
        submission = Submission.objects.filter(organization=org, questionnaire=form).first()
        if submission is None:
            raise CommandError(f"{org.code} has no submission to {form.slug}.")

        filename, _content_type, content = render_export(submission=submission, fmt=fmt)
        path = Path(output or filename)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}") from None
        what = "table rows of all its submissions" if fmt in LIST_FORMATS else "submission"
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {path} ({len(content):,} bytes): {org.code} {what}.")
        )
