"""export_submission and restore_submission: files in, files out, clear errors."""

import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization
from submissions.exports import render_export
from submissions.models import Questionnaire, Submission

pytestmark = pytest.mark.django_db


def _export(tmp_path, fmt="json", **options):
    path = tmp_path / f"out.{fmt}"
    call_command(
        "export_submission",
        organization="IOM",
        questionnaire="desa-2024",
        format=fmt,
        output=str(path),
        **options,
    )
    return path


def test_export_writes_the_file(filled_submission, tmp_path, capsys):
    path = _export(tmp_path, "docx")
    assert path.read_bytes().startswith(b"PK")
    assert "Wrote" in capsys.readouterr().out


def test_export_defaults_to_the_exports_own_filename(filled_submission, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export_submission", organization="IOM", questionnaire="desa-2024", format="csv")
    assert (tmp_path / "IOM-rows-2024.csv").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"organization": "WHO"}, "No organization 'WHO' \\(known: IOM\\)"),
        ({"questionnaire": "desa-1999"}, "No questionnaire 'desa-1999' \\(known: desa-2024\\)"),
        ({"format": "odt"}, "Unknown format 'odt': choose one of docx, pdf, txt, json, csv, xlsx"),
    ],
)
def test_export_errors_are_clear(filled_submission, tmp_path, options, message):
    arguments = {"organization": "IOM", "questionnaire": "desa-2024", "format": "json", **options}
    with pytest.raises(CommandError, match=message):
        call_command("export_submission", output=str(tmp_path / "x"), **arguments)


def test_restore_loads_an_export_into_an_empty_database(filled_submission, tmp_path, capsys):
    path = _export(tmp_path)
    filled_submission.delete()
    Questionnaire.objects.all().delete()
    Organization.objects.all().delete()

    call_command("restore_submission", str(path))

    out = capsys.readouterr().out
    assert "Created organization IOM" in out
    assert "Restored IOM – desa-2024: 3 answers, 2 events, 2 resources, 2 initiatives." in out
    restored = Submission.objects.get()
    assert render_export(submission=restored, fmt="json")[2] == path.read_bytes()


def test_restore_needs_replace_to_overwrite(filled_submission, tmp_path):
    path = _export(tmp_path)
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore_submission", str(path))
    call_command("restore_submission", str(path), replace=True)
    assert Submission.objects.count() == 1


def test_a_truncated_file_is_refused_and_nothing_written(filled_submission, tmp_path):
    path = _export(tmp_path)
    filled_submission.delete()
    path.write_bytes(path.read_bytes()[:-200])

    with pytest.raises(CommandError, match="not a complete JSON file.*nothing was restored"):
        call_command("restore_submission", str(path))
    assert not Submission.objects.exists()


def test_a_file_of_another_kind_is_refused(tmp_path, db):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CommandError, match="not a submission exported as JSON"):
        call_command("restore_submission", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore_submission", str(tmp_path / "missing.json"))
