"""The editing page over HTTP: autosave (JSON) and Save (form), conflicts, bad input, queries."""

import re

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse

from submissions.models import Answer, Event, Initiative, Question, Submission
from submissions.selectors import questions_memo
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def edit_url(submission, number):
    return reverse("question_edit", args=[submission.pk, number])


def rows_management(total):
    return {
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }


def event_row(index, **values):
    row = {
        "id": "",
        "version": "0",
        "position": str(index),
        "name": "",
        "dates": "",
        "location": "",
        "description": "",
        "website": "",
    }
    row.update(values)
    data = {f"rows-{index}-{k}": v for k, v in row.items() if k != "sdgs"}
    if "sdgs" in values:
        data[f"rows-{index}-sdgs"] = values["sdgs"]
    return data


def results_by_key(response):
    return {r["key"]: r for r in response.json()["results"]}


def test_edit_page_shows_the_question_counter_and_toc(contributor_client, submission):
    response = contributor_client.get(edit_url(submission, "1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Decisions?" in html
    assert 'data-word-limit="200"' in html
    assert 'aria-live="polite"' in html
    assert "Six transitions?" in html  # in the table of contents


def test_edit_page_links_to_the_previous_and_next_questions(contributor_client, submission):
    """In the save bar and again below the form (where a phone shows them): the question
    before and the one after (the questionnaire's 1, 3 and 5); the first question has no
    "before", the last no "after"."""

    def links(number):
        html = contributor_client.get(edit_url(submission, number)).content.decode()
        return re.findall(
            r'<a class="btn btn-outline-secondary btn-sm[^"]*" href="([^"]+)">([^<]+)</a>', html
        )

    first, last = (
        (edit_url(submission, "1"), "← Question 1"),
        (edit_url(submission, "5"), "Question 5 →"),
    )
    assert links("3") == [first, last, first, last]
    assert links("1") == [(edit_url(submission, "3"), "Question 3 →")] * 2
    assert links("5") == [(edit_url(submission, "3"), "← Question 3")] * 2


def test_edit_page_of_unknown_question_is_404(contributor_client, submission):
    assert contributor_client.get(edit_url(submission, "99")).status_code == 404


def test_autosave_answer_returns_version_and_time(contributor_client, submission):
    response = contributor_client.post(
        edit_url(submission, "1"),
        {"autosave": "1", "answer-main-text": "Hello world", "answer-main-version": "0"},
        **JSON,
    )
    assert response.status_code == 200
    result = results_by_key(response)["answer-main"]
    assert (result["status"], result["version"]) == ("saved", 1)
    assert response.json()["saved_at"]
    assert Answer.objects.get().text == "Hello world"


def test_save_button_redirects_with_message(contributor_client, submission):
    response = contributor_client.post(
        edit_url(submission, "1"),
        {"answer-main-text": "Hello", "answer-main-version": "0"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == edit_url(submission, "1")
    assert "Saved." in response.content.decode()


def test_parts_are_saved_each_on_their_own(contributor_client, submission):
    question = submission.questionnaire.questions.get(number="5")
    food, energy = question.parts.all()
    response = contributor_client.post(
        edit_url(submission, "5"),
        {
            "answer-main-text": "Intro",
            "answer-main-version": "0",
            f"answer-part-{food.pk}-text": "Food text",
            f"answer-part-{food.pk}-version": "0",
            f"answer-part-{energy.pk}-text": "",
            f"answer-part-{energy.pk}-version": "0",
        },
        **JSON,
    )
    assert response.status_code == 200
    assert Answer.objects.get(part=food).text == "Food text"
    assert not Answer.objects.filter(part=energy).exists()


def test_two_clients_editing_the_same_answer(submission, organization):
    """The second save from the old version is refused and shows the current text."""
    alice, bob = Client(), Client()
    alice.force_login(make_member(organization, "contributor", "alice"))
    bob.force_login(make_member(organization, "contributor", "bob"))
    url = edit_url(submission, "1")
    alice.post(url, {"answer-main-text": "Base", "answer-main-version": "0"}, **JSON)
    # Both now have version 1 on screen.
    alice.post(url, {"answer-main-text": "Alice wrote", "answer-main-version": "1"}, **JSON)
    response = bob.post(url, {"answer-main-text": "Bob wrote", "answer-main-version": "1"}, **JSON)
    result = results_by_key(response)["answer-main"]
    assert result["status"] == "conflict"
    assert result["current"]["text"] == "Alice wrote"
    assert result["updated_by"] == "alice"
    assert Answer.objects.get().text == "Alice wrote"

    # Without JavaScript, the page comes back with Bob's text in the box and Alice's beside it.
    response = bob.post(url, {"answer-main-text": "Bob wrote", "answer-main-version": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Bob wrote" in html and "Alice wrote" in html
    # Saving again from the version he was shown keeps Bob's text.
    bob.post(url, {"answer-main-text": "Bob merged", "answer-main-version": "2"})
    assert Answer.objects.get().text == "Bob merged"


def test_add_row_with_sdgs_then_edit_it(contributor_client, submission, sdgs):
    url = edit_url(submission, "3")
    data = {"autosave": "1", **rows_management(1), **event_row(0, name="IDM", sdgs=["1", "17"])}
    response = contributor_client.post(url, data, **JSON)
    result = results_by_key(response)["rows-0"]
    assert result["status"] == "saved"
    event = Event.objects.get()
    assert sorted(event.sdgs.values_list("number", flat=True)) == [1, 17]

    data = {
        "autosave": "1",
        **rows_management(1),
        **event_row(0, id=str(event.pk), version="1", name="IDM 2024", sdgs=["1"]),
    }
    response = contributor_client.post(url, data, **JSON)
    assert results_by_key(response)["rows-0"]["version"] == 2
    event.refresh_from_db()
    assert event.name == "IDM 2024"
    assert list(event.sdgs.values_list("number", flat=True)) == [1]


def test_autosave_does_not_remove_rows_but_save_does(contributor_client, submission, sdgs):
    event = Event.objects.create(
        submission=submission, question=submission.questionnaire.questions.get(number="3"), name="X"
    )
    url = edit_url(submission, "3")
    row = event_row(0, id=str(event.pk), version="1", name="X", DELETE="on")
    contributor_client.post(url, {"autosave": "1", **rows_management(1), **row}, **JSON)
    assert Event.objects.filter(pk=event.pk).exists()
    contributor_client.post(url, {**rows_management(1), **row})
    assert not Event.objects.filter(pk=event.pk).exists()


def test_row_deleted_by_one_user_while_another_edits_it(submission, organization, sdgs):
    alice, bob = Client(), Client()
    alice.force_login(make_member(organization, "contributor", "alice"))
    bob.force_login(make_member(organization, "contributor", "bob"))
    event = Event.objects.create(
        submission=submission,
        question=submission.questionnaire.questions.get(number="3"),
        name="Conference",
    )
    url = edit_url(submission, "3")
    alice.post(
        url, {**rows_management(1), **event_row(0, id=str(event.pk), version="1", DELETE="on")}
    )
    assert not Event.objects.exists()
    response = bob.post(
        url,
        {
            "autosave": "1",
            **rows_management(1),
            **event_row(0, id=str(event.pk), version="1", name="Conference", location="Rome"),
        },
        **JSON,
    )
    result = results_by_key(response)["rows-0"]
    assert result["status"] == "missing"
    assert not Event.objects.exists()
    # Without JavaScript Bob sees his text kept; saving again adds it back as a new row.
    response = bob.post(
        url,
        {
            **rows_management(1),
            **event_row(0, id=str(event.pk), version="1", name="Conference", location="Rome"),
        },
    )
    assert response.status_code == 400
    assert "Rome" in response.content.decode()
    assert 'name="rows-0-id" id="id_rows-0-id"' in response.content.decode()
    bob.post(url, {**rows_management(1), **event_row(0, name="Conference", location="Rome")})
    assert Event.objects.get().location == "Rome"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer-main-text": "x" * 20_001}, "at most 20000 characters"),
        ({"answer-main-version": "-3", "answer-main-text": "hi"}, "greater than or equal to 0"),
    ],
)
def test_bad_answer_input_is_refused_clearly_and_saves_nothing(
    contributor_client, submission, data, message
):
    response = contributor_client.post(
        edit_url(submission, "1"), {"answer-main-version": "0", **data}, **JSON
    )
    assert response.status_code == 200
    result = results_by_key(response)["answer-main"]
    assert result["status"] == "invalid"
    assert message in " ".join(result["errors"])
    assert not Answer.objects.exists()


def test_control_characters_are_stripped(contributor_client, submission):
    contributor_client.post(
        edit_url(submission, "1"),
        {"answer-main-text": "Tab\there\x00 and\x0b bell\x07", "answer-main-version": "0"},
        **JSON,
    )
    assert Answer.objects.get().text == "Tab\there and bell"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"website": "not a website"}, "web address"),
        ({"sdgs": ["18"]}, "SDG numbers go from 1 to 17"),
        ({"sdgs": ["abc"]}, "SDG numbers go from 1 to 17"),
        ({"description": "x" * 20_001}, "at most 20000 characters"),
    ],
)
def test_bad_row_input_is_refused_clearly_and_saves_nothing(
    contributor_client, submission, sdgs, values, message
):
    data = {"autosave": "1", **rows_management(1), **event_row(0, name="Event", **values)}
    response = contributor_client.post(edit_url(submission, "3"), data, **JSON)
    assert response.status_code == 200
    result = results_by_key(response)["rows-0"]
    assert result["status"] == "invalid"
    assert message in " ".join(result["errors"])
    assert not Event.objects.exists()


