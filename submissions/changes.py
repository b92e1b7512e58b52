"""The write gate: every change to a submission's content goes through this module.

Editing answers, parts and rows on the editing page, restoring and recovering from history,
reusing a library item, carrying forward, importing a document (with and without replace),
restoring a JSON backup over a submission, and the Django admin's edits of rows: each is a
function here (``WRITE_PATHS`` lists them), and each writes inside ``_gate``, which in one
transaction

- locks the submission and reads it afresh (``workflow.submission_lock_open``), refusing a
  finalized one with a message naming who finalized it and when;
- checks the user's permission for the action (a management command is the server's
  operator; the admin has checked its own permissions);
- lets the write check versions: ``UPDATE ... WHERE version = <the version the user started
  from>``, refused as a conflict when it changes no row (the same on SQLite and PostgreSQL);
- records what was written in the history, as one revision (``history``);
- applies the review consequences: a question whose content changed goes back to draft when
  it was in review or approved, and its approver is told after commit
  (``workflow.question_edited``).

Carry forward, the importers, the library and the backup restore plan what to write and hand
it to this module; views, commands and the admin call it. Nothing else writes answers or
rows: a test watches the SQL of every path.
"""

import contextvars
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Organization
from accounts.selectors import person_name

from . import history, workflow
from .carry_forward import CarryPlan, carry_forward_plan
from .insight.library import library_reuse_plan
from .merge import RowMerge, TextMerge, merge_row, merge_text
from .models import (
    ROW_MODELS,
    Answer,
    Assignment,
    EventKind,
    Question,
    Questionnaire,
    QuestionPart,
    QuestionReview,
    Submission,
    TableRow,
    UnplacedText,
)
from .permissions import require_role
from .services import ServiceError

# Every way content is written, by name: each calls _gate with its name, and
# tests/submissions/test_write_gate.py drives each one through its real entry point.
WRITE_PATHS: dict[str, Any] = {
    "editing": gettext_lazy(
        "The editing page (autosave and Save): answers and parts, rows added, changed, moved "
        "or removed, “Nothing to report this year”"
    ),
    "answer_restore": gettext_lazy("History: an old version of an answer restored"),
    "row_recover": gettext_lazy("History: a removed row added back"),
    "library_reuse": gettext_lazy("Library: an item reused in an open submission"),
    "carry_forward": gettext_lazy("Carry forward from last year's submission"),
    "import": gettext_lazy("Import of a document, with or without replace (page and command)"),
    "backup_restore": gettext_lazy("Restore of a JSON export over a submission (command)"),
    "admin_row_save": gettext_lazy("Django admin: a table row changed"),
    "admin_row_delete": gettext_lazy("Django admin: table rows deleted"),
}
ADMIN_PATHS = frozenset({"admin_row_save", "admin_row_delete"})

# What happened to one answer or row of a save.
SAVED = "saved"
MERGED = "merged"  # saved, merged with someone's change made meanwhile
UNCHANGED = "unchanged"
CONFLICT = "conflict"
MISSING = "missing"
INVALID = "invalid"
REMOVED = "removed"


@dataclass
class ItemResult:
    """What happened to one answer or row of a save."""

    key: str
    status: str
    id: int | None = None
    version: int = 0
    errors: list[str] = field(default_factory=list)
    current: dict[str, Any] | None = None
    updated_by: str = ""
    updated_at: str = ""
    # A merge (MERGED) or a clash (CONFLICT): what the page shows to resolve it.
    merge: dict[str, Any] | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "id": self.id,
            "version": self.version,
            "errors": self.errors,
            "current": self.current,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
            "merge": self.merge,
            "message": self.message,
        }


@dataclass
class AnswerEdit:
    """A narrative answer (part None) or a part's text, as the user sent it."""

    key: str
    part: QuestionPart | None
    text: str
    base_version: int  # the version the user started from; 0 when there was no answer
    nothing_to_report: bool | None = None  # None: leave it as it is


@dataclass
class RowEdit:
    """A table row as the user sent it: new (row_id None), changed, moved or to remove."""

    key: str
    row_id: int | None
    base_version: int
    values: dict[str, Any] = field(default_factory=dict)
    sdgs: list[int] = field(default_factory=list)
    position: int = 0
    client_key: str = ""
    delete: bool = False


# -- The gate -------------------------------------------------------------------------------

_writing = contextvars.ContextVar("submission_content_writing", default=False)


def gate_is_open() -> bool:
    """Whether the code running now writes through the gate (tests watch the SQL with it)."""
    return _writing.get()


