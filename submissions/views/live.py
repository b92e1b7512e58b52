"""The editing page's heartbeat: who else is here, and what changed since the page loaded.

The page posts every 15 seconds while it is open (and once as it closes). The answer says
who else has which question open (and who is typing), the saved versions of this question's
answers and rows (with their text where the page's version is older, so that a box the
person has not touched updates in place), and the table of contents as HTML when it changed.
Everything comes from the database, so it works whichever app server answers.
"""

import json

from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from accounts.selectors import person_name

from ..changes import row_values
from ..collaboration import presence_beat, presence_leave
from ..forms import row_formset_class
from ..models import ROW_MODELS
from ..permissions import require
from ..selectors import submission_presence, submissions_progress
from .authoring import _toc_key, login_required_or_401
from .lookup import visible_submission


def _known(request: HttpRequest) -> dict[str, int]:
    try:
        known = json.loads(request.POST.get("versions") or "{}")
    except ValueError:
        return {}
    if not isinstance(known, dict):
        return {}
    return {str(k): v for k, v in known.items() if isinstance(v, int)}


@login_required_or_401
@require_POST
def question_live(request: HttpRequest, pk: int, number: str) -> JsonResponse:
    submission = visible_submission(request, pk)
    require(request.user, submission, "view")
    progress = submissions_progress(submissions=[submission])[submission.pk]
    state = next((s for s in progress.states if s.question.number == number), None)
    if state is None:
        return JsonResponse({"error": "no such question"}, status=404)
    question = state.question
    if request.POST.get("leave") == "1":
        presence_leave(submission=submission, question=question, user=request.user)
        return JsonResponse({})
    presence_beat(
        submission=submission,
        question=question,
        user=request.user,
        editing=request.POST.get("editing") == "1",
    )
    known = _known(request)

    answers = {}
    slots = [("answer-main", state.narrative)] + [
        (f"answer-part-{p.part.pk}", p.answer) for p in state.parts
    ]
    for prefix, answer in slots:
        version = answer.version if answer else 0
        entry: dict = {"version": version}
        if prefix in known and known[prefix] != version:
            entry["text"] = answer.text if answer else ""
            entry["by"] = person_name(answer.updated_by) if answer else ""
        answers[prefix] = entry

    rows = {}
    if question.table:
        fields = row_formset_class(question.table).form.text_fields
        saved = ROW_MODELS[question.table].objects.filter(submission=submission, question=question)
        for row in saved.order_by("position", "id").prefetch_related("sdgs"):
            entry = {"version": row.version, "position": row.position}
            if f"row-{row.pk}" in known and known[f"row-{row.pk}"] != row.version:
                entry["values"] = row_values(row, list(fields))
            rows[str(row.pk)] = entry

    numbers = {s.question.pk: s.question.number for s in progress.states}
    toc_key = _toc_key(progress, question)
    payload = {
        "present": [
            {"question": numbers.get(p.question_id, ""), "name": p.name, "editing": p.editing}
            for p in submission_presence(submission=submission, user=request.user)
        ],
        "answers": answers,
        "rows": rows,
        "toc_key": toc_key,
    }
    if request.POST.get("toc") != toc_key:
        payload["toc"] = render_to_string(
            "submissions/includes/toc.html",
            {"progress": progress, "question": question, "submission": submission},
            request=request,
        )
    return JsonResponse(payload)
