"""Search at scale: a fixed number of queries, the index kept right by every write, the page's
highlighting only, and (on PostgreSQL) the stored vectors and their GIN indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from submissions import changes
from submissions.insight.search import submissions_search
from submissions.insight.search_index import ROW_EXTRA_FIELDS
from submissions.models import ROW_MODELS, Answer, Event, Question, Submission

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
SEARCHED_TABLES = ("submissions_answer", "submissions_event", "submissions_resource")
SEARCHED_TABLES += ("submissions_initiative",)


def _found(user, query, **filters) -> set:
    page = submissions_search(user=user, query=query, **filters)
    return {(r.question_number, r.table, r.row_id) for r in page}


def _page(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def _fill(submission, *, copies: int, word: str = "harbour"):
    """A narrative, a part and `copies` events of the submission that all say `word`."""
    questionnaire = submission.questionnaire
    q1, q3, q5 = (questionnaire.questions.get(number=n) for n in ("1", "3", "5"))
    Answer.objects.create(submission=submission, question=q1, text=f"The {word} plan of 2024.")
    Answer.objects.create(
        submission=submission,
        question=q5,
        part=q5.parts.get(title="Food systems"),
        text=f"Fish landed at the {word}.",
    )
    events = Event.objects.bulk_create(
        Event(
            submission=submission,
            question=q3,
            position=i,
            name=f"{word.title()} meeting {i}",
            location="Mombasa, Kenya",
        )
        for i in range(copies)
    )
    through = Event.sdgs.through
    through.objects.bulk_create(through(event_id=e.pk, sdg_id=14) for e in events)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_matches_and_organizations(
    contributor, contributor_client, submission, questionnaire, sdgs
):
    """No query per result, per organization or per page: the scope's lists, then the search."""
    _fill(submission, copies=1)
    _page(contributor_client, q="harbour")  # the questionnaire's questions read
    with CaptureQueriesContext(connection) as small:
        response = _page(contributor_client, q="harbour")
    assert response.context["page"].paginator.count == 3
    for i in range(4):
        other = Organization.objects.create(code=f"ORG{i}", name=f"Organization {i}")
        Membership.objects.create(user=contributor, organization=other, role=Role.REVIEWER)
        _fill(Submission.objects.create(organization=other, questionnaire=questionnaire), copies=30)
    for page in ("1", "3"):
        with CaptureQueriesContext(connection) as large:
            response = _page(contributor_client, q="harbour", page=page, organization="all")
        assert response.context["page"].paginator.count == 3 + 4 * 32
        assert len(response.context["page"]) == 20
        assert len(large) == len(small), [q["sql"][:120] for q in large]
    assert len(small) <= 10


def test_the_organization_filter_restricts_the_results(
    contributor, contributor_client, submission, questionnaire, other_organization, sdgs
):
    _fill(submission, copies=2)
    theirs = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    _fill(theirs, copies=3)
    # A member of one organization sees no organization filter.
    html = _page(contributor_client).content.decode()
    assert 'name="organization"' not in html
    Membership.objects.create(user=contributor, organization=other_organization, role=Role.REVIEWER)
    response = _page(contributor_client, q="harbour")
    assert 'name="organization"' in response.content.decode()
    # One organization by default (the first, as none is coordinated), all when asked.
    assert {r.organization_code for r in response.context["page"]} == {"IOM"}
    assert response.context["page"].paginator.count == 4
    response = _page(contributor_client, q="harbour", organization="all")
    assert {r.organization_code for r in response.context["page"]} == {"IOM", "UNDP"}
    assert response.context["page"].paginator.count == 4 + 5
    response = _page(contributor_client, q="harbour", organization="UNDP")
    assert {r.organization_code for r in response.context["page"]} == {"UNDP"}
    assert response.context["page"].paginator.count == 5
    response = _page(contributor_client, q="harbour", organization="IOM", table="events")
    assert {(r.organization_code, r.table) for r in response.context["page"]} == {("IOM", "events")}


def test_an_organization_the_user_is_not_in_is_refused_with_a_message(
    contributor, contributor_client, submission, questionnaire, other_organization, sdgs
):
    _fill(submission, copies=1)
    _fill(
        Submission.objects.create(organization=other_organization, questionnaire=questionnaire),
        copies=1,
        word="zanzibar",
    )
    response = _page(contributor_client, q="zanzibar", organization="UNDP")
    html = response.content.decode()
    assert response.context["page"] is None
    assert "You are not a member of UNDP: choose one of your organizations" in html
    assert "Zanzibar meeting" not in html
    # Nor does the service find anything there, whatever it is asked.
    assert _found(contributor, "zanzibar", organization_id=other_organization.pk) == set()
    assert _found(contributor, "harbour", organization_id=other_organization.pk) == set()


