"""The library of recurring items: grouping across years, reusing an item, the page and its action."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Revision, Version

from accounts.models import Organization, Role
from submissions.changes import library_item_reuse, row_save
from submissions.history import REUSED_FROM_LIBRARY
from submissions.insight.library import (
    AVAILABLE,
    FULL,
    PRESENT,
    library_items,
    library_reuse_offers,
    library_reuse_targets,
)
from submissions.models import (
    ROW_MODELS,
    Event,
    Initiative,
    Question,
    Questionnaire,
    Resource,
    Submission,
    SubmissionStatus,
)
from submissions.seeds import seeds_load
from submissions.services import (
    ServiceError,
    questionnaire_copy_as_next_year,
    questionnaire_structure_changed,
    submission_open,
)
from tests.conftest import make_member, page_html

pytestmark = pytest.mark.django_db

TABLES = ("events", "resources", "initiatives")


def make_questionnaire(year, *, is_open=False, tables=TABLES, max_rows=None, kind="desa"):
    """A questionnaire with a narrative question and one question per table (numbers 2, 3, 4)."""
    questionnaire = Questionnaire.objects.create(
        kind=kind,
        year=year,
        slug=f"{kind}-{year}",
        title=f"Questionnaire {year}",
        is_open=is_open,
    )
    Question.objects.create(questionnaire=questionnaire, number="1", position=1, prompt="What?")
    for position, table in enumerate(tables, start=2):
        Question.objects.create(
            questionnaire=questionnaire,
            number=str(position),
            position=position,
            prompt=f"Your {table}?",
            has_narrative=False,
            table=table,
            max_rows=max_rows,
        )
    return questionnaire


def add_row(submission, table, name, *, sdgs=(), **values):
    question = submission.questionnaire.questions.filter(table=table).first()
    model = ROW_MODELS[table]
    position = model.objects.filter(submission=submission, question=question).count()
    row = model.objects.create(
        submission=submission, question=question, name=name, position=position, **values
    )
    row.sdgs.set(sdgs)
    return row


@pytest.fixture
def years(organization, sdgs):
    """IOM's 2022 and 2023 submissions (closed) and its open 2025 one, which is still empty."""
    s2022 = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2022)
    )
    s2023 = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2023)
    )
    s2025 = Submission.objects.create(
        organization=organization, questionnaire=make_questionnaire(2025, is_open=True)
    )
    rows = {
        "mayors_2022": add_row(
            s2022, "initiatives", "Mayors Mechanism", sdgs=[10, 11], description="Cities."
        ),
        "mayors_2023": add_row(
            s2023,
            "initiatives",
            "Mayors Mechanism",
            sdgs=[10, 11, 16],
            description="Cities and displacement.",
            partners="UCLG",
            website="https://www.mayorsmechanism.org",
        ),
        "wmr_2022": add_row(s2022, "resources", "World Migration Report 2022", sdgs=[10]),
        "wmr_2023": add_row(s2023, "resources", "World Migration Report 2023", sdgs=[10, 17]),
        "gfmd": add_row(s2023, "events", "Global Forum on Migration and Development", sdgs=[17]),
        "idiaspora": add_row(s2022, "initiatives", "iDiaspora", sdgs=[8]),
    }
    return {"s2022": s2022, "s2023": s2023, "s2025": s2025, **rows}


@pytest.fixture
def other(other_organization, years):
    """Another organization with an item of the same name and one of its own."""
    submission = Submission.objects.create(
        organization=other_organization,
        questionnaire=Questionnaire.objects.get(year=2023),
    )
    return {
        "submission": submission,
        "mayors": add_row(submission, "initiatives", "Mayors Mechanism", sdgs=[1]),
        "secret": add_row(submission, "initiatives", "UNDP Accelerator Labs", sdgs=[9]),
    }


def names(items):
    return [item.name for item in items]


def writes():
    """What a refused reuse must leave as it was: the rows and the history."""
    return (
        Event.objects.count(),
        Resource.objects.count(),
        Initiative.objects.count(),
        Revision.objects.count(),
    )


# -- Grouping -------------------------------------------------------------------------------


