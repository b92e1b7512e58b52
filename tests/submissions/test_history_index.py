"""The version index: history found by submission, question, part and row, not by text search.

Every version recorded gets an index entry in the same transaction; the history pages, the
removed-rows list and the merge base read through it, so what they cost does not grow with
other submissions' and other organizations' history; migration 0012 fills it for versions
recorded before it.
"""

import importlib
import json
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from reversion.models import Version

from accounts.models import Organization, Role
from submissions import changes, history
from submissions.exports import render_export
from submissions.exports.restore import submission_restore
from submissions.models import Answer, Event, Submission, VersionIndex
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
VERSION_TABLES = ("reversion_version", "reversion_revision", VersionIndex._meta.db_table)


# -- Measuring what the queries read --------------------------------------------------------


def _rows_read(plan: dict, into: dict[str, int]) -> None:
    """Rows each version table's scans read, from an ``EXPLAIN (ANALYZE)`` plan node."""
    table = plan.get("Relation Name")
    if table in VERSION_TABLES:
        per_loop = (
            plan.get("Actual Rows", 0)
            + plan.get("Rows Removed by Filter", 0)
            + plan.get("Rows Removed by Index Recheck", 0)
        )
        into[table] = into.get(table, 0) + per_loop * plan.get("Actual Loops", 1)
    for child in plan.get("Plans", []):
        _rows_read(child, into)


