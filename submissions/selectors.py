"""Reads: what a user may see."""

import hashlib
import json
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, connections
from django.db.models import F, Prefetch, QuerySet, Value, signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext
from reversion.models import Revision, Version

from accounts.models import Membership, Organization
from accounts.selectors import person_name

from .models import (
    ANSWERS,
    ROW_MODELS,
    Answer,
    Assignment,
    EventKind,
    Presence,
    Question,
    Questionnaire,
    QuestionPart,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
    RowField,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionIndex,
)


@lru_cache(maxsize=32)
def _all_fields(model) -> tuple[str, ...]:
    """Every stored attribute of ``model``, in the order ``Model.from_db`` takes them."""
    return tuple(f.attname for f in model._meta.concrete_fields)


def submissions_visible_to(*, user: AbstractBaseUser) -> QuerySet[Submission]:
    """Submissions of the organizations the user belongs to, newest year first.

    Each brings the user's role in its organization (``viewer_role``, for ``viewer_id``),
    read from the membership the filter joins: permission checks need no query of their own.
    No DISTINCT: a person has one membership per organization (a constraint), so the join
    gives each submission once, and a DISTINCT over the joined rows (the questionnaire's
    introduction among them) cost every page a sort.
    """
    return (
        Submission.objects.filter(organization__memberships__user=user)
        .annotate(viewer_id=Value(user.pk), viewer_role=F("organization__memberships__role"))
        .select_related("organization", "questionnaire")
        .order_by("-questionnaire__year", "questionnaire__kind", "organization__code")
    )


def submission_visible_to(*, user: AbstractBaseUser, pk: int) -> Submission | None:
    """The submission ``pk`` if it is one of the user's organizations' (None otherwise), as
    ``submissions_visible_to`` gives it: with its organization, questionnaire and the user's
    role there (``viewer_role``, for ``viewer_id``).

    Every page of a submission starts with this read. Through the ORM, building and compiling
    the four-table query and making its instances took longer than running it, so its SQL is
    written out once per process (``_visible_submission_sql``) and its instances made here,
    with the database's converters (SQLite's booleans and datetimes).
    """
    if user.pk is None or not -(2**63) <= pk < 2**63:  # beyond any key: the database refuses it
        return None
    with connection.cursor() as cursor:
        cursor.execute(_visible_submission_sql(connection.vendor), [user.pk, pk])
        record = cursor.fetchone()
    if record is None or record[-1] is None:  # no such submission, or not a member's
        return None
    return _visible_submission(record, user)


def _visible_submission(record, user: AbstractBaseUser) -> Submission:
    """A submission made from a record of ``_visible_submission_sql``'s columns: its
    organization, questionnaire and the user's role there."""
    made, at = [], 0
    for model in _VISIBLE_MODELS:
        fields = _all_fields(model)
        values = _converted(_converted_columns(model, fields), list(record[at : at + len(fields)]))
        made.append(model.from_db(connection.alias, fields, values))
        at += len(fields)
    submission, submission.organization, submission.questionnaire = made
    submission.viewer_id, submission.viewer_role = user.pk, record[at]
    return submission


def organization_submissions_visible_to(
    *, user: AbstractBaseUser, organization_id: int
) -> list[Submission]:
    """One organization's submissions if the user belongs to it (none otherwise), newest
    year first, as ``submissions_visible_to`` gives them: with their organization,
    questionnaire and the user's role there. The library, the coverage across years and
    compare's choices read one organization's; its SQL is written out once per process (the
    ORM's building of the four-table query took longer than running it)."""
    with connection.cursor() as cursor:
        cursor.execute(_organization_submissions_sql(connection.vendor), [user.pk, organization_id])
        return [_visible_submission(record, user) for record in cursor.fetchall()]


def _visible_parts() -> tuple[str, str]:
    """The columns ``_visible_submission`` makes a submission from (its organization's and
    questionnaire's after its own), and the three tables joined (``FROM …``), for its SQL."""
    quote, column = connection.ops.quote_name, _qualified
    selected = [column(model, name) for model in _VISIBLE_MODELS for name in _all_fields(model)]
    tables = (
        f"FROM {quote(Submission._meta.db_table)} "
        f"INNER JOIN {quote(Organization._meta.db_table)} ON {column(Organization, 'id')} = "
        f"{column(Submission, 'organization_id')} "
        f"INNER JOIN {quote(Questionnaire._meta.db_table)} ON {column(Questionnaire, 'id')} = "
        f"{column(Submission, 'questionnaire_id')} "
    )
    return ", ".join(selected), tables


@lru_cache(maxsize=4)
def _visible_submission_sql(vendor: str) -> str:
    """SQL reading one submission (its id the second parameter), its organization and
    questionnaire, and the role in its organization of the person whose id is the first
    parameter (NULL for a non-member). The role is a subquery (one membership per person and
    organization), not a fourth join: PostgreSQL planned the four-table join in twice the
    time it took to plan this, and far longer than it took to run either."""
    quote, column = connection.ops.quote_name, _qualified
    role = (
        f"SELECT {column(Membership, 'role')} FROM {quote(Membership._meta.db_table)} "
        f"WHERE {column(Membership, 'organization_id')} = {column(Submission, 'organization_id')}"
        f" AND {column(Membership, 'user_id')} = %s"
    )
    selected, tables = _visible_parts()
    return f"SELECT {selected}, ({role}) {tables}WHERE {column(Submission, 'id')} = %s"


@lru_cache(maxsize=4)
def _organization_submissions_sql(vendor: str) -> str:
    """SQL reading an organization's submissions (its id the second parameter) with their
    organization and questionnaire, and the role there of the person whose id is the first
    parameter, newest year first: none when they are not a member (the join)."""
    quote, column = connection.ops.quote_name, _qualified
    selected, tables = _visible_parts()
    return (
        f"SELECT {selected}, {column(Membership, 'role')} {tables}"
        f"INNER JOIN {quote(Membership._meta.db_table)} ON "
        f"{column(Membership, 'organization_id')} = {column(Submission, 'organization_id')} "
        f"AND {column(Membership, 'user_id')} = %s "
        f"WHERE {column(Submission, 'organization_id')} = %s "
        f"ORDER BY {column(Questionnaire, 'year')} DESC, {column(Questionnaire, 'kind')}, "
        f"{column(Submission, 'id')}"
    )


# What a submission's lookup reads, in the order of its record.
_VISIBLE_MODELS = (Submission, Organization, Questionnaire)


def shown_digest(shown) -> str:
    """What a part of a page shows, hashed: the key of its cached HTML. ``shown`` holds plain
    values (numbers, strings, dates, tuples and lists, dataclasses of them), whose repr is
    their content."""
    return hashlib.sha256(repr(shown).encode()).hexdigest()


# A question is still with its writer in these statuses; past its due date it is overdue.
WRITING = frozenset({"empty", ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED})


