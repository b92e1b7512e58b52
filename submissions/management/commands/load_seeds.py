from django.conf import settings
from django.core.management.base import BaseCommand

from submissions.seeds import seeds_load


class Command(BaseCommand):
    help = (
        "Load the SDGs, the seed questionnaires, the demo organization IOM and its submissions; "
        "with DJANGO_DEBUG on, also one demo user per role. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        report = seeds_load(demo_users=settings.DEBUG)
        for slug in report.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded questionnaire {slug}"))
        for slug in report.existing:
            self.stdout.write(f"Questionnaire {slug} is already loaded: left as it is")
        if report.logins:
            self.stdout.write("\nDemo logins (development only):")
            for role, username, password in report.logins:
                self.stdout.write(f"  {role:<14} {username:<12} {password}")
