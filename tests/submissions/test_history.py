"""History: every write recorded (who, when, what), word diffs, restore as a new change, timeline."""

import json
import re

import pytest
from django.urls import reverse
from reversion.models import Revision, Version

from accounts.models import Role
from submissions import changes, history
from submissions.changes import (
    CONFLICT,
    SAVED,
    UNCHANGED,
    answer_save,
    row_delete,
    row_save,
    submission_carry_forward,
)
from submissions.exports import render_export
from submissions.exports.restore import submission_restore
from submissions.importers import submission_import
from submissions.models import (
    Answer,
    Event,
    EventKind,
    Initiative,
    Question,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from submissions.services import (
    questionnaire_copy_as_next_year,
    questionnaire_create_from_definition,
)
from tests.conftest import make_member
from tests.submissions.importers.conftest import definition, seed_text

pytestmark = pytest.mark.django_db

EVENT = {"name": "IDM 2024", "dates": "21-22 May 2024", "location": "New York"}


def save(submission, user, text, version, *, number="1", part=None):
    question = submission.questionnaire.questions.get(number=number)
    return answer_save(
        submission=submission,
        question=question,
        part=part,
        text=text,
        base_version=version,
        user=user,
        key="answer-main",
    )


def versions_of(submission, number="1", part=None):
    question = submission.questionnaire.questions.get(number=number)
    return history.answer_versions(submission=submission, question=question, part=part)


def history_url(submission, number="1"):
    return reverse("answer_history", kwargs={"pk": submission.pk, "number": number})


def restore_url(submission, number="1"):
    return reverse("answer_restore", kwargs={"pk": submission.pk, "number": number})


def sent_for_review(submission, question, user, message):
    """A line of the question's timeline: sent from draft to review, with a message."""
    return SubmissionEvent.objects.create(
        submission=submission,
        question=question,
        kind=EventKind.QUESTION_STATUS,
        from_status="draft",
        to_status="in_review",
        actor=user,
        message=message,
    )


def add_event(submission, user, **values):
    question = submission.questionnaire.questions.get(number="3")
    return row_save(
        submission=submission,
        question=question,
        row_id=None,
        base_version=0,
        values={**EVENT, "description": "", "website": "", **values},
        sdgs=[4, 10],
        position=0,
        user=user,
        key="rows-0",
    )


def remove_event(submission, user, row_id, base_version, *, key="rows-0"):
    """Remove an event of question 3 through the write gate; the gate's result."""
    return row_delete(
        submission=submission,
        question=submission.questionnaire.questions.get(number="3"),
        row_id=row_id,
        base_version=base_version,
        key=key,
        user=user,
    )


# -- Recording ---------------------------------------------------------------------------------


def test_each_save_records_a_version_with_its_user_and_text(submission, contributor):
    save(submission, contributor, "First draft.", 0)
    save(submission, contributor, "Second draft.", 1)

    newest, oldest = versions_of(submission)
    assert [(v.number, v.text) for v in (newest, oldest)] == [
        (2, "Second draft."),
        (1, "First draft."),
    ]
    assert newest.user == contributor and newest.comment == "Saved" and newest.current
    assert not oldest.current
    # The stored version is the row as written by the UPDATE, not the object read before it.
    stored = Version.objects.get(pk=newest.id)
    assert (stored.field_dict["text"], stored.field_dict["version"]) == ("Second draft.", 2)
    assert stored.revision.user == contributor


def test_a_conflict_and_an_unchanged_save_record_nothing(submission, contributor, organization):
    colleague = make_member(organization, Role.CONTRIBUTOR, "colleague")
    save(submission, contributor, "Base.", 0)
    save(submission, contributor, "Alice's edit.", 1)
    before = Version.objects.count()

    assert save(submission, colleague, "Bob's edit.", 1).status == CONFLICT
    assert save(submission, contributor, "Alice's edit.", 2).status == UNCHANGED

    assert Version.objects.count() == before
    assert [v.text for v in versions_of(submission)] == ["Alice's edit.", "Base."]


def test_text_written_before_history_is_recorded_at_its_first_change(submission, contributor):
    question = submission.questionnaire.questions.get(number="1")
    Answer.objects.create(
        submission=submission, question=question, text="Old text.", updated_by=contributor
    )
    [current] = versions_of(submission)
    assert (current.id, current.text, current.current) == (0, "Old text.", True)

    save(submission, contributor, "New text.", 1)

    assert [(v.number, v.text, v.comment) for v in versions_of(submission)] == [
        (2, "New text.", "Saved"),
        (1, "Old text.", "Recorded"),
    ]


def test_rows_are_recorded_with_their_sdgs_and_a_removed_row_can_be_added_back(
    submission, contributor, sdgs
):
    created = add_event(submission, contributor)
    question = submission.questionnaire.questions.get(number="3")
    row_save(
        submission=submission,
        question=question,
        row_id=created.id,
        base_version=1,
        values={**EVENT, "name": "IDM 2025", "description": "", "website": ""},
        sdgs=[4, 10, 17],
        position=0,
        user=contributor,
        key="rows-0",
    )
    removed = row_delete(
        submission=submission,
        question=question,
        row_id=created.id,
        base_version=2,
        key="rows-0",
        user=contributor,
    )
    assert removed.status == changes.REMOVED and not Event.objects.exists()

    versions = history.row_versions(model=Event, row_id=created.id)
    assert [(v.number, v.comment) for v in versions] == [(2, "Removed"), (2, "Saved"), (1, "Saved")]
    assert versions[0].user == contributor
    changed = {c.name: (c.old, c.new) for c in versions[1].changes}
    assert changed == {"name": ("IDM 2024", "IDM 2025"), "sdgs": ([4, 10], [4, 10, 17])}

    [gone] = history.rows_removed(submission=submission, question=question)
    assert (gone.id, gone.name) == (created.id, "IDM 2025")
    result = changes.row_recover(
        submission=submission, question=question, row_id=created.id, user=contributor
    )
    assert result.status == SAVED
    row = Event.objects.get()
    assert (row.name, row.location, sorted(s.number for s in row.sdgs.all())) == (
        "IDM 2025",
        "New York",
        [4, 10, 17],
    )
    assert history.row_versions(model=Event, row_id=row.pk)[0].comment == "Recovered after removal"
    assert SubmissionEvent.objects.filter(kind=EventKind.RESTORE, question=question).exists()


def test_removing_a_row_changed_since_records_nothing(submission, contributor, sdgs):
    created = add_event(submission, contributor)
    question = submission.questionnaire.questions.get(number="3")
    before = Version.objects.count()

    result = row_delete(
        submission=submission,
        question=question,
        row_id=created.id,
        base_version=7,
        key="k",
        user=contributor,
    )

    assert result.status == CONFLICT
    assert Version.objects.count() == before


def test_an_import_is_one_revision_and_a_replacing_import_keeps_what_it_replaced(
    organization, coordinator, sdgs
):
    contributor = coordinator  # importing is a coordinator's act
    questionnaire = questionnaire_create_from_definition(definition=definition("desa-2024"))
    result = submission_import(
        organization=organization,
        questionnaire=questionnaire,
        document=seed_text("desa-2024"),
        user=contributor,
    )
    submission = result.submission
    revision = Revision.objects.get()
    assert (revision.user, revision.comment) == (contributor, history.IMPORTED)
    assert revision.version_set.count() == submission.answers.count() + 16  # 3 + 3 + 10 rows

    first_event = submission.events.order_by("position").first()
    submission_import(
        organization=organization,
        questionnaire=questionnaire,
        document=seed_text("desa-2024"),
        user=contributor,
        replace=True,
    )

    question = first_event.question
    removed = history.rows_removed(submission=submission, question=question)
    assert first_event.pk in [r.id for r in removed]
    answer = submission.answers.filter(part=None).order_by("question__position").first()
    assert [v.number for v in versions_of(submission, answer.question.number)] == [2, 1]


def test_carry_forward_is_recorded_as_carried_by_the_coordinator(submission, coordinator, sdgs):
    initiatives = Question.objects.create(
        questionnaire=submission.questionnaire,
        number="7",
        position=7,
        prompt="Initiatives?",
        table="initiatives",
    )
    Initiative.objects.create(submission=submission, question=initiatives, name="UN Network")
    next_year = Submission.objects.create(
        organization=submission.organization,
        questionnaire=questionnaire_copy_as_next_year(questionnaire=submission.questionnaire),
    )

    submission_carry_forward(submission=next_year, user=coordinator)

    copy = next_year.initiatives.get()
    [version] = history.row_versions(model=Initiative, row_id=copy.pk)
    assert (version.user, version.comment) == (coordinator, "Carried forward from last year")
    assert version.values["name"] == "UN Network"


def test_a_restore_from_a_backup_is_recorded_and_keeps_the_replaced_text(
    submission, contributor, coordinator
):
    save(submission, contributor, "Backed up.", 0)
    data = json.loads(render_export(submission=submission, fmt="json")[2])
    save(submission, contributor, "Written after the backup.", 1)

    restored = submission_restore(data=data, replace=True, user=coordinator).submission

    [version] = versions_of(restored)
    assert (version.text, version.comment) == ("Backed up.", "Restored from a backup")
    # The replaced submission's last text stays in the history, recorded before it went.
    removed = Version.objects.get_deleted(Answer)
    assert [v.field_dict["text"] for v in removed] == ["Written after the backup."]


# -- Word diff ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("same words", "same words", [("equal", "same words")]),
        ("", "new text", [("insert", "new text")]),
        ("old text", "", [("delete", "old text")]),
        (
            "the quick fox",
            "the slow fox",
            [("equal", "the"), ("delete", " quick"), ("insert", " slow"), ("equal", " fox")],
        ),
        ("one two", "one two three", [("equal", "one two"), ("insert", " three")]),
        ("end.", "end!", [("delete", "end."), ("insert", "end!")]),
        # White space is not a word: a reflowed paragraph is no change.
        ("a  b\nc", "a b c", [("equal", "a b c")]),
        (
            "Ça va, SDG 4.",
            "Ça va, SDG 5.",
            [("equal", "Ça va, SDG"), ("delete", " 4."), ("insert", " 5.")],
        ),
    ],
)
def test_word_diff(old, new, expected):
    assert history.word_diff(old, new) == expected


