"""History pages: an answer's versions with a word diff and its timeline; a row's versions.

Reading needs the "view" permission, restoring and recovering "edit"; a submission of another
organization is a 404. Restoring and recovering are new changes: the history keeps everything.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reversion.models import Version

from accounts.selectors import person_shown

from .. import changes, history
from ..changes import CONFLICT, SAVED, UNCHANGED
from ..models import ROW_MODELS, Question, QuestionPart, Submission
from ..permissions import can, require
from ..selectors import question_events_and_comments, question_rows, shown_digest
from ..services import ServiceError
from .lookup import question_or_404, visible_submission
from .organizations import page_number


@dataclass
class TimelineEntry:
    """One line of a question's timeline: a version, a transition or event, or a comment."""

    kind: str  # "version", "event" or "comment"
    when: datetime | None
    item: Any


def _timeline_key(slot: dict, page: int, can_edit: bool, timeline: list[TimelineEntry]) -> str:
    """What the page's timeline shows, hashed: with the language, the key of its drawn list.
    Each version, event and comment with what its line shows, and what its links and
    buttons depend on (the part, the page, whether the reader may restore)."""
    part = slot["part"]
    shown: list = [slot["submission"].pk, slot["question"].number, part and part.pk, page]
    shown.append(can_edit)
    for entry in timeline:
        item = entry.item
        if entry.kind == "version":
            line = (item.id, item.number, item.current, item.comment, person_shown(item.user))
            line += (item.when, item.words, item.before and item.before.id)
        elif entry.kind == "event":
            line = (item.pk, item.kind, item.from_status, item.to_status, person_shown(item.actor))
            line += (item.created_at, item.message)
        else:
            line = (item.pk, item.parent_id, item.part and item.part.title)
            line += (item.row_name, person_shown(item.author), item.created_at)
            line += (item.resolved, person_shown(item.resolved_by), item.text)
        shown.append((entry.kind, line))
    return shown_digest(shown)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _part(question: Question, value: str | None) -> QuestionPart | None:
    """The part named by ?part=, None for the narrative; a part of another question is a 404."""
    if value in (None, ""):
        return None
    part_id = _int(value)
    part = next((p for p in question.parts.all() if p.pk == part_id), None)
    if part is None:
        raise Http404(_("This question has no such part."))
    return part


def _history_url(submission: Submission, question: Question, part: QuestionPart | None) -> str:
    url = reverse("answer_history", kwargs={"pk": submission.pk, "number": question.number})
    return f"{url}?part={part.pk}" if part else url


# Versions per page of an answer's history (autosave records one at every pause in typing).
HISTORY_PAGE_SIZE = 25


def _compare(request, slot: dict, versions: list[history.AnswerVersion], first_page: bool):
    """The two versions to compare (?from= and ?to=, any two of the answer's, on this page or
    not; by default its last change) and the diff."""

    def version(name: str) -> history.AnswerVersion | None:
        version_id = _int(request.GET.get(name))
        if not version_id:
            return None
        shown = next((v for v in versions if v.id == version_id), None)
        if shown is not None:
            return shown
        try:
            return history.answer_version(**slot, version_id=version_id)
        except Version.DoesNotExist:
            return None

    new = version("to")
    if new is None:
        latest = versions if first_page else history.answer_versions(**slot, limit=2)
        new = latest[0] if latest else None
        if new is not None and new.before is None and len(latest) > 1:
            new.before = latest[1]
    old = version("from") or (new.before if new is not None else None)
    if old is None or new is None:
        return old, new, []
    return old, new, history.word_diff(old.text, new.text)


def _page_links(page: int, has_older: bool) -> dict:
    """A history page's number and the pages its "Newer" and "Older" links go to."""
    return {
        "page": page,
        "newer_page": page - 1 if page > 1 else None,
        "older_page": page + 1 if has_older else None,
    }


def _page_of_versions(slot: dict, page: int):
    """The page's versions, newest first, each with the one before it (``before``); the
    version just newer than the page (where its timeline ends) and whether older ones exist.
    Reads the page and one version on either side, whatever the answer's length of history."""
    start = (page - 1) * HISTORY_PAGE_SIZE
    window = history.answer_versions(
        **slot, start=max(start - 1, 0), limit=HISTORY_PAGE_SIZE + (2 if start else 1)
    )
    newer = window[0] if start and window else None
    body = window[1:] if start else window
    # The current text not recorded yet (page 1 only) is one more on its page.
    size = HISTORY_PAGE_SIZE + (1 if body and body[0].id == 0 else 0)
    for index, item in enumerate(body[:size]):
        item.before = body[index + 1] if index + 1 < len(body) else None
    return body[:size], newer, len(body) > size


