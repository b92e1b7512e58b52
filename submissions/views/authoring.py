"""The editing page: one question at a time, its answers, parts and table, saved by autosave or Save."""

import hashlib
import logging
from collections.abc import Sequence
from functools import cached_property, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from ..changes import (
    CONFLICT,
    INVALID,
    MERGED,
    MISSING,
    REMOVED,
    SAVED,
    AnswerEdit,
    ItemResult,
    RowEdit,
    question_save,
)
from ..forms import AnswerForm, row_formset_class
from ..models import Question, QuestionPart
from ..permissions import allowed_actions, read_only_reason
from ..rowfields import question_row_fields
from ..selectors import (
    comment_threads_and_assignments,
    question_rows,
    shown_digest,
    submissions_progress,
)
from ..services import ServiceError
from .errors import DATABASE_UNAVAILABLE, json_error, wants_json
from .lookup import question_or_404, visible_submission

logger = logging.getLogger(__name__)


def login_required_or_401(view):
    """login_required, except that a background save gets a 401 it can explain, not a login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if wants_json(request):
            return json_error(
                _("Your session has expired. Log in again: your text is kept here."), 401
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def _answer_forms(
    question, answers, data=None
) -> list[tuple[str, QuestionPart | None, AnswerForm]]:
    """One form for the narrative (if any) and one per part, prefixed answer-main / answer-part-ID.

    A question with only a table has an answer of its own without a text box: its
    "Nothing to report this year" says that the table is empty on purpose.
    """
    parts = list(question.parts.all())
    slots: list[tuple[str, QuestionPart | None, str, int | None, int | None]] = []
    if question.has_narrative or (question.table and not parts):
        slots.append(("answer-main", None, _("Answer"), question.word_limit, question.word_minimum))
    for part in parts:
        slots.append(
            (f"answer-part-{part.pk}", part, part.heading, part.word_limit, part.word_minimum)
        )
    forms = []
    for prefix, part, label, limit, minimum in slots:
        answer = answers.get(part.pk if part else None)
        initial = (
            {
                "text": answer.text,
                "version": answer.version,
                "nothing_to_report": answer.nothing_to_report,
            }
            if answer
            else {"version": 0}
        )
        form = AnswerForm(
            data,
            prefix=prefix,
            initial=initial,
            label=label,
            word_limit=limit,
            word_minimum=minimum,
            text_box=part is not None or question.has_narrative,
        )
        form.answer = answer
        forms.append((prefix, part, form))
    return forms


class SavedRows(Sequence):
    """A formset's initial data for the saved rows, made when a form asks for it.

    A row whose HTML is cached needs no form, so the rows' SDGs are read (one query for all
    of them) only when the first form is built.
    """

    def __init__(self, rows, fields):
        self.rows, self.fields, self.sdgs_read = rows, fields, False

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict:
        if not self.sdgs_read:
            prefetch_related_objects(self.rows, "sdgs")
            self.sdgs_read = True
        row = self.rows[index]
        return {
            **{name: getattr(row, name) for name in self.fields},
            "id": row.pk,
            "version": row.version,
            "position": row.position,
            "sdgs": [sdg.number for sdg in row.sdgs.all()],
            "description_words": row.description_words,
        }


def _row_formset(question: Question, rows, data=None):
    if not question.table:
        return None
    formset_class = row_formset_class(question.table)
    formset = formset_class(
        data,
        initial=None if data is not None else SavedRows(rows, formset_class.form.text_fields),
        prefix="rows",
        form_kwargs={
            "description_limit": question.row_description_word_limit,
            "wording": question_row_fields(question),
        },
    )
    formset.rows = rows
    return formset


class RowTable:
    """What the page shows of a row formset.

    Templates look a name up as a key first, and a formset's ``formset["x"]`` builds every
    form: the page reads the formset through this object instead.
    """

    def __init__(self, formset, table: str):
        self.formset = formset
        if formset.is_bound:
            self.slots = [RowSlot(formset, i) for i in range(formset.total_form_count())]
        else:
            self.slots = [RowSlot(formset, i, row, table) for i, row in enumerate(formset.rows)]

    @cached_property
    def cache_key(self) -> str | None:
        """The key of the saved rows' HTML as a whole: their keys, in order (None if bound)."""
        if self.formset.is_bound:
            return None
        return hashlib.sha256(" ".join(s.cache_key for s in self.slots).encode()).hexdigest()

    def comment_targets(self) -> str:
        """The saved rows a comment can be about, as the comment form's options (written
        here: a template loop over them cost the page more than the rest of the form)."""
        return format_html_join(
            "",
            '<option value="row-{}">{}</option>',
            (
                (s.row.pk, _("Row: %(name)s") % {"name": s.row.name or _("(unnamed)")})
                for s in self.slots
                if s.row is not None
            ),
        )

    @property
    def count(self) -> int:
        return len(self.slots)

    @property
    def management_form(self):
        return self.formset.management_form

    @property
    def non_form_errors(self):
        return self.formset.non_form_errors()

    @property
    def empty_form(self):
        return self.formset.empty_form


