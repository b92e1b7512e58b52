"""Comparing two years: each question of the newer submission beside the same question of the older.

Questions are "the same" by carry forward's rule (``same_question_key``: the prompt with years
and spacing normalised), and their narrative and parts (paired by title) are compared word by
word with the history's ``word_diff``. A table question the rule does not pair is paired, as
carry forward pairs tables, with the older question of the same table (same number first): its
prompt was reworded, so its narrative is shown side by side, not diffed. Rows are paired by
name with ``match_rows``, the one rule comparing years and the library share.

The questions' form is compared too (``structure_changes``): parts added or removed, word
limits, the written answer, the table and its row limit. A question whose form changed is
"changed", even when nothing written in it did.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..carry_forward import same_question_key
from ..history import FieldChange, word_diff
from ..models import ROW_MODELS, Answer, Question, QuestionPart, Submission, TableKind, TableRow
from ..rowfields import ROW_FIELDS, row_value, sdg_numbers
from ..selectors import table_row_values
from .matching import match_rows

CHANGED = "changed"
SAME = "same"
NEW = "new"
DROPPED = "dropped"
STATUSES = (CHANGED, SAME, NEW, DROPPED)


def _normalised(text: str | None) -> str:
    return " ".join((text or "").split())


def _side(diff: list[tuple[str, str]], hidden: str) -> list[tuple[str, str]]:
    return [(op, text) for op, text in diff if op != hidden]


@dataclass
class TextComparison:
    """One answer box (the narrative, or a part) in both years; None where a year has no box."""

    title: str  # the part's title; "" for the narrative
    old: str | None
    new: str | None
    diff: list[tuple[str, str]] = field(default_factory=list)  # empty when not compared

    @property
    def changed(self) -> bool:
        return _normalised(self.old) != _normalised(self.new)

    @property
    def shown(self) -> bool:
        """Whether there is anything to show: a change, or the same text in both years."""
        return self.changed or bool(_normalised(self.new))

    @property
    def old_side(self) -> list[tuple[str, str]]:
        """The older text with its removed words marked (the left column)."""
        return _side(self.diff, "insert")

    @property
    def new_side(self) -> list[tuple[str, str]]:
        """The newer text with its added words marked (the right column)."""
        return _side(self.diff, "delete")


@dataclass
class FieldDiff(FieldChange):
    """A changed field of a matched row; strings carry their word diff."""

    @property
    def old_side(self) -> list[tuple[str, str]]:
        return _side(self.diff, "insert")

    @property
    def new_side(self) -> list[tuple[str, str]]:
        return _side(self.diff, "delete")


@dataclass
class RowComparison:
    """A row of one year and its match in the other: new, dropped, changed or the same."""

    status: str
    old: TableRow | None
    new: TableRow | None
    table: str
    changes: list[FieldDiff] = field(default_factory=list)
    sdgs_added: list[int] = field(default_factory=list)
    sdgs_removed: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        row = self.new if self.new is not None else self.old
        return str(row)

    @property
    def fields(self) -> list[tuple[str, str]]:
        """(label, value) of the row as it stands (the newer one when matched)."""
        row = self.new if self.new is not None else self.old
        return [(str(label), row_value(row, name)) for name, label in ROW_FIELDS[self.table]]


@dataclass
class StructureChange:
    """One change of a question's form from one year to the next, said in words."""

    kind: str  # "part_added", "part_removed", "part_word_limit", "word_limit", ...
    message: str


def _limit(words: int | None) -> str:
    if not words:
        return _("no limit")
    return ngettext("%(n)d word", "%(n)d words", words) % {"n": words}


def _row_limit(rows: int | None) -> str:
    if not rows:
        return _("no maximum")
    return ngettext("%(n)d row", "%(n)d rows", rows) % {"n": rows}


