"""History of answers and table rows: every version kept with who, when and what.

Versions are recorded with django-reversion, explicitly: the authoring services write with
``QuerySet.update()`` (optimistic locking), which signals would miss, so each write path
goes through the write gate (``changes``), which records what it wrote as one revision
(``record_all``). A row is recorded before it is deleted, in a revision of its own, so that
reversion can recover it. This module only records and reads: restoring an old version and
recovering a removed row are new changes, made by ``changes``; nothing in the history is
overwritten.

Every version recorded gets a ``VersionIndex`` entry in the same transaction (its table,
answer or row id, submission, question, part and version number, in indexed columns), and
every read finds versions through it: reversion keeps a version as serialized text, and
searching that text for a submission's id read every organization's history.
"""

import difflib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version
from reversion.signals import post_revision_commit

from .models import (
    ANSWERS,
    ROW_MODELS,
    Answer,
    Question,
    QuestionPart,
    Submission,
    TableRow,
    VersionIndex,
)
from .selectors import AnswerVersionRecord, answer_version_records, removed_rows_last_versions
from .wordcount import count_words

RECORDED_MODELS: tuple[type[models.Model], ...] = (Answer, *ROW_MODELS.values())
for _model in RECORDED_MODELS:
    if not reversion.is_registered(_model):
        # All concrete fields and the SDGs (many-to-many) are part of each version, as JSON
        # (reversion's default format, which the version index reads).
        reversion.register(_model)

# The version index's name for each recorded model: answers, or the row's table.
TABLES: dict[type[models.Model], str] = {
    Answer: ANSWERS,
    **{model: str(kind) for kind, model in ROW_MODELS.items()},
}

# What a revision was, stored as a code and worded when shown (in the reader's language).
SAVED = "saved"
REMOVED = "removed"
RECORDED = "recorded"
IMPORTED = "imported"
CARRIED_FORWARD = "carried-forward"
BACKUP_RESTORED = "backup-restored"
VERSION_RESTORED = "version-restored"
ROW_RECOVERED = "row-recovered"
REUSED_FROM_LIBRARY = "reused-from-library"
ADMIN_EDITED = "admin-edited"

# Bookkeeping fields of a row: not content, never shown as a change.
ROW_BOOKKEEPING = {
    "id",
    "submission",
    "question",
    "position",
    "version",
    "updated_by",
    "updated_at",
    "carried_from_year",
    "client_key",
    "match_key",  # derived from the name (matchkeys.row_match_fields)
    "acronym",
}


def row_content_fields(model: type[TableRow]) -> list[str]:
    """A row's content fields in form order (name first, SDGs apart)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in ROW_BOOKKEEPING and not f.many_to_many
    ]


# -- Recording ------------------------------------------------------------------------------


def _is_user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


@contextmanager
def revision(*, user: AbstractBaseUser | None, comment: str) -> Iterator[None]:
    """One revision (and transaction) around writes; add what was written with ``add()``.

    Inside an enclosing revision the writes join it, and the enclosing revision's user and
    comment stand (a restore of an old version is recorded as a restore, not as a save).
    """
    with reversion.create_revision(manage_manually=True):
        if reversion.get_user() is None and _is_user(user):
            reversion.set_user(user)
        if not reversion.get_comment():
            reversion.set_comment(comment)
        yield


def add(*objects: models.Model) -> None:
    """Put the objects' current state (read from the database) in the open revision."""
    for obj in objects:
        reversion.add_to_revision(obj)


def record(obj: models.Model, user: AbstractBaseUser | None, comment: str) -> None:
    """Record one object's current state as a revision of its own."""
    with revision(user=user, comment=comment):
        add(obj)


def record_all(objects: list[models.Model], user: AbstractBaseUser | None, comment: str) -> None:
    """Record many objects' current state as one revision (an import, a restore)."""
    if not objects:
        return
    with revision(user=user, comment=comment):
        add(*objects)


def record_before_removal(objects: list[models.Model], user: AbstractBaseUser | None) -> None:
    """Record the last state of objects about to be deleted, so that they can be recovered.

    Reversion saves only versions of objects that still exist when the revision closes:
    this revision closes before the deletion (in the caller's transaction), so it must not
    be nested in another revision.
    """
    if not objects:
        return
    if reversion.is_active():
        raise RuntimeError("record_before_removal() inside an open revision would record nothing")
    with revision(user=user, comment=REMOVED):
        add(*objects)


