"""The scale benchmark's dataset: N entities × Y yearly submissions shaped like IOM's 2024 seed.

Built with bulk inserts (seconds, not minutes) on whatever database Django is set up with.
The 2024 seed submission (loaded by ``seeds_load``) is the shape: its 10 answers and 16 table
rows are copied to every synthetic entity and year, with texts varied per entity, year and
version (words swapped for words of the seeds, names drifting from year to year, some items
new each year) so that neither search nor row matching has it easy. The history is there as
the write gate records it: one django-reversion revision for each submission's import, then
one revision per later save (a few autosaves per answer, some rows edited), and one removed
row per submission (its versions kept, the row gone); every version's ``serialized_data`` is
what reversion's serializer writes for the object at that version, and the last one of each
object is its current state.

Around that, what a real deployment has: the older years finalized (every question
approved, their comment threads resolved), the newest year (2024, open for answers) in
review, some of its questions approved, others in review or draft, with open comments; each
entity a coordinator, a reviewer and two contributors, every question assigned with a due
date; one user, ``scale-all``, coordinator of every entity and assigned question 5 of each
entity's newest submission.

The years are those the seeds leave free for the UN DESA questionnaire (2017, 2021 and 2023
have questionnaires of their own shape): 2024 (the seed questionnaire) and copies of it for
2022, 2020, 2019, 2018, 2016, 2015, 2014, 2013 and 2012.

The rows are written with COPY (PostgreSQL) or executemany (SQLite), ids reserved beforehand:
Django's bulk_create spends most of its time building model instances and compiling each
value, which at 150,000 rows is most of a minute. Anything the app stores beside what it
is given (a word count, a search vector, a version's metadata, a row's matching key) must be
written here too, or the benchmark measures a dataset the app could not have produced:
``tests/test_benchmarks.py`` writes a twin of a built answer and row through the write gate
and fails when the two differ.
"""

import json
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from reversion.models import Revision, Version

from accounts.models import Membership, Organization, Role
from submissions import history
from submissions.models import (
    ROW_MODELS,
    Answer,
    Assignment,
    EventKind,
    Question,
    Questionnaire,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from submissions.seeds import QUESTIONNAIRES_DIR, seeds_load
from submissions.services import questionnaire_create_from_definition

# Newest first: a dataset of N years uses the first N.
YEARS = (2024, 2022, 2020, 2019, 2018, 2016, 2015, 2014, 2013, 2012)
TEMPLATE_SLUG = "desa-2024"
TEMPLATE_YEAR = 2024
ALL_ENTITIES_USERNAME = "scale-all"
# A word in most texts, and one in three texts of the whole dataset (one of them question 1
# of the focus submission, entity 1's newest); the seeds never use it, nor do the word swaps.
COMMON_WORD = "migration"
RARE_WORD = "mangroves"
RARE_ENTITIES = (1, 2, 3)
# The share of the seed's 16 rows a submission leaves out (about 14.4 kept; the focus
# submission keeps all 16), and of each year's rows that are a new item rather than last
# year's under a drifted name.
ROW_DROP = 0.1
ROW_NEW_ITEM = 0.15
SEED = 2030
ANSWERS_PER_SUBMISSION = 10
TEMPLATE_ROWS = 16


def entity_code(number: int) -> str:
    return f"E{number:03d}"


def entity_name(number: int) -> str:
    return f"United Nations Entity {number:03d}"


def coordinator_username(number: int) -> str:
    return f"{entity_code(number).lower()}-coordinator"


@dataclass
class BuildReport:
    """What one call of ``build`` inserted; ``totals``: the database's counts afterwards."""

    entities: int = 0
    submissions: int = 0
    answers: int = 0
    rows: int = 0
    removed_rows: int = 0
    revisions: int = 0
    versions: int = 0
    users: int = 0
    seconds: float = 0.0  # all of it but loading the seeds
    questionnaire_seconds: float = 0.0  # of which creating the questionnaires, by the app's service
    totals: dict[str, int] = field(default_factory=dict)


# -- Inserting rows -----------------------------------------------------------------------


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive ids no other insert into the table will take."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        if connection.vendor == "sqlite":
            # AUTOINCREMENT: the table's sequence only grows, so ids taken here (also those of
            # removed rows, never inserted) are never given again.
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(table)}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            first = max(top, found[0] if found else 0) + 1
            if found:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                    [first + count - 1, table],
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, first + count - 1],
                )
            return first
    raise NotImplementedError(
        f"the scale dataset is built on PostgreSQL or SQLite, not {connection.vendor}"
    )


