"""SDG coverage: how many events, resources and initiatives touch each of the 17 goals.

Counts come from the database in two queries, for one submission or all of an organization's
years (``sdg_coverage_of_submissions``), or from a submission already loaded for export, in
none (``sdg_coverage_of_loaded``). Both build the same ``Coverage``, which one drawing shows
everywhere: the SVG template ``submissions/insight/sdg_chart.svg``, inline in the pages and the
PDF, and turned into a PNG for Word (``sdg_chart_png``).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import ROW_MODELS, Submission, TableKind
from ..sdgs import SDGS
from ..selectors import row_sdg_counts, shown_digest, submissions_questions
from ..text import strip_control_characters

KINDS: tuple[str, ...] = tuple(ROW_MODELS)
"""The three table kinds, in the questionnaire's order: events, resources, initiatives."""

# Goals whose colour needs white text (the SDG toggles use the same, in app.css).
_WHITE_TEXT = {1, 4, 8, 10, 13, 16, 17}


@dataclass(frozen=True)
class Goal:
    """One of the 17 goals as the chart shows it: number, short title and official colour."""

    number: int
    title: str
    colour: str
    text_colour: str


# The goals are fixed data (submissions/sdgs.py, which the data migration loads and the SDG
# picker shows): reading them from there costs no query, so the exports keep their count.
GOALS: tuple[Goal, ...] = tuple(
    Goal(number, gettext_lazy(title), colour, "#FFFFFF" if number in _WHITE_TEXT else "#000000")
    for number, title, colour in SDGS
)


@dataclass
class GoalCoverage:
    """How many rows of each table kind touch one goal."""

    goal: Goal
    counts: dict[str, int]
    kinds: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.counts[kind] for kind in self.kinds)

    @property
    def per_kind(self) -> list[tuple[str, int]]:
        """(kind label, rows) for each kind the questionnaire asks for."""
        return [(str(TableKind(kind).label), self.counts[kind]) for kind in self.kinds]

    @property
    def breakdown(self) -> str:
        """Rows per kind as text: "Events: 3, Resources: 1, Initiatives and partnerships: 6"."""
        return ", ".join(f"{label}: {count}" for label, count in self.per_kind)


@dataclass
class Coverage:
    """One submission's rows per goal and table kind (only the kinds its questionnaire asks)."""

    submission: Submission
    kinds: tuple[str, ...]
    goals: list[GoalCoverage]

    @property
    def has_tables(self) -> bool:
        """Whether the questionnaire has tables of events, resources or initiatives at all."""
        return bool(self.kinds)

    @property
    def uncovered(self) -> list[GoalCoverage]:
        """Goals that no row touches."""
        return [g for g in self.goals if g.total == 0]

    @property
    def covered_count(self) -> int:
        return len(self.goals) - len(self.uncovered)

    @property
    def kind_labels(self) -> list[str]:
        return [str(TableKind(kind).label) for kind in self.kinds]

    @property
    def digest(self) -> str:
        """What its chart and table show, hashed (with the language, the key of their cached
        HTML): the goals are fixed data, so their counts, the chart's title and its id (the
        submission's) say it all."""
        shown = (
            self.submission.pk,
            self.submission.organization.code,
            self.submission.questionnaire.year,
            self.kinds,
            [tuple(g.counts[kind] for kind in self.kinds) for g in self.goals],
        )
        return shown_digest(shown)

    def total(self, goal: int, kind: str | None = None) -> int | None:
        """Rows touching a goal (of one kind, or of all); None when that kind is not asked."""
        item = self.goals[goal - 1]
        if kind is None:
            return item.total
        return item.counts[kind] if kind in self.kinds else None

    @property
    def covered_sentence(self) -> str:
        """The first sentence of the summary: "14 of 17 goals have at least one row."."""
        return ngettext(
            "%(covered)d of %(all)d goals has at least one row.",
            "%(covered)d of %(all)d goals have at least one row.",
            self.covered_count,
        ) % {"covered": self.covered_count, "all": len(self.goals)}

    @property
    def summary(self) -> str:
        """For people and screen readers: how many goals have rows, and which have none."""
        if not self.uncovered:
            return self.covered_sentence
        names = ", ".join(f"{g.goal.number} {g.goal.title}" for g in self.uncovered)
        return f"{self.covered_sentence} {_('No rows for: %(goals)s.') % {'goals': names}}"


def _coverage(submission: Submission, kinds: Iterable[str], counts: dict) -> Coverage:
    """Coverage of a submission from {(goal, kind): rows}; kinds kept in KINDS order."""
    asked = tuple(kind for kind in KINDS if kind in set(kinds))
    return Coverage(
        submission=submission,
        kinds=asked,
        goals=[
            GoalCoverage(
                goal=goal,
                counts={kind: counts.get((goal.number, kind), 0) for kind in KINDS},
                kinds=asked,
            )
            for goal in GOALS
        ],
    )


