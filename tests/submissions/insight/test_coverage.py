"""SDG coverage: rows per goal and table kind, for a submission and across years; the chart;
the submission page's section and the across-years page."""

import io
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import Membership, Organization, Role
from submissions.changes import answer_save, row_save
from submissions.exports.base import submission_for_export
from submissions.insight.coverage import (
    GOALS,
    KINDS,
    WIDTH,
    sdg_chart,
    sdg_chart_png,
    sdg_chart_svg,
    sdg_coverage,
    sdg_coverage_across_years,
    sdg_coverage_of_loaded,
    sdg_coverage_of_submissions,
)
from submissions.models import (
    ROW_MODELS,
    Question,
    Questionnaire,
    Submission,
    TableKind,
)
from submissions.seeds import seeds_load
from tests.conftest import make_member, page_html, page_in_french

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
EVENTS, RESOURCES, INITIATIVES = TableKind.EVENTS, TableKind.RESOURCES, TableKind.INITIATIVES


@pytest.fixture
def tables_questionnaire(questionnaire):
    """The shared questionnaire (events in Q3) plus resources (Q6) and initiatives (Q7)."""
    Question.objects.create(
        questionnaire=questionnaire,
        number="6",
        position=4,
        prompt="Resources?",
        has_narrative=False,
        table="resources",
    )
    Question.objects.create(
        questionnaire=questionnaire,
        number="7",
        position=5,
        prompt="Initiatives?",
        table="initiatives",
    )
    return questionnaire


def add_row(submission, kind: str, goals: list[int], name: str = "A row"):
    """One row of the kind in the submission's table question, touching these goals."""
    model = ROW_MODELS[kind]
    question = submission.questionnaire.questions.get(table=kind)
    row = model.objects.create(submission=submission, question=question, name=name)
    row.sdgs.set(goals)
    return row


def make_questionnaire(year: int, tables: tuple[str, ...] = KINDS) -> Questionnaire:
    """A questionnaire of that year with one table question per kind given."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=year, slug=f"desa-{year}", title=f"UN DESA questionnaire {year}"
    )
    Question.objects.create(questionnaire=questionnaire, number="1", position=1, prompt="What?")
    for position, kind in enumerate(tables, start=2):
        Question.objects.create(
            questionnaire=questionnaire,
            number=str(position),
            position=position,
            prompt=f"{kind}?",
            has_narrative=False,
            table=kind,
        )
    return questionnaire


@pytest.fixture
def covered(submission, tables_questionnaire, sdgs):
    """Two events, one resource, three initiatives; goals 2, 7, 12, 14 and 15 untouched."""
    add_row(submission, EVENTS, [1, 5, 10], "High-level forum")
    add_row(submission, EVENTS, [5, 17], "Regional review")
    add_row(submission, RESOURCES, [10], "World Migration Report")
    add_row(submission, INITIATIVES, [1, 3, 4, 5, 6, 8, 9, 10, 11, 13, 16], "Joint programme")
    add_row(submission, INITIATIVES, [10, 17], "Mayors Mechanism")
    add_row(submission, INITIATIVES, [], "No goals yet")
    return submission


# -- Counting ----------------------------------------------------------------------------------


def test_counts_rows_per_goal_and_kind(covered):
    coverage = sdg_coverage(submission=covered)

    assert coverage.kinds == (EVENTS, RESOURCES, INITIATIVES)
    assert [coverage.total(5, kind) for kind in KINDS] == [2, 0, 1]
    assert [coverage.total(10, kind) for kind in KINDS] == [1, 1, 2]
    assert [coverage.total(17, kind) for kind in KINDS] == [1, 0, 1]
    assert coverage.total(10) == 4
    assert coverage.total(3) == 1
    assert [g.goal.number for g in coverage.uncovered] == [2, 7, 12, 14, 15]
    assert coverage.covered_count == 12
    assert coverage.summary == (
        "12 of 17 goals have at least one row. No rows for: 2 Zero Hunger, "
        "7 Affordable and Clean Energy, 12 Responsible Consumption and Production, "
        "14 Life Below Water, 15 Life on Land."
    )


def test_the_counts_are_one_query_and_what_the_orm_counts(covered, other_organization):
    """Rows per submission, goal and table in one query: the same as each table's links
    grouped through the ORM, another organization's submission apart."""
    from django.db.models import Count

    from submissions.models import ROW_MODELS
    from submissions.selectors import row_sdg_counts

    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=covered.questionnaire
    )
    add_row(theirs, EVENTS, [2, 10])
    ids = [covered.pk, theirs.pk]
    with CaptureQueriesContext(connection) as read:
        found = row_sdg_counts(submission_ids=ids)
    assert len(read) == 1
    expected = []
    for index, model in enumerate(ROW_MODELS.values()):
        row = model._meta.model_name
        grouped = (
            model.sdgs.through.objects.filter(**{f"{row}__submission_id__in": ids})
            .values_list(f"{row}__submission_id", "sdg_id")
            .annotate(rows=Count("pk"))
            .order_by()
        )
        expected += [(submission, goal, index, rows) for submission, goal, rows in grouped]
    assert sorted(found) == sorted(expected) and (theirs.pk, 10, 0, 1) in found
    assert row_sdg_counts(submission_ids=[]) == []


