"""Search across every year: what a member finds, how it is highlighted, filtered and scoped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from submissions.insight.search import (
    MARK_OPEN,
    highlight,
    marked_to_html,
    search_query_parse,
    submissions_search,
)
from submissions.models import (
    Answer,
    Event,
    Initiative,
    Question,
    Questionnaire,
    Resource,
    Submission,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
M = MARK_OPEN  # how a highlighted word starts


def _search(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def _results(response) -> list:
    page = response.context["page"]
    return list(page) if page is not None else []


@pytest.fixture
def filled(submission, sdgs):
    """The 2024 submission with migration in a narrative, a part, an event and an initiative."""
    q1, q3, q5 = (submission.questionnaire.questions.get(number=n) for n in ("1", "3", "5"))
    Answer.objects.create(
        submission=submission,
        question=q1,
        text="Our governing bodies decided to strengthen migration governance in 2024.",
    )
    Answer.objects.create(
        submission=submission,
        question=q5,
        part=q5.parts.get(title="Food systems"),
        text="Seasonal migration of farm workers keeps food systems running.",
    )
    event = Event.objects.create(
        submission=submission,
        question=q3,
        name="International Dialogue on Migration",
        description="Member States discussed labour mobility.",
        location="Geneva, Switzerland",
    )
    event.sdgs.set([10, 17])
    return submission


def test_search_needs_login(client):
    response = client.get(reverse("search"), {"q": "migration"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_empty_search_shows_the_form_and_a_hint(contributor_client, filled):
    response = _search(contributor_client)
    html = response.content.decode()
    assert response.context["page"] is None
    assert 'name="q"' in html
    assert "Type one or more words" in html


def test_finds_narratives_parts_and_rows_with_the_words_marked(contributor_client, filled):
    response = _search(contributor_client, q="migration")
    results = _results(response)
    found = {(r.question_number, r.part_title, r.table) for r in results}
    assert found == {("1", "", ""), ("5", "Food systems", ""), ("3", "", "events")}
    html = response.content.decode()
    assert M + "migration</mark> governance" in html
    assert f"Seasonal {M}migration</mark>" in html
    assert f"Dialogue on {M}Migration</mark>" in html  # the row's name, case kept
    assert "3 results for “migration”" in html
    # Each result says where it is: year, question prompt, part or table.
    assert "2024" in html and "Six transitions?" in html and "Food systems" in html
    assert "Events" in html


def test_results_link_to_the_questions_editing_page(contributor_client, filled):
    results = _results(_search(contributor_client, q="migration"))
    edit_1 = reverse("question_edit", args=[filled.pk, "1"])
    edit_3 = reverse("question_edit", args=[filled.pk, "3"])
    urls = {r.url for r in results}
    assert edit_1 in urls
    event = Event.objects.get(submission=filled, name__icontains="migration")
    assert f"{edit_3}#row-{event.pk}" in urls  # a row: at that row
    edit_page = contributor_client.get(edit_3).content.decode()
    assert f'id="row-{event.pk}"' in edit_page
    html = _search(contributor_client, q="migration").content.decode()
    assert f'href="{edit_1}"' in html


def test_every_word_must_appear(contributor_client, filled):
    results = _results(_search(contributor_client, q="migration farm"))
    assert [(r.question_number, r.part_title) for r in results] == [("5", "Food systems")]
    assert _results(_search(contributor_client, q="migration zebra")) == []


def test_a_row_found_by_another_field_shows_that_field(contributor_client, filled):
    results = _results(_search(contributor_client, q="geneva"))
    assert len(results) == 1
    assert results[0].snippet_label == "event location (city, country)"
    assert M + "Geneva</mark>, Switzerland" in results[0].snippet
    assert results[0].sdgs == (10, 17)


def test_a_results_sdgs_are_badges_in_the_persons_language(contributor_client, filled):
    badges = (
        '<span class="badge sdg-toggle sdg-10">{0} 10</span>'
        '<span class="badge sdg-toggle sdg-17">{0} 17</span>'
    )
    assert badges.format("SDG") in _search(contributor_client, q="geneva").content.decode()
    session = contributor_client.session
    session["language"] = "fr"  # the person's choice, as the header's switch keeps it
    session.save()
    assert badges.format("ODD") in _search(contributor_client, q="geneva").content.decode()


def test_words_left_out_and_phrases(contributor_client, filled):
    results = _results(_search(contributor_client, q="migration -seasonal"))
    assert {r.question_number for r in results} == {"1", "3"}
    results = _results(_search(contributor_client, q='"migration governance"'))
    assert [r.question_number for r in results] == ["1"]
    assert M + "migration governance</mark>" in str(results[0].snippet) or (
        M + f"migration</mark> {M}governance</mark>" in str(results[0].snippet)
    )


def test_another_organizations_text_is_never_found(
    contributor_client, filled, other_organization, questionnaire
):
    other = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    Answer.objects.create(
        submission=other,
        question=questionnaire.questions.get(number="1"),
        text="Confidential migration strategy of Zanzibar.",
    )
    Initiative.objects.create(
        submission=other,
        question=questionnaire.questions.get(number="3"),
        name="Zanzibar migration partnership",
    )
    response = _search(contributor_client, q="zanzibar")
    assert _results(response) == []
    assert "Zanzibar" not in response.content.decode()
    response = _search(contributor_client, q="migration")
    assert {r.submission_id for r in _results(response)} == {filled.pk}
    assert "Zanzibar" not in response.content.decode()
    # Its own members do find it.
    outsider = make_member(other_organization, Role.CONTRIBUTOR, "outsider")
    found = submissions_search(user=outsider, query="zanzibar")
    assert {r.submission_id for r in found} == {other.pk}


def test_any_role_may_search(client, filled, organization):
    for role in (Role.REVIEWER, Role.COORDINATOR):
        client.force_login(make_member(organization, role, f"user-{role}"))
        assert len(_results(_search(client, q="migration"))) == 3


def test_user_text_is_escaped_around_the_marks(contributor_client, filled):
    question = filled.questionnaire.questions.get(number="3")
    Event.objects.create(
        submission=filled,
        question=question,
        name='<img src=x onerror="alert(1)"> Kigali forum',
        description="Kigali <b>talks</b> & <script>alert(1)</script> more",
    )
    response = _search(contributor_client, q="kigali")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>talks" not in html
    assert f"&lt;img src=x onerror=&quot;alert(1)&quot;&gt; {M}Kigali</mark> forum" in html
    # The text is shown as written (angle brackets too), escaped.
    assert str(_results(response)[0].snippet) == (
        M + "Kigali</mark> &lt;b&gt;talks&lt;/b&gt; &amp; "
        "&lt;script&gt;alert(1)&lt;/script&gt; more"
    )


@pytest.fixture
def two_years(filled, organization):
    """A 2023 submission too, with migration in a narrative and a resource."""
    questionnaire = Questionnaire.objects.create(
        kind="desa", year=2023, slug="desa-2023", title="UN DESA questionnaire 2023"
    )
    narrative = Question.objects.create(
        questionnaire=questionnaire, number="2", position=1, prompt="Work on migration?"
    )
    resources = Question.objects.create(
        questionnaire=questionnaire,
        number="4",
        position=2,
        prompt="Resources?",
        has_narrative=False,
        table="resources",
    )
    older = Submission.objects.create(organization=organization, questionnaire=questionnaire)
    Answer.objects.create(
        submission=older, question=narrative, text="Migration data matters for climate action."
    )
    report = Resource.objects.create(
        submission=older,
        question=resources,
        name="World Migration Report",
        description="The flagship report on migration.",
    )
    report.sdgs.set([13])
    return older


def test_filters_narrow_the_results(contributor_client, filled, two_years):
    def found(**filters):
        results = _results(_search(contributor_client, q="migration", **filters))
        return {(r.year, r.question_number, r.table) for r in results}

    everything = found()
    assert everything == {
        (2024, "1", ""),
        (2024, "5", ""),
        (2024, "3", "events"),
        (2023, "2", ""),
        (2023, "4", "resources"),
    }
    assert found(year=2023) == {(2023, "2", ""), (2023, "4", "resources")}
    assert found(question="5") == {(2024, "5", "")}
    assert found(table="events") == {(2024, "3", "events")}
    assert found(table="resources") == {(2023, "4", "resources")}
    assert found(table="answers") == {(2024, "1", ""), (2024, "5", ""), (2023, "2", "")}
    # SDGs are on rows only.
    assert found(sdg=13) == {(2023, "4", "resources")}
    assert found(sdg=10) == {(2024, "3", "events")}
    assert found(sdg=5) == set()
    assert found(year=2024, table="resources") == set()


def test_filter_lists_offer_the_users_years_and_questions(contributor_client, two_years):
    response = _search(contributor_client)
    form = response.context["form"]
    assert [value for value, _label in form.fields["year"].choices] == ["", 2024, 2023]
    assert [value for value, _label in form.fields["question"].choices] == [
        "",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "migration", "year": "1999"}, "There is no submission of 1999 to search"),
        ({"q": "migration", "year": "last"}, "There is no submission of last to search"),
        ({"q": "migration", "sdg": "abc"}, "Choose an SDG from 1 to 17."),
        ({"q": "migration", "sdg": "18"}, "Choose an SDG from 1 to 17."),
        ({"q": "migration", "question": "99"}, "No question is numbered 99"),
        ({"q": "migration", "table": "comments"}, "Choose where to search from the list."),
        ({"q": "m" * 201}, "The search is too long: at most 200 characters (it has 201)."),
        ({"q": "?! ... ---"}, "Type at least one word or number to search for"),
        ({"q": "-migration"}, "Say what to find as well as what to leave out"),
    ],
)
def test_bad_input_says_what_is_wrong(contributor_client, filled, params, message):
    response = _search(contributor_client, **params)
    assert response.context["page"] is None
    assert message in response.content.decode()


def test_no_results_says_so(contributor_client, filled):
    response = _search(contributor_client, q="hovercraft")
    assert _results(response) == []
    assert "Nothing matches" in response.content.decode()


def test_results_come_20_a_page(contributor_client, filled):
    question = filled.questionnaire.questions.get(number="3")
    Event.objects.bulk_create(
        Event(submission=filled, question=question, position=i, name=f"Harbour meeting {i}")
        for i in range(25)
    )
    first = _search(contributor_client, q="harbour", table="events")
    assert len(_results(first)) == 20
    assert first.context["page"].paginator.count == 25
    html = first.content.decode()
    assert "25 results for “harbour”" in html
    assert "?q=harbour&amp;table=events&amp;page=2" in html  # the filters are kept
    second = _search(contributor_client, q="harbour", table="events", page=2)
    assert len(_results(second)) == 5
    # A page number out of range or not a number shows a page, never an error.
    assert len(_results(_search(contributor_client, q="harbour", page="99"))) == 5
    assert len(_results(_search(contributor_client, q="harbour", page="x"))) == 20


def test_query_count_does_not_grow_with_rows_and_years(contributor_client, filled, two_years):
    """No query per result: questions, parts and each row's SDGs are fetched in bulk."""
    _search(contributor_client, q="migration")  # the questionnaires' questions read
    with CaptureQueriesContext(connection) as small:
        _search(contributor_client, q="migration")
    events = filled.questionnaire.questions.get(number="3")
    for i in range(30):
        row = Event.objects.create(
            submission=filled, question=events, position=10 + i, name=f"Migration {i}"
        )
        row.sdgs.set([1, 2, 3])
    with CaptureQueriesContext(connection) as large:
        response = _search(contributor_client, q="migration")
    assert response.context["page"].paginator.count == 35
    assert len(large) == len(small)
    assert len(large) <= 15