# -- Selectors -------------------------------------------------------------------------------


def sdg_coverage_of_submissions(*, submissions: Sequence[Submission]) -> dict[int, Coverage]:
    """Coverage of each submission, by id, in two queries however many submissions and rows.

    One query counts the rows per submission, goal and kind (a UNION over the three tables'
    SDG links); which table kinds each questionnaire asks for comes from its questions (the
    process keeps them: no query once read).
    """
    if not submissions:
        return {}
    ids = [s.pk for s in submissions]
    counts: dict[int, dict[tuple[int, str], int]] = {pk: {} for pk in ids}
    for submission_id, goal, kind_index, rows in row_sdg_counts(submission_ids=ids):
        counts[submission_id][(goal, KINDS[kind_index])] = rows
    asked = {
        questionnaire_id: {q.table for q in questions if q.table}
        for questionnaire_id, questions in submissions_questions(submissions=submissions).items()
    }
    return {
        s.pk: _coverage(s, asked.get(s.questionnaire_id, ()), counts[s.pk]) for s in submissions
    }


def sdg_coverage(*, submission: Submission) -> Coverage:
    """One submission's coverage, in two queries."""
    return sdg_coverage_of_submissions(submissions=[submission])[submission.pk]


def sdg_coverage_of_loaded(submission: Submission) -> Coverage:
    """Coverage of a submission loaded by submission_for_export, from its prefetched rows and
    questions: no query."""
    counts: dict[tuple[int, str], int] = {}
    for kind, model in ROW_MODELS.items():
        for row in getattr(submission, model._meta.model_name + "s").all():
            for sdg in row.sdgs.all():
                counts[(sdg.number, kind)] = counts.get((sdg.number, kind), 0) + 1
    kinds = {q.table for q in submission.questionnaire.questions.all() if q.table}
    return _coverage(submission, kinds, counts)


# -- Across years -----------------------------------------------------------------------------


@dataclass
class Cell:
    """One goal in one year: its rows, and a shade from 1 (few) to 4 (most); 0 for none."""

    count: int
    level: int


@dataclass
class GoalYears:
    goal: Goal
    cells: list[Cell]

    @property
    def years_covered(self) -> int:
        return sum(1 for c in self.cells if c.count)


@dataclass
class YearsCoverage:
    """Goals x years: one column per submission whose questionnaire has the tables counted."""

    columns: list[Coverage]
    rows: list[GoalYears]
    without_tables: list[Submission] = field(default_factory=list)
    kind: str | None = None

    @property
    def headers(self) -> list[tuple[Submission, str]]:
        """(submission, what else names it) per column: the questionnaire when a year has two."""
        years = [c.submission.questionnaire.year for c in self.columns]
        return [
            (
                c.submission,
                str(c.submission.questionnaire.get_kind_display())
                if years.count(c.submission.questionnaire.year) > 1
                else "",
            )
            for c in self.columns
        ]

    @property
    def goals_covered(self) -> list[int]:
        """Per column, how many goals have at least one row."""
        return [sum(1 for row in self.rows if row.cells[i].count) for i in range(len(self.columns))]

    @property
    def digest(self) -> str:
        """What the grid shows, hashed (with the organization's name, the kind's label and the
        language, the key of its cached HTML): its columns (submission, year, questionnaire
        kind), each goal's counts (the shades follow from them: the goals are fixed data) and
        the submissions listed apart."""
        shown = (
            self.kind,
            [
                (c.submission.pk, c.submission.questionnaire.year, c.submission.questionnaire.kind)
                for c in self.columns
            ],
            [[cell.count for cell in row.cells] for row in self.rows],
            [(s.pk, s.questionnaire.title) for s in self.without_tables],
        )
        return shown_digest(shown)


def _level(count: int, top: int) -> int:
    """Shade 1..4 relative to the largest cell, so the darkest cell is the most covered goal."""
    if not count or not top:
        return 0
    return max(1, min(4, math.ceil(4 * count / top)))


def sdg_coverage_across_years(
    *, submissions: Sequence[Submission], kind: str | None = None
) -> YearsCoverage:
    """The grid of goals x years of these submissions (oldest first), in two queries.

    ``kind`` counts one table kind only; by default all three. Submissions whose questionnaire
    asks for none of the counted tables get no column (they are listed apart).
    """
    ordered = sorted(submissions, key=lambda s: (s.questionnaire.year, s.questionnaire.kind, s.pk))
    coverages = sdg_coverage_of_submissions(submissions=ordered)
    columns, without = [], []
    for submission in ordered:
        coverage = coverages[submission.pk]
        counted = (kind,) if kind else KINDS
        if any(k in coverage.kinds for k in counted):
            columns.append(coverage)
        else:
            without.append(submission)
    totals = [[c.total(goal.number, kind) or 0 for c in columns] for goal in GOALS]
    top = max((n for row in totals for n in row), default=0)
    rows = [
        GoalYears(goal=goal, cells=[Cell(count=n, level=_level(n, top)) for n in row])
        for goal, row in zip(GOALS, totals, strict=True)
    ]
    return YearsCoverage(columns=columns, rows=rows, without_tables=without, kind=kind)