def ensure_recorded(obj: Answer | TableRow) -> None:
    """Record the state about to be overwritten if the history does not have it yet.

    Data written before history was kept (or by a path that did not record it, such as the
    admin) would otherwise be lost at its first change. Recorded as of its author and time.
    Runs before the caller opens its own revision: an object is in a revision only once.
    """
    if reversion.is_active():
        return
    latest = (
        VersionIndex.objects.filter(table=TABLES[type(obj)], object_id=obj.pk)
        .order_by("-version_id")
        .values_list("number", flat=True)
        .first()
    )
    if latest == obj.version:
        return
    with revision(user=obj.updated_by, comment=RECORDED):
        if obj.updated_at:
            reversion.set_date_created(obj.updated_at)
        add(obj)


# -- The version index --------------------------------------------------------------------


def version_index_entry(
    *, table: str, object_id: int, serialized_data: str, comment: str
) -> dict[str, Any]:
    """Where one version belongs (the ``VersionIndex`` columns), read from its stored JSON."""
    fields = json.loads(serialized_data)[0]["fields"]
    recovered_from = None
    code, _sep, rest = comment.partition(":")
    recovered_table, _sep, row_id = rest.partition(":")
    if code == ROW_RECOVERED and recovered_table == table and row_id.isdigit():
        recovered_from = int(row_id)  # a recovery's revision holds only the row added back
    return {
        "table": table,
        "object_id": object_id,
        "submission_id": fields["submission"],
        "question_id": fields["question"],
        "part_id": fields.get("part"),
        "number": fields.get("version", 0),
        "recovered_from": recovered_from,
    }


def _index_versions(sender: Any, revision: Any, versions: list[Version], **kwargs: Any) -> None:
    """Index the versions of a revision just saved, inside the revision's transaction.

    Reversion sends ``post_revision_commit`` from inside ``create_revision`` once the
    revision and its versions are saved (with their ids) and before its transaction ends;
    every revision passes there, whichever path opened it, so no version goes unindexed.
    """
    entries = []
    for version in versions:
        model = ContentType.objects.get_for_id(version.content_type_id).model_class()
        table = TABLES.get(model)
        if table is None:
            continue
        entry = version_index_entry(
            table=table,
            object_id=int(version.object_id),
            serialized_data=version.serialized_data,
            comment=revision.comment,
        )
        entries.append(VersionIndex(version_id=version.pk, **entry))
    VersionIndex.objects.using(revision._state.db).bulk_create(entries)


post_revision_commit.connect(_index_versions, dispatch_uid="submissions.history.index_versions")


def version_index_fill(
    *,
    version_model: type[models.Model] = Version,
    index_model: type[models.Model] = VersionIndex,
    content_type_model: type[models.Model] = ContentType,
    batch_size: int = 1000,
) -> int:
    """Index the versions recorded before the index existed (migration 0014 calls this).

    Reads the versions of answers and rows in batches by id, each parsed once; a version
    indexed already is left as it is, so running it again adds nothing. Returns how many
    versions it read. The models are parameters so that the migration passes its own.
    """
    names = {model._meta.model_name: table for model, table in TABLES.items()}
    tables = {
        pk: names[name]
        for pk, name in content_type_model.objects.filter(
            app_label="submissions", model__in=names
        ).values_list("pk", "model")
    }
    read, last = 0, 0
    while True:
        batch = list(
            version_model.objects.filter(content_type_id__in=tables, pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk", "content_type_id", "object_id", "serialized_data", "revision__comment"
            )[:batch_size]
        )
        if not batch:
            return read
        index_model.objects.bulk_create(
            [
                index_model(
                    version_id=pk,
                    **version_index_entry(
                        table=tables[content_type_id],
                        object_id=int(object_id),
                        serialized_data=data,
                        comment=comment,
                    ),
                )
                for pk, content_type_id, object_id, data, comment in batch
            ],
            ignore_conflicts=True,
        )
        read += len(batch)
        last = batch[-1][0]


def _versions(table: str, **where: Any):
    """The recorded versions of one table found through the index (``where``: its columns)."""
    return Version.objects.filter(
        index__table=table, **{f"index__{name}": value for name, value in where.items()}
    )


_COMMENT_LABELS = {
    SAVED: gettext_lazy("Saved"),
    REMOVED: gettext_lazy("Removed"),
    RECORDED: gettext_lazy("Recorded"),
    IMPORTED: gettext_lazy("Imported from a document"),
    CARRIED_FORWARD: gettext_lazy("Carried forward from last year"),
    BACKUP_RESTORED: gettext_lazy("Restored from a backup"),
    ROW_RECOVERED: gettext_lazy("Recovered after removal"),
    REUSED_FROM_LIBRARY: gettext_lazy("Reused from the library"),
    ADMIN_EDITED: gettext_lazy("Changed in the administration"),
}