def test_goals_carry_their_official_colour_and_title():
    assert len(GOALS) == 17
    assert (GOALS[0].number, GOALS[0].title, GOALS[0].colour) == (1, "No Poverty", "#E5243B")
    assert (GOALS[16].number, GOALS[16].colour) == (17, "#19486A")


def test_other_organizations_rows_are_not_counted(covered, other_organization):
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=covered.questionnaire
    )
    add_row(theirs, EVENTS, [2, 7, 10])
    add_row(theirs, INITIATIVES, [12, 10])

    ours = sdg_coverage(submission=covered)
    assert ours.total(10) == 4
    assert ours.total(2) == ours.total(7) == ours.total(12) == 0
    assert sdg_coverage(submission=theirs).total(10) == 2


def test_only_the_kinds_the_questionnaire_asks_for_are_counted(organization, sdgs):
    questionnaire_2021 = make_questionnaire(2021, tables=(RESOURCES, INITIATIVES))
    no_tables = make_questionnaire(2017, tables=())
    submission = Submission.objects.create(
        organization=organization, questionnaire=questionnaire_2021
    )
    add_row(submission, RESOURCES, [4])
    coverage_2021, coverage_2017 = (
        sdg_coverage(submission=submission),
        sdg_coverage(
            submission=Submission.objects.create(organization=organization, questionnaire=no_tables)
        ),
    )

    assert coverage_2021.kinds == (RESOURCES, INITIATIVES)
    assert coverage_2021.kind_labels == ["Resources", "Initiatives and partnerships"]
    assert coverage_2021.total(4, EVENTS) is None
    assert coverage_2021.total(4, RESOURCES) == 1
    assert coverage_2017.has_tables is False


def test_counting_from_the_export_load_agrees_and_runs_no_query(covered):
    loaded = submission_for_export(covered.pk)
    with CaptureQueriesContext(connection) as queries:
        from_rows = sdg_coverage_of_loaded(loaded)
    assert len(queries) == 0
    from_database = sdg_coverage(submission=covered)
    assert from_rows.kinds == from_database.kinds
    assert [g.counts for g in from_rows.goals] == [g.counts for g in from_database.goals]


def _naive_counts(submission) -> Counter:
    """(goal, kind) -> rows, one row at a time: the slow way, to check the selector against."""
    counts = Counter()
    for kind, model in ROW_MODELS.items():
        for row in model.objects.filter(submission=submission):
            for sdg in row.sdgs.all():
                counts[(sdg.number, kind)] += 1
    return counts