def test_word_diff_pieces_read_as_the_new_text():
    old = "Migrants work in agri-food systems.\n\nThey send remittances."
    new = "Many migrants work in food systems.\n\nThey send remittances home."
    pieces = history.word_diff(old, new)
    assert "".join(text for op, text in pieces if op != "delete") == new


# -- Pages ---------------------------------------------------------------------------------------


def test_history_page_lists_versions_and_diffs_any_two(contributor_client, submission, contributor):
    save(submission, contributor, "The Council adopted <b>the plan</b>.", 0)
    save(submission, contributor, "The Council approved the plan.", 1)
    save(submission, contributor, "The Board approved the plan.", 2)
    third, second, first = versions_of(submission)

    page = contributor_client.get(history_url(submission)).content.decode()
    assert page.count('class="badge text-bg-primary">Version ') == 3
    assert "Restore version 1" in page and "Restore version 3" not in page
    # By default the last change: version 2 to 3.
    assert "From version 2 to version 3" in page
    assert "[removed:] </span> Council</del>" in page

    page = contributor_client.get(
        history_url(submission), {"from": first.id, "to": third.id}
    ).content.decode()
    assert "From version 1 to version 3" in page
    assert "&lt;b&gt;the" in page and "<b>the" not in page  # escaped
    assert "[added:] </span> Board approved the plan.</ins>" in page


