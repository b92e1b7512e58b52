"""Review: question transitions, comments, assignments, the review page, My work, finalizing."""

from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import person_name, person_shown

from .. import collaboration, workflow
from ..forms import FastDateInput, FastSelect
from ..models import Assignment, Question, QuestionPart, ReviewComment, Submission
from ..permissions import allowed_actions, require
from ..selectors import (
    comment_threads_and_assignments,
    question_states,
    shown_digest,
    submissions_progress,
)
from ..services import ServiceError
from ..validators import validate_due_date
from .authoring import edit_page
from .lookup import question_or_404, visible_submission
from .organizations import organization_filter, page_of


def _back(submission, question, anchor: str = ""):
    url = reverse("question_edit", args=[submission.pk, question.number])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def question_transition(request, pk: int, number: str, action: str):
    """Send for review, approve, or request changes; a refusal shows what to fix."""
    submission = visible_submission(request, pk)
    question = question_or_404(submission, number)
    permission = {"submit": "submit_for_review", "approve": "review", "request_changes": "review"}
    if action not in permission:
        return redirect(submission)
    require(request.user, submission, permission[action])
    try:
        if action == "submit":
            workflow.question_submit_for_review(
                submission=submission, question=question, user=request.user
            )
            messages.success(request, _("Question %(n)s was sent for review.") % {"n": number})
        elif action == "approve":
            workflow.question_approve(submission=submission, question=question, user=request.user)
            messages.success(request, _("Question %(n)s is approved.") % {"n": number})
        else:
            workflow.question_request_changes(
                submission=submission,
                question=question,
                user=request.user,
                comment=request.POST.get("comment", ""),
            )
            messages.success(
                request, _("Changes were requested on question %(n)s.") % {"n": number}
            )
    except workflow.WorkflowError as error:
        return edit_page(request, submission, question, error=error, status=400)
    return _back(submission, question)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=collaboration.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target = forms.CharField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


