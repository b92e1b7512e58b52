"""Fuzzing with Hypothesis: arbitrary text, numbers, ids and formset management data.

Every form of the app (editing page, comments, assignments, reopening, import upload, login,
the admin's questionnaire with its nested inlines) and the import command get arbitrary input.
The properties: never a server error, never a partial write (what was refused left the
database as it was; what was accepted is stored as sent, after the documented cleaning), and
every refusal says why in words.

Each example runs in a savepoint rolled back afterwards, so examples do not see each other.
Examples are derandomized and few (the suite runs twice in CI); run with
HYPOTHESIS_MAX_EXAMPLES=500 to search harder, HYPOTHESIS_SHRINK=1 to shrink a failure.
"""

import io
import os
import random
import re
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, Role
from submissions.models import (
    ROW_MODELS,
    Answer,
    Assignment,
    Event,
    Question,
    Questionnaire,
    QuestionPart,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from submissions.services import questionnaire_create_from_definition
from submissions.text import MAX_TEXT_LENGTH, strip_control_characters

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

FUZZ = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "50")),
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    derandomize=True,  # the same examples on every run: CI does not flicker
    # Shrinking a failure can take many minutes of requests: on demand only (the failing
    # example is printed either way, and derandomize makes it come back).
    phases=[
        Phase.explicit,
        Phase.generate,
        *([Phase.shrink] if os.environ.get("HYPOTHESIS_SHRINK") else []),
    ],  # fmt: skip
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 2))

JSON = {"HTTP_ACCEPT": "application/json"}
# Characters as a browser can send them (UTF-8 has no lone surrogates), controls included.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
LONG_TEXT = st.one_of(
    TEXT,
    st.sampled_from([" \t\r\n ", "\x00\x07\ufffe", "a\r\nb\rc\n", "=cmd|' /C calc'!A0"]),
    st.integers(MAX_TEXT_LENGTH - 1, MAX_TEXT_LENGTH + 1).map(lambda n: "w" * n),
)
NUMBERISH = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", " ", "0", "1", "-1", "1e3", " 7 ", "٣", "NaN", "0x10", "1.5"]),
    TEXT,
)
# Row positions past the database's integer (2**31 - 1) are refused by the form.
POSITION = st.one_of(st.integers(-5, 2**40).map(str), st.sampled_from(["", "x", str(2**31)]))
SERVER_ERROR = 500


def member(organization, role, username):
    """A member without a password (hashing one takes most of a second; force_login needs none)."""
    user = get_user_model().objects.create(username=username)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@contextmanager
def rolled_back():
    """One example's writes, undone afterwards (a savepoint in the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def cleaned(value: str, *, strip: bool) -> str:
    """What a form stores: controls removed, Windows line ends made \\n, stripped if a CharField."""
    value = strip_control_characters(value).replace("\r\n", "\n")
    return value.strip() if strip else value


def assert_clear_messages(messages) -> None:
    """A refusal says why: words, not a traceback or an empty list."""
    assert messages, "a refusal without a message"
    for message in messages:
        assert isinstance(message, str) and message.strip()
        assert "Traceback" not in message and "object at 0x" not in message


def snapshot_rows() -> dict:
    return {
        (model.__name__, row.pk): (
            tuple(getattr(row, f.attname) for f in model._meta.concrete_fields),
            tuple(sorted(s.pk for s in row.sdgs.all())),
        )
        for model in ROW_MODELS.values()
        for row in model.objects.prefetch_related("sdgs")
    }


def snapshot_answers() -> dict:
    return {a.pk: (a.text, a.version, a.updated_by_id) for a in Answer.objects.all()}


@pytest.fixture
def world(organization, other_organization, questionnaire, submission, sdgs):
    """Two organizations, rows in this and other places, one contributor's client."""
    other_submission = Submission.objects.create(
        organization=other_organization, questionnaire=questionnaire
    )
    events = questionnaire.questions.get(number="3")
    more_events = Question.objects.create(
        questionnaire=questionnaire,
        number="8",
        position=8,
        prompt="More events?",
        has_narrative=False,
        table="events",
    )
    mine = Event.objects.create(
        submission=submission, question=events, name="Mine", position=1, version=2
    )
    mine.sdgs.set([1, 2])
    theirs = Event.objects.create(
        submission=other_submission, question=events, name="Theirs", version=1
    )
    elsewhere = Event.objects.create(
        submission=submission, question=more_events, name="Elsewhere", version=1
    )
    contributor = member(organization, Role.CONTRIBUTOR, "fuzz-contributor")
    QuestionPart.objects.create(question=more_events, title="Elsewhere part")
    return {
        "submission": submission,
        "other_submission": other_submission,
        "rows": {"mine": mine.pk, "theirs": theirs.pk, "elsewhere": elsewhere.pk},
        "client": client_for(contributor),
        "user": contributor,
    }


