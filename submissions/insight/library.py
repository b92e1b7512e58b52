"""The library of recurring items: events, resources and initiatives across years.

The same initiative comes back year after year under a drifting name; the library shows it
as one item with its history by year (grouped by ``matching.group_rows``, the one rule), and
reusing an item copies its latest version into an open submission.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.models import Organization

from .. import history
from ..models import (
    ROW_MODELS,
    SDG,
    Question,
    Submission,
    SubmissionStatus,
    TableKind,
    TableRow,
)
from ..permissions import can
from ..rowfields import ROW_FIELDS
from ..selectors import (
    questionnaire_questions,
    submissions_questions,
    submissions_visible_to,
    table_row_values,
)
from ..services import ServiceError
from .matching import Keys, NameIndex, group_rows, row_keys

# What a library item offers for one open submission.
AVAILABLE = "available"  # can be reused there
PRESENT = "present"  # the submission has it already
FULL = "full"  # the table there is full


@dataclass
class YearVersion:
    """An item as it was in one year's submission."""

    year: int
    row: TableRow
    sdgs: list[SDG]
    previous_year: int | None = None  # the year before it appeared in; None the first time
    changed: list[str] = field(default_factory=list)  # labels of the fields changed since then

    @property
    def first(self) -> bool:
        return self.previous_year is None

    @property
    def name(self) -> str:
        return self.row.name


@dataclass
class ReuseOffer:
    """Whether an item can be reused in one open submission, and into which question."""

    submission: Submission
    question: Question
    state: str
    limit: int | None = None


@dataclass
class LibraryItem:
    """One event, resource or initiative of an organization, with its versions by year.

    ``rows`` (newest year first) is enough to list, filter and sort items; ``versions``, what
    changed each year with its SDGs, is worked out by ``library_item_details`` for the items
    shown (the library page's one page of them).
    """

    kind: str
    organization: Organization
    rows: list  # newest year first: RowRef, then TableRow once library_item_details ran
    versions: list[YearVersion] = field(default_factory=list)  # newest year first
    offers: list[ReuseOffer] = field(default_factory=list)
    body: str = ""  # the item's HTML but its offers, set by the library page

    @property
    def pk(self) -> int:
        """The id of its newest row: the one reusing the item copies."""
        return self.rows[0].pk

    @property
    def state(self) -> str:
        """What the item's versions are made of: its table, and each row's id, version and
        time of change (a row edited, added to or taken from the item changes it)."""
        rows = " ".join(f"{row.pk}.{row.version}.{row.updated_at.timestamp()}" for row in self.rows)
        return f"{self.kind} {rows}"

    @property
    def latest(self) -> YearVersion:
        return self.versions[0]

    @property
    def name(self) -> str:
        return self.rows[0].name

    @property
    def kind_label(self) -> str:
        return TableKind(self.kind).label

    @property
    def years(self) -> list[int]:
        return sorted(row.submission.questionnaire.year for row in self.rows)

    @property
    def recurring(self) -> bool:
        return len(self.rows) > 1


def _value(row: TableRow, name: str) -> Any:
    if name == "sdgs":
        return sorted(sdg.number for sdg in row.sdgs.all())
    return str(getattr(row, name) or "").strip()


def _versions(kind: str, rows: list[TableRow]) -> list[YearVersion]:
    """An item's versions from its rows (newest first), each year compared with the one before."""
    versions = []
    for position, row in enumerate(rows):
        version = YearVersion(
            year=row.submission.questionnaire.year, row=row, sdgs=list(row.sdgs.all())
        )
        before = rows[position + 1] if position + 1 < len(rows) else None
        if before is not None:
            version.previous_year = before.submission.questionnaire.year
            version.changed = [
                str(label)
                for name, label in ROW_FIELDS[kind]
                if _value(row, name) != _value(before, name)
            ]
        versions.append(version)
    return versions