@pytest.mark.parametrize("website", ["n/a", "N/A", "Forthcoming", "https://www.iom.int", ""])
def test_seed_website_values_are_accepted(contributor_client, submission, sdgs, website):
    data = {"autosave": "1", **rows_management(1), **event_row(0, name="E", website=website)}
    response = contributor_client.post(edit_url(submission, "3"), data, **JSON)
    assert results_by_key(response)["rows-0"]["status"] == "saved"
    assert Event.objects.get().website == website


@pytest.mark.parametrize(
    "management",
    [
        {},
        {"rows-TOTAL_FORMS": "abc", "rows-INITIAL_FORMS": "0"},
        {"rows-TOTAL_FORMS": "-1", "rows-INITIAL_FORMS": "0"},
    ],
)
def test_tampered_management_form_changes_nothing(contributor_client, submission, management):
    data = {"autosave": "1", **management, **event_row(0, name="Sneaky")}
    response = contributor_client.post(edit_url(submission, "3"), data, **JSON)
    assert response.status_code == 200
    assert results_by_key(response)["rows"]["status"] == "invalid"
    assert not Event.objects.exists()
    # Without JavaScript: a clear page, not a server error.
    response = contributor_client.post(edit_url(submission, "3"), {**management})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_huge_total_forms_is_capped(contributor_client, submission):
    data = {"autosave": "1", **rows_management(10**9), **event_row(0, name="One")}
    response = contributor_client.post(edit_url(submission, "3"), data, **JSON)
    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_forged_row_id_of_another_submission(
    contributor_client, submission, other_organization, sdgs
):
    other = Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    foreign = Event.objects.create(
        submission=other, question=submission.questionnaire.questions.get(number="3"), name="Theirs"
    )
    data = {
        "autosave": "1",
        **rows_management(1),
        **event_row(0, id=str(foreign.pk), version="1", name="Mine now"),
    }
    response = contributor_client.post(edit_url(submission, "3"), data, **JSON)
    assert results_by_key(response)["rows-0"]["status"] == "missing"
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"
    assert Event.objects.count() == 1