@dataclass
class Gate:
    """What one write through the gate did: what to record and which questions changed."""

    submission: Submission
    user: AbstractBaseUser | None
    written: dict[type[models.Model], set[int]] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    prior: dict[int, tuple[str, AbstractBaseUser | None]] | None = None
    # The questions the write is about, as the caller read them (their parts with them):
    # what is recorded is labelled with them rather than with questions read again.
    questions: dict[int, Question] = field(default_factory=dict)

    def before_change(self, obj: Answer | TableRow) -> None:
        """Keep the state about to be overwritten in the history, if it is not there yet."""
        history.ensure_recorded(obj)

    def before_removal(self, objects: Sequence[models.Model]) -> None:
        """Record the last state of objects about to be deleted, so that they can be recovered."""
        history.record_before_removal(list(objects), self.user)

    def wrote(self, obj: Answer | TableRow) -> None:
        self.written.setdefault(type(obj), set()).add(obj.pk)
        self.touched.add(obj.question_id)

    def removed(self, question_id: int) -> None:
        self.touched.add(question_id)

    def log(self, kind: str, message: str, question: Question | None = None) -> None:
        """A line for the submission's timeline, written when the gate closes."""
        self.events.append({"kind": kind, "message": message, "question": question})


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _check_permission(user, submission: Submission, action: str, path: str) -> None:
    if user is None:
        return  # a management command: the server's operator
    if path in ADMIN_PATHS:
        # The admin checked the model permission; being staff is what it asks first.
        if not user.is_staff:
            raise PermissionDenied(_("Only administrators can change rows in the admin."))
        return
    require_role(user, submission, action)


@contextmanager
def _writes() -> Iterator[None]:
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def _gate(
    submission: Submission,
    *,
    user: AbstractBaseUser | None,
    path: str,
    comment: str,
    action: str = "edit",
) -> Iterator[Gate]:
    """One transaction around a write to a submission's content (see the module docstring)."""
    if path not in WRITE_PATHS:
        raise ValueError(f"unknown write path {path!r}")
    user = _user(user)
    with _writes(), transaction.atomic():
        fresh = workflow.submission_lock_open(submission=submission)
        _check_permission(user, submission, action, path)
        for relation in (Submission.organization, Submission.questionnaire):
            # What a submission belongs to, as the caller read it: the history's labels
            # name them ("IOM – 2024 … – 3"), and they need not be read again.
            if relation.is_cached(submission) and getattr(
                submission, relation.field.attname
            ) == getattr(fresh, relation.field.attname):
                relation.field.set_cached_value(fresh, relation.field.get_cached_value(submission))
        gate = Gate(submission=fresh, user=user)
        yield gate
        _close(gate, comment)


def _close(gate: Gate, comment: str) -> None:
    """Record what was written as one revision, then the review consequences and timeline."""
    objects: list[models.Model] = []
    for model, pks in gate.written.items():
        found = model.objects.filter(pk__in=pks).order_by("pk")
        if model is not Answer:
            found = found.prefetch_related("sdgs")
        objects += list(found)  # as written; objects removed meanwhile drop out
    _with_known_relations(gate, objects)
    history.record_all(objects, gate.user, comment)
    workflow.question_edited(
        submission=gate.submission, question_ids=gate.touched, user=gate.user, prior=gate.prior
    )
    for event in gate.events:
        gate.submission.events_log.create(actor=gate.user, **event)


def _with_known_relations(gate: Gate, objects: list[models.Model]) -> None:
    """Give the objects about to be recorded the submission, questions and parts the gate
    already holds: their labels in the history (``str()``) then read nothing more."""
    parts = {part.pk: part for question in gate.questions.values() for part in question.parts.all()}
    for obj in objects:
        obj.submission = gate.submission
        if (question := gate.questions.get(obj.question_id)) is not None:
            obj.question = question
        if (part := parts.get(getattr(obj, "part_id", None))) is not None:
            obj.part = part


# -- The editing page -----------------------------------------------------------------------


def question_save(
    *,
    submission: Submission,
    question: Question,
    user: AbstractBaseUser,
    edits: Sequence[AnswerEdit | RowEdit],
) -> list[ItemResult]:
    """Save what the editing page sent for one question: its answers, parts and rows.

    One gate for the whole page; each answer and row is then saved on its own (a savepoint
    each), so that a conflict or an invalid row never blocks the other edits.
    """
    with _gate(submission, user=user, path="editing", comment=history.SAVED) as gate:
        gate.questions[question.pk] = question
        return [
            _answer_write(gate, question, edit)
            if isinstance(edit, AnswerEdit)
            else _row_write(gate, question, edit)
            for edit in edits
        ]