def test_counts_on_the_seeds_match_row_by_row_counting(db):
    seeds_load(demo_users=False)
    submissions = list(Submission.objects.select_related("organization", "questionnaire"))
    coverages = sdg_coverage_of_submissions(submissions=submissions)

    for submission in submissions:
        coverage = coverages[submission.pk]
        expected = _naive_counts(submission)
        for goal in GOALS:
            for kind in KINDS:
                assert coverage.goals[goal.number - 1].counts[kind] == expected[(goal.number, kind)]
        # The export's count, from prefetched rows, is the same.
        loaded = sdg_coverage_of_loaded(submission_for_export(submission.pk))
        assert [g.counts for g in loaded.goals] == [g.counts for g in coverage.goals]

    by_slug = {s.questionnaire.slug: coverages[s.pk] for s in submissions}
    # IOM 2024: three events touch every goal; ten initiatives touch Reduced Inequalities.
    assert [by_slug["desa-2024"].total(10, kind) for kind in KINDS] == [3, 3, 10]
    assert by_slug["desa-2024"].covered_count == 17
    assert by_slug["desa-2021"].kinds == (RESOURCES, INITIATIVES)
    assert by_slug["desa-2017"].has_tables is False
    assert by_slug["gbv-2024"].has_tables is False


def test_query_count_does_not_grow_with_submissions_or_rows(organization, sdgs):
    """Prevents the N+1 of counting each submission's rows (and each row's SDGs) one query at
    a time: one submission with one row and four years with 40 rows each cost the same one
    query (the counts, as one UNION over the three tables), and the same three more while
    the process has not read their questionnaires' questions (the table kinds asked)."""
    from submissions.selectors import questions_memo

    first = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2020)
    )
    add_row(first, EVENTS, [1])
    questions_memo.clear()
    with CaptureQueriesContext(connection) as cold:
        sdg_coverage_of_submissions(submissions=[first])
    with CaptureQueriesContext(connection) as one:
        sdg_coverage_of_submissions(submissions=[first])
    assert len(one) == 1

    submissions = [first]
    for year in (2021, 2022, 2023):
        submissions.append(
            Submission.objects.create(
                organization=organization, questionnaire=make_questionnaire(year)
            )
        )
    for submission in submissions:
        for index in range(40):
            add_row(submission, KINDS[index % 3], [1 + index % 17, 1 + (index + 5) % 17])
    questions_memo.clear()
    with CaptureQueriesContext(connection) as many_cold:
        sdg_coverage_of_submissions(submissions=submissions)
    assert len(many_cold) == len(cold) == 4
    with CaptureQueriesContext(connection) as many:
        coverages = sdg_coverage_of_submissions(submissions=submissions)
    assert len(many) == 1
    assert sum(g.total for g in coverages[submissions[-1].pk].goals) == 80


def test_across_years_grid_orders_years_and_shades_cells(organization, sdgs):
    early = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2021, (RESOURCES,))
    )
    late = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2023)
    )
    bare = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2017, ())
    )
    add_row(early, RESOURCES, [4])
    for _ in range(4):
        add_row(late, EVENTS, [4, 5])
    add_row(late, INITIATIVES, [5])

    grid = sdg_coverage_across_years(submissions=[late, bare, early])
    assert [c.submission for c in grid.columns] == [early, late]
    assert grid.without_tables == [bare]
    goal_4, goal_5, goal_6 = grid.rows[3], grid.rows[4], grid.rows[5]
    assert [(c.count, c.level) for c in goal_4.cells] == [(1, 1), (4, 4)]
    assert [(c.count, c.level) for c in goal_5.cells] == [(0, 0), (5, 4)]
    assert [(c.count, c.level) for c in goal_6.cells] == [(0, 0), (0, 0)]
    assert goal_4.years_covered == 2 and goal_6.years_covered == 0
    assert grid.goals_covered == [1, 2]

    # One kind only: a year whose questionnaire lacks that table gets no column.
    events = sdg_coverage_across_years(submissions=[late, bare, early], kind=EVENTS)
    assert [c.submission for c in events.columns] == [late]
    assert [c.count for c in events.rows[4].cells] == [4]


# -- The chart ---------------------------------------------------------------------------------