@login_required
def answer_history(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    """The versions of a question's answer (or part) with a diff, and the question's timeline,
    a page at a time (newest first): versions, and the events and comments of their time."""
    submission = visible_submission(request, pk)
    require(request.user, submission, "view")
    question = question_or_404(submission, number)
    parts = list(question.parts.all())
    part = _part(question, request.GET.get("part"))
    if part is None and not question.has_narrative and parts:
        part = parts[0]
    has_text = question.has_narrative or part is not None
    page = page_number(request.GET.get("page"))
    slot = {"submission": submission, "question": question, "part": part}

    versions, newer, has_older = _page_of_versions(slot, page) if has_text else ([], None, False)
    if page > 1 and not versions:
        raise Http404(_("This history has no page %(page)s.") % {"page": page})
    old, new, diff = _compare(request, slot, versions, first_page=page == 1)
    # The events and comments of the page's time: after its oldest version (unless it is the
    # last page) and before the version just newer than the page (unless it is the first).
    events, comments = question_events_and_comments(
        submission=submission,
        question=question,
        since=versions[-1].when if has_older else None,
        until=newer.when if newer is not None else None,
    )
    timeline = sorted(
        [
            *(TimelineEntry("version", v.when, v) for v in versions),
            *(TimelineEntry("event", e.created_at, e) for e in events),
            *(TimelineEntry("comment", c.created_at, c) for c in comments),
        ],
        key=lambda entry: entry.when.timestamp() if entry.when else 0,
        reverse=True,
    )
    rows = question_rows(submission=submission, question=question)
    can_edit = can(request.user, submission, "edit")
    choices = list(versions)
    for item in (new, old):
        if item is not None and all(item.id != v.id for v in choices):
            choices.append(item)
    return render(
        request,
        "submissions/history.html",
        {
            "submission": submission,
            "question": question,
            "parts": parts,
            "part": part,
            "has_text": has_text,
            "versions": versions,
            "choices": sorted(
                choices, key=lambda v: v.when.timestamp() if v.when else 0, reverse=True
            ),
            "old": old,
            "new": new,
            "diff": diff,
            "timeline": timeline,
            **_page_links(page, has_older),
            "part_query": f"part={part.pk}&" if part else "",
            "rows": rows,
            # What the list of rows shows, hashed: with the language, the key of its links.
            "rows_key": shown_digest((submission.pk, [(row.pk, str(row)) for row in rows])),
            "removed_rows": history.rows_removed(submission=submission, question=question),
            "can_edit": can_edit,
            "timeline_key": _timeline_key(slot, page, can_edit, timeline),
        },
    )


@login_required
@require_POST
def answer_restore(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    """Make an old version the current text again, as a new version."""
    submission = visible_submission(request, pk)
    question = question_or_404(submission, number)
    part = _part(question, request.POST.get("part"))
    version_id = _int(request.POST.get("version"))
    if not version_id:
        raise Http404(_("No such version."))
    try:
        result = changes.answer_restore(
            submission=submission,
            question=question,
            part=part,
            version_id=version_id,
            user=request.user,
        )
    except Version.DoesNotExist:
        raise Http404(_("No such version.")) from None
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(_history_url(submission, question, part))
    if result.status == SAVED:
        messages.success(
            request,
            _("The old version is restored: it is now version %(number)s.")
            % {"number": result.version},
        )
    elif result.status == UNCHANGED:
        messages.info(request, _("That version's text is already the current text."))
    elif result.status == CONFLICT:
        messages.error(
            request,
            _("Someone saved a newer version meanwhile: look at it, then restore again if needed."),
        )
    else:
        messages.error(request, " ".join(result.errors) or _("The version was not restored."))
    return redirect(_history_url(submission, question, part))


def _row_context(request: HttpRequest, pk: int, table: str, row_id: int, *, page: int = 1):
    """The submission, the row's model and question, and a page of the row's versions (one
    more than the page's size when there are older ones)."""
    submission = visible_submission(request, pk)
    model = ROW_MODELS.get(table)
    if model is None:
        raise Http404(_("No such table."))
    versions = history.row_versions(
        model=model,
        row_id=row_id,
        start=(page - 1) * HISTORY_PAGE_SIZE,
        limit=HISTORY_PAGE_SIZE + 1,
    )
    if page > 1 and not versions:
        raise Http404(_("This history has no page %(page)s.") % {"page": page})
    if not versions or versions[0].submission_id != submission.pk:
        raise Http404(_("No such row in this submission."))
    question = get_object_or_404(
        submission.questionnaire.questions.all(), pk=versions[0].question_id
    )
    return submission, model, question, versions


@login_required
def row_history(request: HttpRequest, pk: int, table: str, row_id: int) -> HttpResponse:
    """A table row's versions, field by field, a page at a time (newest first); a removed row
    can be added back."""
    page = page_number(request.GET.get("page"))
    submission, model, question, versions = _row_context(request, pk, table, row_id, page=page)
    require(request.user, submission, "view")
    has_older = len(versions) > HISTORY_PAGE_SIZE + (1 if versions[0].id == 0 else 0)
    removed = not model.objects.filter(pk=row_id).exists()
    recoverable = removed and row_id in {
        r.id for r in history.rows_removed(submission=submission, question=question)
    }
    return render(
        request,
        "submissions/row_history.html",
        {
            "submission": submission,
            "question": question,
            "table": table,
            "row_id": row_id,
            "versions": versions[: len(versions) - 1] if has_older else versions,
            # The row as it is now names the page, whichever page it is.
            "latest": versions[0]
            if page == 1
            else history.row_versions(model=model, row_id=row_id, limit=1)[0],
            **_page_links(page, has_older),
            "removed": removed,
            "recoverable": recoverable,
            "can_edit": can(request.user, submission, "edit"),
        },
    )


@login_required
@require_POST
def row_recover(request: HttpRequest, pk: int, table: str, row_id: int) -> HttpResponse:
    """Add a removed row back as a new row, from its last version."""
    submission, model, question, versions = _row_context(request, pk, table, row_id)
    try:
        result = changes.row_recover(
            submission=submission, question=question, row_id=row_id, user=request.user
        )
    except Version.DoesNotExist:
        raise Http404(_("This row is not removed.")) from None
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("row_history", pk=submission.pk, table=table, row_id=row_id)
    if result.status == SAVED:
        messages.success(request, _("The row is back, at the end of the table."))
        return redirect("question_edit", pk=submission.pk, number=question.number)
    messages.error(request, " ".join(result.errors) or _("The row was not added back."))
    return redirect("row_history", pk=submission.pk, table=table, row_id=row_id)