def test_highlight_escapes_and_cuts_long_text():
    text = "word " * 100 + "Migration <b>here</b> & there " + "tail " * 100
    html = str(highlight(text, ("migration",)))
    assert M + "Migration</mark> &lt;b&gt;here&lt;/b&gt; &amp; there" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 400


def test_marks_are_always_paired_and_text_escaped():
    assert marked_to_html("a \x02<b>\x03 c") == f"a {M}&lt;b&gt;</mark> c"
    assert marked_to_html("\x03x\x02y") == f"x{M}y</mark>"
    assert marked_to_html("\x02\x02x\x03\x03") == M + "x</mark>"


def test_query_parsing():
    parsed = search_query_parse('Climate "human mobility" -COVID cross-border climate')
    assert parsed.words == ("Climate", "human mobility", "cross", "border")
    assert parsed.excluded == ("COVID",)


@pytest.mark.skipif(not POSTGRES, reason="stemming is PostgreSQL's full-text search")
def test_postgres_matches_word_forms_and_ranks(contributor_client, filled):
    Answer.objects.filter(question__number="1").update(text="Every migrant counts.")
    results = _results(_search(contributor_client, q="migrants"))
    assert [r.question_number for r in results] == ["1"]
    assert M + "migrant</mark>" in str(results[0].snippet)