def test_restore_is_a_new_version_and_a_timeline_line(contributor_client, submission, contributor):
    save(submission, contributor, "First.", 0)
    save(submission, contributor, "Second.", 1)
    save(submission, contributor, "Third.", 2)
    first = versions_of(submission)[-1]

    response = contributor_client.post(restore_url(submission), {"version": first.id})

    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.text, answer.version) == ("First.", 4)
    versions = versions_of(submission)
    assert [(v.number, v.text) for v in versions] == [
        (4, "First."),
        (3, "Third."),
        (2, "Second."),
        (1, "First."),
    ]
    assert versions[0].comment == "Restored version 1"
    event = SubmissionEvent.objects.get(kind=EventKind.RESTORE)
    assert (event.actor, event.message) == (contributor, "Answer: version 1 restored as version 4.")
    page = contributor_client.get(response.url).content.decode()
    assert "Old version restored" in page and "Restored version 1" in page


def test_restoring_a_parts_version(contributor_client, submission, contributor):
    question = submission.questionnaire.questions.get(number="5")
    food = question.parts.get(title="Food systems")
    save(submission, contributor, "Food one.", 0, number="5", part=food)
    save(submission, contributor, "Food two.", 1, number="5", part=food)
    old = versions_of(submission, "5", food)[-1]

    page = contributor_client.get(history_url(submission, "5"), {"part": food.pk})
    assert 'aria-current="page" href="/submissions/' in page.content.decode()
    assert "[added:] </span> two.</ins>" in page.content.decode()
    contributor_client.post(restore_url(submission, "5"), {"version": old.id, "part": food.pk})

    assert Answer.objects.get(part=food).text == "Food one."
    assert contributor_client.get(history_url(submission, "5"), {"part": 999999}).status_code == 404


