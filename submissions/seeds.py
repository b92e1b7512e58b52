"""Loading the seed questionnaires, the demo organization and the demo users."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Membership, Organization, Role

from .changes import submission_is_empty
from .importers import submission_import
from .models import Questionnaire, Submission
from .services import ServiceError, questionnaire_create_from_definition, sdg_ensure_all

logger = logging.getLogger(__name__)

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
QUESTIONNAIRES_DIR = SEEDS_DIR / "questionnaires"

DEMO_ORGANIZATION = {"code": "IOM", "name": "International Organization for Migration"}

# Development only (load_seeds creates them only with DJANGO_DEBUG on).
DEMO_USERS = (
    ("contributor", Role.CONTRIBUTOR, "demo-contributor-2030"),
    ("reviewer", Role.REVIEWER, "demo-reviewer-2030"),
    ("coordinator", Role.COORDINATOR, "demo-coordinator-2030"),
)
DEMO_ADMIN = ("admin", "demo-admin-2030")


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def questionnaire_definitions() -> list[dict]:
    """The transcribed questionnaires in seeds/questionnaires/, oldest first."""
    definitions = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(QUESTIONNAIRES_DIR.glob("*.json"))
    ]
    return sorted(definitions, key=lambda d: (d["year"], d["kind"]))


@transaction.atomic
def seeds_load(*, demo_users: bool) -> SeedReport:
    """Load SDGs, the seed questionnaires, IOM and its submissions; idempotent.

    A questionnaire that exists already (by slug) is left as it is: administrators may have
    edited it, and loading the seeds again must change nothing.
    """
    report = SeedReport()
    sdg_ensure_all()
    organization, _ = Organization.objects.get_or_create(
        code=DEMO_ORGANIZATION["code"], defaults={"name": DEMO_ORGANIZATION["name"]}
    )
    for definition in questionnaire_definitions():
        questionnaire = Questionnaire.objects.filter(slug=definition["slug"]).first()
        if questionnaire is None:
            questionnaire = questionnaire_create_from_definition(definition=definition)
            report.created.append(definition["slug"])
        else:
            report.existing.append(definition["slug"])
        submission, _created = Submission.objects.get_or_create(
            organization=organization, questionnaire=questionnaire
        )
        document = SEEDS_DIR / "documents" / questionnaire.source_document
        # Only into an untouched submission: a second run, or a demo user's edits, stay as they are.
        if (
            questionnaire.source_document
            and document.is_file()
            and submission_is_empty(submission=submission)
        ):
            try:
                submission_import(
                    organization=organization,
                    questionnaire=questionnaire,
                    document=document.read_text(encoding="utf-8"),
                )
            except ServiceError as error:
                # An administrator may have edited the questionnaire so that its seed no
                # longer fits: the questionnaires still load, the submission stays empty.
                logger.warning("Seed document %s not imported: %s", document.name, error)
    if demo_users:
        report.logins = _demo_users_ensure(organization=organization)
    return report


def _demo_users_ensure(*, organization: Organization) -> list[tuple[str, str, str]]:
    User = get_user_model()
    logins = []
    for username, role, password in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        logins.append((str(role.label), username, password))
    username, password = DEMO_ADMIN
    if not User.objects.filter(username=username).exists():
        User.objects.create_superuser(username, f"{username}@example.org", password)
    logins.append(("Administrator", username, password))
    return logins
