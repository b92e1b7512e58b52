"""Every write path, through its real entry point, against the one write gate.

Each path of ``changes.WRITE_PATHS`` is driven as a person (or the command line) uses it:
the editing page, the history page, the library, carry forward, the import page and
command, the restore command, the Django admin. For each:

(a) on a finalized submission it is refused and writes nothing;
(b) on an approved question it puts the question back to draft and mails its approver.

While a path runs, every INSERT, UPDATE or DELETE of answers and rows is checked to run
inside the gate: a path that wrote around it fails here even if its own checks held.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from submissions import changes, workflow
from submissions.exports import render_export
from submissions.models import (
    Answer,
    Event,
    Initiative,
    Question,
    Questionnaire,
    QuestionPart,
    QuestionReview,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from submissions.services import questionnaire_copy_as_next_year
from tests.conftest import PASSWORD, make_member

pytestmark = pytest.mark.django_db

CONTENT_TABLES = "|".join(
    re.escape(model._meta.db_table) + suffix
    for model in (Answer, *changes.ROW_MODELS.values())
    for suffix in ("", "_sdgs")
)
WRITE = re.compile(
    rf'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?({CONTENT_TABLES})"?[\s(]', re.IGNORECASE
)


def outside_the_gate(execute, sql, params, many, context):
    """Fail any write of answers or rows that does not run inside the write gate."""
    if WRITE.match(sql) and not changes.gate_is_open():
        raise AssertionError(f"written outside the write gate: {sql[:120]}")
    return execute(sql, params, many, context)


@dataclass
class World:
    last_year: Submission
    submission: Submission
    writer: object
    reviewer: object
    coordinator: object
    admin: object
    tmp: Path

    def question(self, number: str) -> Question:
        return self.submission.questionnaire.questions.get(number=number)

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(organization, sdgs, tmp_path):
    """Last year's and this year's submissions: a narrative, two parts, events, initiatives."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2024, slug="desa-2024", title="UN DESA questionnaire 2024"
    )
    Question.objects.create(
        questionnaire=questionnaire, number="1", position=1, prompt="Decisions?", word_limit=200
    )
    parts = Question.objects.create(
        questionnaire=questionnaire,
        number="2",
        position=2,
        prompt="Transitions?",
        has_narrative=False,
    )
    for position, title in enumerate(["Food systems", "Energy access"], start=1):
        QuestionPart.objects.create(question=parts, position=position, title=title)
    Question.objects.create(
        questionnaire=questionnaire,
        number="3",
        position=3,
        prompt="Events?",
        has_narrative=False,
        table="events",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="4",
        position=4,
        prompt="Initiatives?",
        has_narrative=False,
        table="initiatives",
    )
    writer = make_member(organization, Role.CONTRIBUTOR, "writer")
    last_year = Submission.objects.create(organization=organization, questionnaire=questionnaire)
    changes.row_save(
        submission=last_year,
        question=questionnaire.questions.get(number="4"),
        row_id=None,
        base_version=0,
        values={"name": "UN Network on Migration", "description": "A network."},
        sdgs=[10, 17],
        position=0,
        user=writer,
        key="rows-0",
    )
    this_year = questionnaire_copy_as_next_year(questionnaire=questionnaire)
    Questionnaire.objects.filter(pk=this_year.pk).update(is_open=True)
    submission = Submission.objects.create(organization=organization, questionnaire=this_year)
    world = World(
        last_year=last_year,
        submission=submission,
        writer=writer,
        reviewer=make_member(organization, Role.REVIEWER, "checker"),
        coordinator=make_member(organization, Role.COORDINATOR, "focal"),
        admin=get_user_model().objects.create_superuser(
            "root", "root@example.org", PASSWORD, first_name="Ada", last_name="Admin"
        ),
        tmp=tmp_path,
    )
    # Every question answered, so that any can be approved.
    write(world, "1", "We decided.")
    write(world, "1", "We decided twice.", version=1)
    food, energy = world.question("2").parts.order_by("position")
    write(world, "2", "Food.", part=food)
    write(world, "2", "", part=energy, nothing_to_report=True)
    for position, name in enumerate(["Dialogue 2025", "Forum 2025"]):
        add_event(world, name, position)
    removed = Event.objects.get(submission=submission, name="Forum 2025")
    changes.row_delete(
        submission=submission,
        question=world.question("3"),
        row_id=removed.pk,
        base_version=1,
        key="rows-1",
        user=writer,
    )
    write(world, "4", "", nothing_to_report=True)  # no initiatives this year, on purpose
    return world