def edit_url(submission, number) -> str:
    return f"/submissions/{submission.pk}/questions/{number}/"


# --- The editing page: answers -----------------------------------------------------------------


@FUZZ
@given(
    texts=st.tuples(LONG_TEXT, LONG_TEXT, LONG_TEXT),
    versions=st.tuples(NUMBERISH, NUMBERISH, NUMBERISH),
    existing=st.booleans(),
    autosave=st.booleans(),
    as_json=st.booleans(),
)
def test_answer_saves_never_fail_and_store_exactly_what_was_accepted(
    world, texts, versions, existing, autosave, as_json
):
    submission = world["submission"]
    question = submission.questionnaire.questions.get(number="5")
    food, energy = question.parts.all()
    slots = [("answer-main", None), (f"answer-part-{food.pk}", food), (f"answer-part-{energy.pk}", energy)]  # fmt: skip
    with rolled_back():
        if existing:
            for _prefix, part in slots[:2]:
                Answer.objects.create(
                    submission=submission, question=question, part=part, text="Before", version=3
                )
        before = snapshot_answers()
        data = {"answer-part-999999999-text": "ignored"}
        if autosave:
            data["autosave"] = "1"
        for (prefix, _part), text, version in zip(slots, texts, versions, strict=True):
            data[f"{prefix}-text"] = text
            data[f"{prefix}-version"] = version
        response = world["client"].post(
            edit_url(submission, "5"), data, **(JSON if as_json else {})
        )

        assert response.status_code < SERVER_ERROR
        if not as_json:
            assert response.status_code in (302, 400, 409)
            return
        assert response.status_code == 200
        results = {r["key"]: r for r in response.json()["results"]}
        for (prefix, part), text in zip(slots, texts, strict=True):
            result = results[prefix]
            answer = Answer.objects.filter(
                submission=submission, question=question, part=part
            ).first()
            if result["status"] == "saved":
                assert answer.text == cleaned(text, strip=False)
                assert answer.version == result["version"]
            else:
                assert result["status"] in ("unchanged", "conflict", "invalid")
                if answer is not None and answer.pk in before:
                    assert before[answer.pk] == (answer.text, answer.version, answer.updated_by_id)
                else:
                    assert answer is None
                forged = answer is None and result["status"] == "conflict"
                if result["status"] != "unchanged" and not forged:
                    # A version for an answer that does not exist (forged) is refused as a
                    # conflict without words: see test_forged_version_conflict_says_why.
                    assert_clear_messages(result["errors"])


# --- The editing page: table rows and formset management data ------------------------------


ROW = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from(["", "mine", "theirs", "elsewhere", "gone"]), NUMBERISH),
        "version": st.one_of(st.sampled_from(["current"]), NUMBERISH),
        "position": POSITION,
        "name": LONG_TEXT,
        "dates": TEXT,
        "location": TEXT,
        "description": LONG_TEXT,
        "website": st.one_of(
            TEXT, st.sampled_from(["https://www.iom.int/", "javascript:alert(1)", "n/a"])
        ),
        "sdgs": st.lists(st.one_of(st.integers(-3, 20).map(str), TEXT), max_size=4),
        "DELETE": st.sampled_from(["", "on", "off", "1"]),
    }
)
MANAGEMENT = st.fixed_dictionaries(
    {
        "TOTAL_FORMS": st.one_of(st.just("match"), st.none(), NUMBERISH),
        "INITIAL_FORMS": st.one_of(st.just("0"), st.none(), NUMBERISH),
        "MIN_NUM_FORMS": st.one_of(st.none(), NUMBERISH),
        "MAX_NUM_FORMS": st.one_of(st.none(), NUMBERISH),
    }
)
ROW_TEXT_FIELDS = ("name", "dates", "location", "description", "website")