def _adapter(f: models.Field):
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def _insert(model: type[models.Model], rows: list[dict[str, Any]], *, ids: bool) -> None:
    """Insert the rows (attname → value; missing fields get their default): COPY on
    PostgreSQL, INSERT with executemany on SQLite.

    With ``ids`` each row carries its "id" (from ``_reserve_ids``); without, the database
    numbers them.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    postgresql = connection.vendor == "postgresql"
    getters = [
        (f.attname, None if f.primary_key else f.get_default(), None if postgresql else _adapter(f))
        for f in fields
    ]
    params = []
    for row in rows:
        values = []
        for name, default, adapt in getters:
            value = row.get(name, default)
            values.append(adapt(value) if adapt is not None and value is not None else value)
        params.append(values)
    with connection.cursor() as cursor:
        if postgresql:
            # COPY, which psycopg feeds row by row: executemany costs a round trip per row.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])


_ENCODER = DjangoJSONEncoder()


@cache
def _serial_fields(model: type[models.Model]) -> list[tuple[str, str, Any]]:
    """(name, attname, default) of the fields Django's serializer writes, in its order (m2m
    aside)."""
    return [
        (f.name, f.attname, f.get_default())
        for f in model._meta.concrete_model._meta.local_fields
        if f.serialize
    ]


def _serialized(model: type[models.Model], pk: int, values: dict[str, Any], sdgs) -> str:
    """An object's state as reversion stores it: Django's JSON serializer's output."""
    fields = {}
    for name, attname, default in _serial_fields(model):
        value = values.get(attname, default)
        fields[name] = _ENCODER.default(value) if isinstance(value, datetime) else value
    if sdgs is not None:
        fields["sdgs"] = sdgs
    return json.dumps(
        [{"model": model._meta.label_lower, "pk": pk, "fields": fields}],
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )


def _at(year: int, day: int, minutes: int = 0) -> datetime:
    return datetime(year, 1, 1, 8, 0, tzinfo=UTC) + timedelta(days=day, minutes=minutes)


# -- The shape ----------------------------------------------------------------------------


@dataclass
class _TemplateRow:
    kind: str
    question_number: str
    values: dict[str, str]  # the content fields (name, description, …)
    sdgs: list[int]


@dataclass
class _Template:
    answers: list[tuple[str, int | None, str]]  # question number, part position, text
    rows: list[_TemplateRow]
    vocabulary: list[str]


def _template() -> _Template:
    submission = Submission.objects.get(organization__code="IOM", questionnaire__slug=TEMPLATE_SLUG)
    answers = [
        (a.question.number, a.part.position if a.part_id else None, a.text)
        for a in submission.answers.select_related("question", "part").order_by(
            "question__position", "part__position"
        )
    ]
    rows = []
    for kind, model in ROW_MODELS.items():
        content = history.row_content_fields(model)
        for row in (
            model.objects.filter(submission=submission)
            .select_related("question")
            .prefetch_related("sdgs")
            .order_by("question__position", "position")
        ):
            rows.append(
                _TemplateRow(
                    kind=kind,
                    question_number=row.question.number,
                    values={name: str(getattr(row, name)) for name in content},
                    sdgs=sorted(s.number for s in row.sdgs.all()),
                )
            )
    words: set[str] = set()
    for text in Answer.objects.filter(submission__organization__code="IOM").values_list(
        "text", flat=True
    ):
        words.update(re.findall(r"\b[a-z]{4,}\b", text))
    words -= {COMMON_WORD, RARE_WORD, RARE_WORD[:-1]}
    return _Template(answers=answers, rows=rows, vocabulary=sorted(words))