@dataclass
class Count:
    """Words of one text against its limit (and its minimum, when the form asks for one)."""

    words: int
    limit: int | None
    minimum: int | None = None

    @property
    def over(self) -> bool:
        return bool(self.limit) and self.words > self.limit

    @property
    def under(self) -> bool:
        """Written, but short of the minimum (an empty box is "not started", not "under")."""
        return bool(self.minimum) and 0 < self.words < self.minimum

    @property
    def percent(self) -> int | None:
        """Whole percent of the limit, rounded down: 199 of 200 words is 99%, not yet 100%."""
        return 100 * self.words // self.limit if self.limit else None


@dataclass
class PartState:
    part: QuestionPart
    answer: Answer | None
    count: Count


@dataclass
class QuestionState:
    """Where one question of a submission stands: words, rows, limits, review status.

    The figures every page shows come from here. A question's words are those of its own
    answer box against its own limit (``count``: "100 / 200 words"); each part counts apart,
    against its own limit. Limits are never added up: none of them is a limit of the sum.
    """

    question: Question
    narrative: Answer | None = None
    count: Count | None = None
    parts: list[PartState] = field(default_factory=list)
    row_count: int = 0
    rows_over: int = 0
    review: QuestionReview | None = None

    @property
    def answers(self) -> list[Answer]:
        found = [self.narrative] + [p.answer for p in self.parts]
        return [a for a in found if a is not None]

    @property
    def answered(self) -> bool:
        """Something written, or a box marked "Nothing to report this year"."""
        return self.row_count > 0 or any(a.words or a.nothing_to_report for a in self.answers)

    @property
    def nothing_to_report(self) -> bool:
        """Whether a box (or the table of a question with only a table) is marked empty."""
        return any(a.nothing_to_report and not a.words for a in self.answers)

    @property
    def over(self) -> bool:
        return self.text_over or self.rows_over > 0

    @property
    def words(self) -> int:
        """Words written in the question, its answer box and parts together."""
        return (self.count.words if self.count else 0) + sum(p.count.words for p in self.parts)

    @property
    def text_over(self) -> bool:
        """Whether its answer box or one of its parts is over its limit (rows aside)."""
        return bool(self.count and self.count.over) or any(p.count.over for p in self.parts)

    @property
    def status(self) -> str:
        """The question's review status; "empty" for a draft with nothing written yet."""
        status = self.review.status if self.review else ReviewStatus.DRAFT
        if status == ReviewStatus.DRAFT and not self.answered:
            return "empty"
        return status

    def overdue(self, *, due_date: date | None, today: date) -> bool:
        """Past its due date and still being written (not sent for review, not approved).

        The one rule of the completeness page and My work.
        """
        return bool(due_date and due_date < today and self.status in WRITING)


@dataclass
class Progress:
    """A submission's progress: the counts the dashboard, review and completeness pages show."""

    states: list[QuestionState]

    @property
    def total(self) -> int:
        return len(self.states)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.states)

    @property
    def over(self) -> int:
        return sum(s.over for s in self.states)

    @property
    def in_review(self) -> int:
        return sum(s.status == ReviewStatus.IN_REVIEW for s in self.states)

    @property
    def approved(self) -> int:
        return sum(s.status == ReviewStatus.APPROVED for s in self.states)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def digest(self) -> str:
        """What every state shows (status, words against limits, rows), hashed: with the
        questionnaire's structure stamp, the key of a page's cached list of the questions."""
        shown = [
            (
                s.question.pk,
                s.status,
                s.answered,
                s.count,
                [p.count for p in s.parts],
                s.row_count,
                s.rows_over,
            )
            for s in self.states
        ]
        return shown_digest(shown)


class _QuestionsMemo:
    """Questionnaires' questions kept by this process under their structure stamps.

    A dict, not Django's cache: the cache pickles what it keeps, and unpickling ten years'
    questions (with their parts and row fields) cost the dashboard more than reading them.
    The stamp in the key makes an administrator's edit a new entry on every app server; the
    oldest entries go beyond ``size``.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict[str, list[Question]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> list[Question] | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key: str, questions: list[Question]) -> None:
        with self._lock:
            self._entries[key] = questions
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


questions_memo = _QuestionsMemo()


def questionnaire_questions(*, questionnaires: list[Questionnaire]) -> dict[int, list[Question]]:
    """Each questionnaire's questions in order, their parts prefetched: one query, or none.

    Every page of a submission shows its questions, and they change only when an
    administrator edits them: each app server keeps them under the questionnaire's
    structure stamp, which every edit replaces (``services.questionnaire_structure_changed``).
    The lists are shared by the requests of a process: read them, never change them.
    """
    keys = {q.pk: f"{q.pk}-{q.structure_stamp}" for q in questionnaires}
    found = {pk: q for pk, key in keys.items() if (q := questions_memo.get(key)) is not None}
    missing = keys.keys() - found.keys()
    if missing:
        read: dict[int, list[Question]] = {pk: [] for pk in missing}
        for question in (
            Question.objects.filter(questionnaire_id__in=missing)
            .order_by("position", "id")
            .prefetch_related(
                Prefetch("parts", queryset=QuestionPart.objects.order_by("position", "id")),
                Prefetch("row_fields", queryset=RowField.objects.order_by("position", "id")),
            )
        ):
            read[question.questionnaire_id].append(question)
        for pk, questions in read.items():
            questions_memo.put(keys[pk], questions)
        found |= read
    return found


def submissions_questions(*, submissions: Sequence[Submission]) -> dict[int, list[Question]]:
    """Each of the submissions' questionnaires' questions in order, by questionnaire id (see
    ``questionnaire_questions``: no query once the process has read them)."""
    return questionnaire_questions(questionnaires=_questionnaires(list(submissions)))


def submission_question(*, submission: Submission, number: str) -> Question | None:
    """The question of the submission's questionnaire numbered ``number`` (None: no such
    question), its parts and row fields prefetched: from ``questionnaire_questions``, so no
    query once the process has read them. Shared with other requests: never change it."""
    questions = submissions_questions(submissions=[submission])[submission.questionnaire_id]
    return next((q for q in questions if q.number == number), None)


def question_rows(*, submission: Submission, question: Question) -> list:
    """The submission's saved rows of the question's table, in the table's order (position,
    then id); none for a question without a table.

    The edit page reads them on every view: the ORM's building of this one-table query (its
    ordering most) took three times as long as running it, so its SQL is written out once per
    process and table (``_rows_sql``) and the rows made here, with the database's converters.
    """
    if not question.table:
        return []
    model = ROW_MODELS[question.table]
    fields = _all_fields(model)
    columns = _converted_columns(model, fields)
    with connection.cursor() as cursor:
        cursor.execute(_rows_sql(connection.vendor, question.table), [submission.pk, question.pk])
        return [
            model.from_db(connection.alias, fields, _converted(columns, list(values)))
            for values in cursor.fetchall()
        ]


@lru_cache(maxsize=16)
def _rows_sql(vendor: str, table: str) -> str:
    model = ROW_MODELS[table]
    submission, question, position, pk = _columns(
        model, ["submission_id", "question_id", "position", "id"]
    )
    return (
        f"SELECT {', '.join(_columns(model, _all_fields(model)))} "
        f"FROM {connection.ops.quote_name(model._meta.db_table)} "
        f"WHERE {submission} = %s AND {question} = %s ORDER BY {position}, {pk}"
    )


def _questionnaires(submissions: list[Submission]) -> list[Questionnaire]:
    """The submissions' questionnaires, read only where a submission did not bring its own."""
    known = {
        s.questionnaire_id: s.questionnaire
        for s in submissions
        if Submission.questionnaire.is_cached(s)
    }
    missing = {s.questionnaire_id for s in submissions} - known.keys()
    if missing:
        known |= Questionnaire.objects.order_by().in_bulk(missing)
    return list(known.values())