@FUZZ
@given(rows=st.lists(ROW, max_size=4), management=MANAGEMENT, autosave=st.booleans())
def test_row_saves_never_fail_and_touch_only_what_they_report(world, rows, management, autosave):
    submission = world["submission"]
    ids = {**world["rows"], "gone": 987654321}
    with rolled_back():
        before = snapshot_rows()
        data = {"autosave": "1"} if autosave else {}
        for name, value in management.items():
            if value == "match":
                value = str(len(rows))
            if value is not None:
                data[f"rows-{name}"] = value
        for index, row in enumerate(rows):
            row_id = str(ids.get(row["id"], row["id"]))
            version = row["version"]
            if version == "current":
                current = Event.objects.filter(pk=ids.get(row["id"], 0)).first()
                version = str(current.version if current else 0)
            data.update(
                {
                    f"rows-{index}-id": row_id,
                    f"rows-{index}-version": version,
                    f"rows-{index}-position": row["position"],
                    f"rows-{index}-sdgs": row["sdgs"],
                    **{f"rows-{index}-{name}": row[name] for name in ROW_TEXT_FIELDS},
                }
            )
            if row["DELETE"]:
                data[f"rows-{index}-DELETE"] = row["DELETE"]
        response = world["client"].post(edit_url(submission, "3"), data, **JSON)

        assert response.status_code == 200, response.content[:300]
        results = response.json()["results"]
        changed = {}
        for result in results:
            assert result["status"] in ("saved", "unchanged", "conflict", "missing", "invalid", "removed")  # fmt: skip
            if result["status"] in ("conflict", "missing", "invalid"):
                assert_clear_messages(result["errors"])
            if result["status"] in ("saved", "removed") and result["id"]:
                changed[result["id"]] = (result, rows[int(result["key"].split("-")[1])])
        after = snapshot_rows()
        for key, value in before.items():
            row_id = key[1]
            if row_id not in changed:
                # Untouched; the order of a row of this question may change (never conflicts).
                same = after.get(key) == value or (
                    key in after and _without_position(after[key]) == _without_position(value)
                )
                assert same, f"row {row_id} changed without being reported saved"
            elif changed[row_id][0]["status"] == "removed":
                assert key not in after
        for row_id, (result, sent) in changed.items():
            if result["status"] != "saved":
                continue
            assert row_id not in (world["rows"]["theirs"], world["rows"]["elsewhere"])
            row = Event.objects.get(pk=row_id)
            assert row.submission_id == submission.pk and row.question.number == "3"
            for name in ROW_TEXT_FIELDS:
                assert getattr(row, name) == cleaned(sent[name], strip=True), name
            assert sorted(s.number for s in row.sdgs.all()) == sorted({int(n) for n in sent["sdgs"]})  # fmt: skip
            assert row.version == result["version"]


def _without_position(value):
    fields, sdgs = value
    event = [f.attname for f in Event._meta.concrete_fields]
    return tuple(v for name, v in zip(event, fields, strict=True) if name != "position"), sdgs


# --- Ids anywhere in a URL ---------------------------------------------------------------------


@FUZZ
@given(
    pk=st.one_of(st.integers(0, 2**70), st.sampled_from(["own", "other"])),
    number=st.one_of(
        TEXT.filter(lambda s: s.strip() and "/" not in s), st.sampled_from(["1", "3"])
    ),  # fmt: skip
    comment=st.integers(0, 2**70),
    action=TEXT,
)
def test_arbitrary_ids_in_urls_are_404_or_refused_never_errors(world, pk, number, comment, action):
    from urllib.parse import quote

    pk = {"own": world["submission"].pk, "other": world["other_submission"].pk}.get(pk, pk)
    number, action = quote(number, safe=""), quote(action, safe="") or "x"
    client = world["client"]
    with rolled_back():
        before = (snapshot_answers(), snapshot_rows(), ReviewComment.objects.count())
        for method, url in [
            ("get", f"/submissions/{pk}/"),
            ("get", f"/submissions/{pk}/questions/{number}/"),
            ("post", f"/submissions/{pk}/questions/{number}/"),
            ("get", f"/submissions/{pk}/review/"),
            ("get", f"/submissions/{pk}/export/{action}/"),
            ("post", f"/submissions/{pk}/questions/{number}/review/{action}/"),
            ("post", f"/submissions/{pk}/comments/{comment}/resolve/"),
            ("post", f"/submissions/{pk}/questions/{number}/assign/"),
            ("get", f"/submissions/{pk}/import/"),
            ("get", f"/submissions/{pk}/carry-forward/"),
            ("post", f"/organizations/{pk}/questionnaires/{comment}/open/"),
        ]:
            response = getattr(client, method)(url)
            assert response.status_code < SERVER_ERROR, (method, url, response.status_code)
        assert (snapshot_answers(), snapshot_rows(), ReviewComment.objects.count()) == before


