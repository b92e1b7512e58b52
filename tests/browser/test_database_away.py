"""The database goes away while a person types: they are told, the text is kept, and it is
saved by itself when the database is back (server side: tests/test_failures.py)."""

import re

import pytest
from django.db import OperationalError
from django.db.backends import utils as backend_utils

from submissions.models import Answer

GONE = "server closed the connection unexpectedly"


@pytest.mark.django_db(transaction=True)
def test_browser_database_gone_keeps_the_text_tells_and_saves_when_back(
    new_page,
    live_server,
    submission,
    contributor,
    monkeypatch,
):
    """The person is told in words, the text stays on the page and in local storage, and the
    save goes through by itself when the database is back."""
    from playwright.sync_api import expect

    away = [True]
    original = backend_utils.CursorWrapper.execute

    def execute(self, sql, params=None):
        if away[0] and re.match(r'\s*(UPDATE|INSERT INTO) "submissions_answer"', sql):
            raise OperationalError(GONE)
        return original(self, sql, params)

    monkeypatch.setattr(backend_utils.CursorWrapper, "execute", execute)
    page = new_page(contributor)
    page.clock.install()  # the retry waits 10 s: let the test move time on
    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/1/")
    text = "Written while the database was away."

    page.get_by_label("Answer").fill(text)
    page.clock.run_for(2000)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Not saved")
    expect(status).to_contain_text("Your text is kept")
    expect(page.get_by_label("Answer")).to_have_value(text)
    stored = page.evaluate("() => Object.values({...localStorage}).join(' ')")
    assert text in stored
    assert not Answer.objects.exists()

    away[0] = False
    page.clock.run_for(11_000)
    expect(status).to_contain_text("Saved at")
    assert Answer.objects.get().text == text


@pytest.mark.django_db(transaction=True)
def test_browser_session_unreadable_is_told_as_the_database_away_and_saved_when_back(
    new_page,
    live_server,
    submission,
    contributor,
    monkeypatch,
):
    """The database fails before the view runs (reading the session): the same message, the
    same retry (the site's 500 handler answers a JSON 503)."""
    from playwright.sync_api import expect

    page = new_page(contributor)
    page.clock.install()
    page.goto(f"{live_server.url}/submissions/{submission.pk}/questions/1/")
    away = [True]
    original = backend_utils.CursorWrapper.execute

    def execute(self, sql, params=None):
        if away[0] and '"django_session"' in sql:
            raise OperationalError(GONE)
        return original(self, sql, params)

    monkeypatch.setattr(backend_utils.CursorWrapper, "execute", execute)
    text = "Written while the sessions could not be read."

    page.get_by_label("Answer").fill(text)
    page.clock.run_for(2000)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Not saved: the database cannot be reached")
    expect(page.get_by_label("Answer")).to_have_value(text)
    assert not Answer.objects.exists()

    away[0] = False
    page.clock.run_for(11_000)
    expect(status).to_contain_text("Saved at")
    assert Answer.objects.get().text == text