def _questionnaires(years: int) -> dict[int, Questionnaire]:
    """The questionnaire of each year: the 2024 seed's, copied to the other years."""
    definition = json.loads((QUESTIONNAIRES_DIR / f"{TEMPLATE_SLUG}.json").read_text("utf-8"))
    found = {}
    for year in YEARS[:years]:
        slug = f"desa-{year}"
        questionnaire = Questionnaire.objects.filter(slug=slug).first()
        if questionnaire is None:
            copy = json.loads(json.dumps(definition).replace(str(TEMPLATE_YEAR), str(year)))
            copy.update(slug=slug, year=year, source_document="")
            questionnaire = questionnaire_create_from_definition(definition=copy)
        found[year] = questionnaire
    # The newest year is the one being written: open for answers (the library offers reuse).
    Questionnaire.objects.filter(pk=found[YEARS[0]].pk).update(is_open=True)
    return found


# -- Varied texts -------------------------------------------------------------------------

_NAME, _CODE = "\x00N\x00", "\x00C\x00"
_WORD_SLOT = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=4096)
def _localizable(text: str, year: int) -> str:
    """The seed's text for another year, with places for the entity's name and code."""
    text = text.replace("International Organization for Migration", _NAME)
    text = re.sub(r"\bIOM\b", _CODE, text)
    if year != TEMPLATE_YEAR:
        text = re.sub(r"\b202[345]\b", lambda m: str(int(m[0]) - TEMPLATE_YEAR + year), text)
    return text


class _Texts:
    """Texts of an entity and year: the seed's, in the entity's name, with words swapped."""

    def __init__(self, template: _Template, rng: random.Random, number: int, year: int):
        self.rng = rng
        self.vocabulary = template.vocabulary
        self.code = entity_code(number)
        self.name = entity_name(number)
        self.year = year

    def localize(self, text: str) -> str:
        return _localizable(text, self.year).replace(_NAME, self.name).replace(_CODE, self.code)

    def vary(self, text: str, share: float) -> str:
        """About ``share`` of the text's words swapped for other words of the seeds."""
        tokens = text.split(" ")
        wanted = max(1, int(len(tokens) * share))
        tries = self.rng.sample(range(len(tokens)), min(len(tokens), 3 * wanted))
        for i in tries:
            if wanted == 0:
                break
            if tokens[i] != COMMON_WORD and _WORD_SLOT.fullmatch(tokens[i]):
                tokens[i] = self.rng.choice(self.vocabulary)
                wanted -= 1
        return " ".join(tokens)

    def new_name(self) -> str:
        words = self.rng.sample(self.vocabulary, self.rng.randint(3, 6))
        name = " ".join(w.capitalize() for w in words)
        if self.rng.random() < 0.4:
            name += f" ({''.join(w[0] for w in words).upper()}{self.rng.randint(1, 9)})"
        return name

    def drift(self, name: str) -> str:
        """A name as it drifts from a year to the next: a word changed, a phase, an acronym lost."""
        roll = self.rng.random()
        if roll < 0.12:
            return re.sub(r"\s*\([^()]*\)$", "", name) or name
        if roll < 0.24:
            return f"{name} (Phase {self.rng.choice(['II', 'III', 'IV'])})"
        if roll < 0.36:
            tokens = name.split()
            tokens[self.rng.randrange(len(tokens))] = self.rng.choice(self.vocabulary).capitalize()
            return " ".join(tokens)
        return name


# -- Planning -----------------------------------------------------------------------------


@dataclass
class _Recorded:
    """An answer or row to insert, and the states the history holds of it, oldest first."""

    model: type[models.Model]
    values: dict[str, Any]  # attname → value: its current state
    repr: str
    states: list[tuple[str, datetime, int | None, dict[str, Any]]]  # comment, when, user, values
    sdgs: list[int] | None = None  # rows: their SDGs (the same in every version)
    removed: bool = False  # in the history only
    pk: int = 0


@dataclass
class _Entity:
    number: int
    organization: Organization
    coordinator: Any
    reviewer: Any
    contributors: list[Any]


@dataclass
class _Submission:
    values: dict[str, Any]
    code: str
    title: str
    pk: int = 0