def test_restore_needs_the_edit_permission(client, submission, contributor, organization):
    save(submission, contributor, "First.", 0)
    save(submission, contributor, "Second.", 1)
    first = versions_of(submission)[-1]
    client.force_login(make_member(organization, Role.REVIEWER, "reviewer"))

    page = client.get(history_url(submission))
    assert page.status_code == 200 and "Restore version" not in page.content.decode()
    assert client.post(restore_url(submission), {"version": first.id}).status_code == 403
    assert Answer.objects.get().text == "Second."


def test_a_finalized_submission_cannot_be_restored(contributor_client, submission, contributor):
    save(submission, contributor, "First.", 0)
    save(submission, contributor, "Second.", 1)
    first = versions_of(submission)[-1]
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.FINALIZED)

    response = contributor_client.post(restore_url(submission), {"version": first.id}, follow=True)
    assert "finalized and read-only" in response.content.decode()
    assert Answer.objects.get().text == "Second."


def test_another_organizations_history_is_a_404(
    client, submission, contributor, other_organization
):
    save(submission, contributor, "First.", 0)
    save(submission, contributor, "Second.", 1)
    first = versions_of(submission)[-1]
    client.force_login(make_member(other_organization, Role.COORDINATOR, "stranger"))

    assert client.get(history_url(submission)).status_code == 404
    assert client.post(restore_url(submission), {"version": first.id}).status_code == 404
    assert Answer.objects.get().text == "Second."


def test_history_needs_a_login(client, submission):
    response = client.get(history_url(submission))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_version_of_another_answer_cannot_be_restored_here(
    contributor_client, submission, contributor
):
    save(submission, contributor, "Narrative.", 0)
    food = submission.questionnaire.questions.get(number="5").parts.get(title="Food systems")
    save(submission, contributor, "Food.", 0, number="5", part=food)
    narrative = versions_of(submission)[0]

    response = contributor_client.post(
        restore_url(submission, "5"), {"version": narrative.id, "part": food.pk}
    )

    assert response.status_code == 404
    assert Answer.objects.get(part=food).text == "Food."


def test_timeline_shows_transitions_and_comments(contributor_client, submission, contributor):
    save(submission, contributor, "Ready.", 0)
    question = submission.questionnaire.questions.get(number="1")
    sent_for_review(submission, question, contributor, "Please look at the figures.")
    ReviewComment.objects.create(
        submission=submission,
        question=question,
        author=contributor,
        text="Is 2024 <right>?",
        resolved=True,
        resolved_by=contributor,
    )

    page = contributor_client.get(history_url(submission)).content.decode()
    page = page[page.index('id="timeline-heading"') :]

    assert "Question status changed" in page and "Please look at the figures." in page
    assert "In review" in page
    assert "Is 2024 &lt;right&gt;?" in page and "resolved" in page
    # Newest first: the comment, the transition, then the version.
    assert page.index("Is 2024") < page.index("Please look") < page.index("Version 1")


def test_the_timeline_shows_what_happened_now(client, submission, contributor, organization):
    """The timeline is kept as drawn while its lines are the same: a new version, a status
    change, a comment and its resolving, a person renamed, a reader who may not restore, and
    the page in French show at once."""
    question = submission.questionnaire.questions.get(number="1")
    reviewer = make_member(organization, Role.REVIEWER, "checker")

    def timeline(user=contributor, language="en"):
        client.force_login(user)
        session = client.session
        session["language"] = language
        session.save()
        page = client.get(history_url(submission)).content.decode()
        return page[page.index('id="timeline-heading"') :]

    save(submission, contributor, "Ready.", 0)
    assert "Version 1" in timeline() and "Version 2" not in timeline()
    save(submission, contributor, "Ready, with figures.", 1)
    assert "Version 2" in timeline() and "Restore version 1" in timeline()
    sent_for_review(submission, question, contributor, "Please look at the figures.")
    assert "Please look at the figures." in timeline()
    comment = ReviewComment.objects.create(
        submission=submission, question=question, author=contributor, text="Which year?"
    )
    assert "Which year?" in timeline() and "resolved" not in timeline()
    ReviewComment.objects.filter(pk=comment.pk).update(resolved=True, resolved_by=contributor)
    assert "resolved" in timeline()
    contributor.first_name, contributor.last_name = "Amina", "Diallo"
    contributor.save()
    assert "Amina Diallo" in timeline()
    assert "Restore version 1" not in timeline(reviewer)
    assert "Restaurer la version 1" in timeline(language="fr")