def write(world, number, text, *, version=0, part=None, nothing_to_report=None):
    result = changes.answer_save(
        submission=world.submission,
        question=world.question(number),
        part=part,
        text=text,
        base_version=version,
        user=world.writer,
        key="answer",
        nothing_to_report=nothing_to_report,
    )
    assert result.status == changes.SAVED, result
    return result


def add_event(world, name, position):
    result = changes.row_save(
        submission=world.submission,
        question=world.question("3"),
        row_id=None,
        base_version=0,
        values={"name": name, "description": "An event."},
        sdgs=[10],
        position=position,
        user=world.writer,
        key=f"rows-{position}",
    )
    assert result.status == changes.SAVED, result


def approve(world, number):
    question = world.question(number)
    workflow.question_submit_for_review(
        submission=world.submission, question=question, user=world.writer
    )
    workflow.question_approve(submission=world.submission, question=question, user=world.reviewer)


def finalize(world):
    Submission.objects.filter(pk=world.submission.pk).update(
        status=SubmissionStatus.FINALIZED, finalized_at=timezone.now(), finalized_by=world.reviewer
    )


def review_status(world, number) -> str:
    submission = Submission.objects.get(
        organization=world.submission.organization, questionnaire=world.submission.questionnaire
    )
    review = QuestionReview.objects.filter(submission=submission, question=world.question(number))
    return review.get().status if review.exists() else ReviewStatus.DRAFT


def content(world) -> tuple:
    """Everything the submission holds: answers, rows with their SDGs, versions."""
    submission = Submission.objects.get(
        organization=world.submission.organization, questionnaire=world.submission.questionnaire
    )
    answers = sorted(
        (a.question.number, a.part_id or 0, a.text, a.nothing_to_report, a.version)
        for a in submission.answers.select_related("question")
    )
    rows = sorted(
        (r.question.number, r.name, r.version, tuple(r.sdgs.values_list("pk", flat=True)))
        for model in changes.ROW_MODELS.values()
        for r in model.objects.filter(submission=submission).select_related("question")
    )
    return answers, rows


# -- The paths, each driven through its entry point ----------------------------------------
# Each driver returns what the person saw (a response, a command's error), for (a).


def edit_answer(world):
    answer = Answer.objects.get(submission=world.submission, question=world.question("1"))
    return world.client(world.writer).post(
        reverse("question_edit", args=[world.submission.pk, "1"]),
        {
            "autosave": "1",
            "answer-main-text": "Changed behind the reviewer's back?",
            "answer-main-version": str(answer.version),
        },
        HTTP_ACCEPT="application/json",
    )


def table_post(world, rows: list[dict]) -> dict:
    data = {"rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{index}-{name}"] = value
    return data


def saved_events(world) -> list[dict]:
    return [
        {
            "id": str(e.pk),
            "version": str(e.version),
            "position": str(e.position),
            "name": e.name,
            "description": e.description,
            "sdgs": [str(n) for n in e.sdgs.values_list("pk", flat=True)],
        }
        for e in Event.objects.filter(submission=world.submission).order_by("position")
    ]


def edit_add_row(world):
    rows = [*saved_events(world), {"id": "", "version": "0", "position": "5", "name": "New"}]
    return world.client(world.writer).post(
        reverse("question_edit", args=[world.submission.pk, "3"]),
        {"autosave": "1", **table_post(world, rows)},
        HTTP_ACCEPT="application/json",
    )


def edit_remove_row(world):
    rows = saved_events(world)
    rows[0]["DELETE"] = "on"
    return world.client(world.writer).post(
        reverse("question_edit", args=[world.submission.pk, "3"]),
        table_post(world, rows),
        follow=True,
    )