def submissions_progress(
    *, submissions: list[Submission], texts: bool = True
) -> dict[int, Progress]:
    """Progress of several submissions in a fixed number of queries, whatever their size.

    One (answers, reviews and rows' words together), plus two for questions not in the
    cache and one for questionnaires the submissions did not bring along. Word counts are
    the stored ones; the answers' texts are read only with ``texts`` (pages of many
    submissions show counts, not texts).
    """
    if not submissions:
        return {}
    questions = questionnaire_questions(questionnaires=_questionnaires(submissions))
    answers, reviews, rows = _progress_records([s.pk for s in submissions], texts)
    progress = {}
    for submission in submissions:
        states = []
        for question in questions[submission.questionnaire_id]:
            states.append(_question_state(submission.pk, question, answers, reviews, rows))
        progress[submission.pk] = Progress(states=states)
    return progress


def question_states(
    *, submissions: list[Submission], pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], QuestionState]:
    """The states of some questions of some submissions, by (submission id, question id):
    their status, words and limits as ``submissions_progress`` has them, in one query that
    reads those questions' answers, reviews and rows only (My work shows a few questions of
    each submission; the progress of all of them read every answer of every submission).
    Without the answers' texts."""
    if not pairs:
        return {}
    questions = questionnaire_questions(questionnaires=_questionnaires(submissions))
    question_ids = sorted({question for _submission, question in pairs})
    answers, reviews, rows = _progress_records(
        [s.pk for s in submissions], False, questions=question_ids
    )
    states = {}
    for submission in submissions:
        for question in questions[submission.questionnaire_id]:
            if (submission.pk, question.pk) in pairs:
                states[(submission.pk, question.pk)] = _question_state(
                    submission.pk, question, answers, reviews, rows
                )
    return states