# --- Review forms: comments, assignments, reopening --------------------------------------------


@FUZZ
@given(
    text=LONG_TEXT,
    target=st.one_of(
        TEXT,
        st.sampled_from(["", "part-food", "part-elsewhere", "row-mine", "row-theirs", "row-"]),
        st.integers(-3, 2**70).map(lambda n: f"row-{n}"),
        st.integers(-3, 2**70).map(lambda n: f"part-{n}"),
    ),
    parent=st.one_of(st.sampled_from(["", "own", "other"]), NUMBERISH),
    number=st.sampled_from(["1", "3", "5"]),
)
def test_comment_form(world, text, target, parent, number):
    submission, client = world["submission"], world["client"]
    questionnaire = submission.questionnaire
    food = QuestionPart.objects.get(title="Food systems")
    elsewhere_part = QuestionPart.objects.get(title="Elsewhere part")
    with rolled_back():
        own = ReviewComment.objects.create(
            submission=submission, question=questionnaire.questions.get(number="1"), text="Own"
        )
        other = ReviewComment.objects.create(
            submission=world["other_submission"],
            question=questionnaire.questions.get(number="1"),
            text="Other",
        )
        target = (
            target.replace("part-food", f"part-{food.pk}")
            .replace("part-elsewhere", f"part-{elsewhere_part.pk}")
            .replace("row-mine", f"row-{world['rows']['mine']}")
            .replace("row-theirs", f"row-{world['rows']['theirs']}")
        )
        parent = {"own": str(own.pk), "other": str(other.pk)}.get(parent, parent)
        before = set(ReviewComment.objects.values_list("pk", flat=True))
        response = client.post(
            f"/submissions/{submission.pk}/questions/{number}/comments/",
            {"text": text, "target": target, "parent": parent},
        )

        assert response.status_code == 302
        new = list(ReviewComment.objects.exclude(pk__in=before))
        if not new:
            assert_clear_messages([m.message for m in get_messages(response.wsgi_request)])
            return
        (comment,) = new
        assert comment.submission_id == submission.pk
        assert comment.question.number == number
        assert strip_control_characters(comment.text) == comment.text  # exports stay safe
        assert comment.text == strip_control_characters(text.strip()).strip()
        if comment.part_id:
            assert comment.part.question_id == comment.question_id
        if comment.parent_id:
            assert comment.parent.submission_id == submission.pk
        if comment.row_id:
            model = ROW_MODELS[comment.question.table]
            assert model.objects.filter(
                pk=comment.row_id, submission=submission, question=comment.question
            ).exists()


@pytest.fixture
def people(organization, other_organization):
    coordinator = member(organization, Role.COORDINATOR, "fuzz-coordinator")
    return {
        "coordinator": coordinator,
        "coordinator_client": client_for(coordinator),
        "reviewer": member(organization, Role.REVIEWER, "fuzz-reviewer"),
        "outsider": member(other_organization, Role.CONTRIBUTOR, "fuzz-outsider"),
    }


@FEW
@given(
    assignee=st.one_of(st.sampled_from(["", "member", "reviewer", "outsider"]), NUMBERISH),
    due=st.one_of(
        TEXT,
        st.dates(min_value=date(1, 1, 1)).map(str),
        st.sampled_from(["9999-12-31", "0000-00-00", "2025-02-30", "31/12/2025"]),
    ),
    number=st.sampled_from(["1", "3"]),
)
def test_assignment_form(world, people, assignee, due, number):
    submission, client = world["submission"], people["coordinator_client"]
    people = {
        "member": world["user"].pk,
        "reviewer": people["reviewer"].pk,
        "outsider": people["outsider"].pk,
    }
    with rolled_back():
        before = list(Assignment.objects.values_list("question_id", "assignee_id", "due_date"))
        data = {"assignee": str(people.get(assignee, assignee)), "due_date": due}
        response = client.post(f"/submissions/{submission.pk}/questions/{number}/assign/", data)

        after = list(Assignment.objects.values_list("question_id", "assignee_id", "due_date"))
        if response.status_code == 400:  # refused: nothing changed, and the form says why
            assert after == before
            summary = response.content.decode().split('role="alert"', 1)[1].split("</div>")[0]
            assert_clear_messages(re.findall(r'<li><a href="#[^"]+">([^<]*)</a></li>', summary))
            return
        assert response.status_code == 302
        messages = [m.message for m in get_messages(response.wsgi_request)]
        assert_clear_messages(messages)
        for _question, person, _due in after:
            assert Membership.objects.filter(
                user_id=person,
                organization=submission.organization,
                role__in=[Role.CONTRIBUTOR, Role.COORDINATOR],
            ).exists()
        if after != before and after:  # assigned: to the person asked for
            assert str(after[0][1]) == data["assignee"].strip()


