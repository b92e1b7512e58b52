"""Saving what staff write: answers and table rows, with optimistic locking.

Every save names the version it was edited from. The write is an
``UPDATE ... WHERE version = <that version>``: when it changes no row, someone
saved in between, and the save is refused as a conflict with the current text,
so that the user can choose (MediaWiki's way, not KoboToolbox's lost update).
This works the same on SQLite and PostgreSQL, unlike ``select_for_update``.

Each answer and each row is saved on its own: a conflict or an invalid row
never blocks the other edits of the same page.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.selectors import person_name

from . import history
from .models import (
    ROW_MODELS,
    Answer,
    Assignment,
    Question,
    QuestionPart,
    Submission,
    SubmissionStatus,
    TableRow,
)
from .services import ServiceError

SAVED = "saved"
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
        }


def _editor(obj: Answer | TableRow) -> tuple[str, str]:
    return person_name(obj.updated_by), obj.updated_at.isoformat() if obj.updated_at else ""


def submission_ensure_editable(*, submission: Submission) -> None:
    """Refuse any write to a finalized submission (reopening is a coordinator's act)."""
    if submission.status == SubmissionStatus.FINALIZED:
        raise ServiceError(
            _("This submission is finalized and read-only. A coordinator can reopen it.")
        )


def answer_save(
    *,
    submission: Submission,
    question: Question,
    part: QuestionPart | None,
    text: str,
    base_version: int,
    user: AbstractBaseUser,
    key: str,
) -> ItemResult:
    """Save the text of a question's narrative (part None) or of one of its parts.

    ``base_version`` is the version the user started from; 0 when there was no answer yet.
    """
    lookup = {"submission": submission, "question": question, "part": part}
    current = Answer.objects.select_related("updated_by").filter(**lookup).first()
    if current is None:
        if base_version != 0:
            # The answer existed when the page was opened; nothing can delete answers,
            # so this is a forged version: treat it as a conflict with the empty answer.
            return ItemResult(
                key=key,
                status=CONFLICT,
                version=0,
                current={"text": ""},
                errors=[_("This answer is not at the version you started from: reload the page.")],
            )
        if not text:
            return ItemResult(key=key, status=UNCHANGED, version=0)
        try:
            with history.revision(user=user, comment=history.SAVED):
                answer = Answer.objects.create(**lookup, text=text, updated_by=user)
                history.add(answer)
        except IntegrityError:
            # Someone created it between our read and our write.
            current = Answer.objects.select_related("updated_by").get(**lookup)
            return _answer_conflict(key, current)
        return ItemResult(key=key, status=SAVED, id=answer.pk, version=answer.version)

    if current.text == text:
        return ItemResult(key=key, status=UNCHANGED, id=current.pk, version=current.version)
    if current.version != base_version:
        return _answer_conflict(key, current)
    history.ensure_recorded(current)
    with history.revision(user=user, comment=history.SAVED):
        changed = Answer.objects.filter(pk=current.pk, version=base_version).update(
            text=text, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
        if changed == 1:
            history.add(Answer.objects.get(pk=current.pk))  # the version as written
    if changed != 1:
        current.refresh_from_db()
        return _answer_conflict(key, current)
    return ItemResult(key=key, status=SAVED, id=current.pk, version=base_version + 1)


def _answer_conflict(key: str, current: Answer) -> ItemResult:
    by, at = _editor(current)
    return ItemResult(
        key=key,
        status=CONFLICT,
        id=current.pk,
        version=current.version,
        current={"text": current.text},
        updated_by=by,
        updated_at=at,
        errors=[_("Someone saved a newer version of this answer while you were editing it.")],
    )


def row_values(row: TableRow, fields: list[str]) -> dict[str, Any]:
    """A row's editable values (SDGs as sorted numbers), for comparing and for conflicts."""
    values = {name: getattr(row, name) for name in fields}
    values["sdgs"] = sorted(sdg.number for sdg in row.sdgs.all())
    return values


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
    """Create a table row (row_id None) or update one from the version the user started from.

    A new row carries the browser's client_key: if a row with that key exists (the answer to
    the save that created it was lost), the retry updates it from version 1 instead.
    """
    model = ROW_MODELS[question.table]
    fields = list(values)
    if row_id is None and client_key:
        row_id = (
            model.objects.filter(submission=submission, question=question, client_key=client_key)
            .values_list("pk", flat=True)
            .first()
        )
        base_version = 1 if row_id else base_version
    if row_id is None:
        if not any(str(v).strip() for v in values.values()) and not sdgs:
            return ItemResult(key=key, status=UNCHANGED)  # an added row left empty
        try:
            with transaction.atomic():
                limit_error = _row_limit_error(submission=submission, question=question)
                if limit_error:
                    return ItemResult(key=key, status=INVALID, errors=[limit_error])
                with history.revision(user=user, comment=history.SAVED):
                    row = model.objects.create(
                        submission=submission,
                        question=question,
                        position=position,
                        updated_by=user,
                        client_key=client_key,
                        **values,
                    )
                    row.sdgs.set(sdgs)
                    history.add(row)
        except IntegrityError:
            if not client_key:
                raise
            # The same new row in two requests at once: the other one created it.
            return row_save(
                submission=submission,
                question=question,
                row_id=None,
                base_version=base_version,
                values=values,
                sdgs=sdgs,
                position=position,
                user=user,
                key=key,
                client_key=client_key,
            )
        return ItemResult(key=key, status=SAVED, id=row.pk, version=row.version)

    row = (
        model.objects.filter(submission=submission, question=question, pk=row_id)
        .select_related("updated_by")
        .prefetch_related("sdgs")
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
    if row.position != position:
        # Order is arrangement, not content: it never conflicts and keeps the version.
        model.objects.filter(pk=row.pk).update(position=position)
    theirs = row_values(row, fields)
    mine = {**values, "sdgs": sorted(sdgs)}
    if theirs == mine:
        return ItemResult(key=key, status=UNCHANGED, id=row.pk, version=row.version)
    if row.version != base_version:
        return _row_conflict(key, row, theirs)
    history.ensure_recorded(row)
    with history.revision(user=user, comment=history.SAVED):
        changed = model.objects.filter(pk=row.pk, version=base_version).update(
            **values,
            carried_from_year=None,
            version=F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        if changed != 1:
            row.refresh_from_db()
            return _row_conflict(key, row, row_values(row, fields))
        row.sdgs.set(sdgs)
        history.add(model.objects.get(pk=row.pk))  # the version as written, with its SDGs
    return ItemResult(key=key, status=SAVED, id=row.pk, version=base_version + 1)


def _row_conflict(key: str, row: TableRow, theirs: dict[str, Any]) -> ItemResult:
    by, at = _editor(row)
    return ItemResult(
        key=key,
        status=CONFLICT,
        id=row.pk,
        version=row.version,
        current=theirs,
        updated_by=by,
        updated_at=at,
        errors=[_("Someone saved a newer version of this row while you were editing it.")],
    )


def submission_lock(*, submission: Submission) -> None:
    """Lock the submission until the transaction ends (PostgreSQL; SQLite locks every write).

    A write that counts before it adds (a table's row limit) takes it first: two adds at once
    then count one after the other, and cannot both take the last place.
    """
    list(Submission.objects.select_for_update().filter(pk=submission.pk).values_list("pk"))


def _row_limit_error(*, submission: Submission, question: Question) -> str:
    """Why one more row cannot be added, or "". Call it inside the transaction that adds."""
    if not question.max_rows:
        return ""
    submission_lock(submission=submission)
    model = ROW_MODELS[question.table]
    count = model.objects.filter(submission=submission, question=question).count()
    if count < question.max_rows:
        return ""
    return ngettext(
        "This question takes at most %(limit)d row: remove one before adding another.",
        "This question takes at most %(limit)d rows: remove one before adding another.",
        question.max_rows,
    ) % {"limit": question.max_rows}


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


def row_delete(
    *,
    submission: Submission,
    question: Question,
    row_id: int,
    base_version: int,
    key: str,
    user: AbstractBaseUser | None = None,
) -> ItemResult:
    """Remove a row, unless someone changed it since the user saw it.

    Its last state is recorded first (by ``user``), so that it can be recovered.
    """
    model = ROW_MODELS[question.table]
    rows = model.objects.filter(submission=submission, question=question, pk=row_id)
    deleted = 0
    with transaction.atomic():
        doomed = rows.filter(version=base_version).select_related("updated_by").first()
        if doomed is not None:
            history.record_before_removal([doomed], user)
            deleted, _by_model = rows.filter(version=base_version).delete()
            if not deleted:
                transaction.set_rollback(True)  # changed in between: no "removed" version
            else:
                row_assignments_drop(submission=submission, question=question, row_ids=[row_id])
    if deleted:
        return ItemResult(key=key, status=REMOVED, id=row_id)
    row = rows.select_related("updated_by").prefetch_related("sdgs").first()
    if row is None:
        return ItemResult(key=key, status=REMOVED, id=row_id)  # removed already: same outcome
    result = _row_conflict(key, row, {})
    result.errors = [_("This row was not removed: someone changed it since you opened the page.")]
    return result