def comment_label(comment: str) -> str:
    """A revision's comment, worded for the reader."""
    code, _sep, detail = comment.partition(":")
    if code == VERSION_RESTORED:
        return _("Restored version %(number)s") % {"number": detail}
    return str(_COMMENT_LABELS.get(code, comment))


# -- Word diff ------------------------------------------------------------------------------

# A word with the white space before it; words are compared, the white space is carried.
_WORDS = re.compile(r"\s*\S+")


def _words(text: str) -> tuple[list[str], str]:
    pieces = _WORDS.findall(text)
    return pieces, text[sum(map(len, pieces)) :]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from old to new, word by word: a list of ("equal"|"delete"|"insert", text).

    A word is a run of characters between white space, as the word counter has it. Words are
    compared without the white space around them (a reflowed line is not a change); each
    piece carries the white space before its words, so that the pieces read as the text, and
    joining the "equal" and "insert" pieces gives ``new`` exactly.
    """
    a, _trailing = _words(old)
    b, trailing = _words(new)
    pieces: list[tuple[str, str]] = []

    def put(op: str, texts: list[str]) -> None:
        text = "".join(texts)
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    matcher = difflib.SequenceMatcher(
        None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            put("equal", b[j1:j2])
        else:
            put("delete", a[i1:i2])
            put("insert", b[j1:j2])
    put("equal", [trailing])
    return pieces


# -- Answer versions ------------------------------------------------------------------------


@dataclass
class AnswerVersion:
    """One recorded version of an answer."""

    id: int  # the reversion Version's id (0: the current text, not recorded yet)
    number: int  # the answer's version number at that point
    text: str
    user: AbstractBaseUser | None
    when: datetime | None
    comment: str
    current: bool = False
    nothing_to_report: bool = False
    stored_words: int | None = None  # as recorded (versions before migration 0012 have none)
    before: "AnswerVersion | None" = None  # the version before it, where a page has it

    @property
    def words(self) -> int:
        return self.stored_words if self.stored_words is not None else count_words(self.text)


def _answer_version(record: AnswerVersionRecord) -> AnswerVersion:
    return AnswerVersion(
        id=record.id,
        number=record.number,
        text=record.fields["text"],
        user=record.user,
        when=record.when,
        comment=comment_label(record.comment),
        nothing_to_report=record.fields.get("nothing_to_report", False),
        stored_words=record.fields.get("words"),
    )


def answer_versions(
    *,
    submission: Submission,
    question: Question,
    part: QuestionPart | None,
    start: int = 0,
    limit: int | None = None,
) -> list[AnswerVersion]:
    """The versions of the answer to a question (part None) or part, newest first: every one,
    or ``limit`` of them from the ``start``-th (only those are read: an answer autosaved all
    afternoon has hundreds). The current text, when it was written before history was kept,
    comes first, not recorded yet (at ``start`` 0)."""
    answer = (
        Answer.objects.filter(submission=submission, question=question, part=part)
        .order_by("pk")
        .first()
    )
    found = answer_version_records(
        submission_id=submission.pk,
        question_id=question.pk,
        part_id=part.pk if part else None,
        start=start,
        limit=limit,
    )
    versions = [_answer_version(record) for record in found]
    if answer is None:
        return versions
    for version in versions:
        if version.number == answer.version and version.text == answer.text:
            version.current = True
            return versions
    if start > 0:
        return versions
    # Written before history was kept: shown, not yet recorded (its next change records it).
    current = AnswerVersion(
        id=0,
        number=answer.version,
        text=answer.text,
        user=answer.updated_by,
        when=answer.updated_at,
        comment=_("Current text"),
        current=True,
        nothing_to_report=answer.nothing_to_report,
        stored_words=answer.words,
    )
    return [current, *versions]


def answer_version(
    *, submission: Submission, question: Question, part: QuestionPart | None, version_id: int
) -> AnswerVersion:
    """One recorded version of the answer; ``Version.DoesNotExist`` for any other id."""
    found = answer_version_records(
        submission_id=submission.pk,
        question_id=question.pk,
        part_id=part.pk if part else None,
        version_id=version_id,
    )
    if not found:
        raise Version.DoesNotExist(_("There is no such version of this answer."))
    return _answer_version(found[0])


# -- Row versions ---------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any
    diff: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RowVersion:
    """One recorded version of a table row, with what changed since the version before."""

    id: int
    number: int
    values: dict[str, Any]
    user: AbstractBaseUser | None
    when: datetime | None
    comment: str
    submission_id: int = 0
    question_id: int = 0
    current: bool = False
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.values.get("name") or ""


def _row_values(model: type[TableRow], data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name, "") for name in row_content_fields(model)}
    values["sdgs"] = sorted(int(n) for n in data.get("sdgs", []))
    return values


def _field_labels(model: type[TableRow]) -> dict[str, str]:
    labels = {f.name: str(f.verbose_name) for f in model._meta.get_fields() if f.concrete}
    return {**labels, "name": _("Name"), "sdgs": _("Relevant SDGs")}


def row_versions(
    *, model: type[TableRow], row_id: int, start: int = 0, limit: int | None = None
) -> list[RowVersion]:
    """The versions of a row (also of a removed one), newest first, with what each changed:
    every one, or ``limit`` of them from the ``start``-th (only those, and the one before
    the oldest of them to tell what it changed, are read)."""
    versions = (
        _versions(TABLES[model], object_id=row_id)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )
    read = list(versions[start : start + limit + 1] if limit is not None else versions[start:])
    # The one read past the page is what the page's oldest version changed from.
    before = read.pop() if limit is not None and len(read) > limit else None
    entries = [_row_version(model, version) for version in reversed(read)]
    row = None
    if start == 0:
        row = model.objects.filter(pk=row_id).select_related("updated_by").order_by("pk").first()
    if row is not None:
        values = _row_values(model, {**row.__dict__, "sdgs": row.sdgs.values_list("pk", flat=True)})
        if entries and (entries[-1].number, entries[-1].values) == (row.version, values):
            entries[-1].current = True
        else:
            # Written before history was kept: shown, and recorded at its next change.
            entries.append(
                RowVersion(
                    id=0,
                    number=row.version,
                    values=values,
                    user=row.updated_by,
                    when=row.updated_at,
                    comment=_("Current values"),
                    submission_id=row.submission_id,
                    question_id=row.question_id,
                    current=True,
                )
            )
    labels = _field_labels(model)
    # The first version shows as changes from an empty row.
    first = _row_version(model, before).values if before is not None else _row_values(model, {})
    for previous, entry in zip([first, *(e.values for e in entries)], entries, strict=False):
        for name, new in entry.values.items():
            old = previous.get(name)
            if old == new:
                continue
            change = FieldChange(name=name, label=labels.get(name, name), old=old, new=new)
            if isinstance(old, str) and isinstance(new, str):
                change.diff = word_diff(old, new)
            entry.changes.append(change)
    return entries[::-1]


def _row_version(model: type[TableRow], version: Version) -> RowVersion:
    data = version.field_dict
    return RowVersion(
        id=version.pk,
        number=data.get("version", 0),
        values=_row_values(model, data),
        user=version.revision.user,
        when=version.revision.date_created,
        comment=comment_label(version.revision.comment),
        submission_id=data["submission_id"],
        question_id=data["question_id"],
    )


def rows_removed(*, submission: Submission, question: Question) -> list[RowVersion]:
    """The question's removed rows, each as its last recorded version, newest first."""
    if not question.table:
        return []
    model = ROW_MODELS[question.table]
    removed = []
    for version in removed_rows_last_versions(
        submission_id=submission.pk, question_id=question.pk, table=question.table
    ):
        data = version.field_dict
        removed.append(
            RowVersion(
                id=int(version.object_id),
                number=data.get("version", 0),
                values=_row_values(model, data),
                user=version.revision.user,
                when=version.revision.date_created,
                comment=comment_label(version.revision.comment),
            )
        )
    removed.sort(key=lambda r: (r.when is not None, r.when), reverse=True)
    return removed


