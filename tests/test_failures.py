"""Failures: the database going away during a save, an import killed half way, a truncated restore.

The database "goes away" through a wrapper on the connection that fails the chosen statements
with OperationalError, as psycopg does when the server closes the connection. What the person
sees in the browser meanwhile is tested in tests/browser/test_database_away.py.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import Client

from accounts.models import Organization
from submissions.exports import render_export
from submissions.importers import submission_import
from submissions.models import ROW_MODELS, SDG, Answer, Event, Questionnaire, Submission, TableRow
from submissions.services import questionnaire_create_from_definition
from tests.conftest import make_member

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
JSON = {"HTTP_ACCEPT": "application/json"}
GONE = "server closed the connection unexpectedly"


@contextmanager
def database_away(pattern: str):
    """Statements matching pattern fail as if the server had gone, in this thread."""

    def wrapper(execute, sql, params, many, context):
        if re.search(pattern, sql, re.IGNORECASE):
            raise OperationalError(GONE)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@pytest.fixture
def answer_lost(monkeypatch):
    """The save commits, then the database goes away before the answer is written back."""
    from submissions.views import authoring

    def json_payload(*args, **kwargs):
        raise OperationalError(GONE)

    monkeypatch.setattr(authoring, "_json_payload", json_payload)
    return monkeypatch


# SQLite adds goals with INSERT OR IGNORE, PostgreSQL with INSERT ... ON CONFLICT DO NOTHING.
EVENT_GOALS_INSERT = r'^INSERT (OR IGNORE )?INTO "submissions_event_sdgs"'


@pytest.fixture
def editor(organization):
    client = Client(raise_request_exception=False)
    client.force_login(make_member(organization, "contributor", "editor"))
    return client


def edit_url(submission, number) -> str:
    return f"/submissions/{submission.pk}/questions/{number}/"


def row_results(response) -> list[dict]:
    """The table's results of a save (the question's own answer reports beside them)."""
    return [r for r in response.json()["results"] if r["key"].startswith("rows")]


def row_post(index_data: dict, *, autosave: bool = True) -> dict:
    data = {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0"}
    data.update({f"rows-0-{name}": value for name, value in index_data.items()})
    if autosave:
        data["autosave"] = "1"
    return data


def event_values(row: Event) -> tuple:
    return (row.name, row.description, row.version, sorted(s.number for s in row.sdgs.all()))


# --- The database going away during a save -----------------------------------------------------


@pytest.mark.django_db
def test_database_gone_during_an_answer_save_changes_nothing_and_the_retry_saves(
    editor, submission
):
    question = submission.questionnaire.questions.get(number="1")
    Answer.objects.create(submission=submission, question=question, text="Before", version=1)
    post = {"autosave": "1", "answer-main-text": "After", "answer-main-version": "1"}

    with database_away(r'^UPDATE "submissions_answer"'):
        response = editor.post(edit_url(submission, "1"), post, **JSON)

    # "Try again": the page shows the message, keeps the text in the browser and retries
    # (tests/browser/test_database_away.py).
    assert response.status_code == 503
    assert "database cannot be reached" in response.json()["error"]
    answer = Answer.objects.get()
    assert (answer.text, answer.version) == ("Before", 1)

    retry = editor.post(edit_url(submission, "1"), post, **JSON)
    (result,) = retry.json()["results"]
    assert (result["status"], result["version"]) == ("saved", 2)
    assert Answer.objects.get().text == "After"


@pytest.mark.django_db
def test_a_lost_answer_response_then_the_retry_does_not_write_twice(
    editor, submission, answer_lost
):
    """Saved, then the database went away before the answer left: the retry is 'unchanged'."""
    post = {"autosave": "1", "answer-main-text": "Written once", "answer-main-version": "0"}

    response = editor.post(edit_url(submission, "1"), post, **JSON)
    assert response.status_code == 503
    assert Answer.objects.get().version == 1
    answer_lost.undo()

    (result,) = editor.post(edit_url(submission, "1"), post, **JSON).json()["results"]
    assert (result["status"], result["version"]) == ("unchanged", 1)
    assert list(Answer.objects.values_list("text", "version")) == [("Written once", 1)]


@pytest.mark.django_db
def test_database_gone_while_writing_a_rows_goals_leaves_the_row_as_it_was(
    editor, submission, sdgs
):
    question = submission.questionnaire.questions.get(number="3")
    row = Event.objects.create(submission=submission, question=question, name="Before")
    row.sdgs.set([1, 2])
    before = event_values(row)
    post = row_post(
        {"id": row.pk, "version": 1, "position": 0, "name": "After", "sdgs": ["3", "4"]}
    )

    # The row's UPDATE and the DELETE of its old goals succeed; adding the new goals fails.
    with database_away(EVENT_GOALS_INSERT):
        response = editor.post(edit_url(submission, "3"), post, **JSON)

    assert response.status_code == 503
    row.refresh_from_db()
    assert event_values(row) == before  # all of the row's save, or none of it


@pytest.mark.django_db
def test_database_gone_while_adding_a_row_adds_nothing(editor, submission, sdgs):
    post = row_post({"id": "", "version": 0, "position": 0, "name": "New", "sdgs": ["5"]})

    with database_away(EVENT_GOALS_INSERT):
        response = editor.post(edit_url(submission, "3"), post, **JSON)

    assert response.status_code == 503
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_lost_add_row_response_then_the_retry_adds_one_row(editor, submission, sdgs, answer_lost):
    """The browser keys each row it adds: the retry of a save whose answer was lost finds it."""
    key = "6f1c1d8e-3b9a-4c55-9e1f-0a2b3c4d5e6f"
    post = row_post({"id": "", "version": 0, "position": 0, "name": "Only once", "client_key": key})

    assert editor.post(edit_url(submission, "3"), post, **JSON).status_code == 503
    answer_lost.undo()
    (result,) = row_results(editor.post(edit_url(submission, "3"), post, **JSON))

    row = Event.objects.get()
    assert (result["status"], result["id"], result["version"]) == ("unchanged", row.pk, 1)
    # Typed more before the retry went out: the retry updates the row it had created.
    post["rows-0-name"] = "Only once, renamed"
    (result,) = row_results(editor.post(edit_url(submission, "3"), post, **JSON))
    assert (result["status"], result["id"], result["version"]) == ("saved", row.pk, 2)
    assert list(Event.objects.values_list("name", flat=True)) == ["Only once, renamed"]


@pytest.mark.django_db
def test_rows_added_with_different_keys_are_different_rows(editor, submission, sdgs):
    for key in ["key-one-aaaa", "key-two-bbbb"]:
        post = row_post(
            {"id": "", "version": 0, "position": 0, "name": "Same name", "client_key": key}
        )
        (result,) = row_results(editor.post(edit_url(submission, "3"), post, **JSON))
        assert result["status"] == "saved"
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_a_forged_row_key_is_refused_with_a_message(editor, submission, sdgs):
    post = row_post({"id": "", "version": 0, "position": 0, "name": "X", "client_key": "<script>"})
    (result,) = row_results(editor.post(edit_url(submission, "3"), post, **JSON))
    assert result["status"] == "invalid"
    assert "could not be read" in " ".join(result["errors"])
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_row_position_beyond_the_database_range_is_refused_with_a_message(editor, submission):
    post = row_post({"id": "", "version": 0, "position": str(2**64), "name": "Far away"})

    response = editor.post(edit_url(submission, "3"), post, **JSON)

    assert response.status_code == 200
    (result,) = row_results(response)
    assert result["status"] == "invalid" and result["errors"]


# --- An import killed half way -----------------------------------------------------------------


@pytest.fixture
def seed_2024(organization, sdgs):
    """The real 2024 questionnaire (from its seed definition) and its seed document."""
    definition = json.loads((SEEDS / "questionnaires" / "desa-2024.json").read_text("utf-8"))
    questionnaire = questionnaire_create_from_definition(definition=definition)
    return questionnaire, SEEDS / "documents" / questionnaire.source_document


def _everything() -> tuple:
    return (
        sorted(Submission.objects.values_list("pk", "status")),
        sorted(Answer.objects.values_list("pk", "text", "version")),
        *(sorted(m.objects.values_list("pk", "name", "version")) for m in ROW_MODELS.values()),
    )


class Killed(BaseException):
    """Like SIGTERM or Ctrl-C: not an Exception, so nothing on the way catches it."""


@pytest.fixture
def kill_at_third_row(monkeypatch):
    from django.db.models import Model

    original, count = Model.save, [0]

    def save(self, *args, **kwargs):
        if isinstance(self, TableRow):
            count[0] += 1
            if count[0] == 3:
                raise Killed
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Model, "save", save)
    return count


@pytest.mark.django_db
def test_an_import_stopped_half_way_writes_nothing(seed_2024, organization, kill_at_third_row):
    questionnaire, document = seed_2024
    before = _everything()

    with pytest.raises(Killed):
        submission_import(
            organization=organization,
            questionnaire=questionnaire,
            document=document.read_text("utf-8"),
        )

    assert kill_at_third_row[0] == 3  # the answers and two rows had been written
    assert _everything() == before


@pytest.mark.django_db
def test_a_replacing_import_stopped_half_way_keeps_what_was_there(
    seed_2024, organization, monkeypatch
):
    questionnaire, document = seed_2024
    text = document.read_text("utf-8")
    submission_import(organization=organization, questionnaire=questionnaire, document=text)
    Answer.objects.update(text="Edited since the import.")
    before = _everything()
    from django.db.models import Model

    original = Model.save

    def save(self, *args, **kwargs):
        if isinstance(self, TableRow):
            raise Killed
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Model, "save", save)
    with pytest.raises(Killed):
        submission_import(
            organization=organization, questionnaire=questionnaire, document=text, replace=True
        )

    assert _everything() == before


KILLED_IMPORT = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, {root!r})
    os.environ.update(DATABASE_URL="sqlite:///" + {database!r}, DJANGO_DEBUG="1",
                      DJANGO_SETTINGS_MODULE="config.settings", DJANGO_LOG_LEVEL="WARNING")
    import django
    django.setup()
    from django.core.management import call_command
    from django.db.models import Model
    from accounts.models import Organization
    from submissions.models import TableRow
    from submissions.services import questionnaire_create_from_definition
    call_command("migrate", verbosity=0)
    Organization.objects.create(code="IOM", name="International Organization for Migration")
    definition = json.loads(open({definition!r}, encoding="utf-8").read())
    questionnaire_create_from_definition(definition=definition)
    original, count = Model.save, [0]
    def save(self, *args, **kwargs):
        if isinstance(self, TableRow):
            count[0] += 1
            if count[0] == 3:
                print("HALF WAY", flush=True)
                time.sleep(300)
        return original(self, *args, **kwargs)
    Model.save = save
    call_command("import_submission", {document!r}, "--organization", "IOM",
                 "--questionnaire", "desa-2024")
    print("FINISHED", flush=True)
    """
)