# -- The chart -------------------------------------------------------------------------------

# Layout of the drawing in SVG user units (pixels on screen, 1/96 inch in print).
WIDTH = 720
_LEGEND_HEIGHT = 34
_ROW_HEIGHT = 25
_BAR_HEIGHT = 15
_BAR_X = 318
_BAR_MAX = 320
# Each kind's segment in the goal's colour, lighter for the second and third kind.
_OPACITIES = (1.0, 0.55, 0.22)


@dataclass
class Segment:
    x: float
    width: float
    opacity: float


@dataclass
class Bar:
    """One goal's row of the chart."""

    item: GoalCoverage
    y: int  # top of the row
    segments: list[Segment]
    end: float  # where the bar ends (the total is written after it)

    @property
    def text_y(self) -> int:
        return self.y + 17

    @property
    def bar_y(self) -> int:
        return self.y + 5

    @property
    def badge_y(self) -> int:
        return self.y + 2

    @property
    def total_x(self) -> float:
        return self.end + 6


@dataclass
class LegendEntry:
    label: str
    opacity: float
    x: float

    @property
    def text_x(self) -> float:
        return self.x + 24


@dataclass
class Chart:
    """What sdg_chart.svg draws, positions computed (templates do no arithmetic)."""

    coverage: Coverage
    bars: list[Bar]
    legend: list[LegendEntry]
    height: int
    ident: str
    title: str
    width: int = WIDTH
    display_width: str = ""
    display_height: str = ""
    bar_x: int = _BAR_X
    bar_height: int = _BAR_HEIGHT
    row_height: int = _ROW_HEIGHT
    axis_top: int = _LEGEND_HEIGHT

    @property
    def axis_bottom(self) -> int:
        return self.height - 6


def sdg_chart(coverage: Coverage, *, width_cm: float | None = None) -> Chart:
    """The chart of a coverage; width_cm sizes it for print (else it is WIDTH pixels wide)."""
    # The goals' titles stand left of the bars: as wide as the longest, in the active language
    # (French runs longer: SDG 13 is "Mesures relatives à la lutte contre les changements
    # climatiques"), at about 6.8 units a character of the 13-unit text.
    longest = max((len(str(g.goal.title)) for g in coverage.goals), default=0)
    bar_x = max(_BAR_X, 33 + math.ceil(6.8 * longest) + 12)
    bar_max = min(_BAR_MAX, WIDTH - bar_x - 40)
    top = max((g.total for g in coverage.goals), default=0)
    scale = bar_max / top if top else 0
    bars = []
    for index, item in enumerate(coverage.goals):
        y = _LEGEND_HEIGHT + index * _ROW_HEIGHT
        x = float(bar_x)
        segments = []
        for position, kind in enumerate(coverage.kinds):
            count = item.counts[kind]
            if count:
                segments.append(Segment(x=x, width=count * scale, opacity=_OPACITIES[position]))
                x += count * scale
        bars.append(Bar(item=item, y=y, segments=segments, end=x))
    legend, x = [], 33.0
    for position, label in enumerate(coverage.kind_labels):
        legend.append(LegendEntry(label=label, opacity=_OPACITIES[position], x=x))
        # The swatch, then the label at about 6.5 units a character (12-unit sans-serif text).
        x += 24 + 6.5 * len(label) + 18
    height = _LEGEND_HEIGHT + len(bars) * _ROW_HEIGHT + 6
    submission = coverage.submission
    title = _("SDG coverage of %(organization)s's %(year)s submission") % {
        "organization": strip_control_characters(submission.organization.code),
        "year": submission.questionnaire.year,
    }
    if width_cm:
        display = (f"{width_cm:g}cm", f"{width_cm * height / WIDTH:.2f}cm")
    else:
        display = (str(WIDTH), str(height))
    return Chart(
        coverage=coverage,
        bars=bars,
        legend=legend,
        height=height,
        ident=f"sdg-chart-{submission.pk}",
        title=title,
        display_width=display[0],
        display_height=display[1],
        bar_x=bar_x,
    )


CHART_TEMPLATE = "submissions/insight/sdg_chart.svg"


def sdg_chart_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document."""
    return render_to_string(CHART_TEMPLATE, {"chart": chart})


def sdg_chart_png(chart: Chart, *, scale: float = 2) -> bytes:
    """The same drawing as a PNG (for Word, which takes no SVG), scale times its pixel size."""
    import cairosvg

    return cairosvg.svg2png(bytestring=sdg_chart_svg(chart).encode("utf-8"), scale=scale)