def _in_model_order(model, read) -> tuple[str, ...]:
    """The attribute names ``read`` of ``model`` in its order of fields, the order
    ``Model.from_db`` takes their values in."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in read)


# What the progress reads of reviews (all of them) and answers (their text only when asked).
_REVIEW_FIELDS = _all_fields(QuestionReview)
_ANSWER, _REVIEW, _ROW = 0, 1, 2


def _answer_fields(texts: bool) -> tuple[str, ...]:
    read = {"id", "submission_id", "question_id", "part_id", "words", "version"}
    read |= {"nothing_to_report", "updated_by_id", "updated_at", *(("text",) if texts else ())}
    return _in_model_order(Answer, read)


def _progress_records(ids: list[int], texts: bool, questions: list[int] | None = None):
    """The submissions' answers by (submission, question, part), reviews by (submission,
    question) and rows' description words by (submission, question): one query; of the
    ``questions`` (ids) only, when given.

    Each of the three read on its own cost a page its round trip and the ORM's building of
    the query, which took longer than running it; the progress of every page that shows it
    is these three, so they are read together (``_progress_sql``) and made into the models'
    instances here, with the database's converters (SQLite's booleans and datetimes).
    """
    answer_fields = _answer_fields(texts)
    answer_columns = _converted_columns(Answer, answer_fields)
    review_columns = _converted_columns(QuestionReview, _REVIEW_FIELDS)
    answers: dict[tuple[int, int, int | None], Answer] = {}
    reviews: dict[tuple[int, int], QuestionReview] = {}
    rows: dict[tuple[int, int], list[int]] = defaultdict(list)
    submission_at, question_at, words_at = (answer_fields.index(n) for n in _ROW_IN_ANSWER)
    db = connection.alias
    make_answer = _maker(Answer, db, answer_fields)
    with connection.cursor() as cursor:
        sql = _progress_sql(connection.vendor, len(ids), texts, len(questions or ()))
        cursor.execute(sql, [*ids, *(questions or ())] * (2 + len(ROW_MODELS)))
        for kind, *values in cursor.fetchall():
            if kind == _ANSWER:
                answer = make_answer(_converted(answer_columns, values[: len(answer_fields)]))
                answers[(answer.submission_id, answer.question_id, answer.part_id)] = answer
            elif kind == _REVIEW:
                review = QuestionReview.from_db(
                    db, _REVIEW_FIELDS, _converted(review_columns, values[-len(_REVIEW_FIELDS) :])
                )
                reviews[(review.submission_id, review.question_id)] = review
            else:
                rows[(values[submission_at], values[question_at])].append(values[words_at])
    return answers, reviews, rows


def _converted_columns(model, attnames: tuple[str, ...]) -> list[tuple[int, object, list]]:
    """(position, column expression, converters) of the attributes the ORM converts on this
    database (none of these on PostgreSQL; SQLite's booleans and datetimes).

    Worked out once per connection, model and attributes: on every read it cost the edit page
    more than converting its values did. Each thread has its connection, and the converters
    are its connection's."""
    database = connections[connection.alias]
    known = _CONVERTERS.setdefault(database, {})
    if (model, attnames) not in known:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        columns = []
        for at, attname in enumerate(attnames):
            column = by_attname[attname].get_col(model._meta.db_table)
            converters = database.ops.get_db_converters(column)
            converters += column.get_db_converters(database)
            if converters:
                columns.append((at, column, converters))
        known[(model, attnames)] = columns
    return known[(model, attnames)]


_CONVERTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _maker(model, db: str, attnames: tuple[str, ...]):
    """A function making an instance of ``model`` from the converted values of ``attnames``
    (the others deferred) as ``Model.from_db`` makes it, without running ``Model.__init__``.

    The dashboard's progress makes some 300 answers a page, and ``__init__``'s work per field
    (each foreign key's descriptor, the deferred fields' markers) was a fifth of the page's
    time beyond the trivial page's. It sets what ``from_db`` would leave on the instance: the
    attributes, and a state saying it came from ``db``. When anything listens to the model's
    ``pre_init`` or ``post_init`` signals, it is ``from_db`` itself, so that they are sent."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return lambda values: model.from_db(db, attnames, values)

    def make(values: list):
        made = model.__new__(model)
        made.__dict__.update(zip(attnames, values, strict=True))
        made._state = ModelState()
        made._state.adding, made._state.db = False, db
        return made

    return make


def _converted(columns, values: list) -> list:
    for at, column, converters in columns:
        for converter in converters:
            values[at] = converter(values[at], column, connection)
    return values


def _person_columns(table: str, fields: tuple[str, ...] | None = None) -> list[str]:
    """The columns of a person's ``fields`` (all of them by default) in a query, under
    ``table`` (the users' quoted table, or an alias of it)."""
    user_model = get_user_model()
    return [f"{table}.{c}" for c in _columns(user_model, fields or _all_fields(user_model))]


def _person_from(values: list, fields: tuple[str, ...] | None = None):
    """The person whose ``fields`` (all of them by default) are ``values`` in a record read
    with ``_person_columns``, converted as the ORM would; None where the record has none
    (NULL: nobody recorded, or a person since deleted)."""
    if values[0] is None:
        return None
    user_model = get_user_model()
    fields = fields or _all_fields(user_model)
    columns = _converted_columns(user_model, fields)
    return user_model.from_db(connection.alias, fields, _converted(columns, list(values)))


# A LIMIT that takes every row (SQLite has no LIMIT ALL).
_NO_LIMIT = 2**62


# A row's columns in the answer's: answer attribute → row attribute.
_ROW_IN_ANSWER = {
    "submission_id": "submission_id",
    "question_id": "question_id",
    "words": "description_words",
}


def _columns(model, attnames) -> list[str]:
    """The quoted columns of ``model``'s attributes ``attnames``."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [connection.ops.quote_name(by_attname[name].column) for name in attnames]


def _qualified(model, attname: str) -> str:
    """The quoted column of ``model``'s attribute ``attname``, with its table."""
    return f"{connection.ops.quote_name(model._meta.db_table)}.{_columns(model, [attname])[0]}"


@lru_cache(maxsize=128)
def _progress_sql(vendor: str, submissions: int, texts: bool, questions: int = 0) -> str:
    """SQL reading the submissions' answers, reviews and rows' words as one list of records
    (of ``questions`` questions only, when not 0).

    Each record is (kind, then the answer's fields, then the review's): the answer's
    columns hold a row's submission, question and words, and what a kind has not is NULL.
    Written out once per process and size (the ORM built the three reads on every page).
    """
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * submissions)
    of_questions = ", ".join(["%s"] * questions)
    answer_fields = _answer_fields(texts)

    nulls = lambda n: ["NULL"] * n  # noqa: E731
    selects = [
        (_ANSWER, Answer, _columns(Answer, answer_fields) + nulls(len(_REVIEW_FIELDS))),
        (
            _REVIEW,
            QuestionReview,
            nulls(len(answer_fields)) + _columns(QuestionReview, _REVIEW_FIELDS),
        ),
    ]
    for model in ROW_MODELS.values():
        # In the answer's columns: its submission, question and words (the description's).
        row = dict(zip(_ROW_IN_ANSWER, _columns(model, _ROW_IN_ANSWER.values()), strict=True))
        selected = [row.get(name, "NULL") for name in answer_fields]
        selects.append((_ROW, model, selected + nulls(len(_REVIEW_FIELDS))))
    return " UNION ALL ".join(
        f"SELECT {kind}, {', '.join(selected)} FROM {quote(model._meta.db_table)} "
        f"WHERE {_columns(model, ['submission_id'])[0]} IN ({placeholders})"
        + (f" AND {_columns(model, ['question_id'])[0]} IN ({of_questions})" if questions else "")
        for kind, model, selected in selects
    )


def table_row_values(
    *, submission_ids: list[int], kinds: list[str], fields: tuple[str, ...]
) -> dict[str, list[tuple]]:
    """The ``fields`` (attribute names every row model has) of the submissions' rows of each
    kind of table, unordered: one query for all the kinds, whatever their number of rows.

    A UNION ALL of the tables, each record with its table's place in ``ROW_MODELS``; its SQL
    is written out once per process and size (``_row_values_sql``: the ORM's building of the
    three reads took longer than running them) and the values converted as the ORM would
    (SQLite's datetimes)."""
    found: dict[str, list[tuple]] = {kind: [] for kind in kinds}
    if not kinds or not submission_ids:
        return found
    names = list(ROW_MODELS)
    # The same fields in every row model: the first one's converters serve them all.
    columns = _converted_columns(ROW_MODELS[kinds[0]], fields)
    sql = _row_values_sql(connection.vendor, tuple(kinds), fields, len(submission_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(submission_ids) * len(kinds))
        for table, *values in cursor.fetchall():
            found[names[table]].append(tuple(_converted(columns, values)))
    return found


@lru_cache(maxsize=64)
def _row_values_sql(vendor: str, kinds: tuple[str, ...], fields: tuple[str, ...], size: int) -> str:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * size)
    names = list(ROW_MODELS)
    return " UNION ALL ".join(
        f"SELECT {names.index(kind)}, {', '.join(_columns(ROW_MODELS[kind], fields))} "
        f"FROM {quote(ROW_MODELS[kind]._meta.db_table)} "
        f"WHERE {_columns(ROW_MODELS[kind], ['submission_id'])[0]} IN ({placeholders})"
        for kind in kinds
    )


def row_sdg_counts(*, submission_ids: list[int]) -> list[tuple[int, int, int, int]]:
    """(submission, goal, table's place in ``ROW_MODELS``, rows) for every submission, goal
    and table with rows linked to the goal: one query, its SQL written out once per process
    and size (the ORM's building of the three grouped reads took longer than running them).

    The links are counted by their goal, not their id: (row, goal) is the links' unique
    index, so PostgreSQL reads them from it alone, by row; counting ids, it read the whole
    table of initiatives' links (22,000 at 50 entities) and took twice as long."""
    if not submission_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _sdg_counts_sql(connection.vendor, len(submission_ids)),
            list(submission_ids) * len(ROW_MODELS),
        )
        return [tuple(record) for record in cursor.fetchall()]


@lru_cache(maxsize=64)
def _sdg_counts_sql(vendor: str, size: int) -> str:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * size)
    selects = []
    for index, model in enumerate(ROW_MODELS.values()):
        through = model.sdgs.through
        links = {f.name: f for f in through._meta.concrete_fields}
        row_link = quote(links[model._meta.model_name].column)
        goal = quote(links["sdg"].column)
        row_table, links_table = quote(model._meta.db_table), quote(through._meta.db_table)
        submission = _qualified(model, "submission_id")
        selects.append(
            f"SELECT {submission}, {links_table}.{goal}, {index}, COUNT({links_table}.{goal}) "
            f"FROM {links_table} INNER JOIN {row_table} "
            f"ON {links_table}.{row_link} = {_qualified(model, 'id')} "
            f"WHERE {submission} IN ({placeholders}) "
            f"GROUP BY {submission}, {links_table}.{goal}"
        )
    return " UNION ALL ".join(selects)