class _Plan:
    """Everything a build inserts, planned in memory first."""

    def __init__(self, template: _Template, questionnaires: dict[int, Questionnaire]):
        self.template = template
        self.questionnaires = questionnaires
        self.questions: dict[int, dict[str, Question]] = {}
        self.parts: dict[int, dict[tuple[str, int], Any]] = {}
        for year, questionnaire in questionnaires.items():
            found = list(questionnaire.questions.prefetch_related("parts"))
            self.questions[year] = {q.number: q for q in found}
            self.parts[year] = {(q.number, p.position): p for q in found for p in q.parts.all()}
        self.submissions: list[_Submission] = []
        self.recorded: list[tuple[_Submission, _Recorded]] = []
        self.reviews: list[tuple[_Submission, dict]] = []
        self.events: list[tuple[_Submission, dict]] = []
        self.assignments: list[tuple[_Submission, dict]] = []
        self.comments: list[tuple[_Submission, dict, list[dict]]] = []

    def entity(self, entity: _Entity, all_user) -> None:
        years = sorted(self.questionnaires)  # oldest first: names drift forwards
        newest = max(years)
        names: dict[int, str] = {}  # the entity's item at each place of the seed's tables
        for year in years:
            rng = random.Random(SEED * 1_000_003 + entity.number * 10_007 + year)
            texts = _Texts(self.template, rng, entity.number, year)
            questionnaire = self.questionnaires[year]
            values = {
                "organization_id": entity.organization.pk,
                "questionnaire_id": questionnaire.pk,
                # The newest year has questions in review, so the submission is (derived).
                "status": SubmissionStatus.IN_REVIEW
                if year == newest
                else SubmissionStatus.FINALIZED,
                "created_at": _at(year, 10),
                "updated_at": _at(year, 340 if year != newest else 300),
            }
            if year != newest:
                values.update(finalized_at=_at(year, 345), finalized_by_id=entity.coordinator.pk)
            submission = _Submission(values, entity.organization.code, questionnaire.title)
            self.submissions.append(submission)
            focus = entity.number == 1 and year == newest
            self._answers(entity, submission, year, texts, focus=focus, newest=year == newest)
            self._rows(entity, submission, year, texts, names, focus=focus)
            self._workflow(entity, submission, year, newest=year == newest, all_user=all_user)

    def _answers(self, entity, submission, year, texts, *, focus: bool, newest: bool) -> None:
        questions, parts = self.questions[year], self.parts[year]
        for index, (number, part_position, text) in enumerate(self.template.answers):
            question = questions[number]
            part = parts[(number, part_position)] if part_position else None
            writer = entity.coordinator if number in ("6", "7") else entity.contributors[index % 2]
            if newest and number == "1" and part is None:
                writer = entity.coordinator  # where the dashboard says to continue
            current = texts.vary(texts.localize(text), 0.08)
            if index == 0 and newest and entity.number in RARE_ENTITIES:
                current = current.replace(" the ", f" {RARE_WORD} and the ", 1)
            # Earlier drafts, each a few words from the next one (autosaves), oldest first.
            drafts = [current]
            for _draft in range(2 if focus else texts.rng.randint(1, 3)):
                drafts.insert(0, texts.vary(drafts[0], 0.03))
            states = [(history.IMPORTED, _at(year, 15), None, {"text": drafts[0], "version": 1})]
            for version, draft in enumerate(drafts[1:], start=2):
                when = _at(year, 30 + 25 * version, index)
                states.append((history.SAVED, when, writer.pk, {"text": draft, "version": version}))
            values = {
                "question_id": question.pk,
                "part_id": part.pk if part else None,
                "nothing_to_report": False,
                **states[-1][3],
                "updated_by_id": writer.pk,
                "updated_at": states[-1][1],
            }
            label = part.title if part else question.number
            repr_ = f"{submission.code} – {submission.title} – {label}"
            self.recorded.append((submission, _Recorded(Answer, values, repr_, states)))

    def _rows(self, entity, submission, year, texts, names, *, focus: bool) -> None:
        questions = self.questions[year]
        positions: dict[str, int] = {}
        for index, row in enumerate(self.template.rows):
            if not focus and texts.rng.random() < ROW_DROP:
                continue
            if index not in names:
                names[index] = row.values["name"]  # localized below, with its year
            elif texts.rng.random() < ROW_NEW_ITEM:
                names[index] = texts.new_name()
            else:
                names[index] = texts.drift(names[index])
            values = {name: texts.localize(value) for name, value in row.values.items()}
            values["name"] = texts.localize(names[index])
            values["description"] = texts.vary(values["description"], 0.08)
            sdgs = set(row.sdgs)
            if texts.rng.random() < 0.3:
                sdgs.symmetric_difference_update({texts.rng.randint(1, 17)})
            positions[row.question_number] = positions.get(row.question_number, 0) + 1
            self.recorded.append(
                (
                    submission,
                    _row(
                        entity,
                        texts,
                        kind=row.kind,
                        question=questions[row.question_number],
                        position=positions[row.question_number],
                        values=values,
                        sdgs=sorted(sdgs) or [17],
                        edited=focus or texts.rng.random() < 0.5,
                        minute=index,
                    ),
                )
            )
        # A row removed this year: its versions stay in the history, the row is gone.
        initiative = next(r for r in self.template.rows if r.kind == "initiatives")
        values = {name: texts.localize(value) for name, value in initiative.values.items()}
        values["name"] = texts.new_name()
        removed = _row(
            entity,
            texts,
            kind="initiatives",
            question=questions[initiative.question_number],
            position=99,
            values=values,
            sdgs=initiative.sdgs,
            edited=False,
            minute=60,
        )
        removed.removed = True
        self.recorded.append((submission, removed))

    def _workflow(self, entity, submission, year, *, newest: bool, all_user) -> None:
        questions = list(self.questions[year].values())
        self.events.append(
            (
                submission,
                {
                    "kind": EventKind.IMPORT,
                    "message": "Imported a document (Label, blank line, value (2024; the "
                    "plain-text export)): 10 answers, 16 table rows.",
                    "created_at": _at(year, 15),
                },
            )
        )
        for index, question in enumerate(questions):
            if newest:
                status = {
                    0: ReviewStatus.IN_REVIEW,
                    1: ReviewStatus.APPROVED,
                    2: ReviewStatus.CHANGES_REQUESTED,
                }.get(index)
            else:
                status = ReviewStatus.APPROVED
            if status:
                self.reviews.append(
                    (
                        submission,
                        {
                            "question_id": question.pk,
                            "status": status,
                            "updated_by_id": entity.reviewer.pk,
                            "updated_at": _at(year, 250, index),
                        },
                    )
                )
                moves = [(ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW)]
                if status != ReviewStatus.IN_REVIEW:
                    moves.append((ReviewStatus.IN_REVIEW, status))
                for step, (before, after) in enumerate(moves):
                    actor = entity.reviewer if step else entity.contributors[index % 2]
                    self.events.append(
                        (
                            submission,
                            {
                                "question_id": question.pk,
                                "kind": EventKind.QUESTION_STATUS,
                                "from_status": before,
                                "to_status": after,
                                "actor_id": actor.pk,
                                "created_at": _at(year, 240 + 10 * step, index),
                            },
                        )
                    )
            if question.number in ("6", "7"):
                assignee = entity.coordinator
            elif question.number == "5" and newest:
                assignee = all_user
            else:
                assignee = entity.contributors[index % 2]
            self.assignments.append(
                (
                    submission,
                    {
                        "question_id": question.pk,
                        "assignee_id": assignee.pk,
                        "due_date": date(year, 10, 31),
                        "assigned_by_id": entity.coordinator.pk,
                        "created_at": _at(year, 20),
                    },
                )
            )
        if not newest:
            self.events.append(
                (
                    submission,
                    {
                        "kind": EventKind.SUBMISSION_STATUS,
                        "from_status": SubmissionStatus.APPROVED,
                        "to_status": SubmissionStatus.FINALIZED,
                        "actor_id": entity.coordinator.pk,
                        "created_at": _at(year, 345),
                    },
                )
            )
        for index, number in enumerate(("1", "5", "7")):
            resolved = not newest or index == 0
            question_id = self.questions[year][number].pk
            thread = {
                "question_id": question_id,
                "author_id": entity.reviewer.pk,
                "text": f"Please add the {year} figures and shorten the second paragraph.",
                "resolved": resolved,
                "resolved_by_id": entity.coordinator.pk if resolved else None,
                "resolved_at": _at(year, 230) if resolved else None,
                "created_at": _at(year, 200, index),
            }
            reply = {
                "question_id": question_id,
                "author_id": entity.contributors[index % 2].pk,
                "text": "Done: figures added, the paragraph is shorter now.",
                "resolved": False,
                "created_at": _at(year, 210, index),
            }
            self.comments.append((submission, thread, [reply]))

    # -- Inserting ------------------------------------------------------------------------

    def insert(self, report: BuildReport) -> None:
        first = _reserve_ids(Submission, len(self.submissions))
        for offset, submission in enumerate(self.submissions):
            submission.pk = submission.values["id"] = first + offset
        _insert(Submission, [s.values for s in self.submissions], ids=True)
        report.submissions += len(self.submissions)
        for submission, item in self.recorded:
            item.values["submission_id"] = submission.pk
        insert_recorded([item for _s, item in self.recorded], report)
        for rows, model in (
            (self.reviews, QuestionReview),
            (self.events, SubmissionEvent),
            (self.assignments, Assignment),
        ):
            _insert(model, [{**values, "submission_id": s.pk} for s, values in rows], ids=False)
        first = _reserve_ids(ReviewComment, len(self.comments))
        threads, replies = [], []
        for offset, (submission, thread, answers) in enumerate(self.comments):
            threads.append({**thread, "id": first + offset, "submission_id": submission.pk})
            replies += [
                {**reply, "submission_id": submission.pk, "parent_id": first + offset}
                for reply in answers
            ]
        _insert(ReviewComment, threads, ids=True)
        _insert(ReviewComment, replies, ids=False)