def test_an_import_killed_with_sigkill_writes_nothing(tmp_path):
    """A real kill -9 of `manage.py import_submission`, half way through its writes."""
    database = tmp_path / "killed.sqlite3"
    definition = SEEDS / "questionnaires" / "desa-2024.json"
    document = SEEDS / "documents" / json.loads(definition.read_text("utf-8"))["source_document"]
    script = KILLED_IMPORT.format(
        root=str(ROOT), database=str(database), definition=str(definition), document=str(document)
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == "HALF WAY", line
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "submissions_questionnaire",
                "submissions_submission",
                "submissions_answer",
                "submissions_event",
                "submissions_resource",
                "submissions_initiative",
            )
        }
    # What was there before the import is there; nothing of the import is.
    assert count == {
        "submissions_questionnaire": 1,
        "submissions_submission": 0,
        "submissions_answer": 0,
        "submissions_event": 0,
        "submissions_resource": 0,
        "submissions_initiative": 0,
    }


# --- A JSON restore from a truncated file -----------------------------------------------------


@pytest.fixture
def exported(submission, sdgs, tmp_path):
    """A submission's JSON export written to a file; then the submission, its questionnaire
    and its organization are deleted (the restore has everything to create)."""
    questionnaire = submission.questionnaire
    Answer.objects.create(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        text="Décisions – 移民 🌍 " * 20,
    )
    for position in range(1, 4):
        row = Event.objects.create(
            submission=submission,
            question=questionnaire.questions.get(number="3"),
            position=position,
            name=f"Event {position}",
            description="Described. " * 10,
        )
        row.sdgs.set(SDG.objects.filter(number__in=[3, 5]))
    content = render_export(submission=submission, fmt="json")[2]
    submission.delete()
    questionnaire.delete()
    Organization.objects.all().delete()
    return content