def structure_changes(old: Question, new: Question) -> list[StructureChange]:
    """What changed in the question itself: its written answer, parts, limits, table, rows.

    Parts are paired by title, case aside, as the texts are. Rewording is apart (``reworded``).
    """
    changes: list[StructureChange] = []

    def change(kind: str, message: str, **values) -> None:
        changes.append(StructureChange(kind=kind, message=message % values))

    if old.has_narrative != new.has_narrative:
        if new.has_narrative:
            change(
                "answer_added",
                _("A written answer is asked for (%(limit)s)."),
                limit=_limit(new.word_limit),
            )
        else:
            change("answer_removed", _("No written answer is asked for any more."))
    elif new.has_narrative and old.word_limit != new.word_limit:
        change(
            "word_limit",
            _("Word limit of the answer: %(old)s → %(new)s."),
            old=_limit(old.word_limit),
            new=_limit(new.word_limit),
        )

    old_parts = {p.title.casefold(): p for p in old.parts.all()}
    new_parts = {p.title.casefold(): p for p in new.parts.all()}
    for key, part in new_parts.items():
        before = old_parts.get(key)
        if before is None:
            change(
                "part_added",
                _("Part added: “%(title)s” (%(limit)s)."),
                title=part.title,
                limit=_limit(part.word_limit),
            )
        elif before.word_limit != part.word_limit:
            change(
                "part_word_limit",
                _("Word limit of “%(title)s”: %(old)s → %(new)s."),
                title=part.title,
                old=_limit(before.word_limit),
                new=_limit(part.word_limit),
            )
    for key, part in old_parts.items():
        if key not in new_parts:
            change("part_removed", _("Part removed: “%(title)s”."), title=part.title)

    if old.table != new.table:
        if not old.table:
            change("table_added", _("Table added: %(table)s."), table=new.get_table_display())
        elif not new.table:
            change("table_removed", _("Table removed: %(table)s."), table=old.get_table_display())
        else:
            change(
                "table_changed",
                _("Table changed: %(old)s → %(new)s."),
                old=old.get_table_display(),
                new=new.get_table_display(),
            )
    if old.table and new.table:
        if old.max_rows != new.max_rows:
            change(
                "max_rows",
                _("Maximum rows: %(old)s → %(new)s."),
                old=_row_limit(old.max_rows),
                new=_row_limit(new.max_rows),
            )
        if old.row_description_word_limit != new.row_description_word_limit:
            change(
                "row_word_limit",
                _("Word limit of each row’s description: %(old)s → %(new)s."),
                old=_limit(old.row_description_word_limit),
                new=_limit(new.row_description_word_limit),
            )
    return changes


@dataclass
class QuestionComparison:
    """A question of the newer submission and the same question of the older one, if any."""

    old: Question | None
    new: Question | None
    reworded: bool = False  # paired by its table, although its prompt differs
    prompt_diff: list[tuple[str, str]] = field(default_factory=list)
    structure: list[StructureChange] = field(default_factory=list)
    narrative: TextComparison | None = None
    parts: list[TextComparison] = field(default_factory=list)
    rows: list[RowComparison] = field(default_factory=list)

    @property
    def question(self) -> Question:
        return self.new if self.new is not None else self.old

    @property
    def table(self) -> str:
        return self.question.table

    @property
    def status(self) -> str:
        if self.old is None:
            return NEW
        if self.new is None:
            return DROPPED
        texts = [self.narrative, *self.parts] if self.narrative else self.parts
        if (
            self.structure
            or any(t.changed for t in texts)
            or any(r.status != SAME for r in self.rows)
        ):
            return CHANGED
        return SAME

    @property
    def written(self) -> bool:
        """Whether either year wrote anything in the question's narrative or parts."""
        texts = [self.narrative, *self.parts] if self.narrative else self.parts
        return any(_normalised(t.old) or _normalised(t.new) for t in texts)

    @property
    def row_counts(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.rows)
        return {status: counts[status] for status in STATUSES}

    @property
    def rows_shown(self) -> list[RowComparison]:
        """Rows that differ, in order: the unchanged ones are listed apart, by name only."""
        return [r for r in self.rows if r.status != SAME]

    @property
    def rows_unchanged(self) -> list[RowComparison]:
        return [r for r in self.rows if r.status == SAME]


@dataclass
class TableSummary:
    table: str
    label: str
    counts: dict[str, int]