def _row(entity, texts, *, kind, question, position, values, sdgs, edited, minute) -> _Recorded:
    """A table row: imported, then (``edited``) saved once with its description reworded."""
    writer = entity.contributors[minute % 2]
    year = texts.year
    states = [(history.IMPORTED, _at(year, 15), None, {**values, "version": 1})]
    if edited:
        edit = {"description": texts.vary(values["description"], 0.03), "version": 2}
        states.append((history.SAVED, _at(year, 120, minute), writer.pk, {**values, **edit}))
    current = {
        "question_id": question.pk,
        "position": position,
        **states[-1][3],
        "updated_by_id": writer.pk if edited else None,
        "updated_at": states[-1][1],
    }
    return _Recorded(ROW_MODELS[kind], current, values["name"], states, sdgs=sdgs)


def insert_recorded(items: list[_Recorded], report: BuildReport) -> None:
    """Insert answers and rows (ids reserved), their SDGs, and their history.

    A removed row only takes its id (never to be used again) and leaves its versions.
    """
    by_model: dict[type[models.Model], list[_Recorded]] = {}
    for item in items:
        by_model.setdefault(item.model, []).append(item)
    for model, found in by_model.items():
        first = _reserve_ids(model, len(found))
        for offset, item in enumerate(found):
            item.values = model.derived_values(item.values)
            item.pk = item.values["id"] = first + offset
        kept = [item for item in found if not item.removed]
        _insert(model, [item.values for item in kept], ids=True)
        if model is Answer:
            report.answers += len(kept)
            continue
        report.rows += len(kept)
        report.removed_rows += len(found) - len(kept)
        through = model.sdgs.through
        column = f"{model._meta.model_name}_id"
        _insert(through, [{column: i.pk, "sdg_id": n} for i in kept for n in i.sdgs], ids=False)
    _history(items, report)