def _question_state(submission_id, question, answers, reviews, rows) -> QuestionState:
    state = QuestionState(question=question, review=reviews.get((submission_id, question.pk)))
    # The question's own answer: its narrative, or for a question with only a table, the
    # mark that the table is empty on purpose.
    state.narrative = answers.get((submission_id, question.pk, None))
    if question.has_narrative:
        words = state.narrative.words if state.narrative else 0
        state.count = Count(words, question.word_limit, question.word_minimum)
    for part in question.parts.all():
        answer = answers.get((submission_id, question.pk, part.pk))
        state.parts.append(
            PartState(
                part,
                answer,
                Count(answer.words if answer else 0, part.word_limit, part.word_minimum),
            )
        )
    row_words = rows.get((submission_id, question.pk), [])
    state.row_count = len(row_words)
    if question.row_description_word_limit:
        state.rows_over = sum(words > question.row_description_word_limit for words in row_words)
    return state


@dataclass
class TimelineLine:
    """One line of a submission's timeline, worded for the reader."""

    event: SubmissionEvent
    what: str
    detail: str = ""

    @property
    def when(self):
        return self.event.created_at

    @property
    def who(self) -> str:
        return person_name(self.event.actor)


def _status_label(value: str) -> str:
    for choices in (SubmissionStatus, ReviewStatus):
        if value in choices.values:
            return str(choices(value).label)
    return value


def _timeline_line(event: SubmissionEvent) -> TimelineLine:
    number = event.question.number if event.question_id else ""
    if event.kind == EventKind.SUBMISSION_STATUS:
        if event.to_status == SubmissionStatus.FINALIZED:
            return TimelineLine(event, gettext("Finalized"))
        if event.from_status == SubmissionStatus.FINALIZED:
            return TimelineLine(
                event,
                gettext("Reopened"),
                gettext("Reason: %(reason)s") % {"reason": event.message},
            )
        return TimelineLine(
            event,
            gettext("The submission moved from %(old)s to %(new)s")
            % {"old": _status_label(event.from_status), "new": _status_label(event.to_status)},
        )
    if event.kind == EventKind.QUESTION_STATUS:
        return TimelineLine(
            event,
            gettext("Question %(number)s: %(old)s → %(new)s")
            % {
                "number": number,
                "old": _status_label(event.from_status),
                "new": _status_label(event.to_status),
            },
            event.message,
        )
    what = str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
    if number:
        what = gettext("Question %(number)s: %(what)s") % {"number": number, "what": what}
    return TimelineLine(event, what, event.message)


def comment_threads_and_assignments(
    *, submission: Submission, progress: Progress, question: Question | None = None
) -> tuple[list[ReviewComment], dict[int, Assignment]]:
    """A submission's comment threads and question assignments (one question's, or every
    question's), which the edit and review pages show beside each question.

    The threads come open ones first, each group by time, with their replies in order as
    ``thread_replies``, each with its author; the assignments (of whole questions, not rows)
    by question, each with its assignee. One query (``_threads_sql``): the two read on their
    own cost a page two of the ORM's buildings of a query, which took longer than running
    them. Each comment's question and part are the ones ``progress`` already holds.
    """
    people = len(_all_fields(get_user_model()))
    comment_columns = _converted_columns(ReviewComment, _COMMENT_FIELDS)
    assignment_columns = _converted_columns(Assignment, _ASSIGNMENT_FIELDS)
    questions = {s.question.pk: s.question for s in progress.states}
    parts = {p.part.pk: p.part for s in progress.states for p in s.parts}
    comments: list[ReviewComment] = []
    assignments: dict[int, Assignment] = {}
    db = connection.alias
    params = [submission.pk, question.pk] if question else [submission.pk]
    with connection.cursor() as cursor:
        cursor.execute(_threads_sql(connection.vendor, question is not None), params * 2)
        for kind, *values in cursor.fetchall():
            user = _person_from(values[-people:])  # None: a comment whose author was deleted
            if kind == _COMMENT:
                comment = ReviewComment.from_db(
                    db,
                    _COMMENT_FIELDS,
                    _converted(comment_columns, values[: len(_COMMENT_FIELDS)]),
                )
                comment.author = user
                comment.question = questions[comment.question_id]
                if comment.part_id is not None:
                    comment.part = parts[comment.part_id]
                comments.append(comment)
            else:
                at = len(_COMMENT_FIELDS)
                assignment = Assignment.from_db(
                    db,
                    _ASSIGNMENT_FIELDS,
                    _converted(assignment_columns, values[at : at + len(_ASSIGNMENT_FIELDS)]),
                )
                assignment.assignee = user
                assignments[assignment.question_id] = assignment
    threads: list[ReviewComment] = []
    replies: dict[int, list[ReviewComment]] = {}
    for comment in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        if comment.parent_id is None:
            threads.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    for thread in threads:
        thread.thread_replies = replies.get(thread.pk, [])
    return sorted(threads, key=lambda thread: thread.resolved), assignments  # stable: by time


_COMMENT_FIELDS = _all_fields(ReviewComment)
_ASSIGNMENT_FIELDS = _all_fields(Assignment)
_COMMENT, _ASSIGNMENT = 0, 1