@dataclass(frozen=True, slots=True)
class RowRef:
    """What listing, grouping and filtering read of a row: its name and stored match keys."""

    pk: int
    name: str
    match_key: str
    acronym: str
    submission: Submission
    version: int
    updated_at: Any  # datetime: with the version, names what the row is now


def library_item_details(items: Sequence[LibraryItem]) -> None:
    """Read the items' rows in full and set their versions: two queries per table (the rows
    with their submission and questionnaire, their SDGs), whatever the number of items."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for item in items:
        by_kind[item.kind].update(row.pk for row in item.rows)
    full: dict[tuple[str, int], TableRow] = {}
    for kind, pks in by_kind.items():
        rows = (
            ROW_MODELS[kind]
            .objects.filter(pk__in=pks)
            .select_related("submission__questionnaire", "submission__organization")
            .prefetch_related("sdgs")
        )
        full.update(((kind, row.pk), row) for row in rows)
    for item in items:
        item.rows = [full[item.kind, row.pk] for row in item.rows]
        item.versions = _versions(item.kind, item.rows)


def _matches_query(item: LibraryItem, query: str) -> bool:
    needle = query.casefold()
    return any(needle in row.name.casefold() for row in item.rows)


def _visible(
    user: AbstractBaseUser, organization: int | None, submissions: list[Submission] | None
) -> list[Submission]:
    """The user's visible submissions, of one organization (a pk) when given: those the
    caller has read, else read now (one query)."""
    if submissions is None:
        visible = submissions_visible_to(user=user)
        if organization is not None:
            visible = visible.filter(organization_id=organization)
        return list(visible)
    if organization is None:
        return submissions
    return [s for s in submissions if s.organization_id == organization]


# What listing and reuse read of each row (``library_rows``), in this order.
ROW_REF_FIELDS = (
    "id",
    "name",
    "match_key",
    "acronym",
    "submission_id",
    "version",
    "updated_at",
    "question_id",
    "position",
)


def library_rows(*, submission_ids: list[int], kinds: list[str]) -> dict[str, list[tuple]]:
    """The names, stored keys and places (``ROW_REF_FIELDS``) of the submissions' rows of
    each kind of table, unordered: one query for all the kinds, read once for the list and
    the reuse offers."""
    return table_row_values(submission_ids=submission_ids, kinds=kinds, fields=ROW_REF_FIELDS)


GROUPS_CACHE_SECONDS = 3600


def _grouped(rows: list[RowRef]) -> list[list[RowRef]]:
    """``group_rows`` of one organization's rows of one table, kept in the cache.

    The grouping depends only on the rows' order, years, names and stored keys: it is kept
    under a digest of them, so that the page does not compare names again until a row is
    added, removed or renamed."""
    digest = hashlib.sha256(
        "\n".join(
            f"{row.submission.questionnaire.year}\t{row.match_key}\t{row.acronym}\t{row.name}"
            for row in rows
        ).encode()
    ).hexdigest()
    key = f"library-groups:{digest}"
    positions = cache.get(key)
    if positions is None:
        index = {id(row): position for position, row in enumerate(rows)}
        positions = [[index[id(row)] for row in group] for group in group_rows(rows)]
        cache.set(key, positions, GROUPS_CACHE_SECONDS)
    return [[rows[position] for position in group] for group in positions]


def _positions(questions: dict[int, list[Question]]) -> dict[int, int]:
    """Each question's place in its questionnaire, by id: rows sort by it in Python (in SQL
    the sort joined the questions)."""
    return {q.pk: q.position for listed in questions.values() for q in listed}


def library_item_list(
    *,
    user: AbstractBaseUser,
    kind: str = "",
    query: str = "",
    recurring_only: bool = False,
    organization: int | None = None,
    submissions: list[Submission] | None = None,
    rows: dict[str, list[tuple]] | None = None,
) -> list[LibraryItem]:
    """The organization's rows grouped into items across years: recurring items first,
    without their versions (``library_item_details`` adds them to the items shown).

    ``kind`` keeps one table (events, resources, initiatives); ``query`` keeps items with
    the text in one of their years' names; ``organization`` (a pk) keeps one of the user's
    organizations. One query for the submissions, one per table for the rows' names and
    stored match keys (``RowRef``), whatever the number of rows and years. ``submissions``:
    the user's visible submissions when the caller has read them.
    """
    kinds = [kind] if kind else list(ROW_MODELS)
    submissions = {s.pk: s for s in _visible(user, organization, submissions)}
    items: list[LibraryItem] = []
    positions = _positions(submissions_questions(submissions=list(submissions.values())))

    def order(row) -> tuple:
        """By year, question, place in the table (sorted here: in SQL it joined two tables)."""
        pk, submission_id, question_id, position = row[0], row[4], row[7], row[8]
        year = submissions[submission_id].questionnaire.year
        return (year, positions.get(question_id, 0), position, pk)

    if rows is None:
        rows = library_rows(submission_ids=list(submissions), kinds=kinds)
    for table in kinds:
        # Rows of different organizations are never one item.
        by_organization: dict[int, list[RowRef]] = defaultdict(list)
        for pk, name, key, acronym, submission_id, version, updated_at, _q, _p in sorted(
            (row for row in rows[table] if row[4] in submissions), key=order
        ):
            submission = submissions[submission_id]
            row = RowRef(pk, name, key, acronym, submission, version, updated_at)
            by_organization[submission.organization_id].append(row)
        for organization_rows in by_organization.values():
            owner = organization_rows[0].submission.organization
            items.extend(
                LibraryItem(kind=table, organization=owner, rows=group)
                for group in _grouped(organization_rows)
            )
    if query:
        items = [item for item in items if _matches_query(item, query)]
    if recurring_only:
        items = [item for item in items if item.recurring]
    # Stable: within each class the order of group_rows (newest first, then by name) stands.
    items.sort(key=lambda item: not item.recurring)
    return items


def library_items(**filters) -> list[LibraryItem]:
    """``library_item_list`` with every item's versions: one query, and three per table."""
    items = library_item_list(**filters)
    library_item_details(items)
    return items