def edit_nothing_to_report(world):
    """Unticking "Nothing to report" on an approved question is a change of its content."""
    energy = world.question("2").parts.get(title="Energy access")
    food = world.question("2").parts.get(title="Food systems")
    answers = {a.part_id: a for a in world.submission.answers.filter(question=world.question("2"))}
    return world.client(world.writer).post(
        reverse("question_edit", args=[world.submission.pk, "2"]),
        {
            "autosave": "1",
            f"answer-part-{food.pk}-text": "Food.",
            f"answer-part-{food.pk}-version": str(answers[food.pk].version),
            f"answer-part-{energy.pk}-text": "",
            f"answer-part-{energy.pk}-version": str(answers[energy.pk].version),
        },
        HTTP_ACCEPT="application/json",
    )


def restore_version(world):
    from submissions import history

    versions = history.answer_versions(
        submission=world.submission, question=world.question("1"), part=None
    )
    return world.client(world.writer).post(
        reverse("answer_restore", args=[world.submission.pk, "1"]),
        {"version": versions[-1].id},
        follow=True,
    )


def recover_row(world):
    from submissions import history

    [removed] = history.rows_removed(submission=world.submission, question=world.question("3"))
    return world.client(world.writer).post(
        reverse("row_recover", args=[world.submission.pk, "events", removed.id]), follow=True
    )


def reuse_from_library(world):
    row = Initiative.objects.get(submission=world.last_year)
    return world.client(world.writer).post(
        reverse("library_reuse"),
        {"submission": world.submission.pk, "table": "initiatives", "row": row.pk},
        follow=True,
    )


def carry_forward(world):
    return world.client(world.coordinator).post(
        reverse("carry_forward", args=[world.submission.pk]), follow=True
    )


def document(world, first_answer: str) -> bytes:
    """This year's submission as text, its first answer replaced: a document to import."""
    _name, _type, data = render_export(submission=world.submission, fmt="txt")
    text = data.decode()
    current = world.submission.answers.get(question=world.question("1"), part=None).text
    assert current in text
    return text.replace(current, first_answer).encode()


