"""manage.py import_submission: summary, dry run, and clear refusals that write nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from submissions.models import Answer, Event, Submission

from .conftest import SEEDS, definition

pytestmark = pytest.mark.django_db

SEED_2024 = SEEDS / "documents" / definition("desa-2024")["source_document"]


def run(path, **options) -> str:
    out = StringIO()
    call_command("import_submission", str(path), stdout=out, **options)
    return out.getvalue()


def test_import_prints_a_summary(organization, desa_2024):
    output = run(SEED_2024, organization="IOM", questionnaire="desa-2024")
    assert "Layout: blank-line" in output
    assert "Answers: 10; rows: 3 events, 3 resources, 10 initiatives" in output
    assert "Warnings: 0" in output and "Unplaced: 0" in output
    assert "Imported" in output
    assert Submission.objects.get(organization=organization).events.count() == 3


def test_dry_run_prints_the_preview_and_writes_nothing(organization, desa_2024):
    output = run(SEED_2024, organization="IOM", questionnaire="desa-2024", dry_run=True)
    assert "answer 5 / Food systems: " in output
    assert "events 3.1: International Dialogue on Migration (IDM) – First Session 2024" in output
    assert "Dry run: nothing was written." in output
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"organization": "XYZ", "questionnaire": "desa-2024"}, "Unknown organization 'XYZ'"),
        (
            {"organization": "IOM", "questionnaire": "desa-1999"},
            "Unknown questionnaire 'desa-1999'",
        ),
    ],
)
def test_unknown_organization_or_questionnaire(organization, desa_2024, options, message):
    with pytest.raises(CommandError, match=message):
        run(SEED_2024, **options)
    assert not Submission.objects.exists()


def test_malformed_file_names_the_line(organization, desa_2024, tmp_path):
    lines = SEED_2024.read_text(encoding="utf-8").splitlines()[:24]  # ends on "Event Dates"
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(path, organization="IOM", questionnaire="desa-2024")
    assert str(error.value) == (
        f"{path}: line 24: expected a value after the label “Event Dates”. Nothing was imported."
    )
    assert not Submission.objects.exists() and not Event.objects.exists()


def test_binary_or_other_encodings_are_refused(organization, desa_2024, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("International Organization for Migration\nIOM’s".encode("cp1252"))
    with pytest.raises(CommandError, match="line 2: the file is not UTF-8 text"):
        run(path, organization="IOM", questionnaire="desa-2024")
    path.write_bytes(b"GIF89a\x00\x00binary")
    with pytest.raises(CommandError, match="line 1: the file is binary"):
        run(path, organization="IOM", questionnaire="desa-2024")
    # A zip file is read as a Word document, whatever its name: this one is none.
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(CommandError, match="damaged or not a Word document"):
        run(path, organization="IOM", questionnaire="desa-2024")


def test_existing_submission_needs_replace(organization, desa_2024):
    run(SEED_2024, organization="IOM", questionnaire="desa-2024")
    answers = list(Answer.objects.values_list("pk", "version"))
    with pytest.raises(CommandError, match="already holds 10 answers and 16 table rows"):
        run(SEED_2024, organization="IOM", questionnaire="desa-2024")
    assert list(Answer.objects.values_list("pk", "version")) == answers

    output = run(SEED_2024, organization="IOM", questionnaire="desa-2024", replace=True)
    assert "Imported" in output
    assert Event.objects.count() == 3
    assert {version for _pk, version in Answer.objects.values_list("pk", "version")} == {2}