def test_seeded_iom_submissions_are_searchable_across_years(client, organization):
    from submissions.seeds import seeds_load

    seeds_load(demo_users=False)
    client.force_login(make_member(organization, Role.CONTRIBUTOR, "staff"))
    page = _search(client, q="migration").context["page"]
    assert len(page) == 20 and page.paginator.count > 20
    # Only the page shown is read: each year's matches are there to filter by.
    for year in (2017, 2021, 2023, 2024):
        found = _results(_search(client, q="migration", year=year))
        assert found and {r.year for r in found} == {year}
    report = _results(_search(client, q="World Migration Report", year=2024, table="resources"))
    assert report and all(r.year == 2024 and r.table == "resources" for r in report)
    assert M in str(report[0].row_name)


def test_a_refused_filter_is_marked_on_its_own_field(contributor_client, filled):
    """The filters are drawn without crispy-forms' templates (five of them on every search
    cost a tenth of the page): a refused value still marks its own field invalid with the
    reason under it, the others stay as they were, and the SDG's help text is tied to it."""
    import re

    response = _search(contributor_client, q="migration", sdg="18")
    assert "bootstrap5/field.html" not in [t.name for t in response.templates]
    html = response.content.decode()
    sdg = re.search(r'<select name="sdg"[^>]*>', html)[0]
    assert 'class="form-select is-invalid"' in sdg and 'aria-invalid="true"' in sdg
    assert 'aria-describedby="id_sdg_helptext' in sdg
    assert re.search(
        r'id="id_sdg_error" class="invalid-feedback">.*Choose an SDG from 1 to 17\.', html
    )
    assert 'id="id_sdg_helptext" class="form-text">Only table rows carry SDGs.' in html
    year = re.search(r'<select name="year"[^>]*>', html)[0]
    assert 'class="form-select"' in year and "aria-invalid" not in year
    query = re.search(r'<input type="search" name="q"[^>]*>', html)[0]
    assert 'class="form-control"' in query and 'value="migration"' in query
    assert '<label for="id_q" class="form-label">Search for</label>' in html