@FEW
@given(reason=LONG_TEXT)
def test_reopen_form(world, people, reason):
    submission, client = world["submission"], people["coordinator_client"]
    with rolled_back():
        Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.FINALIZED)
        response = client.post(f"/submissions/{submission.pk}/reopen/", {"reason": reason})

        assert response.status_code in (200, 302)
        submission.refresh_from_db()
        events = list(SubmissionEvent.objects.filter(submission=submission))
        if submission.status == SubmissionStatus.FINALIZED:
            assert events == []
            if response.status_code == 200:
                assert_clear_messages([str(e) for e in response.context["form"].errors.values()])
            else:
                assert_clear_messages([m.message for m in get_messages(response.wsgi_request)])
        else:
            (event,) = events
            assert event.message.strip() and len(event.message) <= 2000


# --- Import: the upload form and the command --------------------------------------------------


@pytest.fixture
def seed_world(organization):
    """The real 2024 questionnaire (from its seed definition) and its seed document's text."""
    import json

    definition = json.loads((SEEDS / "questionnaires" / "desa-2024.json").read_text("utf-8"))
    questionnaire = questionnaire_create_from_definition(definition=definition)
    document = (SEEDS / "documents" / questionnaire.source_document).read_text("utf-8")
    return questionnaire, document


@st.composite
def mutated_documents(draw, document: str):
    """The seed document with lines dropped, doubled, replaced, or the file cut short."""
    lines = document.splitlines(keepends=True)
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(0, 6))):
        index = rng.randrange(len(lines))
        action = draw(st.sampled_from(["drop", "double", "replace", "insert"]))
        if action == "drop":
            del lines[index]
        elif action == "double":
            lines.insert(index, lines[index])
        else:
            new = draw(TEXT) + "\n"
            lines[index : index + (action == "replace")] = [new]
    text = "".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _content_counts():
    return (
        Submission.objects.count(),
        Answer.objects.count(),
        *(model.objects.count() for model in ROW_MODELS.values()),
    )


@FEW
@given(data=st.data())
def test_import_command_imports_all_or_nothing_with_a_message(seed_world, tmp_path, data):
    questionnaire, document = seed_world
    text = data.draw(st.one_of(TEXT, mutated_documents(document)))
    layout = data.draw(st.one_of(st.none(), st.sampled_from(["blank-line", "pipe", "plain"])))
    path = tmp_path / "document.txt"
    path.write_text(text, encoding="utf-8")
    with rolled_back():
        before = _content_counts()
        args = [str(path), "--organization", "IOM", "--questionnaire", questionnaire.slug]
        if layout:
            args += ["--layout", layout]
        try:
            call_command("import_submission", *args, stdout=io.StringIO())
        except CommandError as error:
            assert str(error).endswith("Nothing was imported."), str(error)
            assert_clear_messages([str(error)])
            assert _content_counts() == before
        else:
            assert Submission.objects.filter(questionnaire=questionnaire).count() == 1