@lru_cache(maxsize=8)
def _threads_sql(vendor: str, one_question: bool) -> str:
    """SQL reading a submission's comments (with their authors) and question assignments
    (with their assignees) as one list of records: (kind, the comment's fields, the
    assignment's, the user's), what a kind has not NULL. Its parameters: the submission
    (and the question) for the comments, then the same for the assignments."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    users = quote(user_model._meta.db_table)
    user_id = f"{users}.{quote(user_model._meta.pk.column)}"
    user_selected = _person_columns(users)
    keys = ["submission_id", "question_id"] if one_question else ["submission_id"]

    def read(model, fields, user_fk, join):
        table = quote(model._meta.db_table)
        condition = " AND ".join(f"{table}.{c} = %s" for c in _columns(model, keys))
        return (
            [f"{table}.{c}" for c in _columns(model, fields)],
            f"FROM {table} {join} JOIN {users} ON {user_id} = "
            f"{table}.{_columns(model, [user_fk])[0]} WHERE {condition}",
        )

    comment, from_comments = read(ReviewComment, _COMMENT_FIELDS, "author_id", "LEFT")
    assignment, from_assignments = read(Assignment, _ASSIGNMENT_FIELDS, "assignee_id", "INNER")
    whole_question = _qualified(Assignment, "row_id")
    comments = [str(_COMMENT), *comment, *["NULL"] * len(assignment), *user_selected]
    assignments = [str(_ASSIGNMENT), *["NULL"] * len(comment), *assignment, *user_selected]
    return (
        f"SELECT {', '.join(comments)} {from_comments} UNION ALL "
        f"SELECT {', '.join(assignments)} {from_assignments} "
        f"AND {whole_question} IS NULL"
    )


def submission_timeline(*, submission: Submission, limit: int = 50) -> list[TimelineLine]:
    """The submission's latest timeline lines, newest first: opened, imported, carried
    forward, finalized and reopened (with the reason), question transitions."""
    events = (
        SubmissionEvent.objects.filter(submission=submission)
        .exclude(kind=EventKind.ASSIGNMENT)
        .select_related("actor", "question")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [_timeline_line(event) for event in events]


@dataclass
class Present:
    """Someone else with a question of the submission open."""

    question_id: int
    name: str
    editing: bool


def submission_presence(*, submission: Submission, user: AbstractBaseUser) -> list[Present]:
    """Who else has the submission's questions open now, by question (one query)."""
    from .collaboration import PRESENCE_SECONDS

    since = timezone.now() - timedelta(seconds=PRESENCE_SECONDS)
    return [
        Present(p.question_id, person_name(p.user), p.editing)
        for p in Presence.objects.filter(submission=submission, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("question_id", "user_id")
    ]


# -- A question's history ---------------------------------------------------------------------


@dataclass
class AnswerVersionRecord:
    """One recorded version of an answer, as its history reads it: the reversion version's
    id, the answer's version number, its stored fields, and its revision's time, comment
    and person."""

    id: int
    number: int
    fields: dict
    when: object  # an aware datetime
    comment: str
    user: AbstractBaseUser | None


def answer_version_records(
    *,
    submission_id: int,
    question_id: int,
    part_id: int | None,
    start: int = 0,
    limit: int | None = None,
    version_id: int | None = None,
) -> list[AnswerVersionRecord]:
    """The recorded versions of the answer in a slot (a submission's question, or a part of
    it), newest first: ``limit`` of them from the ``start``-th, or the one ``version_id``.

    Found through the version index, with their revisions and persons, in one query whose
    SQL is written out once per process (``_answer_versions_sql``): through the ORM, building
    the four-table query and deserializing each version into a model instance took twice as
    long as running it. The stored fields are read from the version's JSON as the index is.
    """
    when_columns = _converted_columns(Revision, ("date_created",))
    params: list = [ANSWERS, submission_id, question_id]
    if part_id is not None:
        params.append(part_id)
    if version_id is not None:
        params.append(version_id)
    params += [_NO_LIMIT if limit is None else limit, start]
    sql = _answer_versions_sql(connection.vendor, part_id is not None, version_id is not None)
    records = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, number, data, when, comment, *user_values in cursor.fetchall():
            records.append(
                AnswerVersionRecord(
                    id=pk,
                    number=number,
                    fields=json.loads(data)[0]["fields"],
                    when=_converted(when_columns, [when])[0],
                    comment=comment,
                    user=_person_from(user_values),  # None: no person, or theirs deleted
                )
            )
    return records


@lru_cache(maxsize=16)
def _answer_versions_sql(vendor: str, has_part: bool, one: bool) -> str:
    """SQL of ``answer_version_records``: its parameters the index's table, the submission,
    the question (the part, the version), then the limit and the offset."""
    quote, column = connection.ops.quote_name, _qualified
    user_model = get_user_model()
    users = quote(user_model._meta.db_table)
    user_selected = _person_columns(users)
    conditions = [
        f"{column(VersionIndex, 'table')} = %s",
        f"{column(VersionIndex, 'submission_id')} = %s",
        f"{column(VersionIndex, 'question_id')} = %s",
        f"{column(VersionIndex, 'part_id')} " + ("= %s" if has_part else "IS NULL"),
    ]
    if one:
        conditions.append(f"{column(Version, 'id')} = %s")
    selected = [
        column(Version, "id"),
        column(VersionIndex, "number"),
        column(Version, "serialized_data"),
        column(Revision, "date_created"),
        column(Revision, "comment"),
        *user_selected,
    ]
    return (
        f"SELECT {', '.join(selected)} FROM {quote(VersionIndex._meta.db_table)} "
        f"INNER JOIN {quote(Version._meta.db_table)} ON {column(Version, 'id')} = "
        f"{column(VersionIndex, 'version_id')} "
        f"INNER JOIN {quote(Revision._meta.db_table)} ON {column(Revision, 'id')} = "
        f"{column(Version, 'revision_id')} "
        f"LEFT JOIN {users} ON {users}.{quote(user_model._meta.pk.column)} = "
        f"{column(Revision, 'user_id')} "
        f"WHERE {' AND '.join(conditions)} "
        f"ORDER BY {column(Revision, 'date_created')} DESC, {column(Version, 'id')} DESC "
        "LIMIT %s OFFSET %s"
    )


def question_events_and_comments(
    *, submission: Submission, question: Question, since=None, until=None
) -> tuple[list[SubmissionEvent], list[ReviewComment]]:
    """A question's events (newest first) and comments (newest first, replies among them),
    made at or after ``since`` and before ``until`` when given: a history page's timeline.

    Each event comes with its actor, each comment with its author, who resolved it and its
    part (the question's, prefetched). One query (``_question_timeline_sql``) where the ORM
    built two, each of which took longer to build than to run."""
    event_columns = _converted_columns(SubmissionEvent, _EVENT_FIELDS)
    comment_columns = _converted_columns(ReviewComment, _COMMENT_FIELDS)
    parts = {part.pk: part for part in question.parts.all()}
    window = [
        connection.ops.adapt_datetimefield_value(value)
        for value in (since, until)
        if value is not None
    ]
    sql = _question_timeline_sql(connection.vendor, since is not None, until is not None)
    db, users = connection.alias, len(_all_fields(get_user_model()))
    events: list[SubmissionEvent] = []
    comments: list[ReviewComment] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [submission.pk, question.pk, *window] * 2)
        for kind, *values in cursor.fetchall():
            first = _person_from(values[-2 * users : -users])
            if kind == _TIMELINE_EVENT:
                event = SubmissionEvent.from_db(
                    db, _EVENT_FIELDS, _converted(event_columns, values[: len(_EVENT_FIELDS)])
                )
                event.actor, event.question = first, question
                events.append(event)
            else:
                at = len(_EVENT_FIELDS)
                comment = ReviewComment.from_db(
                    db,
                    _COMMENT_FIELDS,
                    _converted(comment_columns, values[at : at + len(_COMMENT_FIELDS)]),
                )
                comment.author, comment.resolved_by = first, _person_from(values[-users:])
                comment.question = question
                comment.part = parts.get(comment.part_id)
                comments.append(comment)
    events.sort(key=lambda e: e.pk, reverse=True)
    comments.sort(key=lambda c: (c.created_at, c.pk), reverse=True)
    return events, comments