@login_required
@require_POST
def comment_add(request, pk: int, number: str):
    """Comment on the answer, a part ("part-ID") or a row ("row-ID"), or reply to a comment."""
    submission = visible_submission(request, pk)
    question = question_or_404(submission, number)
    require(request.user, submission, "comment")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(submission, question, "comments")
    target = form.cleaned_data["target"] or ""
    part = row_id = parent = None
    if target.startswith("part-") and target[5:].isdigit():
        part = QuestionPart.objects.filter(question=question, pk=int(target[5:])).first()
        if part is None:
            messages.error(request, _("That part belongs to another question."))
            return _back(submission, question, "comments")
    elif target.startswith("row-") and target[4:].isdigit():
        row_id = int(target[4:])
    if form.cleaned_data["parent"]:
        parent = ReviewComment.objects.filter(
            submission=submission, pk=form.cleaned_data["parent"]
        ).first()
        if parent is None:
            messages.error(request, _("The comment you replied to no longer exists."))
            return _back(submission, question, "comments")
    try:
        comment = collaboration.comment_add(
            submission=submission,
            question=question,
            user=request.user,
            text=form.cleaned_data["text"],
            part=part,
            row_id=row_id,
            parent=parent,
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return _back(submission, question, "comments")
    return _back(submission, question, f"comment-{comment.parent_id or comment.pk}")


@login_required
@require_POST
def comment_resolve(request, pk: int, comment_id: int):
    submission = visible_submission(request, pk)
    comment = get_object_or_404(ReviewComment, submission=submission, pk=comment_id)
    require(request.user, submission, "comment")
    resolved = request.POST.get("resolved") == "1"
    collaboration.comment_set_resolved(comment=comment, user=request.user, resolved=resolved)
    return _back(submission, comment.question, f"comment-{comment.parent_id or comment.pk}")


def assignable_people(submission: Submission):
    """Who a question of the submission can be given to: its contributors and coordinators."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organization_id=submission.organization_id,
            memberships__role__in=[Role.CONTRIBUTOR, Role.COORDINATOR],
        )
        .order_by("username")
    )


class AssignmentForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label=gettext_lazy("Assign to"),
        required=False,
        widget=FastSelect(attrs={"class": "form-select form-select-sm"}),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        # Written as the language writes a date by hand (15/02/2025), not as the browser's own
        # date picker would: that follows the browser's language, whatever the page's.
        widget=FastDateInput(
            attrs={
                "class": "form-control form-control-sm",
                "inputmode": "numeric",
                "autocomplete": "off",
                "placeholder": gettext_lazy("dd/mm/yyyy"),
            }
        ),
    )

    def __init__(self, *args, submission: Submission, question: Question, people=None, **kwargs):
        """``people``: the assignable people, read once for the page's forms (each form
        would otherwise read them again to list them)."""
        # One form per question on the review page: ids of their own, the same field names.
        kwargs.setdefault("auto_id", f"id_q{question.pk}-%s")
        super().__init__(*args, **kwargs)
        self.question = question
        field = self.fields["assignee"]
        field.queryset = assignable_people(submission)
        field.empty_label = gettext_lazy("Nobody")
        field.label_from_instance = person_name
        if people is not None:
            field.widget.choices = [("", field.empty_label)] + [
                (person.pk, person_name(person)) for person in people
            ]

    def clean(self):
        cleaned = super().clean()
        # The service's rule, checked here to show on the field. Only when someone is
        # assigned: taking an assignment away needs no date, whatever the box still shows.
        if cleaned.get("assignee") is not None:
            try:
                validate_due_date(cleaned.get("due_date"))
            except ValidationError as error:
                self.add_error("due_date", error)
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Bootstrap shows a field's error beside it once the field is marked invalid.
        for name in self.errors.keys() & self.fields.keys():
            self.fields[name].widget.attrs["class"] += " is-invalid"


@login_required
@require_POST
def assign(request, pk: int, number: str):
    """Assign a question with a due date, or take it away; a refusal shows on the form."""
    submission = visible_submission(request, pk)
    question = question_or_404(submission, number)
    require(request.user, submission, "assign")
    form = AssignmentForm(request.POST, submission=submission, question=question)
    if not form.is_valid():
        return _review_page(request, submission, refused=form, status=400)
    assignee = form.cleaned_data["assignee"]
    if assignee is None:
        current = Assignment.objects.filter(
            submission=submission, question=question, row_id__isnull=True
        ).first()
        if current:
            collaboration.assignment_remove(assignment=current, user=request.user)
        messages.success(request, _("Question %(n)s is not assigned to anybody.") % {"n": number})
    else:
        try:
            collaboration.assignment_set(
                submission=submission,
                question=question,
                assignee=assignee,
                due_date=form.cleaned_data["due_date"],
                user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
            return _review_page(request, submission, refused=form, status=400)
        messages.success(
            request,
            _("Question %(n)s is assigned to %(name)s.")
            % {"n": number, "name": person_name(assignee)},
        )
    return redirect(reverse("review_page", args=[submission.pk]) + "#assignments")


@login_required
def review_page(request, pk: int):
    """Every question with its answers and comments beside them, open comments first."""
    submission = visible_submission(request, pk)
    require(request.user, submission, "view")
    return _review_page(request, submission)


def _review_question_key(submission, item: dict) -> str:
    """What a question's card shows above its assignment form, hashed: with the language,
    the key of its drawn HTML. Its number, prompt, status, texts, rows, who holds it until
    when, and its comments with their replies."""
    state, assignment = item["state"], item["assignment"]
    question = state.question
    shown = (
        submission.pk,
        (question.pk, question.number, question.prompt, question.table),
        (state.status, state.over, state.answered, state.row_count),
        state.narrative and state.narrative.text,
        [(part.part.title, part.answer and part.answer.text) for part in state.parts],
        item["open_comments"],
        assignment and (person_shown(assignment.assignee), assignment.due_date),
        [
            (
                comment.pk,
                person_shown(comment.author),
                comment.part and comment.part.title,
                comment.row_name,
                comment.resolved,
                comment.text,
                [(person_shown(reply.author), reply.text) for reply in comment.thread_replies],
            )
            for comment in item["comments"]
        ],
    )
    return shown_digest(shown)


def _review_page(request, submission, *, refused: AssignmentForm | None = None, status=200):
    """The review page; with `refused`, that question's assignment form as posted, its errors
    on its fields."""
    progress = submissions_progress(submissions=[submission])[submission.pk]
    comments, assignments = comment_threads_and_assignments(
        submission=submission, progress=progress
    )
    by_question: dict[int, list] = {}
    for comment in comments:
        by_question.setdefault(comment.question_id, []).append(comment)

    people = list(assignable_people(submission))

    def initial(question) -> dict:
        current = assignments.get(question.pk)
        return {
            "assignee": getattr(current, "assignee_id", None),
            "due_date": getattr(current, "due_date", None),
        }

    def refused_here(question) -> bool:
        return refused is not None and refused.question == question

    def assign_form(question) -> AssignmentForm:
        if refused_here(question):
            return refused
        return AssignmentForm(
            submission=submission, question=question, people=people, initial=initial(question)
        )

    # A form is built only where its fields are drawn: a refused one, or one whose drawn
    # fields are not in the cache (under the people, its initial values and the language).
    items = [
        {
            "state": state,
            "comments": by_question.get(state.question.pk, []),
            "open_comments": sum(not c.resolved for c in by_question.get(state.question.pk, [])),
            "assignment": assignments.get(state.question.pk),
            "assign_initial": initial(state.question),
            "assign_refused": refused_here(state.question),
            "assign_form": SimpleLazyObject(partial(assign_form, state.question)),
        }
        for state in progress.states
    ]
    for item in items:
        item["shown_key"] = _review_question_key(submission, item)
    items.sort(key=lambda item: item["open_comments"] == 0)
    return render(
        request,
        "submissions/review.html",
        {
            "submission": submission,
            "items": items,
            "progress": progress,
            "refused": refused,
            "finalize_problems": workflow.finalize_problems(
                submission=submission, progress=progress, comments=comments
            ),
            "allowed": allowed_actions(request.user, submission),
            # The key of the assignment forms' drawn fields: who can be chosen, by name.
            "people_key": shown_digest([person_shown(person) for person in people]),
        },
        status=status,
    )


@login_required
@require_POST
def submission_finalize(request, pk: int):
    submission = visible_submission(request, pk)
    require(request.user, submission, "finalize")
    try:
        workflow.submission_finalize(submission=submission, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        for problem in error.problems:
            messages.error(request, problem.message)
        return redirect("review_page", pk=submission.pk)
    messages.success(request, _("The submission is finalized: it is read-only now."))
    return redirect(submission)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why reopen it?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def submission_reopen(request, pk: int):
    submission = visible_submission(request, pk)
    require(request.user, submission, "reopen")
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.submission_reopen(
                submission=submission, user=request.user, reason=form.cleaned_data["reason"]
            )
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The submission is reopened."))
        return redirect(submission)
    return render(request, "submissions/reopen.html", {"submission": submission, "form": form})


@login_required
def my_work(request):
    """The questions assigned to the user, soonest due first, with their status; a page at a
    time, by organization for people of several."""
    organizations = organization_filter(request, request.user)
    assigned = organizations.restrict(
        Assignment.objects.filter(assignee=request.user), "submission__organization"
    )
    page = page_of(
        request,
        assigned.select_related(
            "submission__organization", "submission__questionnaire", "question"
        ).order_by("due_date", "submission__questionnaire__year", "question__position", "pk"),
        MY_WORK_PER_PAGE,
    )
    assignments = list(page.object_list)
    submissions = list({a.submission_id: a.submission for a in assignments}.values())
    states = question_states(
        submissions=submissions, pairs={(a.submission_id, a.question_id) for a in assignments}
    )
    today = timezone.localdate()
    items = []
    for assignment in assignments:
        state = states.get((assignment.submission_id, assignment.question_id))
        overdue = bool(state and state.overdue(due_date=assignment.due_date, today=today))
        items.append({"assignment": assignment, "state": state, "overdue": overdue})
    # What the table shows, hashed: the key of its drawn rows (with the language).
    rows_key = shown_digest(
        [
            (
                item["assignment"].pk,
                item["assignment"].due_date,
                item["overdue"],
                item["assignment"].submission_id,
                item["assignment"].submission.organization.code,
                item["assignment"].submission.questionnaire.year,
                item["assignment"].question.number,
                item["assignment"].question.prompt,
                item["state"] and (item["state"].status, item["state"].over),
            )
            for item in items
        ]
    )
    query = (
        urlencode({"organization": organizations.selected.code}) if organizations.selected else ""
    )
    return render(
        request,
        "submissions/my_work.html",
        {
            "items": items,
            "rows_key": rows_key,
            "page": page,
            "organizations": organizations,
            "query": query,
        },
    )


MY_WORK_PER_PAGE = 25


def open_comment_counts(submissions) -> dict[int, int]:
    """Open comment threads per submission, for the dashboard."""
    return dict(
        Submission.objects.filter(pk__in=[s.pk for s in submissions])
        .annotate(
            open=Count(
                "comments", filter=Q(comments__resolved=False, comments__parent__isnull=True)
            )
        )
        .values_list("pk", "open")
    )