def test_other_organizations_submission_is_404_for_edit_and_save(
    contributor_client, submission, other_organization
):
    other = Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    assert contributor_client.get(edit_url(other, "1")).status_code == 404
    response = contributor_client.post(
        edit_url(other, "1"), {"answer-main-text": "x", "answer-main-version": "0"}, **JSON
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_expired_session_gets_a_401_the_page_can_explain(client, submission):
    response = client.post(
        edit_url(submission, "1"), {"answer-main-text": "x", "answer-main-version": "0"}, **JSON
    )
    assert response.status_code == 401
    assert "session has expired" in response.json()["error"]
    assert client.get(edit_url(submission, "1")).status_code == 302


def test_finalized_submission_is_read_only(contributor_client, submission):
    submission.status = "finalized"
    submission.save()
    response = contributor_client.get(edit_url(submission, "1"))
    assert "finalized and read-only" in response.content.decode()
    response = contributor_client.post(
        edit_url(submission, "1"), {"answer-main-text": "x", "answer-main-version": "0"}, **JSON
    )
    assert response.status_code == 409
    assert not Answer.objects.exists()


def test_over_limit_shows_on_page_toc_and_dashboard(contributor_client, submission):
    contributor_client.post(
        edit_url(submission, "1"),
        {"answer-main-text": " ".join(["word"] * 201), "answer-main-version": "0"},
    )
    page = contributor_client.get(edit_url(submission, "1")).content.decode()
    assert "Over the limit" in page
    dashboard = contributor_client.get(reverse("home")).content.decode()
    assert "1 over its word limit" in dashboard
    overview = contributor_client.get(submission.get_absolute_url()).content.decode()
    assert "201 / 200 words" in overview


def full_submission(submission, extra_initiatives=0):
    """The 2024 shape: 3 events, 3 resources, 6 parts, 10 initiatives (plus extra)."""
    questionnaire = submission.questionnaire
    q5 = questionnaire.questions.get(number="5")
    for i in range(4):
        q5.parts.create(position=10 + i, title=f"Transition {i}", word_limit=200)
    resources = Question.objects.create(
        questionnaire=questionnaire, number="4", position=4, prompt="Resources", table="resources"
    )
    initiatives = Question.objects.create(
        questionnaire=questionnaire, number="7", position=7, prompt="Init", table="initiatives"
    )
    events = questionnaire.questions.get(number="3")
    for i in range(3):
        Event.objects.create(submission=submission, question=events, name=f"E{i}", position=i)
        submission.resources.create(question=resources, name=f"R{i}", position=i)
    for i in range(10 + extra_initiatives):
        row = Initiative.objects.create(
            submission=submission, question=initiatives, name=f"I{i}", position=i
        )
        row.sdgs.set([1, 2, 3])
    for part in q5.parts.all():
        Answer.objects.create(submission=submission, question=q5, part=part, text="Some words")


def test_edit_page_runs_a_fixed_number_of_queries(contributor_client, submission, sdgs):
    """Prevents an N+1 on rows, their SDGs and the table of contents' counts.

    The page's query count must not grow with the number of initiatives (10 vs 70), whether
    its cached parts are there or not (the questions, and the rows' SDGs, are read only when
    not cached).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    full_submission(submission)
    url = edit_url(submission, "7")
    contributor_client.get(url)  # warm the session

    def queries(*, cold: bool) -> tuple[int, str]:
        if cold:
            cache.clear()
            questions_memo.clear()
        with CaptureQueriesContext(connection) as captured:
            response = contributor_client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    cold, _ = queries(cold=True)
    warm, _ = queries(cold=False)
    assert warm < cold
    Initiative.objects.filter(submission=submission).delete()
    question = submission.questionnaire.questions.get(number="7")
    for i in range(70):
        row = Initiative.objects.create(
            submission=submission, question=question, name=f"I{i}", position=i
        )
        row.sdgs.set([4, 5])
    count, page = queries(cold=True)
    assert count == cold
    assert len(re.findall(r'data-prefix="rows-\d+"', page)) == 70
    count, page = queries(cold=False)
    assert count == warm
    assert len(re.findall(r'data-prefix="rows-\d+"', page)) == 70


def test_cached_parts_of_the_page_never_show_an_old_row_or_count(submission, organization, sdgs):
    """Rows, answers and the table of contents are cached as HTML: a change shows at once.

    Another user's save, a reorder (which keeps the version), a new answer elsewhere in
    the questionnaire and an answer replaced by an import each change what the next reload
    shows.
    """
    question = submission.questionnaire.questions.get(number="3")
    first = Event.objects.create(submission=submission, question=question, name="IDM", position=0)
    Event.objects.create(submission=submission, question=question, name="GCM", position=1)
    reader = Client()
    reader.force_login(make_member(organization, "contributor", "reader"))
    writer = Client()
    writer.force_login(make_member(organization, "contributor", "writer"))
    url = edit_url(submission, "3")

    def names_in_order():
        page = reader.get(url).content.decode()
        return re.findall(r'name="rows-\d+-name"[^>]*value="([^"]+)"', page)

    assert names_in_order() == ["IDM", "GCM"]
    response = writer.post(
        url,
        {
            "autosave": "1",
            **rows_management(1),
            **event_row(0, id=str(first.pk), version="1", name="IDM 2024", position="0"),
        },
        **JSON,
    )
    assert results_by_key(response)["rows-0"]["status"] == "saved"
    assert names_in_order() == ["IDM 2024", "GCM"]

    Event.objects.filter(pk=first.pk).update(position=5)  # moved down, same version
    assert names_in_order() == ["GCM", "IDM 2024"]
    page = reader.get(url).content.decode()
    assert re.search(r'name="rows-1-position"[^>]*value="5"', page)

    def table_of_contents():
        return reader.get(url).content.decode().split('class="toc"')[1].split("</nav>")[0]

    def answer_on_page():
        page = reader.get(edit_url(submission, "1")).content.decode()
        text = re.search(r'<textarea name="answer-main-text"[^>]*>(.*?)</textarea>', page, re.S)
        version = re.search(r'name="answer-main-version" value="(\d+)"', page)
        return text.group(1).strip(), version.group(1)

    assert "0 / 200 words" in table_of_contents()
    assert answer_on_page() == ("", "0")
    writer.post(
        edit_url(submission, "1"),
        {"autosave": "1", "answer-main-text": "Decided", "answer-main-version": "0"},
        **JSON,
    )
    assert "1 / 200 words" in table_of_contents()
    assert answer_on_page() == ("Decided", "1")
    # An import replaces the text in place with the next version.
    Answer.objects.filter(submission=submission, question__number="1").update(
        text="Imported text", version=F("version") + 1
    )
    assert answer_on_page() == ("Imported text", "2")


def test_a_comment_can_be_about_each_saved_row(contributor_client, submission, sdgs):
    question = submission.questionnaire.questions.get(number="3")
    named = Event.objects.create(submission=submission, question=question, name="IDM", position=0)
    unnamed = Event.objects.create(submission=submission, question=question, name="", position=1)
    marked = Event.objects.create(
        submission=submission, question=question, name="<b>R&D</b>", position=2
    )
    page = contributor_client.get(edit_url(submission, "3")).content.decode()
    assert f'<option value="row-{named.pk}">Row: IDM</option>' in page
    assert f'<option value="row-{unnamed.pk}">Row: (unnamed)</option>' in page
    assert f'<option value="row-{marked.pk}">Row: &lt;b&gt;R&amp;D&lt;/b&gt;</option>' in page


def test_a_table_shown_again_with_errors_keeps_its_posted_form_counts(
    contributor_client, submission, sdgs
):
    """The cached management form of the saved rows is not the one of a posted table."""
    question = submission.questionnaire.questions.get(number="3")
    for i, name in enumerate(["IDM", "GCM"]):
        Event.objects.create(submission=submission, question=question, name=name, position=i)
    url = edit_url(submission, "3")
    contributor_client.get(url)  # two saved rows: TOTAL_FORMS and INITIAL_FORMS both 2

    response = contributor_client.post(
        url,
        {
            **rows_management(2),  # two new rows, INITIAL_FORMS 0
            **event_row(0, name="Forum"),
            **event_row(1, name="Summit", website="not a website"),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'name="rows-INITIAL_FORMS" value="0"', page)
    assert re.search(r'name="rows-TOTAL_FORMS" value="2"', page)


def test_an_autosave_reads_what_it_needs_once(contributor_client, submission):
    """An autosave, the most frequent request, reads the submission to check access and then
    locks it, and reads no question, part, organization or questionnaire (the process has
    them, and the history's labels use them); its count stays the same as answers pile up.
    What it records in the history is labelled as before: submission and question or part."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from reversion.models import Version

    five = submission.questionnaire.questions.get(number="5")
    food = five.parts.get(title="Food systems")
    contributor_client.get(edit_url(submission, "1"))  # the session and the questions read

    def autosave(number, prefix, text, version):
        with CaptureQueriesContext(connection) as captured:
            response = contributor_client.post(
                edit_url(submission, number),
                {"autosave": "1", f"{prefix}-text": text, f"{prefix}-version": str(version)},
                **JSON,
            )
        assert results_by_key(response)[prefix]["status"] == "saved"
        return [q["sql"] for q in captured.captured_queries]

    def reads(sql, table):
        return sum(s.startswith("SELECT") and f'FROM "{table}"' in s for s in sql)

    first = autosave("1", "answer-main", "One answer.", 0)
    for table in (
        "submissions_question",
        "submissions_questionpart",
        "accounts_organization",
        "submissions_questionnaire",
    ):
        assert reads(first, table) == 0, table
    assert reads(first, "submissions_submission") == 2  # who may see it; its lock
    second = autosave("1", "answer-main", "One answer, again.", 1)
    for question in submission.questionnaire.questions.exclude(number__in=["1", "5"])[:3]:
        Answer.objects.create(submission=submission, question=question, text="Elsewhere.")
    assert len(autosave("1", "answer-main", "One answer, a third time.", 2)) == len(second)
    part_save = autosave("5", f"answer-part-{food.pk}", "Food, again.", 0)
    assert reads(part_save, "submissions_questionpart") == 0
    labels = set(Version.objects.values_list("object_repr", flat=True))
    assert f"{submission} – 1" in labels and f"{submission} – Food systems" in labels


def test_the_saved_table_kept_as_drawn_shows_what_changed_around_its_rows(
    submission, organization, sdgs
):
    """The table section is kept as drawn whole while its rows are the same: who may edit,
    the question's row limit (and whether it is reached), a row's open comments and the
    page's language each show at once."""
    from submissions.models import ReviewComment
    from submissions.services import questionnaire_structure_changed

    question = submission.questionnaire.questions.get(number="3")
    row = Event.objects.create(submission=submission, question=question, name="IDM", position=0)
    writer = make_member(organization, "contributor", "writer")
    reader = make_member(organization, "reviewer", "reader")
    client = Client()

    def table(user=writer, language="en"):
        client.force_login(user)
        session = client.session
        session["language"] = language
        session.save()
        page = client.get(edit_url(submission, "3")).content.decode()
        return re.sub(r"\s+", " ", page.split('class="table-section')[1].split("</section>")[0])

    assert "+ Add a row" in table() and "+ Add a row" not in table(reader)
    assert 'js-add-row"' in table() and "disabled" not in table().split("js-add-row")[1][:20]
    Question.objects.filter(pk=question.pk).update(max_rows=1)
    questionnaire_structure_changed(questionnaire=submission.questionnaire)
    limit = table()
    assert "This question takes up to 1 row." in limit
    assert 'js-add-row" disabled' in limit  # one row of one: the limit is reached
    Question.objects.filter(pk=question.pk).update(max_rows=3)
    questionnaire_structure_changed(questionnaire=submission.questionnaire)
    assert "This question takes up to 3 rows." in table()
    assert 'js-add-row" disabled' not in table()
    ReviewComment.objects.create(
        submission=submission, question=question, row_id=row.pk, author=reader, text="Which year?"
    )
    assert "1 comment</span>" in table()
    assert "Ajouter une ligne" in table(language="fr") and "Add a row" not in table(language="fr")