_EVENT_FIELDS = _all_fields(SubmissionEvent)
_TIMELINE_EVENT, _TIMELINE_COMMENT = 0, 1


@lru_cache(maxsize=16)
def _question_timeline_sql(vendor: str, since: bool, until: bool) -> str:
    """SQL of ``question_events_and_comments``: records (kind, the event's fields, the
    comment's, a person's, a second person's), what a kind has not NULL. Its parameters: the
    submission, the question (since, until) for the events, then the same for the comments."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    users = quote(user_model._meta.db_table)
    user_pk = quote(user_model._meta.pk.column)
    nobody = ["NULL"] * len(_all_fields(user_model))

    def read(model, fields, people):
        table = quote(model._meta.db_table)
        (submission_id, question_id, created_at) = _columns(
            model, ["submission_id", "question_id", "created_at"]
        )
        conditions = [f"{table}.{submission_id} = %s", f"{table}.{question_id} = %s"]
        if since:
            conditions.append(f"{table}.{created_at} >= %s")
        if until:
            conditions.append(f"{table}.{created_at} < %s")
        joins, selected = [], []
        for alias, fk in zip(("p1", "p2"), people, strict=False):
            joins.append(
                f"LEFT JOIN {users} {alias} ON {alias}.{user_pk} = {table}."
                f"{_columns(model, [fk])[0]}"
            )
            selected += _person_columns(alias)
        selected += nobody * (2 - len(people))
        where = " AND ".join(conditions)
        return (
            [f"{table}.{c}" for c in _columns(model, fields)],
            selected,
            (f"FROM {table} {' '.join(joins)} WHERE {where}"),
        )

    event, event_people, from_events = read(SubmissionEvent, _EVENT_FIELDS, ["actor_id"])
    comment, comment_people, from_comments = read(
        ReviewComment, _COMMENT_FIELDS, ["author_id", "resolved_by_id"]
    )
    events = [str(_TIMELINE_EVENT), *event, *["NULL"] * len(comment), *event_people]
    comments = [str(_TIMELINE_COMMENT), *["NULL"] * len(event), *comment, *comment_people]
    return (
        f"SELECT {', '.join(events)} {from_events} UNION ALL "
        f"SELECT {', '.join(comments)} {from_comments}"
    )


def removed_rows_last_versions(
    *, submission_id: int, question_id: int, table: str
) -> list[Version]:
    """The last recorded version of each removed row of a submission's question (rows of the
    question's history that no longer exist, less those added back: a recovery's version
    names the row it came from), each with its revision and the revision's person.

    A table question's history page reads them on every view: the ORM's building of this
    query (an anti-join, a grouped subquery and an exclusion) took three times as long as
    running it, so its SQL is written out once per process and table."""
    version_fields, revision_fields = _all_fields(Version), _all_fields(Revision)
    converted = {
        model: _converted_columns(model, fields)
        for model, fields in ((Version, version_fields), (Revision, revision_fields))
    }
    db = connection.alias
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            _removed_rows_sql(connection.vendor, table), [table, submission_id, question_id] * 2
        )
        for record in cursor.fetchall():
            values = list(record)
            at = len(version_fields)
            version = Version.from_db(
                db, version_fields, _converted(converted[Version], values[:at])
            )
            revision = Revision.from_db(
                db,
                revision_fields,
                _converted(converted[Revision], values[at : at + len(revision_fields)]),
            )
            revision.user = _person_from(values[at + len(revision_fields) :])
            version.revision = revision
            found.append(version)
    return found


@lru_cache(maxsize=8)
def _removed_rows_sql(vendor: str, table: str) -> str:
    """SQL of ``removed_rows_last_versions``: records of (the version's fields, its
    revision's, its person's); its parameters the index's table, the submission and the
    question, twice (the question's history, then its recoveries)."""
    quote, column = connection.ops.quote_name, _qualified
    model = ROW_MODELS[table]
    user_model = get_user_model()
    users = quote(user_model._meta.db_table)
    index = quote(VersionIndex._meta.db_table)
    (kind, submission, question, part, object_id, version_id, recovered) = _columns(
        VersionIndex,
        [
            "table",
            "submission_id",
            "question_id",
            "part_id",
            "object_id",
            "version_id",
            "recovered_from",
        ],
    )

    def slot(alias: str) -> str:
        return (
            f"{alias}.{kind} = %s AND {alias}.{submission} = %s AND {alias}.{question} = %s "
            f"AND {alias}.{part} IS NULL"
        )

    rows = quote(model._meta.db_table)
    last = (
        f"SELECT MAX(h.{version_id}) FROM {index} h WHERE {slot('h')} "
        f"AND NOT EXISTS (SELECT 1 FROM {rows} WHERE {rows}.{quote(model._meta.pk.column)} = "
        f"h.{object_id}) "
        f"AND h.{object_id} NOT IN (SELECT r.{recovered} FROM {index} r WHERE {slot('r')} "
        f"AND r.{recovered} IS NOT NULL) GROUP BY h.{object_id}"
    )
    selected = [
        *(column(Version, name) for name in _all_fields(Version)),
        *(column(Revision, name) for name in _all_fields(Revision)),
        *_person_columns(users),
    ]
    return (
        f"SELECT {', '.join(selected)} FROM {quote(Version._meta.db_table)} "
        f"INNER JOIN {quote(Revision._meta.db_table)} ON {column(Revision, 'id')} = "
        f"{column(Version, 'revision_id')} "
        f"LEFT JOIN {users} ON {users}.{quote(user_model._meta.pk.column)} = "
        f"{column(Revision, 'user_id')} "
        f"WHERE {column(Version, 'id')} IN ({last})"
    )


def question_assignments(*, submission_ids: list[int]) -> dict[int, list[Assignment]]:
    """The submissions' assignments of whole questions (not rows), by submission, each with
    its assignee: who holds what, on the dashboard's cards.

    What the cards show is read, no more (``_HOLDER_FIELDS``, ``_holder_person_fields``; the
    other fields are deferred): converting the assignments' and people's times of creation
    and login took longer than the rest of the read. One query whose SQL is written out once
    per process and size (``_assignments_sql``): the ORM's building of it, and of its
    instances, took longer than running it."""
    if not submission_ids:
        return {}
    person_fields = _holder_person_fields()
    assignment_columns = _converted_columns(Assignment, _HOLDER_FIELDS)
    db, size = connection.alias, len(_HOLDER_FIELDS)
    found: dict[int, list[Assignment]] = {}
    people: dict[int, AbstractBaseUser] = {}
    with connection.cursor() as cursor:
        cursor.execute(_assignments_sql(connection.vendor, len(submission_ids)), submission_ids)
        for record in cursor.fetchall():
            values = list(record)
            assignment = Assignment.from_db(
                db, _HOLDER_FIELDS, _converted(assignment_columns, values[:size])
            )
            assignee = people.get(assignment.assignee_id)
            if assignee is None:  # a person holds several questions: made once
                assignee = people[assignment.assignee_id] = _person_from(
                    values[size:], person_fields
                )
            assignment.assignee = assignee
            found.setdefault(assignment.submission_id, []).append(assignment)
    return found


_HOLDER_FIELDS = _in_model_order(
    Assignment, {"id", "submission_id", "question_id", "row_id", "assignee_id", "due_date"}
)


def _holder_person_fields() -> tuple[str, ...]:
    """What a card shows of a person: their name (full name, else username)."""
    user_model = get_user_model()
    names = {user_model._meta.pk.attname, user_model.USERNAME_FIELD, "first_name", "last_name"}
    return _in_model_order(user_model, names)


@lru_cache(maxsize=64)
def _assignments_sql(vendor: str, size: int) -> str:
    """SQL of ``question_assignments``: records of (the assignment's fields read, its
    assignee's); its parameters the submissions' ids."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    users = quote(user_model._meta.db_table)
    selected = [
        *(_qualified(Assignment, name) for name in _HOLDER_FIELDS),
        *_person_columns(users, _holder_person_fields()),
    ]
    placeholders = ", ".join(["%s"] * size)
    return (
        f"SELECT {', '.join(selected)} FROM {quote(Assignment._meta.db_table)} "
        f"INNER JOIN {users} ON {users}.{quote(user_model._meta.pk.column)} = "
        f"{_qualified(Assignment, 'assignee_id')} "
        f"WHERE {_qualified(Assignment, 'submission_id')} IN ({placeholders}) "
        f"AND {_qualified(Assignment, 'row_id')} IS NULL"
    )


@dataclass
class VisibleSubmissions:
    """The submissions of some of a person's organizations, as ``submissions_visible_to``
    orders and makes them, each with its count of open comment threads (``open_threads``):
    read a slice at a time, and counted, as a paginator asks.

    ``roles``: the person's role in each organization shown (by id), from their memberships
    (``accounts.selectors.user_memberships``): the page has read them already, so the
    submissions are found by organization, not by joining the memberships again (PostgreSQL
    planned that join in longer than it ran). The dashboard shows a page of them: its SQL is
    written out once per process and number of organizations (``_visible_page_sql``), where
    the ORM's building of the query with the threads' subquery took longer than running it.
    """

    user: AbstractBaseUser
    roles: dict[int, str]

    def count(self) -> int:
        if not self.roles:
            return 0
        sql = _visible_page_sql(connection.vendor, len(self.roles), count=True)
        with connection.cursor() as cursor:
            cursor.execute(sql, list(self.roles))
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[Submission]:
        if not self.roles:
            return []
        start = index.start or 0
        limit = _NO_LIMIT if index.stop is None else max(index.stop - start, 0)
        sql = _visible_page_sql(connection.vendor, len(self.roles), count=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, [False, *self.roles, limit, start])
            found = []
            for *record, open_threads in cursor.fetchall():
                submission = _visible_submission([*record, None], self.user)
                submission.viewer_role = self.roles[submission.organization_id]
                submission.open_threads = open_threads
                found.append(submission)
            return found


@lru_cache(maxsize=64)
def _visible_page_sql(vendor: str, organizations: int, count: bool) -> str:
    """SQL of ``VisibleSubmissions``: its count, or a page of records of the submission's,
    organization's and questionnaire's columns and the open threads' count. Parameters: (for
    a page, "resolved" false) the organizations' ids, (the limit and offset)."""
    quote, column = connection.ops.quote_name, _qualified
    placeholders = ", ".join(["%s"] * organizations)
    where = f"WHERE {column(Submission, 'organization_id')} IN ({placeholders}) "
    if count:
        return f"SELECT COUNT(*) FROM {quote(Submission._meta.db_table)} {where}"
    selected, tables = _visible_parts()
    comments = quote(ReviewComment._meta.db_table)
    open_threads = (
        f"(SELECT COUNT(*) FROM {comments} WHERE {column(ReviewComment, 'submission_id')} = "
        f"{column(Submission, 'id')} AND {column(ReviewComment, 'resolved')} = %s "
        f"AND {column(ReviewComment, 'parent_id')} IS NULL)"
    )
    return (
        f"SELECT {selected}, {open_threads} {tables}{where}"
        f"ORDER BY {column(Questionnaire, 'year')} DESC, {column(Questionnaire, 'kind')}, "
        f"{column(Organization, 'code')} LIMIT %s OFFSET %s"
    )