# -- Reuse ----------------------------------------------------------------------------------


@dataclass
class ReuseTarget:
    """An open submission the user may edit, with the first question of each table kind."""

    submission: Submission
    questions: dict[str, Question] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)  # every row of that kind
    keys: dict[str, list[Keys]] = field(default_factory=dict)  # the same rows' match keys
    _indexes: dict[str, NameIndex] = field(default_factory=dict, repr=False)

    def present(self, kind: str, keys: Keys) -> str | None:
        """The name of the row of that kind that is the same item, or None."""
        if kind not in self._indexes:
            self._indexes[kind] = NameIndex(self.keys.get(kind, []))
        position = self._indexes[kind].first(keys)
        return None if position is None else self.names[kind][position]

    counts: dict[str, int] = field(default_factory=dict)  # rows of that first question

    def offer(self, item: LibraryItem) -> ReuseOffer | None:
        question = self.questions.get(item.kind)
        if question is None or self.submission.organization_id != item.organization.pk:
            return None
        if self.present(item.kind, row_keys(item.rows[0])) is not None:
            state = PRESENT
        elif question.max_rows and self.counts.get(item.kind, 0) >= question.max_rows:
            state = FULL
        else:
            state = AVAILABLE
        return ReuseOffer(self.submission, question, state, question.max_rows)


