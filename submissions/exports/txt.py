"""Plain text in the layout of the 2024 seed document, ready to paste into UN DESA's form.

The importer reads this layout back (blank-line layout), so export and import round-trip.
"""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from ..models import ROW_MODELS, Submission, TableKind, TableRow
from ..rowfields import clean, sdgs_text
from .base import ROW_RELATED_NAMES, BaseExporter, submission_content

# UN DESA's form labels, as the 2024 form writes them; not translated, since the text is
# pasted into that form and read back by the importer. "{limit}" is the description limit.
EVENT_DESCRIPTION = (
    "Description (max {limit} words): please include a short summary of the event’s mandate "
    "and contributions to the SDGs, including its main outcome(s)"
)
TXT_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    TableKind.EVENTS: (
        ("name", "Event Name"),
        ("dates", "Event Dates"),
        ("location", "Event Location (City, Country)"),
        ("sdgs", "Relevant SDGs"),
        ("description", EVENT_DESCRIPTION),
        ("website", "Website (if applicable)"),
    ),
    TableKind.RESOURCES: (
        ("name", "Resource Name"),
        ("sdgs", "Relevant SDGs (list all relevant goals)"),
        ("publishing_entities", "Publishing entity/entities"),
        ("target_audience", "Target audience"),
        ("description", "Description (max {limit} words)"),
        ("languages", "Language(s)"),
        ("website", "Website (if applicable)"),
    ),
    TableKind.INITIATIVES: (
        ("name", "Initiative/Partnership Name"),
        ("partners", "Partners (please list all partners)"),
        ("sdgs", "Relevant SDGs (list all relevant goals)"),
        ("member_states", "Member States benefiting from it"),
        ("description", "Description (max {limit} words)"),
        ("website", "Website"),
    ),
}


@dataclass
class TxtQuestion:
    section: str
    heading: str
    narrative: str
    guidance: str
    parts: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # [(label, value)]


def _label(label: str, limit: int | None) -> str:
    if limit:
        return label.format(limit=limit)
    # Without a limit the form says just "Description".
    return "Description" if "{limit}" in label else label


def _row_fields(row: TableRow, kind: str, limit: int | None) -> list[tuple[str, str]]:
    fields = []
    for name, label in TXT_LABELS[kind]:
        value = sdgs_text(row) if name == "sdgs" else clean(getattr(row, name)).strip()
        fields.append((_label(label, limit), value))
    return fields


def _heading(number: str, prompt: str, limit: int | None) -> str:
    suffix = f" (max {limit} words)" if limit else ""
    return f"{number}. {prompt}{suffix}"


def _part_heading(index: int, title: str) -> str:
    # The 2024 form numbers its transitions "1) Food systems"; titles that carry their own
    # number ("5.1 leaving no one behind") are written as they are.
    return title if title[:1].isdigit() else f"{index}) {title}"


class TxtExporter(BaseExporter):
    identifier = "txt"
    verbose_name = gettext_lazy("Plain text (TXT)")
    extension = "txt"
    content_type = "text/plain; charset=utf-8"

    def render_content(self, submission: Submission) -> bytes:
        """Render from a submission loaded by submission_for_export; runs no query."""
        content = submission_content(submission)
        rows_by_question: dict[int, list[TableRow]] = {}
        for kind in ROW_MODELS:
            for row in getattr(submission, ROW_RELATED_NAMES[kind]).all():
                rows_by_question.setdefault(row.question_id, []).append(row)
        questions = []
        for item in content.questions:
            question = item.question
            questions.append(
                TxtQuestion(
                    section=item.section if item.section.strip() != item.prompt.strip() else "",
                    heading=_heading(item.number, item.prompt, question.word_limit),
                    narrative=(item.text or "").strip(),
                    guidance=item.guidance.strip(),
                    parts=[
                        (_part_heading(index, part.title), part.text.strip())
                        for index, part in enumerate(item.parts, start=1)
                    ],
                    rows=[
                        _row_fields(row, question.table, question.row_description_word_limit)
                        for row in rows_by_question.get(question.pk, [])
                    ],
                )
            )
        organization = submission.organization
        text = render_to_string(
            "submissions/exports/submission.txt",
            {
                "organization_line": clean(f"{organization.name} ({organization.code})"),
                "questions": questions,
                "year": submission.questionnaire.year,
            },
        )
        # One kind of line break, whatever the browser sent when the answer was typed.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return (text.rstrip("\n") + "\n").encode("utf-8")