def test_chart_svg_draws_each_goal_in_its_colour_and_labels_zero_goals(covered):
    coverage = sdg_coverage(submission=covered)
    svg = sdg_chart_svg(sdg_chart(coverage))
    root = ET.fromstring(svg)  # well-formed XML: cairosvg and WeasyPrint read the same text

    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "SDG coverage of IOM's 2024 submission"
    assert "No rows for: 2 Zero Hunger" in root.find(f"{SVG}desc").text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count("0 · no rows") == 5
    assert texts[:3] == ["Events", "Resources", "Initiatives and partnerships"]
    assert "Responsible Consumption and Production" in texts
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {goal.colour for goal in GOALS} <= fills
    # Goal 10: events, resources, initiatives as three segments, darkest first.
    bar_10 = [
        r
        for r in root.iter(f"{SVG}rect")
        if r.get("fill") == "#DD1367" and r.get("fill-opacity") is not None
    ]
    assert [r.get("fill-opacity") for r in bar_10] == ["1.0", "0.55", "0.22"]
    assert "style" not in svg and "<script" not in svg


def test_chart_numbers_survive_a_language_with_decimal_commas(covered):
    with translation.override("fr"):
        svg = sdg_chart_svg(sdg_chart(sdg_coverage(submission=covered)))
    assert 'fill-opacity="0.55"' in svg
    ET.fromstring(svg)


def test_chart_png_is_the_same_drawing_as_a_picture(covered):
    chart = sdg_chart(sdg_coverage(submission=covered))
    png = sdg_chart_png(chart)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (WIDTH * 2, chart.height * 2)
    # The first goal's badge is drawn in SDG 1's red.
    badge = chart.bars[0]
    assert image.convert("RGB").getpixel((2 * 6, 2 * (badge.badge_y + 10))) == (229, 36, 59)


def test_chart_templates_have_no_inline_styles_or_scripts():
    folder = Path(__file__).resolve().parents[3] / "templates" / "submissions" / "insight"
    for path in [*folder.glob("sdg_*"), *folder.glob("coverage_*")]:
        text = path.read_text(encoding="utf-8").lower()
        assert " style=" not in text and "<style" not in text and "<script" not in text, path


# -- The submission page -------------------------------------------------------------------


