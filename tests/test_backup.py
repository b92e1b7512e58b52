"""`manage.py backup`: every submission as its JSON export, restored whole into an empty database."""

import hashlib
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Membership, Organization, Role
from submissions.exports import render_export
from submissions.models import (
    SDG,
    Answer,
    Event,
    Question,
    Questionnaire,
    QuestionPart,
    Submission,
)

pytestmark = pytest.mark.django_db

FAKE_HASH = "pbkdf2_sha256$1000000$backupsalt$bm90LWEtcmVhbC1oYXNoLWJ1dC1rZXB0LWFzLWl0LWlz"


@pytest.fixture
def two_organizations(organization, other_organization, questionnaire, sdgs):
    """IOM with two submissions (2024 and 2023), UNDP with one; answers, parts, rows, editors."""
    User = get_user_model()
    editor = User.objects.create(username="editor", password=FAKE_HASH, first_name="Éva")
    Membership.objects.create(user=editor, organization=organization, role=Role.CONTRIBUTOR)
    Membership.objects.create(
        user=User.objects.create(username="undp-lead", password=FAKE_HASH),
        organization=other_organization,
        role=Role.COORDINATOR,
    )
    older = Questionnaire.objects.create(
        kind="desa", year=2023, slug="desa-2023", title="UN DESA questionnaire 2023"
    )
    Question.objects.create(questionnaire=older, number="1", position=1, prompt="Anything?")
    food = QuestionPart.objects.get(title="Food systems")
    events = Question.objects.get(questionnaire=questionnaire, number="3")
    for org in (organization, other_organization):
        submission = Submission.objects.create(organization=org, questionnaire=questionnaire)
        Answer.objects.create(
            submission=submission,
            question=Question.objects.get(questionnaire=questionnaire, number="1"),
            text=f"{org.code}: décisions – 移民 🌍\nsecond line ",
            version=4,
            updated_by=editor,
        )
        Answer.objects.create(
            submission=submission, question=food.question, part=food, text="Food", version=2
        )
        for position in (1, 2):
            row = Event.objects.create(
                submission=submission,
                question=events,
                position=position,
                name=f"Event {position}",
                dates="21-22 May 2024",
                description="Described.",
                website="https://www.iom.int/",
                version=3,
                carried_from_year=2023,
                updated_by=editor,
            )
            row.sdgs.set(SDG.objects.filter(number__in=[5, 10, 17]))
    previous = Submission.objects.create(organization=organization, questionnaire=older)
    Answer.objects.create(
        submission=previous, question=older.questions.get(), text="Last year's text."
    )
    return Submission.objects.all()


def _only_backup(root: Path) -> Path:
    folders = list(root.iterdir())
    assert len(folders) == 1, folders
    return folders[0]


def _exports() -> dict[str, bytes]:
    result = {}
    for submission in Submission.objects.all():
        filename, _type, content = render_export(submission=submission, fmt="json")
        result[filename] = content
    return result


def test_backup_writes_every_submission_and_a_manifest(two_organizations, tmp_path):
    call_command("backup", output_dir=tmp_path)

    folder = _only_backup(tmp_path)
    assert folder.name.endswith("Z") and folder.name[:4].isdigit()  # 2025-03-01T020000Z
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    names = sorted(f["file"] for f in manifest["files"])
    assert names == [
        "IOM-desa-2023.json",
        "IOM-desa-2024.json",
        "UNDP-desa-2024.json",
        "accounts.json",
    ]
    for item in manifest["files"]:
        data = (folder / item["file"]).read_bytes()
        assert item["bytes"] == len(data)
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
    # The files are the JSON exports, byte for byte.
    for filename, content in _exports().items():
        assert (folder / filename).read_bytes() == content


def test_a_whole_backup_restores_into_an_empty_database(two_organizations, tmp_path):
    from accounts.models import Identity, OrganizationEvent, Preference

    editor = get_user_model().objects.get(username="editor")
    Identity.objects.create(
        user=editor, issuer="https://login.example.org/t1/v2.0", subject="oid-1"
    )
    Preference.objects.create(user=editor, language="fr")
    OrganizationEvent.objects.create(
        organization=Organization.objects.get(code="IOM"), kind="joined", person=editor
    )
    before = _exports()
    memberships = sorted(
        Membership.objects.values_list("user__username", "organization__code", "role")
    )
    call_command("backup", output_dir=tmp_path)
    folder = _only_backup(tmp_path)

    # An empty database: nothing of the app's data left, only what the migrations load.
    Submission.objects.all().delete()
    Questionnaire.objects.all().delete()
    Organization.objects.all().delete()
    get_user_model().objects.all().delete()

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    call_command("loaddata", str(folder / "accounts.json"), verbosity=0)
    for item in manifest["files"]:
        if item["kind"] == "submission":
            call_command("restore_submission", str(folder / item["file"]))

    assert _exports() == before
    assert (
        sorted(Membership.objects.values_list("user__username", "organization__code", "role"))
        == memberships
    )
    editor = get_user_model().objects.get(username="editor")
    assert (editor.password, editor.first_name) == (FAKE_HASH, "Éva")
    assert Answer.objects.filter(updated_by=editor).count() == 2
    # The same person at their next sign-in with the provider, in their language.
    assert editor.identities.get().subject == "oid-1"
    assert editor.preference.language == "fr"
    assert OrganizationEvent.objects.get().person == editor


def test_restore_submission_brings_one_back_over_later_changes(two_organizations, tmp_path):
    call_command("backup", output_dir=tmp_path)
    folder = _only_backup(tmp_path)
    answer = Answer.objects.get(submission__organization__code="UNDP", part__isnull=True)
    answer.text = "Changed after the backup."
    answer.save()
    Event.objects.filter(submission__organization__code="UNDP").delete()

    call_command("restore_submission", str(folder / "UNDP-desa-2024.json"), "--replace")

    restored = Submission.objects.get(organization__code="UNDP")
    assert (
        render_export(submission=restored, fmt="json")[2]
        == (folder / "UNDP-desa-2024.json").read_bytes()
    )


def test_a_backup_that_fails_half_way_leaves_no_dated_folder(
    two_organizations, tmp_path, monkeypatch
):
    from submissions.management.commands import backup

    calls = []

    def failing_export(*, submission, fmt):
        calls.append(submission.pk)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return render_export(submission=submission, fmt=fmt)

    monkeypatch.setattr(backup, "render_export", failing_export)

    with pytest.raises(CommandError, match="No space left on device"):
        call_command("backup", output_dir=tmp_path)

    assert list(tmp_path.iterdir()) == []  # neither a dated folder nor the partial one


def test_backup_of_an_empty_database_is_still_a_backup(db, tmp_path):
    call_command("backup", output_dir=tmp_path)

    manifest = json.loads((_only_backup(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    assert [f["kind"] for f in manifest["files"]] == ["accounts"]


@pytest.mark.django_db(transaction=True)
def test_backup_reads_one_snapshot_in_its_own_transaction(two_organizations, tmp_path):
    """Outside a test transaction (as in production): on PostgreSQL, repeatable read."""
    call_command("backup", output_dir=tmp_path)

    manifest = json.loads((_only_backup(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 4