def test_row_history_page_and_recovering_a_removed_row(
    contributor_client, submission, contributor, sdgs
):
    created = add_event(submission, contributor)
    question = submission.questionnaire.questions.get(number="3")
    row_delete(
        submission=submission,
        question=question,
        row_id=created.id,
        base_version=1,
        key="k",
        user=contributor,
    )
    url = reverse(
        "row_history", kwargs={"pk": submission.pk, "table": "events", "row_id": created.id}
    )

    page = contributor_client.get(url).content.decode()
    assert "This row was removed" in page and "IDM 2024" in page
    question_page = contributor_client.get(history_url(submission, "3")).content.decode()
    assert "Removed rows" in question_page and "Add it back as a new row" in question_page

    recover = reverse(
        "row_recover", kwargs={"pk": submission.pk, "table": "events", "row_id": created.id}
    )
    assert contributor_client.post(recover).status_code == 302
    assert Event.objects.get().name == "IDM 2024"
    # Recovered once: it is no longer among the removed rows of the question.
    assert contributor_client.post(recover).status_code == 404


def test_row_history_of_another_organization_is_a_404(
    client, submission, contributor, other_organization, sdgs
):
    created = add_event(submission, contributor)
    client.force_login(make_member(other_organization, Role.COORDINATOR, "stranger"))
    other = Submission.objects.create(
        organization=other_organization, questionnaire=submission.questionnaire
    )
    for pk in (submission.pk, other.pk):
        url = reverse("row_history", kwargs={"pk": pk, "table": "events", "row_id": created.id})
        assert client.get(url).status_code == 404