def test_submission_page_shows_the_coverage_chart_with_zero_goals_named(
    covered, contributor_client
):
    response = contributor_client.get(reverse("submission_detail", args=[covered.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'id="sdg-coverage"' in page
    assert "12 of 17 goals have at least one row." in page
    assert 'role="img"' in page and 'fill="#E5243B"' in page
    assert page.count("0 · no rows") == 5
    assert "Show the numbers" in page
    # The buttons of the page are still there.
    assert reverse("review_page", args=[covered.pk]) in page
    assert reverse("submission_export", args=[covered.pk, "docx"]) in page


def test_submission_page_without_tables_says_there_is_nothing_to_chart(
    organization, contributor_client
):
    submission = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2017, ())
    )
    page = contributor_client.get(reverse("submission_detail", args=[submission.pk]))
    text = page.content.decode()
    assert "has no tables of events, resources or initiatives" in text
    assert "<svg" not in text


def test_submission_page_queries_do_not_grow_with_rows(
    covered, contributor_client, django_assert_max_num_queries
):
    """Prevents the N+1 of reading each row's SDGs for the chart: 6 rows and 66 cost the same."""
    url = reverse("submission_detail", args=[covered.pk])
    with CaptureQueriesContext(connection) as few:
        contributor_client.get(url)
    for index in range(60):
        add_row(covered, KINDS[index % 3], [1 + index % 17])
    with django_assert_max_num_queries(len(few)):
        contributor_client.get(url)


def test_submission_page_draws_its_questions_and_chart_again_only_when_they_change(
    covered, contributor, contributor_client
):
    """The overview keeps its list of questions and its coverage as drawn, under what they
    show: shown again, neither is drawn; an answer or a row saved through the write gate shows
    at once, and a French reader never gets the English HTML."""
    url = reverse("submission_detail", args=[covered.pk])

    cached = {"submissions/insight/sdg_chart.svg", "submissions/includes/words_badge.html"}

    def drawn(response) -> set[str]:
        return {t.name for t in response.templates} & cached

    cache.clear()  # another test may have drawn a page of the same content
    first = contributor_client.get(url)
    assert drawn(first) == cached
    before = page_html(contributor_client, url)
    again = contributor_client.get(url)
    assert drawn(again) == set()
    assert page_html(contributor_client, url) == before
    assert "12 of 17 goals have at least one row." in before

    question = covered.questionnaire.questions.get(number="1")
    saved = answer_save(
        submission=covered,
        question=question,
        part=None,
        text="The Council adopted the plan.",
        base_version=0,
        user=contributor,
        key="answer",
    )
    assert saved.status == "saved", saved
    events = covered.questionnaire.questions.get(table=EVENTS)
    added = row_save(
        submission=covered,
        question=events,
        row_id=None,
        base_version=0,
        values={"name": "Ocean conference"},
        sdgs=[14],
        position=3,
        user=contributor,
        key="row-new",
    )
    assert added.status == "saved", added

    after = contributor_client.get(url)
    page = after.content.decode()
    assert drawn(after) == cached
    assert "13 of 17 goals have at least one row." in page
    assert "5 / 200 words" in page
    row = page.split('data-question="3"')[1].split("</tr>")[0]
    assert ">3</td>" in row  # the events question now has three rows

    french = page_in_french(contributor_client, url)
    assert "13 objectifs sur 17" in french and "goals have at least one row" not in french
    assert "5 / 200 mots" in french


# -- The across-years page -----------------------------------------------------------------


@pytest.fixture
def years(organization, sdgs):
    """IOM's 2021 (resources and initiatives), 2023 (all three tables) and 2017 (no tables)."""
    made = {
        2021: make_questionnaire(2021, (RESOURCES, INITIATIVES)),
        2023: make_questionnaire(2023),
        2017: make_questionnaire(2017, ()),
    }
    submissions = {
        year: Submission.objects.create(organization=organization, questionnaire=q)
        for year, q in made.items()
    }
    add_row(submissions[2021], RESOURCES, [4, 10])
    add_row(submissions[2023], EVENTS, [10])
    add_row(submissions[2023], INITIATIVES, [10, 17])
    return submissions


def test_coverage_years_needs_a_login(client):
    url = reverse("coverage_years")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_coverage_years_shows_goals_by_year_with_links(years, contributor_client):
    response = contributor_client.get(reverse("coverage_years"))
    page = response.content.decode()

    assert response.status_code == 200
    grid = response.context["grid"]
    assert [c.submission.questionnaire.year for c in grid.columns] == [2021, 2023]
    assert [c.count for c in grid.rows[9].cells] == [1, 2]  # Reduced Inequalities
    assert [c.count for c in grid.rows[16].cells] == [0, 1]
    for year in (2021, 2023):
        assert reverse("submission_detail", args=[years[year].pk]) + "#sdg-coverage" in page
    assert "cov-zero" in page and "cov-l4" in page
    assert "UN DESA questionnaire 2017" in page  # listed apart: no tables
    assert '<select class="form-select form-select-sm" id="coverage-organization"' not in page


def test_coverage_years_counts_one_kind_when_asked(years, contributor_client):
    response = contributor_client.get(reverse("coverage_years"), {"kind": "events"})
    grid = response.context["grid"]
    assert [c.submission.questionnaire.year for c in grid.columns] == [2023]
    assert [c.count for c in grid.rows[9].cells] == [1]
    assert "Events of International Organization for Migration" in response.content.decode()


def test_coverage_years_never_shows_another_organizations_submissions(
    years, other_organization, contributor_client
):
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=years[2023].questionnaire
    )
    add_row(theirs, EVENTS, [1, 2, 3])

    response = contributor_client.get(reverse("coverage_years"))
    assert [c.submission for c in response.context["grid"].columns] == [years[2021], years[2023]]
    assert response.context["grid"].rows[1].cells[1].count == 0
    assert reverse("submission_detail", args=[theirs.pk]) not in response.content.decode()
    # Asking for the other organization by its code is a 404, as for its submissions.
    response = contributor_client.get(reverse("coverage_years"), {"organization": "UNDP"})
    assert response.status_code == 404