def _history(items: list[_Recorded], report: BuildReport) -> None:
    """Revisions (one per submission's import, one per later save) and their versions."""
    content_types = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (Answer, *ROW_MODELS.values())
    }
    revisions: list[dict[str, Any]] = []
    members: list[list[tuple[_Recorded, int]]] = []
    imports: dict[int, int] = {}  # submission → its import revision's index in ``revisions``
    for item in items:
        for index, (comment, when, user_id, _values) in enumerate(item.states):
            if comment == history.IMPORTED:
                key = item.values["submission_id"]
                if key not in imports:
                    imports[key] = len(revisions)
                    revisions.append({"date_created": when, "user_id": None, "comment": comment})
                    members.append([])
                members[imports[key]].append((item, index))
            else:
                revisions.append({"date_created": when, "user_id": user_id, "comment": comment})
                members.append([(item, index)])
        if item.removed:
            when = item.states[-1][1] + timedelta(days=60)
            revisions.append({"date_created": when, "user_id": None, "comment": history.REMOVED})
            members.append([(item, len(item.states) - 1)])
    # Numbered in time order, as they were written.
    order = sorted(range(len(revisions)), key=lambda i: revisions[i]["date_created"])
    first = _reserve_ids(Revision, len(revisions))
    versions = []
    for offset, index in enumerate(order):
        revision = revisions[index]
        revision["id"] = first + offset
        for item, state in members[index]:
            _comment, when, user_id, values = item.states[state]
            current = item.model.derived_values(
                {**item.values, **values, "updated_by_id": user_id, "updated_at": when}
            )
            versions.append(
                {
                    "revision_id": revision["id"],
                    "object_id": str(item.pk),
                    "content_type_id": content_types[item.model],
                    "db": "default",
                    "format": "json",
                    "serialized_data": _serialized(item.model, item.pk, current, item.sdgs),
                    "object_repr": item.repr,
                }
            )
    _insert(Revision, [revisions[i] for i in order], ids=True)
    _insert(Version, versions, ids=False)
    history.version_index_fill(batch_size=5000)  # as the write gate's signal indexes them
    report.revisions += len(revisions)
    report.versions += len(versions)