def test_a_long_history_comes_a_page_at_a_time(contributor_client, submission, contributor):
    """Autosave records a version at every pause in typing: an afternoon's answer has
    hundreds. The history shows 25 at a time, newest first, with the events and comments of
    their time on the same page (each once); any two versions can still be compared, and the
    page reads the same number of queries at 60 versions as at 120."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    question = submission.questionnaire.questions.get(number="1")
    for version in range(60):
        save(submission, contributor, f"Text number {version + 1}.", version)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert contributor_client.get(history_url(submission)).status_code == 200
        return len(captured.captured_queries)

    queries()  # the session and the questionnaire's questions read
    at_60 = queries()
    sent_for_review(submission, question, contributor, "Halfway through.")
    for version in range(60, 120):
        save(submission, contributor, f"Text number {version + 1}.", version)
    assert queries() == at_60

    def page(number=None, **params):
        if number is not None:
            params["page"] = number
        response = contributor_client.get(history_url(submission), params)
        assert response.status_code == 200
        html = response.content.decode()
        timeline = html[html.index('id="timeline-heading"') :]
        shown = [int(n) for n in re.findall(r'text-bg-primary">Version (\d+)<', timeline)]
        return html, timeline, shown

    html, timeline, shown = page()
    assert shown == list(range(120, 95, -1))
    assert "Halfway through." not in timeline and "Older" in timeline
    assert "From version 119 to version 120" in html  # the last change, as before
    html, timeline, shown = page(3)
    assert shown == list(range(70, 45, -1))
    assert timeline.count("Halfway through.") == 1
    assert timeline.index("Version 61<") < timeline.index("Halfway") < timeline.index("Version 60<")
    assert "From version 119 to version 120" in html  # the comparison stays the last change
    for other in (2, 4):
        assert "Halfway through." not in page(other)[1]
    html, timeline, shown = page(5)
    assert shown == list(range(20, 0, -1))
    assert "Older" not in timeline and "Newer" in timeline
    # Any two versions, on whichever page: from the oldest to the newest.
    first, last = Version.objects.order_by("pk").first(), Version.objects.order_by("pk").last()
    html, _timeline, _shown = page(**{"from": first.pk, "to": last.pk})
    assert "From version 1 to version 120" in html
    assert f'<option value="{first.pk}" selected>' in html  # selectable although on page 3
    # "Compare with the version before" on the last version of a page reaches the next page.
    html, timeline, _shown = page(4)
    assert f"from={Version.objects.get(index__number=20).pk}&amp;to=" in timeline
    assert contributor_client.get(history_url(submission), {"page": 6}).status_code == 404
    assert contributor_client.get(history_url(submission), {"page": "x"}).status_code == 200


def test_a_table_questions_history_links_each_row_under_its_name_now(
    contributor_client, submission, contributor
):
    """The list of rows is kept as drawn while the rows and their names are the same: a row
    added, renamed or removed shows at once, and in French."""
    question = submission.questionnaire.questions.get(number="3")

    def links(language="en"):
        session = contributor_client.session
        session["language"] = language
        session.save()
        html = contributor_client.get(history_url(submission, "3")).content.decode()
        start = html.index('id="rows-heading"')
        listed = html[start : html.index('<h3 class="h6">', start)]
        return re.findall(r"<li><a href=\"[^\"]+/(\d+)/history/\">([^<]+)</a>", listed)

    first = add_event(submission, contributor)
    assert links() == [(str(first.id), "History of “IDM 2024”")]
    second = add_event(submission, contributor, name="Global Forum")
    assert [name for _pk, name in links()] == ["History of “IDM 2024”", "History of “Global Forum”"]
    result = row_save(
        submission=submission,
        question=question,
        row_id=first.id,
        base_version=1,
        values={**EVENT, "name": "IDM 2025", "description": "", "website": ""},
        sdgs=[4, 10],
        position=0,
        user=contributor,
        key="rows-0",
    )
    assert result.status == SAVED
    assert links()[0] == (str(first.id), "History of “IDM 2025”")
    removed = remove_event(submission, contributor, second.id, 1, key="rows-1")
    assert removed.status == changes.REMOVED
    assert links() == [(str(first.id), "History of “IDM 2025”")]
    assert links("fr") == [(str(first.id), "Historique de «\xa0IDM 2025\xa0»")]


def test_a_long_row_history_comes_a_page_at_a_time(contributor_client, submission, contributor):
    """A row autosaved all afternoon: its history shows 25 versions at a time, newest first,
    each with what it changed (the oldest of a page against the version before it, on the
    next page; the very first against an empty row), under the row's name as it is now."""
    question = submission.questionnaire.questions.get(number="3")
    created = add_event(submission, contributor)
    for version in range(1, 60):
        result = row_save(
            submission=submission,
            question=question,
            row_id=created.id,
            base_version=version,
            values={**EVENT, "name": f"IDM {version + 1}", "description": "", "website": ""},
            sdgs=[4, 10],
            position=0,
            user=contributor,
            key="rows-0",
        )
        assert result.status == SAVED
    url = reverse("row_history", args=[submission.pk, "events", created.id])

    def page(number=None):
        response = contributor_client.get(url, {"page": number} if number else {})
        assert response.status_code == 200
        html = response.content.decode()
        versions = html[html.index('id="versions-heading"') :]
        return html, versions, [int(n) for n in re.findall(r'primary">Version (\d+)<', versions)]

    html, versions, shown = page()
    assert shown == list(range(60, 35, -1)) and "Older" in versions
    # Version 36 changed the name from version 35's, which is on the next page.
    assert re.search(r"<del[^>]*>.*?35</del>", versions.split("Version 36<")[1].split("<li")[0])
    html, versions, shown = page(3)
    assert shown == list(range(10, 0, -1)) and "Older" not in versions and "Newer" in versions
    assert "History of “IDM 60”" in html  # the row's name now, not page 3's
    first = versions.split("Version 1<")[1]
    assert "IDM 2024" in first and "</del>" not in first.split("Name")[1].split("</tr>")[0]
    assert contributor_client.get(url, {"page": 4}).status_code == 404