def test_coverage_years_filters_by_organization_for_members_of_several(
    years, other_organization, client
):
    person = make_member(years[2021].organization, Role.REVIEWER, "both")
    Membership.objects.create(user=person, organization=other_organization, role=Role.REVIEWER)
    theirs = Submission.objects.create(
        organization=other_organization, questionnaire=years[2023].questionnaire
    )
    add_row(theirs, EVENTS, [1, 2, 3])
    client.force_login(person)

    page = client.get(reverse("coverage_years")).content.decode()
    assert 'id="coverage-organization"' in page
    assert '<option value="UNDP"' in page

    response = client.get(reverse("coverage_years"), {"organization": "UNDP"})
    assert response.context["organization"] == other_organization
    assert [c.submission for c in response.context["grid"].columns] == [theirs]
    assert [response.context["grid"].rows[i].cells[0].count for i in range(4)] == [1, 1, 1, 0]


def test_coverage_years_empty_states(client, db):
    food = Organization.objects.create(code="WFP", name="World Food Programme")
    client.force_login(make_member(food, Role.CONTRIBUTOR, "loner"))
    page = client.get(reverse("coverage_years")).content.decode()
    assert "World Food Programme has no submissions yet." in page

    client.force_login(get_user_model().objects.create_user("nobody"))
    page = client.get(reverse("coverage_years")).content.decode()
    assert "You do not belong to any organization yet" in page


def test_coverage_years_queries_do_not_grow_with_years(
    organization, contributor_client, sdgs, django_assert_max_num_queries
):
    """Prevents the N+1 of counting each year's rows (or reading each row's SDGs) per column:
    one year and five years of rows cost the same queries."""
    first = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2019)
    )
    add_row(first, EVENTS, [1])
    url = reverse("coverage_years")
    with CaptureQueriesContext(connection) as one_year:
        contributor_client.get(url)
    for year in (2020, 2021, 2022, 2023):
        submission = Submission.objects.create(
            organization=organization, questionnaire=make_questionnaire(year)
        )
        for index in range(12):
            add_row(submission, KINDS[index % 3], [1 + index, 17 - index])
    with django_assert_max_num_queries(len(one_year)):
        response = contributor_client.get(url)
    assert len(response.context["grid"].columns) == 5


def test_coverage_years_grid_is_kept_drawn_and_shows_a_change_at_once(
    years, contributor_client, contributor
):
    """The grid (17 goals by every year, a number per cell) is kept as drawn under what it
    shows: shown again it is not drawn again, and the same; a row saved through the write
    gate, another kind asked for and a French reader each get their own grid at once."""
    from django.core.cache.utils import make_template_fragment_key

    url = reverse("coverage_years")
    cache.clear()  # another test may have drawn a grid of the same content

    def kept(response) -> bool:
        context = response.context
        vary_on = [
            context["grid"].digest,
            context["organization"].pk,
            context["organization"].name,
            context["kind_label"],
            "en",
        ]
        return cache.get(make_template_fragment_key("coverage_years", vary_on)) is not None

    response = contributor_client.get(url)
    assert kept(response)
    first = page_html(contributor_client, url)
    assert page_html(contributor_client, url) == first

    question = years[2023].questionnaire.questions.get(table=EVENTS)
    result = row_save(
        submission=years[2023],
        question=question,
        row_id=None,
        base_version=0,
        values={"name": "Mangrove day", "description": "", "website": ""},
        sdgs=[14, 17],
        position=1,
        user=contributor,
        key="rows-0",
    )
    assert result.status == "saved"
    after = contributor_client.get(url)
    assert [c.count for c in after.context["grid"].rows[13].cells] == [0, 1]
    grid = after.content.decode().split("coverage-grid")[1].split("</table>")[0]
    row_14 = grid.split("sdg-badge sdg-14")[1].split("</tr>")[0]
    assert 'class="sdg-14 cov-l' in row_14 and ">1</td>" in row_14
    events = contributor_client.get(url, {"kind": "events"}).content.decode()
    assert "Events of International Organization for Migration" in events
    french = page_in_french(contributor_client, url)
    assert "Objectifs avec des lignes" in french and "Goals with rows" not in french