def library_reuse_targets(
    *,
    user: AbstractBaseUser,
    kinds: list[str] | None = None,
    organization=None,
    submissions: list[Submission] | None = None,
    rows: dict[str, list[tuple]] | None = None,
):
    """Submissions to open questionnaires, not finalized, that the user may edit (of
    ``organization`` only, when given: an item is reused within its organization).

    ``submissions``: the user's visible submissions when the caller has read them (the
    library page has, for its list), else they are read. The user's role comes with each
    submission and the questions from the process memo: one query for the names and keys of
    the targets' rows of the kinds asked for (none when the caller gives their ``rows``, the
    ``library_rows`` of submissions that include the targets), and one for the submissions if
    not given.
    """
    kinds = kinds if kinds is not None else list(ROW_MODELS)
    submissions = _visible(user, organization.pk if organization else None, submissions)
    open_ones = [
        s for s in submissions if s.questionnaire.is_open and s.status != SubmissionStatus.FINALIZED
    ]
    if not open_ones or not kinds:
        return []
    targets = {s.pk: ReuseTarget(submission=s) for s in open_ones if can(user, s, "edit")}
    if not targets:
        return []
    questionnaires = {
        t.submission.questionnaire_id: t.submission.questionnaire for t in targets.values()
    }
    questions = questionnaire_questions(questionnaires=list(questionnaires.values()))
    positions = _positions(questions)
    for target in targets.values():
        for question in questions[target.submission.questionnaire_id]:
            if question.table in kinds:
                target.questions.setdefault(question.table, question)
    if rows is None:
        rows = library_rows(submission_ids=list(targets), kinds=kinds)
    for kind in kinds:
        for target in targets.values():
            target.names[kind] = []
            target.keys[kind] = []
            target.counts[kind] = 0
        # In the table's order: by submission, question, place in the table.
        for _pk, name, key, acronym, submission_id, _v, _u, question_id, _p in sorted(
            (row for row in rows[kind] if row[4] in targets),
            key=lambda row: (row[4], positions.get(row[7], 0), row[8], row[0]),
        ):
            target = targets[submission_id]
            target.names[kind].append(name)
            target.keys[kind].append(Keys(key, acronym))
            first = target.questions.get(kind)
            if first is not None and first.pk == question_id:
                target.counts[kind] += 1
    return list(targets.values())


def library_reuse_offers(*, items: list[LibraryItem], targets: list[ReuseTarget]) -> None:
    """Set each item's offers: where it can be reused, where it is already, where it is full."""
    for item in items:
        item.offers = [offer for target in targets if (offer := target.offer(item))]


def _kind_of(row: TableRow) -> str:
    return next(kind for kind, model in ROW_MODELS.items() if isinstance(row, model))


@dataclass
class ReusePlan:
    """Where a reused item goes and what is copied (``changes.library_item_reuse`` writes it)."""

    question: Question
    values: dict[str, Any]
    sdgs: list[int]
    year: int  # of the submission it goes into
    source_year: int


def library_reuse_plan(*, submission: Submission, row: TableRow) -> ReusePlan:
    """Plan copying a library item's latest version (``row``) into the submission's table.

    Refused (ServiceError) for a row of another organization, a questionnaire without such a
    table, and an item the submission has already.
    """
    source = row.submission
    if source.organization_id != submission.organization_id:
        raise ServiceError(_("This item belongs to another organization: it cannot be reused."))
    kind = _kind_of(row)
    model = type(row)
    year = submission.questionnaire.year
    question = (
        submission.questionnaire.questions.filter(table=kind).order_by("position", "id").first()
    )
    if question is None:
        raise ServiceError(
            _("The %(year)s questionnaire has no table of %(table)s.")
            % {"year": year, "table": TableKind(kind).label.lower()}
        )
    existing = ReuseTarget(submission=submission)
    for name, key, acronym in model.objects.filter(submission=submission).values_list(
        "name", "match_key", "acronym"
    ):
        existing.names.setdefault(kind, []).append(name)
        existing.keys.setdefault(kind, []).append(Keys(key, acronym))
    present = existing.present(kind, row_keys(row))
    if present is not None:
        raise ServiceError(
            _("The %(year)s submission already has “%(name)s”.") % {"year": year, "name": present}
        )
    return ReusePlan(
        question=question,
        values={name: getattr(row, name) for name in history.row_content_fields(model)},
        sdgs=list(row.sdgs.values_list("number", flat=True)),
        year=year,
        source_year=source.questionnaire.year,
    )