def test_the_pages_of_a_parts_history_stay_on_that_part(
    contributor_client, submission, contributor
):
    question = submission.questionnaire.questions.get(number="5")
    food = question.parts.get(title="Food systems")
    for version in range(26):
        result = answer_save(
            submission=submission,
            question=question,
            part=food,
            text=f"Food, take {version + 1}.",
            base_version=version,
            user=contributor,
            key=f"answer-part-{food.pk}",
        )
        assert result.status == SAVED
    url = history_url(submission, "5")
    first = contributor_client.get(url, {"part": food.pk}).content.decode()
    assert f'href="?part={food.pk}&amp;page=2#timeline-heading"' in first
    second = contributor_client.get(url, {"part": food.pk, "page": 2}).content.decode()
    assert f'href="?part={food.pk}&amp;#timeline-heading"' in second  # back to the first page
    timeline = second.split('id="timeline-heading"')[1]
    assert "Version 1<" in timeline and "Version 26<" not in timeline


# -- Reading a question's history in written-out SQL ---------------------------------------


def test_answer_versions_read_in_one_query_are_what_the_orm_reads(
    submission, contributor, coordinator
):
    """An answer's versions through the index, in one query: the same versions, in the same
    order, with the same times (aware, on SQLite too), comments and persons as reversion's
    own reading; a part's apart from the narrative's; a page of them and one by id."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from submissions.selectors import answer_version_records

    save(submission, contributor, "One.", 0)
    save(submission, coordinator, "Two.", 1)
    save(submission, contributor, "Three.", 2)
    question = submission.questionnaire.questions.get(number="5")
    food = question.parts.get(title="Food systems")
    save(submission, contributor, "Food.", 0, number="5", part=food)
    slot = {"submission_id": submission.pk, "question_id": question.pk, "part_id": food.pk}
    narrative = {**slot, "question_id": submission.questionnaire.questions.get(number="1").pk}
    narrative["part_id"] = None

    def expected(where):
        found = Version.objects.filter(
            index__table="answers",
            index__submission_id=where["submission_id"],
            index__question_id=where["question_id"],
            index__part_id=where["part_id"],
        ).order_by("-revision__date_created", "-pk")
        return [
            (v.pk, v.field_dict["version"], v.field_dict["text"], v.revision.date_created)
            + (v.revision.comment, v.revision.user)
            for v in found
        ]

    def read(**where):
        with CaptureQueriesContext(connection) as queries:
            records = answer_version_records(**where)
        assert len(queries) == 1
        return [(r.id, r.number, r.fields["text"], r.when, r.comment, r.user) for r in records]

    assert read(**narrative) == expected(narrative)
    assert [line[2] for line in read(**narrative)] == ["Three.", "Two.", "One."]
    assert read(**slot) == expected(slot) and read(**slot)[0][2] == "Food."
    assert read(**narrative, start=1, limit=1) == expected(narrative)[1:2]
    two = expected(narrative)[1]
    assert read(**narrative, version_id=two[0]) == [two]
    assert read(**slot, version_id=two[0]) == []  # another slot's version
    assert timezone.is_aware(read(**narrative)[0][3])
    assert read(**narrative)[1][5].get_username() == "coordinator"
    coordinator.delete()
    assert read(**narrative)[1][5] is None and read(**narrative) == expected(narrative)


def test_a_questions_events_and_comments_read_in_one_query_are_what_the_orm_reads(
    submission, contributor, coordinator, questionnaire, other_organization
):
    """The timeline's events and comments in one query: the same ones (this question's
    only, made at or after ``since`` and before ``until``), newest first, with the same
    persons (none recorded, or deleted, too), replies, parts and aware times."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from submissions.selectors import question_events_and_comments, submission_question

    question = submission_question(submission=submission, number="5")  # its parts prefetched
    food = question.parts.get(title="Food systems")
    other_question = submission.questionnaire.questions.get(number="1")
    other = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    sent_for_review(other, question, None, "Another organization's.")
    sent_for_review(submission, question, contributor, "Please look.")
    SubmissionEvent.objects.create(
        submission=submission, question=question, kind=EventKind.ASSIGNMENT, message="To you."
    )
    sent_for_review(submission, other_question, contributor, "Not this question.")
    thread = ReviewComment.objects.create(
        submission=submission, question=question, author=coordinator, text="Which year?"
    )
    ReviewComment.objects.create(
        submission=submission,
        question=question,
        part=food,
        parent=thread,
        author=contributor,
        text="2024.",
        resolved=True,
        resolved_by=coordinator,
    )
    ReviewComment.objects.create(
        submission=submission, question=other_question, author=coordinator, text="Elsewhere."
    )
    ReviewComment.objects.create(
        submission=other, question=question, author=coordinator, text="Not ours."
    )

    def expected(**window):
        where = {"submission": submission, "question": question}
        if "since" in window:
            where["created_at__gte"] = window["since"]
        if "until" in window:
            where["created_at__lt"] = window["until"]
        events = SubmissionEvent.objects.filter(**where).order_by("-pk")
        comments = ReviewComment.objects.filter(**where).order_by("-created_at", "-pk")
        return (
            [(e.pk, e.kind, e.message, e.actor, e.created_at, e.to_status) for e in events],
            [
                (c.pk, c.parent_id, c.part, c.author, c.resolved, c.resolved_by, c.text)
                + (c.created_at,)
                for c in comments
            ],
        )

    def read(**window):
        with CaptureQueriesContext(connection) as queries:
            events, comments = question_events_and_comments(
                submission=submission, question=question, **window
            )
        assert len(queries) == 1
        return (
            [(e.pk, e.kind, e.message, e.actor, e.created_at, e.to_status) for e in events],
            [
                (c.pk, c.parent_id, c.part, c.author, c.resolved, c.resolved_by, c.text)
                + (c.created_at,)
                for c in comments
            ],
        )

    events, comments = read()
    assert (events, comments) == expected()
    assert [e[2] for e in events] == ["To you.", "Please look."]
    assert events[0][3] is None and events[1][3] == contributor
    assert [c[6] for c in comments] == ["2024.", "Which year?"]
    assert comments[0][2] == food and comments[0][5] == coordinator
    assert timezone.is_aware(events[0][4]) and timezone.is_aware(comments[0][7])
    first = submission.events_log.filter(question=question).order_by("pk").first()
    later = first.created_at + timedelta(microseconds=1)
    SubmissionEvent.objects.filter(pk=first.pk).update(
        created_at=first.created_at - timedelta(hours=1)
    )
    at = first.created_at - timedelta(hours=1)
    for window in ({"since": at}, {"until": at}, {"since": at, "until": later}, {"until": later}):
        assert read(**window) == expected(**window), window
    assert len(read(until=at + timedelta(microseconds=1))[0]) == 1  # before, not at, until
    coordinator.delete()
    assert read() == expected() and read()[1][0][5] is None