def test_text_is_found_at_once_whichever_way_it_was_written(
    contributor, submission, admin_client, sdgs
):
    """The write gate's saves, a bulk insert and the admin all leave the text searchable."""
    q1, q3 = (submission.questionnaire.questions.get(number=n) for n in ("1", "3"))
    changes.answer_save(
        submission=submission,
        question=q1,
        part=None,
        text="We mapped every lighthouse on the coast.",
        base_version=0,
        user=contributor,
        key="answer",
    )
    assert _found(contributor, "lighthouse") == {("1", "", None)}
    changes.answer_save(
        submission=submission,
        question=q1,
        part=None,
        text="We mapped every estuary instead.",
        base_version=1,
        user=contributor,
        key="answer",
    )
    assert _found(contributor, "lighthouse") == set()
    assert _found(contributor, "estuary") == {("1", "", None)}

    [bulk] = Event.objects.bulk_create(
        [Event(submission=submission, question=q3, name="Glacier forum", position=1)]
    )
    assert _found(contributor, "glacier") == {("3", "events", bulk.pk)}

    event = Event.objects.create(submission=submission, question=q3, name="Old name", position=2)
    response = admin_client.post(
        reverse("admin:submissions_event_change", args=[event.pk]),
        {
            "submission": submission.pk,
            "question": q3.pk,
            "position": 2,
            "name": "Renamed monsoon dialogue",
            "description": "Held on the pier.",
            "website": "",
            "dates": "",
            "location": "Dhaka",
            "sdgs": [13],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _found(contributor, "monsoon") == {("3", "events", event.pk)}
    assert _found(contributor, "pier dhaka") == {("3", "events", event.pk)}
    assert _found(contributor, '"old name"') == set()


@pytest.mark.parametrize(
    ("table", "field"), [(t, f) for t, fields in ROW_EXTRA_FIELDS.items() for f in fields]
)
def test_every_text_field_of_a_row_is_searched(contributor, submission, table, field):
    question = Question.objects.create(
        questionnaire=submission.questionnaire,
        number="9",
        position=9,
        prompt="Rows?",
        has_narrative=False,
        table=table,
    )
    row = ROW_MODELS[table].objects.create(
        submission=submission, question=question, name="A row", **{field: "Kathmandu"}
    )
    [result] = submissions_search(user=contributor, query="kathmandu")
    assert (result.table, result.row_id) == (table, row.pk)
    assert "Kathmandu</mark>" in str(result.snippet)
    assert result.snippet_label == str(ROW_MODELS[table]._meta.get_field(field).verbose_name)


def test_a_match_in_a_rows_name_ranks_above_one_in_its_description(contributor, submission):
    question = submission.questionnaire.questions.get(number="3")
    described = Event.objects.create(
        submission=submission,
        question=question,
        position=1,
        name="Annual meeting",
        description="On delta restoration.",
    )
    named = Event.objects.create(
        submission=submission, question=question, position=2, name="Delta summit"
    )
    results = list(submissions_search(user=contributor, query="delta"))
    assert [r.row_id for r in results] == [named.pk, described.pk]


# -- PostgreSQL: the stored vectors, their indexes, and how the queries use them ------------

needs_postgres = pytest.mark.skipif(not POSTGRES, reason="the search index is PostgreSQL's")


@needs_postgres
def test_each_searched_table_has_a_stored_generated_vector_with_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attgenerated FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE a.attname = 'search_vector' AND c.relname = ANY(%s)",
            [list(SEARCHED_TABLES)],
        )
        generated = dict(cursor.fetchall())
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef LIKE '%%USING gin (search_vector)%%'",
            [list(SEARCHED_TABLES)],
        )
        indexed = {table for table, _definition in cursor.fetchall()}
    assert generated == dict.fromkeys(SEARCHED_TABLES, "s")  # 's': stored
    assert indexed == set(SEARCHED_TABLES)


@needs_postgres
def test_the_search_uses_the_stored_vectors_through_their_gin_indexes(
    contributor, submission, sdgs
):
    """The page's query matches on the stored column, so the GIN index can answer it.

    The tables here are too small for the planner to prefer the GIN index on its own, and
    for one organization it rightly reads the submission's rows by their own index. With
    sequential scans, plain index scans and nested loops off, what is left to the planner
    is the GIN index, if the query can use it: a query it cannot serve (to_tsvector computed
    in the query, say) would still scan, and this would fail.
    """
    _fill(submission, copies=3)
    with CaptureQueriesContext(connection) as captured:
        submissions_search(user=contributor, query="harbour")
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if "to_tsvector" in s]
    [page_query] = [s for s in sql if "@@" in s]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("EXPLAIN " + page_query)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for table in SEARCHED_TABLES:
        assert f"Bitmap Index Scan on {table}_search_vector" in plan, plan


@needs_postgres
def test_highlighting_runs_for_the_page_shown_only(contributor, submission, sdgs):
    """ts_headline is called for the 20 results shown, not for every match (45 here).

    Every call is counted: a ts_headline of our own, earlier in the search path, counts and
    hands over to PostgreSQL's.
    """
    _fill(submission, copies=45)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA headline_count")
        cursor.execute("CREATE SEQUENCE headline_count.calls")
        cursor.execute(
            "CREATE FUNCTION headline_count.ts_headline(regconfig, text, tsquery, text) "
            "RETURNS text LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM nextval('headline_count.calls'); "
            "RETURN pg_catalog.ts_headline($1, $2, $3, $4); END $$"
        )
        cursor.execute("SET LOCAL search_path = headline_count, pg_catalog, public")
    page = submissions_search(user=contributor, query="harbour", where="events")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM headline_count.calls")
        calls, called = cursor.fetchone()
    assert page.count == 45 and len(page) == 20
    fields = 2 + len(ROW_EXTRA_FIELDS["events"])  # name, description, dates, location
    assert called and calls == 20 * fields
    assert all("Harbour</mark>" in str(r.row_name) for r in page)