def removed_row(*, submission: Submission, question: Question, row_id: int) -> RowVersion:
    """The last version of a removed row of the question; ``Version.DoesNotExist`` otherwise."""
    for removed in rows_removed(submission=submission, question=question):
        if removed.id == row_id:
            return removed
    raise Version.DoesNotExist(_("There is no removed row with this number."))


# -- What an object was at a version (the base of a three-way merge) ----------------------


def answer_at(answer: Answer, number: int) -> tuple[str, bool] | None:
    """The answer's text and "nothing to report" mark at its version ``number``, from the
    history (None when the history does not hold that version)."""
    version = _at(ANSWERS, answer.pk, number)
    if version is None:
        return None
    data = version.field_dict
    return data.get("text", ""), bool(data.get("nothing_to_report", False))


def row_at(row: TableRow, number: int) -> dict[str, Any] | None:
    """A row's content values (SDGs as sorted numbers) at its version ``number``, or None."""
    model = type(row)
    version = _at(TABLES[model], row.pk, number)
    return None if version is None else _row_values(model, version.field_dict)


def _at(table: str, object_id: int, number: int) -> Version | None:
    """The latest recorded version of an answer or row that has its version ``number``."""
    return (
        _versions(table, object_id=object_id, number=number)
        .only("serialized_data", "format", "content_type", "object_id")
        .order_by("-pk")
        .first()
    )