def test_removed_rows_read_in_one_query_are_each_ones_last_version(
    submission, contributor, coordinator, sdgs, other_organization, questionnaire
):
    """A table question's removed rows in one query: each removed row's last version (not
    an earlier one, not a row still there or added back, not another submission's or
    question's), with its values, SDGs, aware time and person, or none once deleted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    question = submission.questionnaire.questions.get(number="3")

    def remove(row, user, base_version=1, where=submission):
        assert remove_event(where, user, row.id, base_version).status == changes.REMOVED

    kept = add_event(submission, contributor, name="Kept")
    renamed = add_event(submission, contributor, name="Before")
    row_save(
        submission=submission,
        question=question,
        row_id=renamed.id,
        base_version=1,
        values={**EVENT, "name": "After", "description": "", "website": ""},
        sdgs=[17],
        position=1,
        user=contributor,
        key="rows-1",
    )
    remove(renamed, coordinator, base_version=2)
    back = add_event(submission, contributor, name="Added back")
    remove(back, contributor)
    changes.row_recover(submission=submission, question=question, row_id=back.id, user=contributor)
    gone = add_event(submission, contributor, name="Gone")
    remove(gone, contributor)
    other = Submission.objects.create(organization=other_organization, questionnaire=questionnaire)
    theirs = add_event(other, None, name="Theirs")
    remove(theirs, None, where=other)

    def read():
        with CaptureQueriesContext(connection) as queries:
            removed = history.rows_removed(submission=submission, question=question)
        assert len(queries) == 1
        return removed

    removed = read()
    assert [(r.id, r.name, r.number, r.values["sdgs"]) for r in removed] == [
        (gone.id, "Gone", 1, [4, 10]),
        (renamed.id, "After", 2, [17]),
    ]
    assert [r.user for r in removed] == [contributor, coordinator]
    assert all(timezone.is_aware(r.when) for r in removed) and removed[0].when > removed[1].when
    assert Event.objects.filter(pk=kept.id).exists()
    coordinator.delete()
    assert [r.user for r in read()] == [contributor, None]