@FEW
@given(
    content=st.one_of(
        st.binary(max_size=200),
        TEXT.map(lambda t: t.encode("utf-8")),
        st.sampled_from([b"\xef\xbb\xbfQuestion 1\n", b"\xff\xfe\x00", b""]),
    ),
    name=st.sampled_from(["document.txt", "document.docx", "", "../../etc/passwd.txt"]),
    layout=st.one_of(st.just(""), TEXT, st.sampled_from(["blank-line", "pipe", "plain"])),
    replace=st.sampled_from(["", "on", "x"]),
)
def test_import_upload_form_writes_nothing_before_confirmation(
    seed_world, organization, people, content, name, layout, replace
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    questionnaire, _document = seed_world
    submission = Submission.objects.get_or_create(
        organization=organization, questionnaire=questionnaire
    )[0]
    client = people["coordinator_client"]
    with rolled_back():
        before = _content_counts()
        data = {"layout": layout, "replace": replace}
        if name:
            data["document"] = SimpleUploadedFile(name, content, content_type="text/plain")
        response = client.post(f"/submissions/{submission.pk}/import/", data)

        assert response.status_code == 200
        assert _content_counts() == before
        if "form" in response.context:  # refused: the upload page again, saying why
            errors = [str(e) for errs in response.context["form"].errors.values() for e in errs]
            assert_clear_messages(errors)


# --- Login and the admin's questionnaire form with nested inlines -----------------------------


@FEW
@given(username=TEXT, password=TEXT)
def test_login_form(db, settings, username, password):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(raise_request_exception=False)
    with rolled_back():
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code in (200, 429)
        if response.status_code == 200:
            assert response.context["form"].errors


def _small(value: str) -> bool:
    try:
        return int(value) <= 10
    except ValueError:
        return True


# The admin builds one question form, with its nested parts formset, per TOTAL_FORMS up to
# its bound (test_admin_refuses_a_forged_huge_form_count): small counts here keep it fast.
ADMIN_MANAGEMENT = st.fixed_dictionaries(
    {
        "TOTAL_FORMS": st.one_of(
            st.just("match"), st.none(), st.integers(-3, 6).map(str), TEXT.filter(_small)
        ),
        "INITIAL_FORMS": st.one_of(st.just("0"), st.none(), NUMBERISH),
        "MIN_NUM_FORMS": st.one_of(st.none(), NUMBERISH),
        "MAX_NUM_FORMS": st.one_of(st.none(), NUMBERISH),
    }
)
ADMIN_POSITION = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.sampled_from(["", "-1", "1", "1"]), TEXT
)
QUESTION = st.fixed_dictionaries(
    {
        # Shared, missing and non-numeric positions too: see
        # test_admin_positions_that_are_not_distinct_numbers.
        "position": ADMIN_POSITION,
        "number": st.one_of(TEXT, st.sampled_from(["1", "1"])),
        "section": TEXT,
        "prompt": LONG_TEXT,
        "guidance": TEXT,
        "has_narrative": st.sampled_from(["", "on"]),
        "word_limit": NUMBERISH,
        "table": st.one_of(TEXT, st.sampled_from(["", "events", "resources", "initiatives"])),
        "max_rows": NUMBERISH,
        "row_description_word_limit": NUMBERISH,
    }
)


@FUZZ
@given(
    header=st.fixed_dictionaries(
        {
            "kind": st.one_of(TEXT, st.sampled_from(["desa", "gbv"])),
            "year": st.one_of(NUMBERISH, st.sampled_from(["2024", "2031"])),
            "slug": st.one_of(TEXT, st.sampled_from(["desa-2024", "desa-2031"])),
            "title": TEXT,
            "deadline": st.one_of(TEXT, st.dates().map(str)),
        }
    ),
    questions=st.lists(QUESTION, max_size=3),
    parts=st.lists(st.tuples(TEXT, NUMBERISH, ADMIN_POSITION), max_size=2),
    management=ADMIN_MANAGEMENT,
)
def test_admin_questionnaire_form_with_nested_inlines(
    questionnaire, admin_user, header, questions, parts, management
):
    """The admin's add page: the questionnaire, its questions and their parts, all fuzzed."""
    client = client_for(admin_user)
    with rolled_back():
        before = (Questionnaire.objects.count(), Question.objects.count())
        data = {**header, "intro": "", "_save": "Save"}
        for name, value in management.items():
            value = str(len(questions)) if value == "match" else value
            if value is not None:
                data[f"questions-{name}"] = value
        for index, question in enumerate(questions):
            data.update({f"questions-{index}-{k}": v for k, v in question.items()})
            data[f"questions-{index}-parts-TOTAL_FORMS"] = str(len(parts))
            data[f"questions-{index}-parts-INITIAL_FORMS"] = "0"
            for p, (title, limit, position) in enumerate(parts):
                data[f"questions-{index}-parts-{p}-title"] = title
                data[f"questions-{index}-parts-{p}-word_limit"] = limit
                data[f"questions-{index}-parts-{p}-position"] = position
        response = client.post("/admin/submissions/questionnaire/add/", data)

        assert response.status_code in (200, 302)
        if response.status_code == 200:  # refused: the form again, with what to fix
            assert (Questionnaire.objects.count(), Question.objects.count()) == before
            html = response.content.decode()
            assert re.search(r'class="errornote|errorlist', html)


