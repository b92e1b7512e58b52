"""Each person's language: taken from the browser at the first login, chosen in the header,
kept with the person, used on every page, in the admin and in their mails."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Preference, Role
from accounts.services import preference_set_language
from submissions.collaboration import assignment_set
from tests.conftest import PASSWORD, make_member


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """LocaleMiddleware leaves the thread in the browser's language: start the next test afresh."""
    yield
    translation.activate("en")


def _login(client, user, **headers):
    return client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, **headers
    )


def test_a_new_person_gets_their_browsers_language(client, contributor):
    _login(client, contributor, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert Preference.objects.get(user=contributor).language == "fr"
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in page
    assert "Mes tâches" in page and "My work" not in page


def test_the_choice_is_kept_with_the_person_whatever_the_browser_says(client, contributor):
    _login(client, contributor, HTTP_ACCEPT_LANGUAGE="en")
    assert Preference.objects.get(user=contributor).language == "en"
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("my_work")})
    assert response.status_code == 302 and response["Location"] == reverse("my_work")
    assert Preference.objects.get(user=contributor).language == "fr"
    assert "Rien ne vous est attribué" in client.get(reverse("my_work")).content.decode()
    # Another browser, in English: logging in brings the person's French back.
    other = client.__class__()
    _login(other, contributor, HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Mes tâches" in other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_header_offers_the_other_language_in_its_own_name(contributor_client):
    page = contributor_client.get(reverse("home")).content.decode()
    assert re.search(
        r'<button[^>]*name="language" value="fr" lang="fr"[^>]*>Français</button>', page
    )
    contributor_client.post(reverse("set_language"), {"language": "fr"})
    page = contributor_client.get(reverse("home")).content.decode()
    assert re.search(r'<button[^>]*value="en" lang="en"[^>]*>English</button>', page)


def test_an_unknown_language_or_a_foreign_address_changes_nothing(contributor_client, contributor):
    response = contributor_client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert Preference.objects.get(user=contributor).language == "en"


def test_before_login_the_switch_sets_a_cookie_for_the_login_page(client):
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert "Se connecter" in page


def test_the_admin_is_in_the_persons_language(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    preference_set_language(user=admin, language="fr")
    _login(client, admin, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("admin:index")).content.decode()
    assert "Site d’administration" in page  # Django's own French
    assert "Questionnaires et contributions" in page  # the app's name, from our catalogue
    # Administrators see and change each person's language there too.
    preference = Preference.objects.get(user=admin)  # its own id, not the person's
    response = client.post(
        reverse("admin:accounts_preference_change", args=[preference.pk]),
        {"user": admin.pk, "language": "en"},
    )
    assert response.status_code == 302
    assert Preference.objects.get(user=admin).language == "en"


def test_dates_are_written_one_way_per_language_in_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime.datetime(2026, 12, 1, 19, 35, tzinfo=datetime.UTC)
    day = datetime.date(2025, 2, 15)
    with timezone.override("Europe/Paris"):
        local = timezone.localtime(moment)
        with translation.override("en"):
            assert formats.date_format(day, "DATE_FORMAT") == "15 February 2025"
            assert formats.date_format(local, "DATETIME_FORMAT") == "1 December 2026, 20:35"
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "15 February 2025"
        with translation.override("fr"):
            assert formats.date_format(day, "DATE_FORMAT") == "15 février 2025"
            assert formats.date_format(local, "DATETIME_FORMAT") == "1 décembre 2026 à 20:35"
            assert formats.time_format(local, "TIME_FORMAT") == "20:35"


@pytest.fixture
def french_contributor(organization):
    person = make_member(organization, Role.CONTRIBUTOR, "amelie")
    preference_set_language(user=person, language="fr")
    return person


def test_assignment_mails_are_in_each_recipients_language(
    submission, coordinator, contributor, french_contributor, django_capture_on_commit_callbacks
):
    preference_set_language(user=contributor, language="en")
    question = submission.questionnaire.questions.get(number="1")
    due = timezone.localdate() + datetime.timedelta(days=30)
    # The coordinator works in French: that must not decide anyone else's mail.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        assignment_set(
            submission=submission,
            question=question,
            assignee=contributor,
            due_date=due,
            user=coordinator,
        )
        assignment_set(
            submission=submission,
            question=question,
            assignee=french_contributor,
            due_date=due,
            user=coordinator,
        )
    english, french = mail.outbox
    assert english.to == ["contributor@example.org"]
    assert english.subject == "[IOM 2024] Question 1 is assigned to you"
    assert "assigned question 1 of “UN DESA questionnaire 2024” to you" in english.body
    with translation.override("en"):
        assert f"Due: {formats.date_format(due, 'DATE_FORMAT')}" in english.body
    assert re.search(r"Due: \d{1,2} [A-Z][a-z]+ \d{4}", english.body)

    assert french.to == ["amelie@example.org"]
    assert french.subject == "[IOM 2024] La question 1 vous est attribuée"
    assert (
        "vous a attribué la question 1 du questionnaire «\u00a0UN DESA questionnaire 2024\u00a0»"
        in french.body
    )
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    month = months.split()[due.month - 1]
    assert f"Échéance\u00a0: {due.day} {month} {due.year}" in french.body
    assert "Due" not in french.body and "Start here" not in french.body


def test_the_switch_goes_back_to_the_page_it_was_pressed_on(contributor_client):
    response = contributor_client.post(
        reverse("set_language"), {"language": "fr"}, HTTP_REFERER="http://testserver/search/?q=x"
    )
    assert response["Location"] == "http://testserver/search/?q=x"
    response = contributor_client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER="https://elsewhere.example/"
    )
    assert response["Location"] == "/"


def test_the_due_date_is_typed_and_shown_day_first_in_either_language(submission, coordinator):
    from submissions.views.review import AssignmentForm

    question = submission.questionnaire.questions.get(number="1")
    later = timezone.localdate() + datetime.timedelta(days=40)
    for language, placeholder in [("en", "dd/mm/yyyy"), ("fr", "jj/mm/aaaa")]:
        with translation.override(language):
            form = AssignmentForm(
                data={"assignee": coordinator.pk, "due_date": later.strftime("%d/%m/%Y")},
                submission=submission,
                question=question,
            )
            assert form.is_valid(), form.errors
            assert form.cleaned_data["due_date"] == later
            shown = str(
                AssignmentForm(
                    initial={"due_date": later}, submission=submission, question=question
                )["due_date"]
            )
            assert f'value="{later.strftime("%d/%m/%Y")}"' in shown
            assert f'placeholder="{placeholder}"' in shown and 'type="text"' in shown
