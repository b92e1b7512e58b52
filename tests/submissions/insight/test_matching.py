"""Matching rows of different years by name: the rule that comparing years and the library share."""

from types import SimpleNamespace

import pytest

from submissions.insight.matching import group_rows, match_rows, name_acronym, names_match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # The seed years: the same event with the year in its name.
        (
            "International Dialogue on Migration (IDM) – First Session 2024",
            "International Dialogue on Migration (IDM) – First Session 2023",
        ),
        (
            "IOM’s 2021 Strategic Response and Recovery Plan",
            "IOM's 2022 Strategic Response and Recovery Plan",
        ),
        (
            "Displaced Talent for Europe (DT4E)",
            "DT4E – Displaced Talent for Europe, phase 2 (DT4E)",
        ),
        ("Mayors Mechanism", "  mayors  mechanism. "),
        (
            "Global IOM-UNDP Joint Programme on Making Migration Work for Sustainable Development (Phase III)",
            "Global IOM-UNDP Joint Programme on Making Migration Work for Sustainable Development (Phase IV)",
        ),
    ],
)
def test_the_same_item_under_a_drifting_name_matches(a, b):
    assert names_match(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The IOM Innovation Facility", "Climate Mobility Innovation Lab"),
        ("iDiaspora", "Global Diaspora Policy Alliance"),
        ("", ""),
        ("CLIMB Database", "Task Force on Displacement"),
    ],
)
def test_different_items_do_not_match(a, b):
    assert not names_match(a, b)


def test_an_acronym_needs_capitals_and_no_spaces():
    assert name_acronym("Women’s Participation Project (WPP)") == "wpp"
    assert name_acronym("Programme (Phase III)") is None
    assert name_acronym("Toolkit (draft)") is None


def _row(name, year=2024):
    questionnaire = SimpleNamespace(year=year)
    return SimpleNamespace(name=name, submission=SimpleNamespace(questionnaire=questionnaire))


def test_match_rows_pairs_kept_new_and_dropped_rows():
    old = [_row("Mayors Mechanism"), _row("iDiaspora"), _row("IDM – First Session 2023 (IDM)")]
    new = [_row("IDM – First Session 2024 (IDM)"), _row("CLIMB Database"), _row("Mayors mechanism")]
    pairs = [(o and o.name, n and n.name) for o, n in match_rows(old, new)]
    assert pairs == [
        ("IDM – First Session 2023 (IDM)", "IDM – First Session 2024 (IDM)"),
        (None, "CLIMB Database"),
        ("Mayors Mechanism", "Mayors mechanism"),
        ("iDiaspora", None),
    ]


def test_match_rows_uses_each_row_once_and_prefers_the_equal_name():
    old = [
        _row("International Dialogue on Migration (IDM) – Second Session 2023"),
        _row("International Dialogue on Migration (IDM) – First Session 2023"),
    ]
    new = [
        _row("International Dialogue on Migration (IDM) – First Session 2024"),
        _row("International Dialogue on Migration (IDM) – Second Session 2024"),
    ]
    pairs = [(o.name.split("– ")[1], n.name.split("– ")[1]) for o, n in match_rows(old, new)]
    assert pairs == [
        ("First Session 2023", "First Session 2024"),
        ("Second Session 2023", "Second Session 2024"),
    ]


def test_group_rows_holds_one_row_per_year_newest_first():
    rows = [
        _row("Mayors Mechanism", 2021),
        _row("Mayors Mechanism", 2024),
        _row("Mayors mechanism", 2024),  # the same name twice in one year: two items
        _row("Mayors Mechanism.", 2023),
        _row("iDiaspora", 2021),
    ]
    groups = [[(r.submission.questionnaire.year, r.name) for r in g] for g in group_rows(rows)]
    assert groups == [
        [(2024, "Mayors Mechanism"), (2023, "Mayors Mechanism."), (2021, "Mayors Mechanism")],
        [(2024, "Mayors mechanism")],
        [(2021, "iDiaspora")],
    ]