def test_admin_refuses_a_forged_huge_form_count(admin_user):
    """ "questions-TOTAL_FORMS=99999" is refused with a message, without building 99999 forms."""
    client = client_for(admin_user)
    data = {
        "kind": "desa",
        "year": "2031",
        "slug": "desa-2031",
        "title": "2031",
        "intro": "",
        "questions-TOTAL_FORMS": "99999",
        "questions-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for index in range(3):
        data.update(_admin_question(index, str(index)))
    response = client.post("/admin/submissions/questionnaire/add/", data)
    assert response.status_code == 200
    # Django's own bound would be 2000 forms (minutes, with the nested parts): ours is 200.
    assert "Please submit at most 200 forms" in response.content.decode()
    assert not Questionnaire.objects.filter(slug="desa-2031").exists()


# --- Findings: inputs that once failed, kept as tests ---------------------------------------------


def test_forged_version_conflict_says_why(world):
    response = world["client"].post(
        edit_url(world["submission"], "1"),
        {"answer-main-text": "Text", "answer-main-version": "7"},
        **JSON,
    )
    (result,) = response.json()["results"]
    assert result["status"] == "conflict"
    assert_clear_messages(result["errors"])


def _admin_question(index: int, position: str) -> dict:
    prefix = f"questions-{index}"
    return {
        f"{prefix}-position": position,
        f"{prefix}-number": str(index + 1),
        f"{prefix}-prompt": "A question?",
        f"{prefix}-has_narrative": "on",
        f"{prefix}-parts-TOTAL_FORMS": "0",
        f"{prefix}-parts-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize("positions", [("1", "1"), ("first", "2"), ("", "-1")])
def test_admin_positions_that_are_not_distinct_numbers(admin_user, positions):
    """django-nested-admin sorts by int(position) when it shows the form again: shared or
    non-numeric positions are renumbered first (submissions.admin.admin_post_made_safe)."""
    data = {"kind": "desa", "year": "2030", "slug": "desa-2030", "title": ""}  # title missing
    data.update({"questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "0"})
    for index, position in enumerate(positions):
        data.update(_admin_question(index, position))

    response = client_for(admin_user).post("/admin/submissions/questionnaire/add/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert html.count("A question?") == 2  # both questions shown again, with what was typed
    assert not Questionnaire.objects.filter(slug="desa-2030").exists()


def test_admin_forged_initial_form_count(admin_user):
    """INITIAL_FORMS of 10**21: the form again with its errors, at once (it kept
    django-nested-admin busy for minutes, reading the questions once per announced form)."""
    data = {"kind": "desa", "year": "2030", "slug": "desa-2030", "title": ""}  # title missing
    data.update({"questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "1" + "0" * 21})
    for index in range(2):
        data.update(_admin_question(index, str(index + 1)))
    data["questions-0-parts-INITIAL_FORMS"] = "1000000000"

    response = client_for(admin_user).post("/admin/submissions/questionnaire/add/", data)

    assert response.status_code == 200
    assert re.search(r'class="errornote|errorlist', response.content.decode())
    assert not Questionnaire.objects.filter(slug="desa-2030").exists()


@pytest.mark.parametrize(
    ("posted", "renumbered"),
    [
        (("3", "1", "2"), ("3", "1", "2")),  # distinct whole numbers: left as they are
        (("1", "1", "0"), ("2", "3", "1")),  # shared: by number, then as posted
        (("first", "2", ""), ("2", "1", "3")),  # not numbers: after the numbered ones
    ],
)
def test_admin_post_made_safe(posted, renumbered):
    from django.http import QueryDict

    from submissions.admin import admin_post_made_safe

    data = QueryDict(mutable=True)
    for index, position in enumerate(posted):
        data[f"questions-{index}-position"] = position
        data[f"questions-0-parts-{index}-position"] = position
    data["questions-0-prompt"] = "unchanged"
    result = admin_post_made_safe(data)
    assert tuple(result[f"questions-{i}-position"] for i in range(3)) == renumbered
    assert tuple(result[f"questions-0-parts-{i}-position"] for i in range(3)) == renumbered
    assert result["questions-0-prompt"] == "unchanged"