def test_the_seeds_idm_sessions_are_two_recurring_items_with_their_history():
    seeds_load(demo_users=False)
    user = make_member(Organization.objects.get(code="IOM"), Role.REVIEWER, "reader")

    items = library_items(user=user)

    recurring = [item for item in items if item.recurring]
    assert names(recurring) == [
        "International Dialogue on Migration (IDM) – First Session 2024",
        "International Dialogue on Migration (IDM) – Second Session 2024",
    ]
    assert items[:2] == recurring  # recurring items come first
    first, second = recurring
    assert first.kind == second.kind == "events"
    assert first.years == second.years == [2023, 2024]
    assert [v.name for v in first.versions] == [
        "International Dialogue on Migration (IDM) – First Session 2024",
        "International Dialogue on Migration (IDM) – First Session 2023",
    ]
    assert [v.name for v in second.versions][1].endswith("Second Session 2023")
    assert "Event name" in first.latest.changed  # the year in its name moved on
    assert first.versions[1].first
    # Every seeded row is in exactly one item.
    assert sum(len(item.versions) for item in items) == sum(
        model.objects.count() for model in ROW_MODELS.values()
    )


def test_an_item_shows_its_latest_version_and_what_changed_each_year(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")

    mayors = next(i for i in library_items(user=user) if i.name == "Mayors Mechanism")

    assert mayors.latest.row == years["mayors_2023"]
    assert [sdg.number for sdg in mayors.latest.sdgs] == [10, 11, 16]
    assert [(v.year, v.first) for v in mayors.versions] == [(2023, False), (2022, True)]
    assert mayors.latest.changed == ["Partners", "Relevant SDGs", "Description", "Website"]
    assert mayors.versions[1].changed == []


def test_recurring_items_come_first_then_single_year_ones(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")

    items = library_items(user=user)

    assert [(item.name, item.recurring) for item in items] == [
        ("World Migration Report 2023", True),
        ("Mayors Mechanism", True),
        ("Global Forum on Migration and Development", False),
        ("iDiaspora", False),
    ]


def test_filters_by_table_name_and_recurring(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")

    assert names(library_items(user=user, kind="events")) == [
        "Global Forum on Migration and Development"
    ]
    assert names(library_items(user=user, kind="initiatives", recurring_only=True)) == [
        "Mayors Mechanism"
    ]
    # The text is looked for in every year's name, case aside.
    assert names(library_items(user=user, query="REPORT 2022")) == ["World Migration Report 2023"]
    assert names(library_items(user=user, query="nothing like this")) == []


def test_rows_of_another_organization_are_never_listed(organization, years, other):
    user = make_member(organization, Role.COORDINATOR, "focal")

    items = library_items(user=user)

    listed = [v.row for item in items for v in item.versions]
    assert other["mayors"] not in listed
    assert other["secret"] not in listed
    assert "UNDP Accelerator Labs" not in names(items)


def test_a_member_of_two_organizations_sees_their_items_apart(
    organization, other_organization, years, other
):
    user = make_member(organization, Role.CONTRIBUTOR, "both")
    make_member(other_organization, Role.CONTRIBUTOR, "someone")
    other_organization.memberships.create(user=user, role=Role.CONTRIBUTOR)

    mayors = [i for i in library_items(user=user) if i.name == "Mayors Mechanism"]

    assert sorted((i.organization.code, i.years) for i in mayors) == [
        ("IOM", [2022, 2023]),
        ("UNDP", [2023]),
    ]


def test_library_items_queries_do_not_grow_with_rows_and_years(organization, years):
    """A fixed number of queries however many rows: no N+1 on each row's SDGs or its year.

    The submissions; the rows' names and keys of the three tables (one query); per table the
    rows and their SDGs (and, when the process has not read them yet, the questionnaires'
    questions: three more)."""
    from submissions.selectors import questions_memo

    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    library_items(user=user)  # the questions read
    with CaptureQueriesContext(connection) as few:
        items = library_items(user=user)
        for item in items:
            [(v.year, v.sdgs, v.changed) for v in item.versions]
    for year in (2019, 2020, 2021):
        submission = Submission.objects.create(
            organization=organization, questionnaire=make_questionnaire(year)
        )
        for n in range(8):
            for table in TABLES:
                add_row(submission, table, f"Item {n} of {table} {year}", sdgs=[n + 1, 17])

    questions_memo.clear()
    with CaptureQueriesContext(connection) as cold:
        library_items(user=user)
    with CaptureQueriesContext(connection) as many:
        items = library_items(user=user)
        for item in items:
            [(v.year, v.sdgs, v.changed) for v in item.versions]

    assert len(items) == 4 + 24
    assert len(few) == len(many) == 1 + 1 + 3 * 2
    assert len(cold) == len(many) + 3


# -- Offers ---------------------------------------------------------------------------------


def offers_of(user, name):
    items = library_items(user=user)
    library_reuse_offers(items=items, targets=library_reuse_targets(user=user))
    item = next(i for i in items if i.name.casefold() == name.casefold())
    return [(o.submission.questionnaire.year, o.state) for o in item.offers]


def test_items_offer_reuse_in_the_open_submission_only(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    assert offers_of(user, "Mayors Mechanism") == [(2025, AVAILABLE)]

    add_row(years["s2025"], "initiatives", "Mayors mechanism")
    assert offers_of(user, "Mayors Mechanism") == [(2025, PRESENT)]

    years["s2025"].status = SubmissionStatus.FINALIZED
    years["s2025"].save()
    assert offers_of(user, "iDiaspora") == []


def test_a_full_table_is_offered_as_full(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    Question.objects.filter(questionnaire__year=2025, table="resources").update(max_rows=1)
    add_row(years["s2025"], "resources", "Migration Data Portal")

    assert offers_of(user, "World Migration Report 2023") == [(2025, FULL)]


def test_a_reviewer_is_offered_no_reuse(organization, years):
    user = make_member(organization, Role.REVIEWER, "reader")
    assert offers_of(user, "Mayors Mechanism") == []


def test_row_values_read_in_one_query_are_what_the_orm_reads(organization, years):
    """The rows' names, keys and places of the three tables in one query: the same values, of
    the same types (an aware datetime on SQLite too), as each table's own read."""
    from submissions.insight.library import ROW_REF_FIELDS
    from submissions.selectors import table_row_values

    ids = [years["s2022"].pk, years["s2023"].pk]
    with CaptureQueriesContext(connection) as read:
        found = table_row_values(submission_ids=ids, kinds=list(ROW_MODELS), fields=ROW_REF_FIELDS)
    assert len(read) == 1
    for kind, model in ROW_MODELS.items():
        expected = model.objects.filter(submission_id__in=ids).values_list(*ROW_REF_FIELDS)
        assert sorted(found[kind]) == sorted(expected) and found[kind]
    assert timezone.is_aware(found["events"][0][ROW_REF_FIELDS.index("updated_at")])
    assert table_row_values(submission_ids=ids[1:], kinds=["events"], fields=("id",)) == {
        "events": [(row.pk,) for row in Event.objects.filter(submission_id=ids[1])]
    }


def test_the_page_offers_what_the_open_submission_has(organization, years):
    """The page reads the rows once for its list and its offers: each item says whether the
    open year has it already, can take it or is full, in every table and in one table."""
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))

    def offer(name, **query):
        html = client.get(reverse("library"), query).content.decode()
        article = next(a for a in html.split("<article")[1:] if name in a)
        return re.sub(
            r"\s+", " ", re.search(r"gap-2 align-items-center.*?</div>", article, re.S)[0]
        )

    assert "Reuse in 2025 submission" in offer("Mayors Mechanism")
    add_row(years["s2025"], "initiatives", "Mayors mechanism")
    assert "In the 2025 submission" in offer("Mayors Mechanism")
    assert "In the 2025 submission" in offer("Mayors Mechanism", kind="initiatives")
    assert "Reuse in 2025 submission" in offer("World Migration Report", kind="resources")
    Question.objects.filter(questionnaire__year=2025, table="resources").update(max_rows=1)
    questionnaire_structure_changed(questionnaire=years["s2025"].questionnaire)
    add_row(years["s2025"], "resources", "Migration Data Portal")
    assert "is full" in offer("World Migration Report")


def test_an_offer_sent_as_drawn_reuses_the_item_and_returns_to_the_filters(organization, years):
    """The reuse form carries the reader's CSRF token and the page it was on (its filters,
    with characters that need escaping): sent as the page drew it, with CSRF checks on, it
    copies the item and a refusal comes back to the same filters."""
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    query = {"q": 'Mayors "<b>', "kind": "initiatives"}
    assert "Mayors Mechanism" not in client.get(reverse("library"), query).content.decode()
    query["q"] = "Mayors"
    html = client.get(reverse("library"), {**query, "x": '"<b>&'}).content.decode()
    action = reverse("library_reuse")
    form = re.search(rf'<form method="post" action="({action})".*?</form>', html, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[0]))
    assert "<b>" not in form[0] and fields["next"].startswith("/library/?")
    fields = {
        name: value.replace("&amp;", "&")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        for name, value in fields.items()
    }
    assert fields["next"] == reverse("library") + "?q=Mayors&kind=initiatives&x=%22%3Cb%3E%26"

    response = client.post(form[1], fields)
    assert response.status_code == 302
    assert years["s2025"].initiatives.filter(name="Mayors Mechanism").exists()

    years["s2025"].status = SubmissionStatus.FINALIZED
    years["s2025"].save()
    refused = client.post(form[1], fields)
    assert refused["Location"] == fields["next"]


def test_the_offers_are_worded_in_the_readers_language(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    Question.objects.filter(questionnaire__year=2025, table="resources").update(max_rows=1)
    questionnaire_structure_changed(questionnaire=years["s2025"].questionnaire)
    add_row(years["s2025"], "resources", "Migration Data Portal")
    add_row(years["s2025"], "initiatives", "Mayors mechanism")
    try:
        client.post(reverse("set_language"), {"language": "fr"})
        page = re.sub(r"\s+", " ", client.get(reverse("library")).content.decode())
    finally:
        translation.activate("en")  # the middleware leaves the thread in the reader's language
    assert "Réutiliser dans la contribution 2025" in page  # iDiaspora
    assert "Dans la contribution 2025" in page  # the Mayors Mechanism
    assert (
        "Non réutilisable en 2025 : la question 3 admet au plus 1 ligne et elle est complète."
        in page
    )
    for english in ("Reuse in 2025", "In the 2025 submission", "Not reusable in 2025"):
        assert english not in page


def test_offers_queries_do_not_grow_with_targets_rows(organization, years):
    """A fixed number of queries for the open submissions: no N+1 on their rows or roles.
    The submissions (with the user's role), then the rows of the three tables (one query); the
    questions come from the process memo, read once."""
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    library_reuse_targets(user=user)
    with CaptureQueriesContext(connection) as few:
        library_reuse_targets(user=user)
    for n in range(10):
        add_row(years["s2025"], "initiatives", f"Initiative {n}")
        add_row(years["s2025"], "events", f"Event {n}")
    with CaptureQueriesContext(connection) as many:
        library_reuse_targets(user=user)
    assert len(few) == len(many) == 2


# -- Reuse (service) ------------------------------------------------------------------------


def test_reuse_copies_the_latest_version_with_its_sdgs_and_records_it(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    target = years["s2025"]
    add_row(target, "initiatives", "Climate Mobility Innovation Lab")

    copy = library_item_reuse(submission=target, row=years["mayors_2023"], user=user)

    copy.refresh_from_db()
    assert copy.submission == target
    assert copy.question == target.questionnaire.questions.get(table="initiatives")
    assert copy.position == 1  # after the row that was there
    assert (copy.name, copy.description, copy.partners, copy.website) == (
        "Mayors Mechanism",
        "Cities and displacement.",
        "UCLG",
        "https://www.mayorsmechanism.org",
    )
    assert sorted(copy.sdgs.values_list("number", flat=True)) == [10, 11, 16]
    assert (copy.carried_from_year, copy.version, copy.updated_by) == (2023, 1, user)
    # The source is untouched.
    years["mayors_2023"].refresh_from_db()
    assert years["mayors_2023"].submission == years["s2023"]
    # The history has the copy, by this user, as reused from the library.
    (version,) = Version.objects.get_for_object(copy)
    assert version.revision.comment == REUSED_FROM_LIBRARY
    assert version.revision.user == user
    assert sorted(int(n) for n in version.field_dict["sdgs"]) == [10, 11, 16]


def test_reuse_goes_to_the_first_question_with_that_table(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    questionnaire = years["s2025"].questionnaire
    Question.objects.create(
        questionnaire=questionnaire,
        number="9",
        position=9,
        prompt="More initiatives?",
        has_narrative=False,
        table="initiatives",
    )

    copy = library_item_reuse(submission=years["s2025"], row=years["idiaspora"], user=user)

    assert copy.question.number == "4"


def refused(submission, row, user, message):
    before = writes()
    with pytest.raises(ServiceError) as error:
        library_item_reuse(submission=submission, row=row, user=user)
    assert message in str(error.value)
    assert writes() == before


def test_reuse_is_refused_in_a_finalized_submission(organization, years):
    user = make_member(organization, Role.COORDINATOR, "focal")
    years["s2025"].status = SubmissionStatus.FINALIZED
    years["s2025"].save()
    refused(years["s2025"], years["mayors_2023"], user, "finalized and read-only")


def test_reuse_is_refused_without_a_question_with_that_table(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    Question.objects.filter(questionnaire=years["s2025"].questionnaire, table="events").delete()
    refused(years["s2025"], years["gfmd"], user, "The 2025 questionnaire has no table of events.")


def test_reuse_is_refused_when_the_table_is_full(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    Question.objects.filter(questionnaire__year=2025, table="resources").update(max_rows=1)
    add_row(years["s2025"], "resources", "Migration Data Portal")
    refused(
        years["s2025"],
        years["wmr_2023"],
        user,
        "Question 3 of the 2025 submission takes at most 1 row",
    )


def test_reuse_is_refused_when_the_submission_has_the_item_already(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    add_row(years["s2025"], "resources", "World Migration Report 2025")
    refused(
        years["s2025"],
        years["wmr_2023"],
        user,
        "The 2025 submission already has “World Migration Report 2025”.",
    )


def test_reuse_is_refused_for_a_row_of_another_organization(organization, years, other):
    user = make_member(organization, Role.COORDINATOR, "focal")
    refused(years["s2025"], other["secret"], user, "belongs to another organization")


# -- The page and its action ----------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (
        client.get(reverse("library")),
        client.post(reverse("library_reuse"), {}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.REVIEWER, Role.COORDINATOR])
def test_any_role_may_view_the_library(organization, years, other, role):
    response = client_for(make_member(organization, role, "member")).get(reverse("library"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mayors Mechanism" in page
    assert "World Migration Report 2023" in page
    assert "UNDP Accelerator Labs" not in page  # another organization's
    reuse = "Reuse in 2025 submission"
    assert (reuse in page) == (role != Role.REVIEWER)


def test_the_page_shows_years_sdgs_and_history(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))

    response = client.get(reverse("library"), {"kind": "initiatives", "recurring": "1"})

    page = response.content.decode()
    assert [item.name for item in response.context["items"]] == ["Mayors Mechanism"]
    assert "iDiaspora" not in page
    assert '<span class="badge text-bg-primary">2022</span>' in page
    assert '<span class="badge text-bg-primary">2023</span>' in page
    assert "sdg-16" in page
    assert "<details" in page and "History by year (2 years)" in page
    assert "Partners, Relevant SDGs, Description, Website" in page
    assert (
        reverse("row_history", args=[years["s2022"].pk, "initiatives", years["mayors_2022"].pk])
        in page
    )


def test_the_page_says_when_nothing_matches(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    response = client.get(reverse("library"), {"q": "zzz"})
    assert "No item matches these filters." in response.content.decode()


def test_the_page_queries_do_not_grow_with_rows(organization, years):
    """The page reads in a fixed number of queries: no N+1 on rows' SDGs, years or offers."""
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    client.get(reverse("library"))  # the questions are read once per process (the memo)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("library")).status_code == 200
    for n in range(15):
        add_row(years["s2023"], "initiatives", f"Programme number {n}", sdgs=[n % 17 + 1])
        add_row(years["s2025"], "events", f"Conference {n}", sdgs=[1, 2])
    cache.clear()  # both pages read every item shown in full (none of them cached)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("library")).status_code == 200
    assert len(few) == len(many)


def post_reuse(client, submission, row, table="initiatives", **extra):
    return client.post(
        reverse("library_reuse"),
        {"submission": submission.pk, "table": table, "row": row.pk, **extra},
    )


def test_reusing_copies_and_opens_the_question(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    client = client_for(user)

    response = post_reuse(client, years["s2025"], years["mayors_2023"])

    assert response.status_code == 302
    assert response["Location"] == reverse("question_edit", args=[years["s2025"].pk, "4"])
    copy = Initiative.objects.get(submission=years["s2025"])
    assert (copy.name, copy.carried_from_year, copy.updated_by) == ("Mayors Mechanism", 2023, user)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "“Mayors Mechanism” from 2023 is now in question 4 of the 2025 submission."
    # The library now shows it as present there, with no button.
    page = client.get(reverse("library"), {"q": "mayors"}).content.decode()
    assert "In the 2025 submission" in page
    assert "Reuse in 2025 submission" not in page


def test_a_refused_reuse_goes_back_to_the_library_with_the_reason(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    add_row(years["s2025"], "initiatives", "Mayors mechanism")
    before = writes()

    response = post_reuse(
        client, years["s2025"], years["mayors_2023"], next="/library/?q=mayors&recurring=1"
    )

    assert response.status_code == 302
    assert response["Location"] == "/library/?q=mayors&recurring=1"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "The 2025 submission already has “Mayors mechanism”."
    assert writes() == before


def test_a_refused_reuse_never_redirects_elsewhere(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    add_row(years["s2025"], "initiatives", "Mayors mechanism")
    response = post_reuse(
        client, years["s2025"], years["mayors_2023"], next="https://example.com/?x"
    )
    assert response["Location"] == reverse("library")


def test_reusing_in_a_finalized_submission_is_refused_with_a_message(organization, years):
    client = client_for(make_member(organization, Role.COORDINATOR, "focal"))
    years["s2025"].status = SubmissionStatus.FINALIZED
    years["s2025"].save()
    before = writes()

    response = post_reuse(client, years["s2025"], years["mayors_2023"])

    assert response["Location"] == reverse("library")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "finalized and read-only" in message
    assert writes() == before


def test_a_reviewer_may_not_reuse(organization, years):
    client = client_for(make_member(organization, Role.REVIEWER, "reader"))
    before = writes()

    response = post_reuse(client, years["s2025"], years["mayors_2023"])

    assert response.status_code == 403
    assert writes() == before


def test_another_organizations_row_or_submission_is_not_found(organization, years, other):
    client = client_for(make_member(organization, Role.COORDINATOR, "focal"))
    other_open = Submission.objects.create(
        organization=other["submission"].organization,
        questionnaire=years["s2025"].questionnaire,
    )
    before = writes()

    assert post_reuse(client, years["s2025"], other["secret"]).status_code == 404
    assert post_reuse(client, other_open, years["mayors_2023"]).status_code == 404
    assert writes() == before


@pytest.mark.parametrize(
    "data",
    [
        {"table": "initiatives", "row": "abc"},
        {"table": "initiatives"},
        {"table": "answers"},
        {"table": "events"},  # the row id is an initiative's, not an event's
    ],
)
def test_a_forged_form_is_not_found(organization, years, data):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    form = {"submission": years["s2025"].pk, "row": years["mayors_2023"].pk + 1000, **data}
    assert client.post(reverse("library_reuse"), form).status_code == 404


def test_get_on_the_reuse_action_is_not_allowed(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    assert client.get(reverse("library_reuse")).status_code == 405


def test_reuse_without_a_csrf_token_is_refused(organization, years):
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert post_reuse(client, years["s2025"], years["mayors_2023"]).status_code == 403
    assert not Initiative.objects.filter(submission=years["s2025"]).exists()


def test_reuse_in_next_years_seeded_submission_copies_the_2024_session():
    """The demo's new-year flow: 2024 copied as 2025, opened, and an IDM session reused."""
    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")
    user = make_member(iom, Role.COORDINATOR, "focal")
    questionnaire = questionnaire_copy_as_next_year(
        questionnaire=Questionnaire.objects.get(slug="desa-2024")
    )
    questionnaire.is_open = True
    questionnaire.save()
    target = submission_open(organization=iom, questionnaire=questionnaire)
    item = next(i for i in library_items(user=user) if i.name.endswith("First Session 2024"))

    response = post_reuse(client_for(user), target, item.latest.row, table="events")

    assert response["Location"] == reverse("question_edit", args=[target.pk, "3"])
    copy = Event.objects.get(submission=target)
    assert copy.name == "International Dialogue on Migration (IDM) – First Session 2024"
    assert copy.carried_from_year == 2024
    assert sorted(copy.sdgs.values_list("number", flat=True)) == sorted(
        item.latest.row.sdgs.values_list("number", flat=True)
    )


# -- Pages and filters ----------------------------------------------------------------------


def grow(submission, table, count, prefix, sdgs=(3, 17)):
    """``count`` more rows in the submission's table, their SDGs set (as a big year has)."""
    rows = [add_row(submission, table, f"{prefix} {chr(65 + n % 26)}{n}") for n in range(count)]
    for row in rows:
        row.sdgs.set(sdgs)
    return rows


def test_the_page_shows_20_items_and_links_the_next_pages(organization, years):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    grow(years["s2023"], "events", 30, "Regional review")  # 34 items in all

    first = client.get(reverse("library"))
    last = client.get(reverse("library"), {"page": "2"})

    assert len(first.context["items"]) == 20 and len(last.context["items"]) == 14
    assert first.context["items"][0].recurring  # recurring items first, on page 1
    shown = {(i.kind, i.pk) for i in first.context["items"]}
    assert shown.isdisjoint((i.kind, i.pk) for i in last.context["items"])
    page = first.content.decode()
    assert "Items 1 to 20 of 34" in page and "?page=2" in page
    assert "32 items in one year" in page  # the headings count every page's items
    assert "Items 21 to 34 of 34" in last.content.decode()


@pytest.mark.parametrize(
    ("page", "shown", "notice"),
    [
        ("abc", 1, "“abc” is not a page number: the first page is shown."),
        ("0", 1, "Pages are numbered from 1: the first page is shown."),
        ("9", 2, "There is no page 9 (the last is page 2): the last page is shown."),
    ],
)
def test_a_page_that_does_not_exist_says_which_is_shown(organization, years, page, shown, notice):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    grow(years["s2023"], "events", 30, "Regional review")

    response = client.get(reverse("library"), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert notice in response.content.decode()


def test_an_unknown_table_or_organization_says_what_is_shown(organization, years, other):
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))

    response = client.get(reverse("library"), {"kind": "budgets", "organization": "UNDP"})

    page = response.content.decode()
    assert "There is no table “budgets”: every table is shown." in page
    # Another organization's code is not a way in: the user's own items are shown.
    assert "“UNDP” is not one of your organizations: IOM is shown." in page
    assert "UNDP Accelerator Labs" not in page
    assert "Mayors Mechanism" in page


def test_a_member_of_two_organizations_sees_one_at_a_time(
    organization, other_organization, years, other
):
    """An item recurs within its organization: a member of several sees one organization's
    library at a time (the first they coordinate by default), never all rows at once, and
    is offered reuse in that organization's submissions only."""
    user = make_member(organization, Role.CONTRIBUTOR, "both")
    other_organization.memberships.create(user=user, role=Role.COORDINATOR)
    client = client_for(user)

    first = client.get(reverse("library"))
    undp = client.get(reverse("library"), {"organization": other_organization.code})
    iom = client.get(reverse("library"), {"organization": organization.code})

    assert {i.organization.code for i in first.context["items"]} == {"UNDP"}
    assert {i.organization.code for i in iom.context["items"]} == {"IOM"}
    assert "All your organizations" not in first.content.decode()
    assert {i.organization.code for i in undp.context["items"]} == {"UNDP"}
    assert names(undp.context["items"]) == ["Mayors Mechanism", "UNDP Accelerator Labs"]
    assert '<option value="UNDP" selected>UNDP</option>' in undp.content.decode()
    # A member of one organization is offered no such filter.
    single = client_for(make_member(organization, Role.REVIEWER, "one"))
    assert 'id="library-organization"' not in single.get(reverse("library")).content.decode()


def test_the_page_runs_the_same_queries_at_16_and_120_rows_in_a_submission(
    organization, years, django_assert_num_queries
):
    """A year of 120 rows costs the page no query more: rows by table, SDGs of the page's
    items only (a query per table shown), the offers' rows with their stored keys."""
    client = client_for(make_member(organization, Role.CONTRIBUTOR, "writer"))
    grow(years["s2023"], "initiatives", 10, "Joint programme on labour mobility")
    grow(years["s2025"], "events", 6, "Dialogue session")
    client.get(reverse("library"))  # the questions are read once per process (the memo)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("library")).status_code == 200
    grow(years["s2023"], "initiatives", 104, "Joint programme on labour mobility, phase")
    grow(years["s2025"], "events", 100, "Dialogue session, round")
    grow(years["s2022"], "resources", 60, "Migration data brief")
    cache.clear()  # both pages read every item shown in full (none of them cached)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("library"))
    assert len(response.context["items"]) == 20
    assert response.context["page"].paginator.num_pages == 15


def test_an_item_shown_again_is_not_read_in_full_and_an_edit_shows_at_once(organization, years):
    """The page keeps each item's history as rendered under its rows' versions: shown again,
    its rows are not read again; once one of them is edited (through the write gate), the
    next page shows the edit, and a French reader never gets the English HTML."""
    writer = make_member(organization, Role.CONTRIBUTOR, "writer")
    client = client_for(writer)
    row = add_row(years["s2025"], "initiatives", "Mayors Mechanism", sdgs=[10, 11, 16])

    def page():
        return page_html(client, reverse("library"))

    def edit(values, sdgs):
        row.refresh_from_db()
        return row_save(
            submission=years["s2025"],
            question=row.question,
            row_id=row.pk,
            base_version=row.version,
            values=values,
            sdgs=sdgs,
            position=row.position,
            user=writer,
            key="row-1",
        )

    with CaptureQueriesContext(connection) as first:
        before = page()
    with CaptureQueriesContext(connection) as again:
        assert page() == before
    assert len(again.captured_queries) < len(first.captured_queries)
    assert "Cities and displacement." not in before  # the 2025 row has no description yet

    result = edit(
        {"name": "Mayors Mechanism", "description": "Cities, displacement and climate."},
        [10, 11, 13],
    )
    assert result.status == "saved", result

    after = page()
    assert "Cities, displacement and climate." in after
    assert "SDG 13" in after

    # Renamed, the row leaves the item: the grouping kept for the page is not used again.
    renamed = edit({"name": "Migration Youth Forum", "description": "Young people."}, [4])
    assert renamed.status == "saved", renamed
    items = {item.name: item for item in client.get(reverse("library")).context["items"]}
    assert items["Migration Youth Forum"].years == [2025]
    assert items["Mayors Mechanism"].years == [2022, 2023]
    french = client_for(make_member(organization, Role.REVIEWER, "lecteur"))
    try:
        french.post(reverse("set_language"), {"language": "fr"})
        page = french.get(reverse("library")).content.decode()
    finally:
        translation.activate("en")  # the middleware leaves the thread in the reader's language
    assert "Historique par année" in page and "History by year" not in page


def test_offers_use_the_stored_keys_of_the_target_rows(organization, years):
    """An item is present in the open submission when a row there is the same item, by the
    rule (year, case and punctuation aside), found among that submission's rows by index."""
    user = make_member(organization, Role.CONTRIBUTOR, "writer")
    grow(years["s2025"], "resources", 40, "Country migration profile")
    add_row(years["s2025"], "resources", "WORLD MIGRATION REPORT, 2025")

    # The 2025 row joins the report's item (newest first) and is found in the target.
    assert offers_of(user, "WORLD MIGRATION REPORT, 2025") == [(2025, PRESENT)]
    with pytest.raises(ServiceError, match="already has “WORLD MIGRATION REPORT, 2025”"):
        library_item_reuse(submission=years["s2025"], row=years["wmr_2023"], user=user)