def _nothing_restored() -> bool:
    return not (
        Organization.objects.exists()
        or Questionnaire.objects.exists()
        or Submission.objects.exists()
        or Answer.objects.exists()
        or Event.objects.exists()
    )


@pytest.mark.django_db
def test_a_truncated_backup_file_is_refused_and_writes_nothing(exported, tmp_path):
    cuts = sorted({*range(0, len(exported), max(1, len(exported) // 25)), len(exported) - 3})
    multibyte = exported.index("移".encode()) + 1  # inside a character's UTF-8 bytes
    for cut in [*cuts, multibyte]:
        path = tmp_path / f"cut-{cut}.json"
        path.write_bytes(exported[:cut])

        with pytest.raises(CommandError) as refused:
            call_command("restore_submission", str(path))

        assert "nothing was restored" in str(refused.value).lower(), (cut, str(refused.value))
        assert _nothing_restored(), cut


@pytest.mark.django_db
def test_the_whole_file_restores(exported, tmp_path):
    """The control for the test above: the same file, whole, restores."""
    path = tmp_path / "whole.json"
    path.write_bytes(exported)

    call_command("restore_submission", str(path))

    assert Event.objects.count() == 3 and Answer.objects.count() == 1


@pytest.mark.django_db
def test_a_restore_stopped_at_its_last_table_writes_nothing(exported, tmp_path, monkeypatch):
    from submissions.exports import restore

    original = restore._rows

    def rows(data, kind, *args):
        if kind == "initiatives":  # the last table: everything else is written by now
            raise Killed
        return original(data, kind, *args)

    monkeypatch.setattr(restore, "_rows", rows)
    path = tmp_path / "whole.json"
    path.write_bytes(exported)

    with pytest.raises(Killed):
        call_command("restore_submission", str(path))

    assert _nothing_restored()