def _users_and_entities(numbers: range, password: str) -> tuple[list[_Entity], Any]:
    User = get_user_model()
    all_user, _created = User.objects.get_or_create(
        username=ALL_ENTITIES_USERNAME, defaults={"password": password}
    )
    organizations = Organization.objects.bulk_create(
        Organization(code=entity_code(n), name=entity_name(n)) for n in numbers
    )
    people = []
    for n in numbers:
        code = entity_code(n).lower()
        people += [
            User(username=f"{code}-coordinator", password=password),
            User(username=f"{code}-reviewer", password=password),
            User(username=f"{code}-contributor-1", password=password),
            User(username=f"{code}-contributor-2", password=password),
        ]
    User.objects.bulk_create(people, batch_size=2000)
    entities, memberships = [], []
    for i, (n, organization) in enumerate(zip(numbers, organizations, strict=True)):
        coordinator, reviewer, *contributors = people[4 * i : 4 * i + 4]
        entities.append(_Entity(n, organization, coordinator, reviewer, contributors))
        memberships += [
            Membership(user=coordinator, organization=organization, role=Role.COORDINATOR),
            Membership(user=reviewer, organization=organization, role=Role.REVIEWER),
            *(
                Membership(user=c, organization=organization, role=Role.CONTRIBUTOR)
                for c in contributors
            ),
            Membership(user=all_user, organization=organization, role=Role.COORDINATOR),
        ]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    return entities, all_user


def totals() -> dict[str, int]:
    """What the database holds now, counted."""
    return {
        "organizations": Organization.objects.count(),
        "submissions": Submission.objects.count(),
        "answers": Answer.objects.count(),
        "rows": sum(model.objects.count() for model in ROW_MODELS.values()),
        "revisions": Revision.objects.count(),
        "versions": Version.objects.count(),
        "users": get_user_model().objects.count(),
    }