class RowSlot:
    """One row of the table on the page, its form built only when the page renders it.

    An unchanged saved row renders the same HTML every time: the page caches it under the
    row's table, id, version, position and time of change, and on a hit the form is never
    built.
    """

    def __init__(self, formset, index: int, row=None, table: str = ""):
        self.formset, self.index, self.row = formset, index, row
        self.prefix = formset.add_prefix(index)
        self.cache_key = (
            f"{table}-{row.pk}-{row.version}-{row.position}-{row.updated_at.timestamp()}"
            if row is not None and not formset.is_bound
            else None
        )

    @cached_property
    def form(self):
        if self.formset.is_bound:
            form = self.formset.forms[self.index]
        else:
            # What formset.forms does for each form; building only this one.
            form = self.formset._construct_form(
                self.index, **self.formset.get_form_kwargs(self.index)
            )
        form.carried_from_year = self.row.carried_from_year if self.row is not None else None
        form.sdgs_text = self.row.sdgs_text if self.row is not None else ""
        return form


def _review_context(request, submission, question, progress) -> dict:
    """Comments, assignment and allowed actions shown beside the question."""
    comments, assignments = comment_threads_and_assignments(
        submission=submission, progress=progress, question=question
    )
    row_comments: dict[int, int] = {}
    for comment in comments:
        if comment.row_id and not comment.resolved:
            row_comments[comment.row_id] = row_comments.get(comment.row_id, 0) + 1
    return {
        "comments": comments,
        "open_comments": sum(not c.resolved for c in comments),
        "row_comments": row_comments,
        "row_comments_key": ",".join(f"{k}:{v}" for k, v in sorted(row_comments.items())),
        "assignment": assignments.get(question.pk),
        "allowed": allowed_actions(request.user, submission),
    }


def edit_page(request, submission, question, *, error=None, status=200, progress=None):
    """The editing page as saved, with an optional refused transition's problems."""
    progress = progress or submissions_progress(submissions=[submission])[submission.pk]
    state = next(s for s in progress.states if s.question.pk == question.pk)
    answers = {part.part.pk: part.answer for part in state.parts if part.answer}
    if state.narrative:
        answers[None] = state.narrative
    return _render(
        request,
        submission,
        question,
        _answer_forms(state.question, answers),
        _row_formset(question, question_rows(submission=submission, question=question)),
        error=error,
        status=status,
        progress=progress,
    )


def _render(
    request,
    submission,
    question,
    answer_forms,
    formset,
    *,
    results=None,
    error=None,
    status=200,
    progress=None,
):
    progress = progress or submissions_progress(submissions=[submission])[submission.pk]
    questions = [s.question for s in progress.states]
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    state = progress.states[index]
    review = _review_context(request, submission, question, progress)
    editable = "edit" in review["allowed"]
    read_only = "" if editable else read_only_reason(request.user, submission)
    return render(
        request,
        "submissions/question_edit.html",
        {
            "submission": submission,
            "question": question,
            "state": state,
            "progress": progress,
            "toc_key": _toc_key(progress, question),
            "answer_forms": answer_forms,
            "rows_table": RowTable(formset, question.table) if formset is not None else None,
            "previous": questions[index - 1] if index > 0 else None,
            "next": questions[index + 1] if index + 1 < len(questions) else None,
            "editable": editable,
            "read_only_reason": read_only,
            "results": results or {},
            "at_row_limit": bool(question.max_rows) and state.row_count >= question.max_rows,
            "workflow_error": error,
            **review,
        },
        status=status,
    )


