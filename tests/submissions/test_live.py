"""The editing page's heartbeat (who else is here, what they saved) and "Copy text"."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from submissions.changes import answer_save, row_save
from submissions.models import Event, Presence
from tests.conftest import make_member


@pytest.fixture
def ana(organization):
    user = make_member(organization, Role.CONTRIBUTOR, "ana")
    user.first_name, user.last_name = "Ana", "Lopes"
    user.save()
    return user


def beat(client, submission, number, **data):
    url = reverse("question_live", args=[submission.pk, number])
    data = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in data.items()}
    return client.post(url, data, headers={"accept": "application/json"})


def test_a_colleague_with_the_question_open_is_named_and_typing_is_told_apart(
    client, submission, contributor, ana
):
    client.force_login(ana)
    beat(client, submission, "1", editing="1")
    beat(client, submission, "3", editing="0")  # another tab, reading
    client.force_login(contributor)
    present = beat(client, submission, "1").json()["present"]
    assert {"question": "1", "name": "Ana Lopes", "editing": True} in present
    assert {"question": "3", "name": "Ana Lopes", "editing": False} in present
    # One's own beat never lists oneself.
    assert all(p["name"] != contributor.username for p in present)


def test_a_page_that_stopped_beating_or_closed_is_no_longer_shown(
    client, submission, contributor, ana
):
    client.force_login(ana)
    beat(client, submission, "1", editing="1")
    beat(client, submission, "3", editing="0")
    beat(client, submission, "3", leave="1")
    Presence.objects.filter(question__number="1").update(
        seen_at=timezone.now() - datetime.timedelta(seconds=60)
    )
    client.force_login(contributor)
    assert beat(client, submission, "1").json()["present"] == []


def test_a_newer_saved_answer_comes_with_its_text_and_a_current_one_without(
    client, submission, questionnaire, contributor, ana
):
    question = questionnaire.questions.get(number="1")
    first = answer_save(
        submission=submission,
        question=question,
        part=None,
        text="First.",
        base_version=0,
        user=ana,
        key="answer-main",
    )
    client.force_login(contributor)
    current = beat(client, submission, "1", versions={"answer-main": first.version}).json()
    assert current["answers"]["answer-main"] == {"version": first.version}
    answer_save(
        submission=submission,
        question=question,
        part=None,
        text="Second.",
        base_version=first.version,
        user=ana,
        key="answer-main",
    )
    newer = beat(client, submission, "1", versions={"answer-main": first.version}).json()
    assert newer["answers"]["answer-main"]["text"] == "Second."
    assert newer["answers"]["answer-main"]["by"] == "Ana Lopes"
    assert newer["answers"]["answer-main"]["version"] == first.version + 1


def test_rows_saved_since_come_with_their_values(
    client, submission, questionnaire, contributor, ana, sdgs
):
    question = questionnaire.questions.get(number="3")
    row = Event.objects.create(
        submission=submission, question=question, position=0, name="Forum", dates="May"
    )
    client.force_login(contributor)
    known = {f"row-{row.pk}": row.version}
    assert "values" not in beat(client, submission, "3", versions=known).json()["rows"][str(row.pk)]
    row_save(
        submission=submission,
        question=question,
        row_id=row.pk,
        base_version=row.version,
        values={"name": "Forum on migration", "dates": "May"},
        sdgs=[10],
        position=0,
        user=ana,
        key="rows-0",
    )
    entry = beat(client, submission, "3", versions=known).json()["rows"][str(row.pk)]
    assert entry["values"]["name"] == "Forum on migration"
    assert entry["values"]["sdgs"] == [10]


def test_the_table_of_contents_is_sent_only_when_it_changed(
    client, submission, questionnaire, contributor, ana
):
    client.force_login(contributor)
    first = beat(client, submission, "1").json()
    assert "Decisions?" in first["toc"]
    assert "toc" not in beat(client, submission, "1", toc=first["toc_key"]).json()
    answer_save(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        part=None,
        text="Four words written here.",
        base_version=0,
        user=ana,
        key="answer-main",
    )
    changed = beat(client, submission, "1", toc=first["toc_key"]).json()
    assert "4 / 200 words" in changed["toc"]


def test_the_heartbeat_is_refused_outside_the_organization_and_logged_out(
    client, submission, other_organization
):
    assert beat(client, submission, "1").status_code == 401
    outsider = make_member(other_organization, Role.CONTRIBUTOR, "outsider")
    client.force_login(outsider)
    assert beat(client, submission, "1").status_code == 404
    assert not Presence.objects.exists()


def test_a_question_the_questionnaire_does_not_have_is_a_404_not_a_server_error(
    client, submission, contributor
):
    client.force_login(contributor)
    response = beat(client, submission, "99", versions="not json")
    assert response.status_code == 404


def test_malformed_versions_are_ignored(client, submission, contributor):
    client.force_login(contributor)
    for versions in ("not json", "[1, 2]", '{"answer-main": "x"}'):
        response = client.post(
            reverse("question_live", args=[submission.pk, "1"]), {"versions": versions}
        )
        assert response.status_code == 200
        assert "text" not in response.json()["answers"]["answer-main"]


def test_copy_text_gives_one_question_or_the_whole_submission_in_the_export_layout(
    client, submission, questionnaire, contributor
):
    answer_save(
        submission=submission,
        question=questionnaire.questions.get(number="1"),
        part=None,
        text="The Council adopted the plan.",
        base_version=0,
        user=contributor,
        key="answer-main",
    )
    client.force_login(contributor)
    url = reverse("submission_text", args=[submission.pk])
    one = client.get(url, {"question": "1"})
    assert one["Content-Type"].startswith("text/plain")
    text = one.content.decode()
    assert "The Council adopted the plan." in text
    assert "Six transitions?" not in text
    whole = client.get(url).content.decode()
    assert "The Council adopted the plan." in whole and "Food systems" in whole
    assert client.get(url, {"question": "42"}).status_code == 404


def test_copy_text_is_refused_to_other_organizations(client, submission, other_organization):
    client.force_login(make_member(other_organization, Role.CONTRIBUTOR, "outsider"))
    assert client.get(reverse("submission_text", args=[submission.pk])).status_code == 404