@contextmanager
def reading():
    """What the queries run in the block cost: ``{"queries": n, "read": ...}``.

    On PostgreSQL "read" is the rows each version table's scans read, from ``EXPLAIN
    ANALYZE`` of each query that touches them, run again with sequential scans off: with
    this few rows the planner would rightly scan the tables, and what is asked here is
    whether an index can answer the query. On SQLite it is the virtual machine's steps over
    all the block's statements (a table scan takes steps in proportion to the rows it
    passes; an index lookup does not).
    """
    seen: dict = {"queries": 0}
    statements: list[tuple[str, tuple]] = []
    steps = [0]

    def watch(execute, sql, params, many, context):
        seen["queries"] += 1
        if sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in VERSION_TABLES):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    def step() -> int:
        steps[0] += 1
        return 0

    connection.ensure_connection()
    if not POSTGRES:
        connection.connection.set_progress_handler(step, 1)
    try:
        with connection.execute_wrapper(watch):
            yield seen
    finally:
        if not POSTGRES:
            connection.connection.set_progress_handler(None, 1)
    if not POSTGRES:
        seen["read"] = steps[0]
        return
    read: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Statistics of this test's own rows, not whatever an earlier test left behind
        # (the plan then does not depend on the order the tests ran in).
        cursor.execute(f"ANALYZE {', '.join(VERSION_TABLES)}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            _rows_read(plan[0]["Plan"], read)
        cursor.execute("SET LOCAL enable_seqscan = on")
    seen["read"] = read


# -- Data -----------------------------------------------------------------------------------

EVENT = {"name": "IDM 2024", "dates": "21-22 May 2024", "location": "New York", "description": ""}


def save(submission, user, question, text, version, part=None):
    result = changes.answer_save(
        submission=submission,
        question=question,
        part=part,
        text=text,
        base_version=version,
        user=user,
        key="answer",
    )
    assert result.status == changes.SAVED, result
    return result


def add_event(submission, user, question, name, position=0):
    result = changes.row_save(
        submission=submission,
        question=question,
        row_id=None,
        base_version=0,
        values={**EVENT, "name": name},
        sdgs=[10],
        position=position,
        user=user,
        key=f"rows-{position}",
    )
    assert result.status == changes.SAVED, result
    return result.id


def remove_event(submission, user, question, row_id):
    version = Event.objects.get(pk=row_id).version
    result = changes.row_delete(
        submission=submission,
        question=question,
        row_id=row_id,
        base_version=version,
        key="rows-0",
        user=user,
    )
    assert result.status == changes.REMOVED, result


@pytest.fixture
def asked(submission, contributor, sdgs):
    """The asked submission: 3 versions of question 1's answer, one of a part, a removed row."""
    questions = submission.questionnaire.questions
    narrative, events, parts = (questions.get(number=n) for n in ("1", "3", "5"))
    for version, text in enumerate(["First draft.", "Second draft.", "Third draft."]):
        save(submission, contributor, narrative, text, version)
    save(submission, contributor, parts, "Food.", 0, part=parts.parts.first())
    kept = add_event(submission, contributor, events, "Kept", 0)
    gone = add_event(submission, contributor, events, "Gone", 1)
    remove_event(submission, contributor, events, gone)
    return {"narrative": narrative, "events": events, "parts": parts, "kept": kept, "gone": gone}


def others_history(questionnaire, *, rounds=34, prefix="ORG") -> int:
    """Other organizations' history in the same questions (the same question and part ids).

    Five submissions, each with a narrative answer, two parts and two rows, recorded
    ``rounds`` times (510 versions of other answers and 340 of rows at 34), then one row of
    each removed. Returns the number of versions recorded.
    """
    before = Version.objects.count()
    questions = questionnaire.questions
    narrative, events, parts = (questions.get(number=n) for n in ("1", "3", "5"))
    objects = []
    for i in range(5):
        organization = Organization.objects.create(code=f"{prefix}{i}", name=f"{prefix} {i}")
        other = Submission.objects.create(organization=organization, questionnaire=questionnaire)
        objects += [
            Answer.objects.create(submission=other, question=narrative, text="Theirs."),
            *(
                Answer.objects.create(submission=other, question=parts, part=p, text="Theirs.")
                for p in parts.parts.all()
            ),
            *(
                Event.objects.create(submission=other, question=events, name=f"Their {n}")
                for n in range(2)
            ),
        ]
    for number in range(1, rounds + 1):
        for obj in objects:
            type(obj).objects.filter(pk=obj.pk).update(version=number)
        history.record_all(objects, None, history.SAVED)
    doomed = [obj for obj in objects if isinstance(obj, Event) and obj.name == "Their 0"]
    history.record_before_removal(doomed, None)
    Event.objects.filter(pk__in=[row.pk for row in doomed]).delete()
    return Version.objects.count() - before


def history_url(submission, number):
    return reverse("answer_history", kwargs={"pk": submission.pk, "number": number})


def row_url(submission, row_id):
    return reverse("row_history", kwargs={"pk": submission.pk, "table": "events", "row_id": row_id})


# -- Reading does not grow with others' history ---------------------------------------------


def test_history_pages_read_the_same_whatever_other_organizations_history(
    contributor_client, submission, asked
):
    """Prevents the history pages from reading every organization's versions.

    The answer's history, a table question's history (with its removed rows) and a removed
    row's history make as many queries, and read no more, with 850 more versions of other
    submissions' answers and rows in the same questions as with a few. (A few first: where
    the search in an index stops, at its end or at someone else's entry, is a step or two.)
    """
    urls = [
        history_url(submission, "1"),
        history_url(submission, "3"),
        f"{history_url(submission, '5')}?part={asked['parts'].parts.first().pk}",
        row_url(submission, asked["gone"]),
        row_url(submission, asked["kept"]),
    ]

    def measure() -> list[dict]:
        costs = []
        for url in urls:
            assert contributor_client.get(url).status_code == 200  # caches and session warm
            with reading() as cost:
                assert contributor_client.get(url).status_code == 200
            costs.append(cost)
        return costs

    others_history(submission.questionnaire, rounds=1, prefix="FEW")
    few = measure()
    assert others_history(submission.questionnaire) == 34 * 25 + 5
    many = measure()
    for url, before, after in zip(urls, few, many, strict=True):
        assert after["queries"] == before["queries"], url
        # No more read from any table. (Fewer can be: with a few rows, PostgreSQL may walk a
        # whole small index where it later takes the narrower one.)
        if POSTGRES:
            grown = {t: n for t, n in after["read"].items() if n > before["read"].get(t, 0)}
            assert not grown, (url, before, after)
        else:
            assert after["read"] <= before["read"], (url, before, after)


def test_an_answers_versions_are_read_alone_among_others(submission, asked):
    """The 3 versions of the asked answer are the only versions its history reads."""
    others_history(submission.questionnaire)
    question = asked["narrative"]

    with reading() as cost:
        versions = history.answer_versions(submission=submission, question=question, part=None)

    assert [v.text for v in versions] == ["Third draft.", "Second draft.", "First draft."]
    assert cost["queries"] == 2  # the answer, its versions with their revisions and users
    if POSTGRES:
        assert cost["read"]["reversion_version"] == 3
        assert cost["read"][VersionIndex._meta.db_table] == 3


def test_removed_rows_and_merge_bases_read_the_same_whatever_others_history(
    submission, contributor, asked
):
    events = asked["events"]
    answer = Answer.objects.get(submission=submission, question=asked["narrative"], part=None)
    row = Event.objects.get(pk=asked["kept"])

    def measure():
        with reading() as removed:
            gone = history.rows_removed(submission=submission, question=events)
        with reading() as answer_base:
            base = history.answer_at(answer, 2)
        with reading() as row_base:
            row_values = history.row_at(row, 1)
        return (gone, base, row_values), (removed, answer_base, row_base)

    others_history(submission.questionnaire, rounds=1, prefix="FEW")
    results, few = measure()
    others_history(submission.questionnaire)
    again, many = measure()

    assert [r.id for r in results[0]] == [r.id for r in again[0]] == [asked["gone"]]
    assert results[1] == again[1] == ("Second draft.", False)
    assert results[2]["name"] == again[2]["name"] == "Kept"
    assert many == few
    assert [cost["queries"] for cost in many] == [1, 1, 1]
    if POSTGRES:  # the removed row's last version; the version each merge starts from
        assert [cost["read"]["reversion_version"] for cost in many] == [1, 1, 1]


# -- Same answers as the text search gave ---------------------------------------------------


def test_others_versions_in_the_same_question_and_part_are_not_this_answers(
    submission, contributor, asked
):
    others_history(submission.questionnaire)
    food = asked["parts"].parts.first()
    energy = asked["parts"].parts.last()

    [version] = history.answer_versions(submission=submission, question=asked["parts"], part=food)
    assert version.text == "Food."
    assert (
        history.answer_versions(submission=submission, question=asked["parts"], part=energy) == []
    )
    narrative = history.answer_versions(
        submission=submission, question=asked["narrative"], part=None
    )
    assert len(narrative) == 3
    # Only this submission's removed row, not the five other organizations' ones.
    assert [
        r.name for r in history.rows_removed(submission=submission, question=asked["events"])
    ] == ["Gone"]


def test_a_recovered_row_leaves_the_removed_rows_and_its_copy_can_be_removed_again(
    submission, contributor, asked
):
    events = asked["events"]
    result = changes.row_recover(
        submission=submission, question=events, row_id=asked["gone"], user=contributor
    )
    assert result.status == changes.SAVED
    assert history.rows_removed(submission=submission, question=events) == []
    assert (
        VersionIndex.objects.get(object_id=result.id, table="events").recovered_from
        == (asked["gone"])
    )

    remove_event(submission, contributor, events, result.id)

    assert [r.id for r in history.rows_removed(submission=submission, question=events)] == [
        result.id
    ]


def test_text_written_before_history_is_indexed_when_it_is_recorded(submission, contributor):
    """``ensure_recorded`` records the state a first change overwrites: indexed as well."""
    question = submission.questionnaire.questions.get(number="1")
    answer = Answer.objects.create(
        submission=submission, question=question, text="Old text.", updated_by=contributor
    )
    save(submission, contributor, question, "New text.", 1)

    entries = VersionIndex.objects.filter(table="answers", object_id=answer.pk)
    assert sorted(entries.values_list("number", flat=True)) == [1, 2]
    assert history.answer_at(Answer.objects.get(pk=answer.pk), 1) == ("Old text.", False)


def test_a_restore_into_an_empty_database_is_indexed(submission, contributor, asked):
    """The one recording outside the gate (nothing to replace): its versions are indexed too."""
    data = json.loads(render_export(submission=submission, fmt="json")[2])
    Submission.objects.filter(pk=submission.pk).delete()  # as in a new database

    restored = submission_restore(data=data).submission

    question = restored.questionnaire.questions.get(number="1")
    [version] = history.answer_versions(submission=restored, question=question, part=None)
    assert (version.text, version.comment) == ("Third draft.", "Restored from a backup")
    assert not Version.objects.filter(index__isnull=True).exists()


# -- The migration's fill -------------------------------------------------------------------


def _entries() -> list[tuple]:
    return sorted(
        VersionIndex.objects.values_list(
            "version_id",
            "table",
            "object_id",
            "submission_id",
            "question_id",
            "part_id",
            "number",
            "recovered_from",
        )
    )


def test_the_migrations_fill_indexes_versions_recorded_before_the_index(
    submission, contributor, asked
):
    events = asked["events"]
    copy = changes.row_recover(
        submission=submission, question=events, row_id=asked["gone"], user=contributor
    ).id
    remove_event(submission, contributor, events, copy)
    others_history(submission.questionnaire, rounds=2)
    recorded = _entries()
    assert len(recorded) == Version.objects.count()
    VersionIndex.objects.all().delete()  # as if recorded before migration 0012
    assert history.rows_removed(submission=submission, question=events) == []

    read = history.version_index_fill(batch_size=7)

    assert read == len(recorded)
    assert _entries() == recorded
    # The recovery is read from its revision's comment: the row added back is not offered.
    assert [r.id for r in history.rows_removed(submission=submission, question=events)] == [copy]
    assert [
        v.text
        for v in history.answer_versions(
            submission=submission, question=asked["narrative"], part=None
        )
    ] == ["Third draft.", "Second draft.", "First draft."]
    # Run again (a migration retried), it adds nothing.
    assert history.version_index_fill() == len(recorded)
    assert _entries() == recorded


def test_migration_0012_fills_the_index_with_its_own_historical_models(
    submission, contributor, asked
):
    """The migration itself (its function, given the models as they are at 0012) fills the
    index as the live models do: a fill that only worked with today's models would fail
    when an existing database is migrated."""
    others_history(submission.questionnaire, rounds=2)
    recorded = _entries()
    VersionIndex.objects.all().delete()  # as if recorded before migration 0012
    migration = importlib.import_module("submissions.migrations.0014_version_index")
    state = MigrationLoader(connection).project_state(("submissions", "0014_version_index"))

    migration.index_existing_versions(state.apps, connection.schema_editor())

    assert _entries() == recorded
    [gone] = history.rows_removed(submission=submission, question=asked["events"])
    assert gone.id == asked["gone"]


def test_each_entry_says_what_reversion_decodes_from_the_version(submission, asked):
    others_history(submission.questionnaire, rounds=1)
    for version in Version.objects.select_related("index"):
        data, entry = version.field_dict, version.index
        assert entry.table == history.TABLES[version._model]
        assert entry.object_id == int(version.object_id)
        assert (entry.submission_id, entry.question_id, entry.part_id) == (
            data["submission_id"],
            data["question_id"],
            data.get("part_id"),
        )
        assert entry.number == data["version"]


def test_the_index_goes_with_its_version(submission, asked):
    Version.objects.filter(index__table="answers").delete()
    assert not VersionIndex.objects.filter(table="answers").exists()
    assert VersionIndex.objects.count() == Version.objects.count()


def test_another_organizations_member_never_reads_this_history(
    client, submission, asked, other_organization
):
    client.force_login(make_member(other_organization, Role.COORDINATOR, "stranger"))
    assert client.get(history_url(submission, "1")).status_code == 404
    assert client.get(row_url(submission, asked["gone"])).status_code == 404