def open_questionnaires_started(
    *, organization_ids: list[int]
) -> list[tuple[Questionnaire, set[int]]]:
    """The open questionnaires, newest year first, each with which of the organizations
    (ids) have started a submission of it: the dashboard offers to open the others'.

    One query whose SQL is written out once per process and size (the ORM built its
    filtered join on every dashboard)."""
    if not organization_ids:
        return []
    fields = _all_fields(Questionnaire)
    columns = _converted_columns(Questionnaire, fields)
    found: dict[int, tuple[Questionnaire, set[int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _open_questionnaires_sql(connection.vendor, len(organization_ids)),
            [*organization_ids, True],
        )
        for *values, started_by in cursor.fetchall():
            if values[0] not in found:
                questionnaire = Questionnaire.from_db(
                    connection.alias, fields, _converted(columns, values)
                )
                found[questionnaire.pk] = (questionnaire, set())
            if started_by is not None:
                found[values[0]][1].add(started_by)
    return list(found.values())


@lru_cache(maxsize=64)
def _open_questionnaires_sql(vendor: str, size: int) -> str:
    """SQL of ``open_questionnaires_started``: records of (the questionnaire's fields, an
    organization that started it, or NULL); its parameters the organizations' ids, then
    "open" true."""
    quote, column = connection.ops.quote_name, _qualified
    questionnaires, submissions = (quote(m._meta.db_table) for m in (Questionnaire, Submission))
    placeholders = ", ".join(["%s"] * size)
    selected = [column(Questionnaire, name) for name in _all_fields(Questionnaire)]
    return (
        f"SELECT {', '.join(selected)}, {column(Submission, 'organization_id')} "
        f"FROM {questionnaires} LEFT JOIN {submissions} ON "
        f"{column(Submission, 'questionnaire_id')} = {column(Questionnaire, 'id')} "
        f"AND {column(Submission, 'organization_id')} IN ({placeholders}) "
        f"WHERE {column(Questionnaire, 'is_open')} = %s "
        f"ORDER BY {column(Questionnaire, 'year')} DESC, {column(Questionnaire, 'kind')}"
    )