def import_page(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = world.client(world.coordinator)
    upload = SimpleUploadedFile("reply.txt", document(world, "An imported answer."))
    preview = client.post(
        reverse("submission_import", args=[world.submission.pk]),
        {"document": upload, "replace": "on"},
    )
    if preview.status_code != 200 or "token" not in preview.context.get("pending", {}):
        return preview  # refused at the preview
    return client.post(
        reverse("submission_import_confirm", args=[world.submission.pk]),
        {"token": preview.context["pending"]["token"]},
        follow=True,
    )


def import_command(world):
    path = world.tmp / "reply.txt"
    path.write_bytes(document(world, "An answer imported by the command."))
    questionnaire = world.submission.questionnaire
    try:
        call_command(
            "import_submission",
            str(path),
            "--organization",
            world.submission.organization.code,
            "--questionnaire",
            questionnaire.slug,
            "--replace",
        )
    except Exception as error:  # noqa: BLE001 - what the operator saw
        return error
    return None


def backup_restore(world):
    path = world.tmp / "backup.json"
    _name, _type, data = render_export(submission=world.submission, fmt="json")
    backup = json.loads(data)
    for answer in backup["answers"]:
        if answer["question"] == "1" and answer["part"] is None:
            answer["text"] = "The text of an older backup."
    path.write_text(json.dumps(backup))
    try:
        call_command("restore_submission", str(path), "--replace")
    except Exception as error:  # noqa: BLE001 - what the operator saw
        return error
    return None


def admin_row_save(world):
    event = Event.objects.get(submission=world.submission)
    url = reverse("admin:submissions_event_change", args=[event.pk])
    return world.client(world.admin).post(
        url,
        {
            "submission": world.submission.pk,
            "question": event.question_id,
            "position": event.position,
            "name": "Renamed in the admin",
            "description": event.description,
            "website": "",
            "dates": "",
            "location": "",
            "sdgs": [10],
        },
        follow=True,
    )


def admin_row_delete(world):
    event = Event.objects.get(submission=world.submission)
    return world.client(world.admin).post(
        reverse("admin:submissions_event_delete", args=[event.pk]), {"post": "yes"}, follow=True
    )


# path, what is driven, the question it changes, the driver
PATHS = [
    ("editing", "an answer", "1", edit_answer),
    ("editing", "a row added", "3", edit_add_row),
    ("editing", "a row removed", "3", edit_remove_row),
    ("editing", "“Nothing to report” unticked", "2", edit_nothing_to_report),
    ("answer_restore", "an old version", "1", restore_version),
    ("row_recover", "a removed row", "3", recover_row),
    ("library_reuse", "an initiative", "4", reuse_from_library),
    ("carry_forward", "last year's initiative", "4", carry_forward),
    ("import", "the import page, replacing", "1", import_page),
    ("import", "the import command, replacing", "1", import_command),
    ("backup_restore", "the restore command, replacing", "1", backup_restore),
    ("admin_row_save", "the admin's change form", "3", admin_row_save),
    ("admin_row_delete", "the admin's delete page", "3", admin_row_delete),
]
IDS = [f"{path}: {what}" for path, what, _number, _driver in PATHS]


def test_every_write_path_is_driven_here():
    """A path added to changes.WRITE_PATHS without a driver here fails this test."""
    assert {path for path, *_rest in PATHS} == set(changes.WRITE_PATHS)


@pytest.mark.parametrize(("path", "what", "number", "driver"), PATHS, ids=IDS)
def test_a_finalized_submission_is_refused_and_nothing_is_written(
    world, path, what, number, driver
):
    finalize(world)
    before = content(world)
    versions = _version_count()

    with connection.execute_wrapper(outside_the_gate):
        seen = driver(world)

    assert content(world) == before
    assert _version_count() == versions
    assert Submission.objects.get(pk=world.submission.pk).status == SubmissionStatus.FINALIZED
    said = seen if isinstance(seen, Exception) else seen.content.decode()
    if path not in changes.ADMIN_PATHS or path == "admin_row_save":
        assert "finalized" in str(said), f"{what}: the refusal does not say why"


@pytest.mark.parametrize(("path", "what", "number", "driver"), PATHS, ids=IDS)
def test_an_approved_question_goes_back_to_draft_and_its_approver_is_told(
    world, path, what, number, driver, mailoutbox, django_capture_on_commit_callbacks
):
    approve(world, number)
    assert review_status(world, number) == ReviewStatus.APPROVED
    before = content(world)
    mailoutbox.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        connection.execute_wrapper(outside_the_gate),
    ):
        driver(world)

    assert content(world) != before, f"{what}: nothing was written"
    assert review_status(world, number) == ReviewStatus.DRAFT
    told = [m for m in mailoutbox if "after you approved it" in m.subject]
    assert [m.to for m in told] == [[world.reviewer.email]]


def _version_count() -> int:
    from reversion.models import Version

    return Version.objects.count()


@pytest.mark.parametrize(("path", "what", "number", "driver"), PATHS, ids=IDS)
def test_every_version_a_path_records_is_indexed(world, path, what, number, driver):
    """Each path's versions are findable by submission, question, part and row.

    The index is read by the history pages, the removed-rows list and the merge base; a
    version recorded without its entry would be missing from all of them. Each entry is
    checked against what reversion itself decodes from the version.
    """
    from reversion.models import Version

    from submissions import history

    recorded_before = _version_count()
    driver(world)

    assert _version_count() > recorded_before, f"{what}: recorded nothing"
    for version in Version.objects.select_related("index", "revision"):
        data, entry = version.field_dict, version.index
        assert (entry.table, entry.object_id, entry.number) == (
            history.TABLES[version._model],
            int(version.object_id),
            data["version"],
        ), f"{what}: {version.revision.comment}"
        assert (entry.submission_id, entry.question_id, entry.part_id) == (
            data["submission_id"],
            data["question_id"],
            data.get("part_id"),
        ), f"{what}: {version.revision.comment}"