def answer_save(
    *,
    submission: Submission,
    question: Question,
    part: QuestionPart | None,
    text: str,
    base_version: int,
    user: AbstractBaseUser,
    key: str,
    nothing_to_report: bool | None = None,
) -> ItemResult:
    """Save the text of a question's narrative (part None) or of one of its parts."""
    edit = AnswerEdit(key, part, text, base_version, nothing_to_report)
    return question_save(submission=submission, question=question, user=user, edits=[edit])[0]


def row_save(
    *,
    submission: Submission,
    question: Question,
    row_id: int | None,
    base_version: int,
    values: dict[str, Any],
    sdgs: list[int],
    position: int,
    user: AbstractBaseUser,
    key: str,
    client_key: str = "",
) -> ItemResult:
    """Create a table row (row_id None) or update one from the version the user started from."""
    edit = RowEdit(key, row_id, base_version, values, sdgs, position, client_key)
    return question_save(submission=submission, question=question, user=user, edits=[edit])[0]


def row_delete(
    *,
    submission: Submission,
    question: Question,
    row_id: int,
    base_version: int,
    key: str,
    user: AbstractBaseUser,
) -> ItemResult:
    """Remove a row, unless someone changed it since the user saw it."""
    edit = RowEdit(key, row_id, base_version, delete=True)
    return question_save(submission=submission, question=question, user=user, edits=[edit])[0]


def _editor(obj: Answer | TableRow) -> tuple[str, str]:
    return person_name(obj.updated_by), obj.updated_at.isoformat() if obj.updated_at else ""


