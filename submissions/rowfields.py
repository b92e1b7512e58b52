"""The fields of each kind of table row, as documents, comparisons and the library show them.

Neither an export nor an insight: both read it, so that neither package imports the other.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from .models import TableKind, TableRow
from .sdgs import format_sdgs
from .text import strip_control_characters

# Labels of each table's two-column layout, in the order of the Word template's
# "copy the below table for each event". "sdgs" is written as the goals' numbers.
ROW_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {
    TableKind.EVENTS: (
        ("name", gettext_lazy("Event name")),
        ("dates", gettext_lazy("Event dates")),
        ("location", gettext_lazy("Event location (city, country)")),
        ("sdgs", gettext_lazy("Relevant SDGs")),
        ("description", gettext_lazy("Description")),
        ("website", gettext_lazy("Website")),
    ),
    TableKind.RESOURCES: (
        ("name", gettext_lazy("Resource name")),
        ("sdgs", gettext_lazy("Relevant SDGs")),
        ("publishing_entities", gettext_lazy("Publishing entity/entities")),
        ("target_audience", gettext_lazy("Target audience")),
        ("description", gettext_lazy("Description")),
        ("languages", gettext_lazy("Language(s)")),
        ("website", gettext_lazy("Website")),
    ),
    TableKind.INITIATIVES: (
        ("name", gettext_lazy("Initiative/partnership name")),
        ("partners", gettext_lazy("Partners")),
        ("sdgs", gettext_lazy("Relevant SDGs")),
        ("member_states", gettext_lazy("Member States benefiting")),
        ("description", gettext_lazy("Description")),
        ("website", gettext_lazy("Website")),
    ),
}


@dataclass(frozen=True)
class FieldWording:
    """One field of a table's rows as a questionnaire words it."""

    name: str
    label: str
    guidance: str = ""
    listed: bool = True  # asked by this year's form; an unlisted field is shown only when filled

    @property
    def full(self) -> str:
        """The label with its guidance, as the form prints it: "Description (max 150 words):
        please include…"."""
        return f"{self.label}: {self.guidance}" if self.guidance else self.label


def question_row_fields(question) -> list[FieldWording]:
    """A table question's fields as its questionnaire words them, in its order.

    The question's own ``row_fields`` (edited in the admin, loaded from the seeds) where it
    has them; then the table's other fields with the app's labels (``ROW_FIELDS``), not
    ``listed``: that year's form does not ask for them, and documents print them only when a
    row holds something there (carried from another year, say).
    """
    if not question.table:
        return []
    defaults = [
        (
            name,
            _with_limit(str(label), question.row_description_word_limit)
            if name == "description"
            else str(label),
        )
        for name, label in ROW_FIELDS[question.table]
    ]
    own = {f.field: f for f in question.row_fields.all()}
    if not own:
        return [FieldWording(name, label) for name, label in defaults]
    known = {name for name, _label in defaults}
    ordered = [f for f in question.row_fields.all() if f.field in known]
    worded = [FieldWording(f.field, f.label, f.guidance) for f in ordered]
    worded += [
        FieldWording(name, label, listed=False) for name, label in defaults if name not in own
    ]
    return worded


def _with_limit(label: str, limit: int | None) -> str:
    if not limit:
        return label
    return gettext("%(label)s (max %(limit)s words)") % {"label": label, "limit": limit}


def clean(value: Any) -> str:
    """Text as it may be written to a document: control characters removed, None as empty."""
    return strip_control_characters("" if value is None else str(value))


def sdg_numbers(row: TableRow) -> list[int]:
    """The row's SDG numbers, from the prefetched SDGs."""
    return [sdg.number for sdg in row.sdgs.all()]


def row_value(row: TableRow, name: str) -> str:
    """One field of a row as text; SDGs as the imported document wrote them while nobody has
    changed them, else as the form writes them ("4, 5, 8", "All 17 SDGs")."""
    if name == "sdgs":
        return sdgs_text(row)
    return clean(getattr(row, name))


def sdgs_text(row: TableRow) -> str:
    """A row's SDGs written out: as written in its document, else "4, 5, 8" / "All 17 SDGs"."""
    return clean(row.sdgs_text).strip() or format_sdgs(sdg_numbers(row))