def build(*, entities: int, years: int = 10, first: int = 1, password: str = "") -> BuildReport:
    """Add entities ``first`` … ``first + entities - 1``, each with ``years`` submissions.

    Loads the seeds first when they are missing (not counted in ``seconds``). Every user
    gets the password hash ``password`` (as ``make_password`` gives it; empty: unusable).
    """
    if not Submission.objects.filter(questionnaire__slug=TEMPLATE_SLUG).exists():
        seeds_load(demo_users=False)
    start = time.perf_counter()
    template = _template()
    password = password or make_password(None)
    with transaction.atomic():
        questionnaires = _questionnaires(years)
        questionnaire_seconds = time.perf_counter() - start
        people, all_user = _users_and_entities(range(first, first + entities), password)
        plan = _Plan(template, questionnaires)
        for entity in people:
            plan.entity(entity, all_user)
        report = BuildReport(entities=entities, users=4 * entities)
        plan.insert(report)
    report.seconds = time.perf_counter() - start
    report.questionnaire_seconds = questionnaire_seconds
    report.totals = totals()
    return report


def analyze() -> None:
    """Refresh the planner's statistics and the tables' visibility maps after a bulk load, as
    autovacuum soon would (it vacuums after inserts too): without them PostgreSQL costs an
    index-only scan as reading the table as well."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# -- The submissions the benchmark looks at, and one of them grown -------------------------


def focus_submission() -> Submission:
    """Entity 1's newest submission (the seed's 16 rows, every answer with three versions)."""
    return Submission.objects.select_related("questionnaire", "organization").get(
        organization__code=entity_code(1), questionnaire__year=YEARS[0]
    )


def previous_submission() -> Submission:
    """Entity 1's submission of the year before its newest."""
    return (
        Submission.objects.filter(
            organization__code=entity_code(1), questionnaire__year__lt=YEARS[0]
        )
        .select_related("questionnaire", "organization")
        .order_by("-questionnaire__year")
        .first()
    )


def row_count(submission: Submission) -> int:
    return sum(m.objects.filter(submission=submission).count() for m in ROW_MODELS.values())


def grow_rows(submission: Submission, *, total: int) -> list[tuple[type[models.Model], int]]:
    """Add events and initiatives, alternately, until the submission has ``total`` table rows;
    returns (model, id) of each row added.

    Item i is the same item in every submission it is added to, under a drifted name (one in
    three is that submission's own instead), so that comparing two grown years matches most
    rows by similarity, as a real table's recurring items do. Each comes with one version, in
    one revision for all of them ("imported"), as an import of the added rows records them.
    """
    template = _template()
    year = submission.questionnaire.year
    code = submission.organization.code
    number = int(code[1:]) if code[1:].isdigit() else 1
    questions = {q.table: q for q in submission.questionnaire.questions.exclude(table="")}
    by_kind = {kind: [r for r in template.rows if r.kind == kind] for kind in ROW_MODELS}
    items = []
    for i in range(row_count(submission), total):
        kind = "events" if i % 2 else "initiatives"
        source = by_kind[kind][i % len(by_kind[kind])]
        name = _Texts(template, random.Random(f"{SEED}-item-{i}"), number, year).new_name()
        texts = _Texts(template, random.Random(f"{SEED}-{i}-{submission.pk}"), number, year)
        if texts.rng.random() < 0.3:
            name = texts.new_name()
        values = {k: texts.localize(v) for k, v in source.values.items()}
        values.update(name=texts.drift(name), description=texts.vary(values["description"], 0.08))
        when = _at(year, 15)
        current = {
            "submission_id": submission.pk,
            "question_id": questions[kind].pk,
            "position": 100 + i,
            **values,
            "version": 1,
            "updated_by_id": None,
            "updated_at": when,
        }
        state = (history.IMPORTED, when, None, {**values, "version": 1})
        items.append(_Recorded(ROW_MODELS[kind], current, values["name"], [state], source.sdgs))
    with transaction.atomic():
        insert_recorded(items, BuildReport())
    return [(item.model, item.pk) for item in items]


def remove_rows(rows: list[tuple[type[models.Model], int]]) -> None:
    """Take rows that ``grow_rows`` added out again, with their versions and revisions."""
    with transaction.atomic():
        for model in ROW_MODELS.values():
            pks = [pk for m, pk in rows if m is model]
            if not pks:
                continue
            versions = Version.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in pks],
            )
            revisions = set(versions.values_list("revision_id", flat=True))
            versions.delete()
            Revision.objects.filter(pk__in=revisions, version__isnull=True).delete()
            model.objects.filter(pk__in=pks).delete()