def _answer_write(gate: Gate, question: Question, edit: AnswerEdit) -> ItemResult:
    submission, user, key = gate.submission, gate.user, edit.key
    text = edit.text
    lookup = {"submission": submission, "question": question, "part": edit.part}
    current = Answer.objects.select_related("updated_by").filter(**lookup).order_by("pk").first()
    # "Nothing to report" holds only for an empty box: writing in it clears the mark.
    flag = bool(edit.nothing_to_report) and not text.strip()
    if current is None:
        if edit.base_version != 0:
            # The answer existed when the page was opened; nothing deletes answers but a
            # replacing import: treat it as a conflict with the empty answer.
            return ItemResult(
                key=key,
                status=CONFLICT,
                version=0,
                current={"text": ""},
                errors=[_("This answer is not at the version you started from: reload the page.")],
            )
        if not text and not flag:
            return ItemResult(key=key, status=UNCHANGED, version=0)
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    **lookup, text=text, nothing_to_report=flag, updated_by=user
                )
        except IntegrityError:
            # Someone created it between our read and our write.
            current = Answer.objects.select_related("updated_by").get(**lookup)
            return _answer_conflict(key, current)
        gate.wrote(answer)
        return ItemResult(key=key, status=SAVED, id=answer.pk, version=answer.version)

    if edit.nothing_to_report is None:
        flag = current.nothing_to_report and not text.strip()
    if (current.text, current.nothing_to_report) == (text, flag):
        return ItemResult(key=key, status=UNCHANGED, id=current.pk, version=current.version)
    merged: TextMerge | None = None
    if current.version != edit.base_version:
        # Someone saved since the user's version: merge both against it, or show both.
        base = history.answer_at(current, edit.base_version)
        if base is None:
            return _answer_conflict(key, current, mine=text)
        merged = merge_text(base[0], text, current.text)
        if not merged.clean:
            return _answer_conflict(key, current, mine=text, merged=merged)
        text = merged.text
        flag = flag and not text.strip()
    gate.before_change(current)
    changed = Answer.objects.filter(pk=current.pk, version=current.version).update(
        text=text,
        nothing_to_report=flag,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if changed != 1:
        current.refresh_from_db()
        return _answer_conflict(key, current, mine=text)
    gate.wrote(current)
    if merged is None:
        return ItemResult(key=key, status=SAVED, id=current.pk, version=current.version + 1)
    return ItemResult(
        key=key,
        status=MERGED,
        id=current.pk,
        version=current.version + 1,
        current={"text": text},
        updated_by=person_name(current.updated_by),
        message=_merged_message(current, merged.their_paragraphs),
    )


def _merged_message(current: Answer, paragraphs: list[int]) -> str:
    name = person_name(current.updated_by) or _("someone")
    if not paragraphs:
        return _("Merged with %(name)s's change.") % {"name": name}
    return ngettext(
        "Merged with %(name)s's change to paragraph %(list)s.",
        "Merged with %(name)s's changes to paragraphs %(list)s.",
        len(paragraphs),
    ) % {"name": name, "list": ", ".join(str(p) for p in paragraphs)}


def _answer_conflict(
    key: str, current: Answer, *, mine: str | None = None, merged: TextMerge | None = None
) -> ItemResult:
    """Someone saved meanwhile and the two texts clash: both are shown, nothing is written.

    ``merge`` gives the page a word diff of the saved text against the user's, and a merged
    text (the user's passage at each clash, the clashes marked) to edit.
    """
    by, at = _editor(current)
    merge = None
    if mine is not None:
        merge = {
            "diff": history.word_diff(current.text, mine),
            "text": merged.text if merged else mine,
            "clashes": [
                {"start": c.start, "end": c.end, "mine": c.mine, "theirs": c.theirs}
                for c in (merged.clashes if merged else [])
            ],
        }
    return ItemResult(
        key=key,
        status=CONFLICT,
        id=current.pk,
        version=current.version,
        current={"text": current.text},
        updated_by=by,
        updated_at=at,
        merge=merge,
        errors=[
            _(
                "%(name)s saved a newer version of this answer while you were editing it, "
                "and changed the same passage."
            )
            % {"name": by or _("Someone")}
        ],
    )


def row_values(row: TableRow, fields: list[str]) -> dict[str, Any]:
    """A row's editable values (SDGs as sorted numbers), for comparing and for conflicts."""
    values = {name: getattr(row, name) for name in fields}
    values["sdgs"] = sorted(sdg.number for sdg in row.sdgs.all())
    return values


def _row_write(gate: Gate, question: Question, edit: RowEdit) -> ItemResult:
    if edit.delete:
        return _row_remove(gate, question, edit)
    submission, user, key = gate.submission, gate.user, edit.key
    model = ROW_MODELS[question.table]
    fields = list(edit.values)
    row_id, base_version = edit.row_id, edit.base_version
    if row_id is None and edit.client_key:
        # A retried save of a new row whose answer was lost: update the row it created.
        row_id = (
            model.objects.filter(
                submission=submission, question=question, client_key=edit.client_key
            )
            .values_list("pk", flat=True)
            .order_by("pk")
            .first()
        )
        base_version = 1 if row_id else base_version
    if row_id is None:
        if not any(str(v).strip() for v in edit.values.values()) and not edit.sdgs:
            return ItemResult(key=key, status=UNCHANGED)  # an added row left empty
        limit_error = _row_limit_error(submission=submission, question=question)
        if limit_error:
            return ItemResult(key=key, status=INVALID, errors=[limit_error])
        try:
            with transaction.atomic():
                row = model.objects.create(
                    submission=submission,
                    question=question,
                    position=edit.position,
                    updated_by=user,
                    client_key=edit.client_key,
                    **edit.values,
                )
                row.sdgs.set(edit.sdgs)
        except IntegrityError:
            if not edit.client_key:
                raise
            # The same new row in two requests at once: the other one created it.
            return _row_write(gate, question, edit)
        gate.wrote(row)
        return ItemResult(key=key, status=SAVED, id=row.pk, version=row.version)

    row = (
        model.objects.filter(submission=submission, question=question, pk=row_id)
        .select_related("updated_by")
        .prefetch_related("sdgs")
        .order_by("pk")
        .first()
    )
    if row is None:
        # Removed by someone else, or an id that is not this question's: change nothing.
        return ItemResult(
            key=key,
            status=MISSING,
            errors=[
                _(
                    "Someone removed this row while you were editing it. Your text is kept "
                    "here: save again to add it back as a new row, or remove it."
                )
            ],
        )
    if row.position != edit.position:
        # Order is arrangement, not content: it never conflicts and keeps the version.
        model.objects.filter(pk=row.pk).update(position=edit.position)
    theirs = row_values(row, fields)
    mine = {**edit.values, "sdgs": sorted(edit.sdgs)}
    if theirs == mine:
        return ItemResult(key=key, status=UNCHANGED, id=row.pk, version=row.version)
    merged: RowMerge | None = None
    if row.version != base_version:
        # Someone saved since: merge field by field against the user's version.
        base = history.row_at(row, base_version)
        if base is None:
            return _row_conflict(key, row, theirs)
        merged = merge_row({**{f: "" for f in fields}, **base}, mine, theirs)
        if not merged.clean:
            return _row_conflict(key, row, theirs, fields=merged.clashes)
        mine = merged.values
    gate.before_change(row)
    values = {name: mine[name] for name in fields}
    # The SDGs as a document wrote them stand only while the goals are the imported ones.
    written_as = {} if mine["sdgs"] == theirs["sdgs"] else {"sdgs_text": ""}
    changed = model.objects.filter(pk=row.pk, version=row.version).update(
        **values,
        **written_as,
        carried_from_year=None,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if changed != 1:
        row.refresh_from_db()
        return _row_conflict(key, row, row_values(row, fields))
    row.sdgs.set(mine["sdgs"])
    gate.wrote(row)
    if merged is None:
        return ItemResult(key=key, status=SAVED, id=row.pk, version=row.version + 1)
    name = person_name(row.updated_by) or _("someone")
    return ItemResult(
        key=key,
        status=MERGED,
        id=row.pk,
        version=row.version + 1,
        current=mine,
        updated_by=person_name(row.updated_by),
        message=_("Merged with %(name)s's change to this row.") % {"name": name},
    )


def _row_conflict(
    key: str, row: TableRow, theirs: dict[str, Any], *, fields: list[str] | None = None
) -> ItemResult:
    """Someone saved the row meanwhile and changed the same fields (``fields``) otherwise."""
    by, at = _editor(row)
    return ItemResult(
        key=key,
        status=CONFLICT,
        id=row.pk,
        version=row.version,
        current=theirs,
        updated_by=by,
        updated_at=at,
        merge={"fields": fields} if fields else None,
        errors=[_("Someone saved a newer version of this row while you were editing it.")],
    )


def _row_limit_error(*, submission: Submission, question: Question) -> str:
    """Why one more row cannot be added, or "" (the gate holds the submission's lock)."""
    if not question.max_rows:
        return ""
    model = ROW_MODELS[question.table]
    count = model.objects.filter(submission=submission, question=question).count()
    if count < question.max_rows:
        return ""
    return ngettext(
        "This question takes at most %(limit)d row: remove one before adding another.",
        "This question takes at most %(limit)d rows: remove one before adding another.",
        question.max_rows,
    ) % {"limit": question.max_rows}


def _row_remove(gate: Gate, question: Question, edit: RowEdit) -> ItemResult:
    """Remove a row unless someone changed it since; its last state is recorded first."""
    submission, key, row_id = gate.submission, edit.key, edit.row_id
    model = ROW_MODELS[question.table]
    rows = model.objects.filter(submission=submission, question=question, pk=row_id)
    deleted = 0
    with transaction.atomic():
        doomed = (
            rows.filter(version=edit.base_version)
            .select_related("updated_by")
            .prefetch_related("sdgs")
            .order_by("pk")
            .first()
        )
        if doomed is not None:
            gate.before_removal([doomed])
            deleted, _by_model = rows.filter(version=edit.base_version).delete()
            if not deleted:
                transaction.set_rollback(True)  # changed in between: no "removed" version
            else:
                row_assignments_drop(submission=submission, question=question, row_ids=[row_id])
    if deleted:
        gate.removed(question.pk)
        return ItemResult(key=key, status=REMOVED, id=row_id)
    row = rows.select_related("updated_by").prefetch_related("sdgs").order_by("pk").first()
    if row is None:
        return ItemResult(key=key, status=REMOVED, id=row_id)  # removed already: same outcome
    result = _row_conflict(key, row, {})
    result.errors = [_("This row was not removed: someone changed it since you opened the page.")]
    return result


def row_assignments_drop(
    *, submission: Submission, question: Question | None = None, row_ids: list[int] | None = None
) -> None:
    """Remove the assignments of rows that are removed (all the submission's rows by default).

    An assignment to a row that is gone would still count on My work and the completeness
    page, and a backup would write it as one to the whole question. A recovered row is
    assigned again.
    """
    assignments = Assignment.objects.filter(submission=submission, row_id__isnull=False)
    if question is not None:
        assignments = assignments.filter(question=question)
    if row_ids is not None:
        assignments = assignments.filter(row_id__in=row_ids)
    assignments.delete()


# -- History: restore and recover -----------------------------------------------------------


def answer_restore(
    *,
    submission: Submission,
    question: Question,
    part: QuestionPart | None,
    version_id: int,
    user: AbstractBaseUser,
) -> ItemResult:
    """Make an old version's text the answer again, as a new version; the history keeps all.

    SAVED, UNCHANGED when it is the text already, CONFLICT when someone saved in between.
    Raises ``Version.DoesNotExist`` for a version that is not this answer's.
    """
    old = history.answer_version(
        submission=submission, question=question, part=part, version_id=version_id
    )
    comment = f"{history.VERSION_RESTORED}:{old.number}"
    with _gate(submission, user=user, path="answer_restore", comment=comment) as gate:
        current = Answer.objects.filter(submission=submission, question=question, part=part)
        base = current.values_list("version", flat=True).order_by("pk").first() or 0
        edit = AnswerEdit("restore", part, old.text, base, old.nothing_to_report)
        result = _answer_write(gate, question, edit)
        if result.status == SAVED:
            gate.log(
                EventKind.RESTORE,
                _("%(where)s: version %(old)s restored as version %(new)s.")
                % {
                    "where": part.title if part else _("Answer"),
                    "old": old.number,
                    "new": result.version,
                },
                question,
            )
    return result


def row_recover(
    *, submission: Submission, question: Question, row_id: int, user: AbstractBaseUser
) -> ItemResult:
    """Add a removed row back, as a new row at the end of the table, from its last version.

    SAVED, or INVALID when the table is full. Raises ``Version.DoesNotExist`` for a row that
    is not removed.
    """
    removed = history.removed_row(submission=submission, question=question, row_id=row_id)
    comment = f"{history.ROW_RECOVERED}:{question.table}:{row_id}"
    with _gate(submission, user=user, path="row_recover", comment=comment) as gate:
        model = ROW_MODELS[question.table]
        last = model.objects.filter(submission=submission, question=question).aggregate(
            Max("position")
        )["position__max"]
        edit = RowEdit(
            "recover",
            None,
            0,
            values={k: v for k, v in removed.values.items() if k != "sdgs"},
            sdgs=removed.values["sdgs"],
            position=0 if last is None else last + 1,
        )
        result = _row_write(gate, question, edit)
        if result.status == SAVED:
            gate.log(
                EventKind.RESTORE,
                _("Removed row “%(name)s” added back.")
                % {"name": removed.name or _("(unnamed row)")},
                question,
            )
    return result


# -- Library, carry forward -----------------------------------------------------------------


def library_item_reuse(
    *, submission: Submission, row: TableRow, user: AbstractBaseUser
) -> TableRow:
    """Copy a library item's latest version (``row``) to the end of the submission's table.

    Refused, writing nothing, when the submission is finalized, has no such table, has the
    item already or has a full table, and for a row of another organization.
    """
    with _gate(
        submission, user=user, path="library_reuse", comment=history.REUSED_FROM_LIBRARY
    ) as gate:
        plan = library_reuse_plan(submission=gate.submission, row=row)
        question, model = plan.question, type(row)
        rows = model.objects.filter(submission=submission, question=question)
        if question.max_rows and rows.count() >= question.max_rows:
            raise ServiceError(
                ngettext(
                    "Question %(number)s of the %(year)s submission takes at most %(limit)d row: "
                    "remove one before reusing another.",
                    "Question %(number)s of the %(year)s submission takes at most %(limit)d rows: "
                    "remove one before reusing another.",
                    question.max_rows,
                )
                % {"number": question.number, "year": plan.year, "limit": question.max_rows}
            )
        last = rows.aggregate(Max("position"))["position__max"]
        copy = model.objects.create(
            submission=submission,
            question=question,
            position=0 if last is None else last + 1,
            carried_from_year=plan.source_year,
            version=1,
            updated_by=gate.user,
            **plan.values,
        )
        copy.sdgs.set(plan.sdgs)
        gate.wrote(copy)
        gate.log(
            EventKind.LIBRARY_REUSE,
            _("“%(name)s” reused from %(year)s.")
            % {"name": copy.name or _("(unnamed row)"), "year": plan.source_year},
            question,
        )
    return copy


def submission_carry_forward(*, submission: Submission, user: AbstractBaseUser) -> CarryPlan:
    """Copy rows and unchanged questions' answers from the previous submission; all or nothing."""
    with _gate(
        submission, user=user, path="carry_forward", action="open", comment=history.CARRIED_FORWARD
    ) as gate:
        plan = carry_forward_plan(submission=gate.submission)
        if plan.source is None:
            raise ServiceError(
                _("There is no earlier submission of this organization to copy from.")
            )
        year = plan.source.questionnaire.year
        for target, rows in plan.rows:
            for position, row in enumerate(rows):
                sdgs = [sdg.number for sdg in row.sdgs.all()]
                copy = row  # the plan's own instance, saved as a new row below
                copy.pk = copy.id = None
                copy._prefetched_objects_cache = {}  # else sdgs.set() sees the old row's goals
                copy.submission = gate.submission
                copy.question = target
                copy.position = position
                copy.version = 1
                copy.client_key = ""  # the browser key of a row added in the source year
                copy.carried_from_year = year
                copy.updated_by = gate.user
                copy.save()
                copy.sdgs.set(sdgs)
                gate.wrote(copy)
        for target, answer in plan.answers:
            slot = {
                "submission": gate.submission,
                "question": target,
                "part": getattr(answer, "target_part", None),
            }
            empty = Answer.objects.filter(**slot).order_by("pk").first()  # saved empty: in place
            if empty is not None:
                gate.before_change(empty)
                Answer.objects.filter(pk=empty.pk).update(
                    text=answer.text,
                    version=F("version") + 1,
                    updated_by=gate.user,
                    updated_at=timezone.now(),
                )
                gate.wrote(empty)
            else:
                gate.wrote(Answer.objects.create(**slot, text=answer.text, updated_by=gate.user))
        gate.log(
            EventKind.CARRY_FORWARD,
            _("Copied %(rows)d rows and %(answers)d answers from %(year)s.")
            % {"rows": plan.row_count, "answers": len(plan.answers), "year": year},
        )
    return plan


# -- Import and backup restore ---------------------------------------------------------------


def _content_counts(submission: Submission) -> tuple[int, int]:
    answers = submission.answers.count()
    rows = sum(model.objects.filter(submission=submission).count() for model in ROW_MODELS.values())
    return answers, rows


def submission_is_empty(*, submission: Submission) -> bool:
    """Whether a submission holds no answer and no table row yet."""
    return _content_counts(submission) == (0, 0)


def import_check_target(*, submission: Submission, replace: bool) -> None:
    """Refuse an import into a finalized submission, or one with content unless ``replace``."""
    workflow.submission_ensure_open(submission=submission)
    answers, rows = _content_counts(submission)
    if (answers or rows) and not replace:
        raise ServiceError(
            _(
                "%(organization)s's submission to “%(questionnaire)s” already holds %(answers)d "
                "answers and %(rows)d table rows: import with “replace” (--replace) to "
                "replace them"
            )
            % {
                "organization": submission.organization.code,
                "questionnaire": submission.questionnaire,
                "answers": answers,
                "rows": rows,
            }
        )


def _question_contents(submission: Submission) -> dict[int, tuple]:
    """Each question's content (answers, then rows in order), to see which ones a write changed."""
    contents: dict[int, list] = {}
    for answer in submission.answers.order_by("part_id", "pk"):
        if answer.text or answer.nothing_to_report:
            contents.setdefault(answer.question_id, []).append(
                ("answer", answer.part_id, answer.text, answer.nothing_to_report)
            )
    for kind, model in ROW_MODELS.items():
        fields = history.row_content_fields(model)
        for row in (
            model.objects.filter(submission=submission)
            .order_by("position", "pk")
            .prefetch_related("sdgs")
        ):
            contents.setdefault(row.question_id, []).append(
                (
                    kind,
                    *(getattr(row, f) for f in fields),
                    tuple(sorted(s.pk for s in row.sdgs.all())),
                )
            )
    return {question_id: tuple(items) for question_id, items in contents.items()}


def _changed_questions(before: dict[int, tuple], after: dict[int, tuple]) -> set[int]:
    return {q for q in before.keys() | after.keys() if before.get(q) != after.get(q)}


def submission_import_write(
    *,
    organization: Organization,
    questionnaire: Questionnaire,
    answers: list[Answer],
    rows: list[tuple[TableRow, list[int]]],
    replace: bool,
    user: AbstractBaseUser | None,
    summary: str,
    unplaced: Sequence[UnplacedText] = (),
) -> Submission:
    """Write an import's validated answers and rows (with their SDGs), all or nothing.

    The organization's submission is opened if it does not exist. A submission with content
    is replaced only with ``replace``: what it held stays in the history (removed rows and
    answers can be recovered, an answer's text before the import is one of its versions), and
    answers are updated in place with a new version, so that an editor who had the old text
    open gets a conflict on save instead of silently overwriting the import.
    """
    user = _user(user)
    with _writes(), transaction.atomic():
        submission, created = Submission.objects.get_or_create(
            organization=organization, questionnaire=questionnaire
        )
        if created:
            submission.events_log.create(
                kind=EventKind.OPENED, actor=user, message=_("Opened by an import.")
            )
        with _gate(
            submission, user=user, path="import", action="open", comment=history.IMPORTED
        ) as gate:
            import_check_target(submission=gate.submission, replace=replace)
            before = _question_contents(submission)
            _import_write(gate, answers, rows, replace=replace)
            gate.touched = _changed_questions(before, _question_contents(submission))
            for item in unplaced:  # shown on the overview until someone dismisses them
                item.submission, item.imported_by = submission, user
            UnplacedText.objects.bulk_create(unplaced)
            gate.log(EventKind.IMPORT, summary)
    return submission


def _import_write(gate: Gate, answers: list[Answer], rows: list, *, replace: bool) -> None:
    submission = gate.submission
    existing = (
        {(a.question_id, a.part_id): a for a in submission.answers.select_related("updated_by")}
        if replace
        else {}
    )
    if replace:
        imported = {(a.question_id, a.part_id) for a in answers}
        for slot, answer in existing.items():
            if slot in imported:
                gate.before_change(answer)
        gate.before_removal(
            [
                *(
                    row
                    for model in ROW_MODELS.values()
                    for row in model.objects.filter(submission=submission).prefetch_related("sdgs")
                ),
                *(answer for slot, answer in existing.items() if slot not in imported),
            ]
        )
        for model in ROW_MODELS.values():
            model.objects.filter(submission=submission).delete()
        row_assignments_drop(submission=submission)
    new = []
    for answer in answers:
        answer.submission = submission
        current = existing.pop((answer.question_id, answer.part_id), None)
        if current is None:
            new.append(answer)
            continue
        Answer.objects.filter(pk=current.pk).update(
            text=answer.text,
            nothing_to_report=False,
            version=F("version") + 1,
            updated_by=answer.updated_by,
            updated_at=timezone.now(),
        )
        answer.pk, answer.version = current.pk, current.version + 1
        gate.wrote(answer)
    Answer.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    for answer in Answer.objects.bulk_create(new):
        gate.wrote(answer)
    for row, sdgs in rows:
        row.submission = submission
        row.save()
        row.sdgs.set(sdgs)
        gate.wrote(row)


def submission_restore_write(
    *,
    organization: Organization,
    questionnaire: Questionnaire,
    user: AbstractBaseUser | None,
    write: Callable[[], Submission],
) -> Submission:
    """Restore a submission from a backup: ``write`` creates it with everything it holds.

    An existing submission (the caller has checked that the user asked to replace it) goes
    through the gate: refused when finalized; what it held stays in the history; questions
    whose content the restore changes go back to draft if they were in review or approved,
    and their approvers are told. The restored answers and rows are recorded as one revision.
    """
    user = _user(user)
    existing = Submission.objects.filter(
        organization=organization, questionnaire=questionnaire
    ).first()
    if existing is None:
        with _writes(), transaction.atomic():
            submission = write()
            with history.revision(user=user, comment=history.BACKUP_RESTORED):
                history.add(*_content_of(submission))
        return submission
    with _gate(
        existing, user=user, path="backup_restore", action="open", comment=history.BACKUP_RESTORED
    ) as gate:
        before = _question_contents(existing)
        gate.prior = {
            r.question_id: (r.status, r.updated_by)
            for r in QuestionReview.objects.filter(submission=existing).select_related("updated_by")
        }
        gate.before_removal(_content_of(existing))
        existing.delete()
        gate.submission = write()
        for obj in _content_of(gate.submission):
            gate.wrote(obj)
        gate.touched = _changed_questions(before, _question_contents(gate.submission))
    return gate.submission


def _content_of(submission: Submission) -> list[models.Model]:
    return [
        *submission.answers.order_by("pk"),
        *(
            row
            for model in ROW_MODELS.values()
            for row in model.objects.filter(submission=submission)
            .order_by("pk")
            .prefetch_related("sdgs")
        ),
    ]


# -- The Django admin -----------------------------------------------------------------------


def row_admin_save(*, row: TableRow, user: AbstractBaseUser, save: Callable[[], None]) -> None:
    """An administrator's change of a row in the admin: ``save`` writes the form (and SDGs).

    The row gets a new version, so that an editor who has it open gets a conflict instead
    of overwriting the change.
    """
    with _gate(
        row.submission, user=user, path="admin_row_save", comment=history.ADMIN_EDITED
    ) as gate:
        if row.pk is not None:
            current = type(row).objects.select_related("updated_by").get(pk=row.pk)
            gate.before_change(current)
            row.version = current.version + 1
        else:
            last = (
                type(row)
                .objects.filter(submission=row.submission, question=row.question)
                .aggregate(Max("position"))["position__max"]
            )
            row.position = 0 if last is None else last + 1
        row.updated_by = gate.user
        row.carried_from_year = None
        save()
        gate.wrote(row)
        gate.log(
            EventKind.ADMIN_EDIT,
            _("Row “%(name)s” changed in the administration.")
            % {"name": row.name or _("(unnamed row)")},
            row.question,
        )


def row_admin_delete(*, rows: Sequence[TableRow], user: AbstractBaseUser) -> None:
    """An administrator's deletion of rows in the admin; each can be recovered from history."""
    by_submission: dict[int, list[TableRow]] = {}
    for row in rows:
        by_submission.setdefault(row.submission_id, []).append(row)
    with transaction.atomic():
        for doomed in by_submission.values():
            with _gate(
                doomed[0].submission, user=user, path="admin_row_delete", comment=history.REMOVED
            ) as gate:
                gate.before_removal(doomed)
                for row in doomed:
                    question = row.question
                    pk = row.pk
                    type(row).objects.filter(pk=pk).delete()
                    row_assignments_drop(
                        submission=gate.submission, question=question, row_ids=[pk]
                    )
                    gate.removed(question.pk)
                    gate.log(
                        EventKind.ADMIN_EDIT,
                        _("Row “%(name)s” deleted in the administration.")
                        % {"name": row.name or _("(unnamed row)")},
                        question,
                    )