@dataclass
class Comparison:
    """Two submissions compared, the older first; questions in the newer one's order."""

    old: Submission
    new: Submission
    questions: list[QuestionComparison]

    @property
    def question_counts(self) -> dict[str, int]:
        counts = Counter(q.status for q in self.questions)
        return {status: counts[status] for status in STATUSES}

    @property
    def structure_changed(self) -> int:
        """How many questions asked in both years changed their form."""
        return sum(bool(q.structure) for q in self.questions)

    @property
    def tables(self) -> list[TableSummary]:
        """Rows new, dropped, changed and the same per table (events, resources, initiatives)."""
        counts: dict[str, Counter] = defaultdict(Counter)
        for question in self.questions:
            for row in question.rows:
                counts[row.table][row.status] += 1
        return [
            TableSummary(
                table=kind,
                label=str(TableKind(kind).label),
                counts={status: counts[kind][status] for status in STATUSES},
            )
            for kind in ROW_MODELS
            if kind in counts
        ]


def _row_comparison(old: TableRow | None, new: TableRow | None, table: str) -> RowComparison:
    if old is None:
        return RowComparison(status=NEW, old=None, new=new, table=table)
    if new is None:
        return RowComparison(status=DROPPED, old=old, new=None, table=table)
    comparison = RowComparison(status=SAME, old=old, new=new, table=table)
    for name, label in ROW_FIELDS[table]:
        if name == "sdgs":
            before, after = set(sdg_numbers(old)), set(sdg_numbers(new))
            comparison.sdgs_added = sorted(after - before)
            comparison.sdgs_removed = sorted(before - after)
            if before != after:
                comparison.changes.append(
                    FieldDiff(name=name, label=str(label), old=sorted(before), new=sorted(after))
                )
            continue
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        if _normalised(before) != _normalised(after):
            comparison.changes.append(
                FieldDiff(
                    name=name,
                    label=str(label),
                    old=before,
                    new=after,
                    diff=word_diff(before, after),
                )
            )
    if comparison.changes:
        comparison.status = CHANGED
    return comparison


def _rows_compared(old_rows: list[TableRow], new_rows: list[TableRow], old_table, new_table):
    if old_table != new_table:
        # A question whose table changed kind: its rows cannot be the same items.
        return [_row_comparison(None, row, new_table) for row in new_rows] + [
            _row_comparison(row, None, old_table) for row in old_rows
        ]
    return [_row_comparison(o, n, new_table) for o, n in match_rows(old_rows, new_rows)]


def _pair_questions(
    old_questions: list[Question], new_questions: list[Question]
) -> dict[int, Question]:
    """The older question paired with each newer one (by pk), each used once."""
    by_key: dict[str, Question] = {}
    for question in old_questions:
        by_key.setdefault(same_question_key(question), question)
    pairs: dict[int, Question] = {}
    used: set[int] = set()
    for question in new_questions:
        previous = by_key.get(same_question_key(question))
        if previous is not None and previous.pk not in used:
            pairs[question.pk] = previous
            used.add(previous.pk)
    # Tables as carry forward pairs them: the same table kind, the same number first.
    for question in new_questions:
        if question.pk in pairs or not question.table:
            continue
        candidates = [q for q in old_questions if q.pk not in used and q.table == question.table]
        same_number = [q for q in candidates if q.number == question.number]
        previous = (same_number or candidates or [None])[0]
        if previous is not None:
            pairs[question.pk] = previous
            used.add(previous.pk)
    return pairs