def _toc_key(progress, question) -> str:
    """What the table of contents shows, hashed: the key of its cached fragment."""
    shown = [
        (
            s.question.pk,
            s.question.number,
            s.question.section,
            s.question.prompt,
            s.status,
            s.count and (s.count.words, s.count.limit),
            len(s.parts),
            s.row_count,
            s.over,
            s.nothing_to_report,
        )
        for s in progress.states
    ]
    return shown_digest((question.pk, shown))


@login_required_or_401
def question_edit(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    """Show one question for editing; POST saves it (autosave sends JSON, Save a plain form)."""
    submission = visible_submission(request, pk)
    question = question_or_404(submission, number)
    if request.method != "POST":
        # The page needs every question's progress for its table of contents: that read
        # also brings this question's answers.
        progress = submissions_progress(submissions=[submission])[submission.pk]
        return edit_page(request, submission, question, progress=progress)
    explicit = request.POST.get("autosave") != "1"
    # Reading what was sent needs no saved answer (the write gate reads and locks them).
    answer_forms = _answer_forms(question, {}, request.POST)
    formset = _row_formset(question, [], request.POST)
    results, edits = _read_answers(answer_forms)
    row_results, row_edits = _read_rows(formset, apply_deletions=explicit)
    results += row_results
    try:
        results += question_save(
            submission=submission,
            question=question,
            user=request.user,
            edits=[*edits, *row_edits],
        )
        if wants_json(request):
            return JsonResponse(_json_payload(submission, question, results))
    except (ServiceError, PermissionDenied) as error:
        code = 409 if isinstance(error, ServiceError) else 403
        if wants_json(request):
            return json_error(error, code)
        messages.error(request, str(error))
        return redirect("question_edit", pk=submission.pk, number=question.number)
    except DatabaseError:
        if not wants_json(request):
            raise
        # The page's save is one transaction: what failed wrote nothing, and what was saved
        # comes back "unchanged" on the retry. A 503 says "try again", not "refused".
        logger.exception("Autosave of question %s failed: database error", question.pk)
        return json_error(DATABASE_UNAVAILABLE, 503)

    problems = [r for r in results if r.status in (CONFLICT, MISSING, INVALID)]
    for result in results:
        if result.status == MERGED:
            messages.info(request, result.message)
    if not problems:
        messages.success(request, _("Saved."))
        return redirect("question_edit", pk=submission.pk, number=question.number)
    data = _rebound_data(request.POST, results)
    table_unreadable = any(r.key == "rows" for r in results)
    answers = {a.part_id: a for a in submission.answers.filter(question=question)}
    return _render(
        request,
        submission,
        question,
        _answer_forms(question, answers, data),
        # A table that could not be read is shown as saved, with the error above it.
        _row_formset(question, question_rows(submission=submission, question=question))
        if table_unreadable
        else _row_formset(question, [], data),
        results={r.key: r for r in results},
        status=409 if any(r.status == CONFLICT for r in problems) else 400,
    )


def _read_answers(answer_forms) -> tuple[list[ItemResult], list[AnswerEdit]]:
    """The answers' edits, and a refusal for each form that does not validate."""
    invalid, edits = [], []
    for prefix, part, form in answer_forms:
        if not form.is_valid():
            errors = [e for errs in form.errors.values() for e in errs]
            invalid.append(ItemResult(key=prefix, status=INVALID, errors=errors))
            continue
        edits.append(
            AnswerEdit(
                key=prefix,
                part=part,
                text=form.cleaned_data["text"],
                base_version=form.cleaned_data["version"],
                nothing_to_report=form.cleaned_data["nothing_to_report"],
            )
        )
    return invalid, edits


def _read_rows(formset, *, apply_deletions) -> tuple[list[ItemResult], list[RowEdit]]:
    """The rows' edits, and a refusal for each row (or the whole table) that does not validate."""
    if formset is None:
        return [], []
    management = formset.management_form
    if not management.is_valid() or management.cleaned_data["TOTAL_FORMS"] < 0:
        return [
            ItemResult(
                key="rows",
                status=INVALID,
                errors=[
                    _(
                        "The table could not be read (its form data is incomplete or was "
                        "altered). Nothing in the table was saved: reload the page."
                    )
                ],
            )
        ], []
    results, edits = [], []
    for index, form in enumerate(formset.forms):
        key = f"rows-{index}"
        if not form.is_valid():
            errors = [
                f"{form.fields[name].label}: {error}" if name in form.fields else error
                for name, errs in form.errors.items()
                for error in errs
            ]
            results.append(ItemResult(key=key, status=INVALID, errors=errors))
            continue
        data = form.cleaned_data
        row_id = data.get("id")
        if data.get("DELETE"):
            if apply_deletions and row_id:
                edits.append(RowEdit(key, row_id, data.get("version") or 0, delete=True))
            elif not row_id:
                results.append(ItemResult(key=key, status=REMOVED))
            continue
        position = data.get("position")
        edits.append(
            RowEdit(
                key,
                row_id,
                data.get("version") or 0,
                values=form.values(),
                sdgs=data.get("sdgs") or [],
                position=index if position is None else position,
                client_key=data.get("client_key") or "",
            )
        )
    return results, edits


def _json_payload(submission, question, results) -> dict:
    progress = submissions_progress(submissions=[submission])[submission.pk]
    state = next(s for s in progress.states if s.question.pk == question.pk)
    now = timezone.localtime()
    return {
        "results": [r.as_dict() for r in results],
        "saved_at": formats.time_format(now, "TIME_FORMAT"),
        "question": {"over": state.over, "words": state.words, "status": state.status},
        "row_count": state.row_count,
    }


def _rebound_data(post, results):
    """The posted data, updated with what the save learned, to show the page again.

    New rows get their ids (a second Save must not create them twice); a conflict takes the
    current version, so that saving again after reading both texts keeps the user's.
    Removed rows are dropped and the rest renumbered.
    """
    data = post.copy()
    by_key = {r.key: r for r in results}
    for key, result in by_key.items():
        if key.startswith("answer-") and result.status == CONFLICT:
            data[f"{key}-version"] = str(result.version)
        if key.startswith("answer-") and result.status == MERGED:
            # The merged text is what was saved: shown again, so that Save keeps both.
            data[f"{key}-text"] = result.current["text"]
            data[f"{key}-version"] = str(result.version)
    if "rows" in by_key:
        return data  # the table was unreadable: the page shows it as saved
    total = int(post.get("rows-TOTAL_FORMS") or 0)
    kept = []
    for index in range(min(total, 300)):
        prefix = f"rows-{index}"
        result = by_key.get(prefix)
        if result and result.status == REMOVED:
            continue
        values = {
            name[len(prefix) + 1 :]: post.getlist(name)
            for name in post
            if name.startswith(prefix + "-")
        }
        if result and result.status in (SAVED, MERGED, CONFLICT):
            values["id"] = [str(result.id)]
            values["version"] = [str(result.version)]
        if result and result.status == MERGED:
            for name, value in result.current.items():
                values[name] = [str(v) for v in value] if name == "sdgs" else [value]
        if result and result.status == MISSING:
            values["id"], values["version"] = [""], ["0"]
        kept.append(values)
    for name in [n for n in data if n.startswith("rows-") and n[5:6].isdigit()]:
        del data[name]
    for index, values in enumerate(kept):
        for name, value in values.items():
            data.setlist(f"rows-{index}-{name}", value)
    if "rows-TOTAL_FORMS" in post:
        data["rows-TOTAL_FORMS"] = str(len(kept))
        data["rows-INITIAL_FORMS"] = "0"
    return data