def comparison_state(*, old: Submission, new: Submission) -> str:
    """What ``submissions_compare`` of the two is made of, as a digest: both questionnaires'
    structure stamps, and every answer's and row's id, version and time of change. Equal
    digests, equal comparisons (in one language): the page keeps the comparison as rendered
    under it. Two queries: the answers, the rows of the three tables in one."""
    submissions = [old.pk, new.pk]
    answers = (
        Answer.objects.filter(submission__in=submissions)
        .order_by()
        .values_list("submission_id", "pk", "version", "updated_at")
    )
    tables = table_row_values(
        submission_ids=submissions,
        kinds=list(ROW_MODELS),
        fields=("submission_id", "id", "version", "updated_at"),
    )
    parts = [f"{s.pk}:{s.questionnaire_id}:{s.questionnaire.structure_stamp}" for s in (old, new)]
    parts += sorted(f"a{s}.{pk}.{v}.{when.timestamp()}" for s, pk, v, when in answers)
    parts += sorted(
        f"{t}{s}.{pk}.{v}.{when.timestamp()}"
        for t, rows in tables.items()
        for s, pk, v, when in rows
    )
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def submissions_compare(*, old: Submission, new: Submission) -> Comparison:
    """Compare two submissions question by question and row by row, in nine queries at most.

    The questions of both questionnaires, their parts, the answers of both submissions, and
    for each table kind the rows of both with their SDGs: never one query per question or row.
    """
    submissions = [old, new]
    questions = list(
        Question.objects.filter(questionnaire_id__in={old.questionnaire_id, new.questionnaire_id})
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("parts", queryset=QuestionPart.objects.order_by("position", "id"))
        )
    )
    texts: dict[tuple[int, int, int | None], str] = {
        (submission_id, question_id, part_id): text
        for submission_id, question_id, part_id, text in Answer.objects.filter(
            submission__in=submissions
        ).values_list("submission_id", "question_id", "part_id", "text")
    }
    rows: dict[tuple[int, int], list[TableRow]] = defaultdict(list)
    for kind in {q.table for q in questions if q.table}:
        for row in (
            ROW_MODELS[kind]
            .objects.filter(submission__in=submissions)
            .order_by("position", "id")
            .prefetch_related("sdgs")
        ):
            rows[(row.submission_id, row.question_id)].append(row)

    old_questions = [q for q in questions if q.questionnaire_id == old.questionnaire_id]
    new_questions = [q for q in questions if q.questionnaire_id == new.questionnaire_id]
    pairs = _pair_questions(old_questions, new_questions)

    def text(submission: Submission, question: Question, part: QuestionPart | None) -> str:
        return texts.get((submission.pk, question.pk, part.pk if part else None), "")

    def narrative(submission: Submission, question: Question) -> str | None:
        has_one = question.has_narrative or (submission.pk, question.pk, None) in texts
        return text(submission, question, None) if has_one else None

    compared = []
    for question in new_questions:
        previous = pairs.get(question.pk)
        if previous is None:
            compared.append(_one_year(None, question, new, narrative, text, rows))
            continue
        reworded = same_question_key(previous) != same_question_key(question)
        entry = QuestionComparison(
            old=previous,
            new=question,
            reworded=reworded,
            prompt_diff=word_diff(previous.prompt, question.prompt) if reworded else [],
            structure=structure_changes(previous, question),
        )
        before, after = narrative(old, previous), narrative(new, question)
        if before is not None or after is not None:
            entry.narrative = TextComparison(title="", old=before, new=after)
            if before is not None and after is not None and not reworded:
                entry.narrative.diff = word_diff(before, after)
        old_parts = {p.title.casefold(): p for p in previous.parts.all()}
        new_titles = set()
        for part in question.parts.all():
            new_titles.add(part.title.casefold())
            old_part = old_parts.get(part.title.casefold())
            after = text(new, question, part)
            before = text(old, previous, old_part) if old_part else None
            slot = TextComparison(title=part.title, old=before, new=after)
            if before is not None and not reworded:
                slot.diff = word_diff(before, after)
            entry.parts.append(slot)
        for key, part in old_parts.items():
            if key not in new_titles:
                entry.parts.append(
                    TextComparison(title=part.title, old=text(old, previous, part), new=None)
                )
        entry.rows = _rows_compared(
            rows.get((old.pk, previous.pk), []),
            rows.get((new.pk, question.pk), []),
            previous.table,
            question.table,
        )
        compared.append(entry)
    paired = {q.pk for q in pairs.values()}
    compared.extend(
        _one_year(question, None, old, narrative, text, rows)
        for question in old_questions
        if question.pk not in paired
    )
    return Comparison(old=old, new=new, questions=compared)


def _one_year(old_question, new_question, submission, narrative, text, rows):
    """A question asked in one of the two years only: its texts and rows on its side."""
    question = old_question or new_question
    is_old = old_question is not None

    def slot(title: str, value: str | None) -> TextComparison:
        return TextComparison(
            title=title, old=value if is_old else None, new=None if is_old else value
        )

    entry = QuestionComparison(old=old_question, new=new_question)
    value = narrative(submission, question)
    if value is not None:
        entry.narrative = slot("", value)
    entry.parts = [
        slot(part.title, text(submission, question, part)) for part in question.parts.all()
    ]
    entry.rows = [
        _row_comparison(row if is_old else None, None if is_old else row, question.table)
        for row in rows.get((submission.pk, question.pk), [])
    ]
    return entry
