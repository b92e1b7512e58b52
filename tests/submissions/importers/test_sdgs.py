"""Relevant SDGs, every way the seed documents write them."""

import pytest

from submissions.importers import format_sdgs, parse_sdgs

ALL = list(range(1, 18))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("All 17 SDGs", ALL),  # 2024 and 2023 events
        ("All", ALL),  # 2024, third event
        ("4, 5, 8, 10, 17", [4, 5, 8, 10, 17]),
        ("1, 3, 4, 5, 8, 10, 11, 13, 16, 17", [1, 3, 4, 5, 8, 10, 11, 13, 16, 17]),
        ("10, 16 and 17", [10, 16, 17]),  # 2023
        ("10,11,13, 16 and 17", [10, 11, 13, 16, 17]),
        ("1, 3, 5, 13, 10, 16 and 17", [1, 3, 5, 10, 13, 16, 17]),  # out of order
        ("10, 13, 10, 16 and 17", [10, 13, 16, 17]),  # duplicate removed
        ("1, 2, 3, 4, 6, 7, 8, 10, 11, and 16", [1, 2, 3, 4, 6, 7, 8, 10, 11, 16]),
        ("SDG 13", [13]),
        ("SDGs 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17", ALL),  # 2021
        ("SDGs 3, 10", [3, 10]),
        ("SDG 8, 9, 10, 11, 13, 17", [8, 9, 10, 11, 13, 17]),
        ("SDGs 3, 4, 5, 8, 10, 11, 16 and 17", [3, 4, 5, 8, 10, 11, 16, 17]),
        ("SDG1, SDG2", [1, 2]),
        ("Goals 3 & 5", [3, 5]),
        ("1–3", [1, 2, 3]),
        ("", []),
        ("  ", []),
        ("n/a", []),
        ("N/A", []),
        # Targets are their goals; goal names are read; "all" however it is said.
        ("10.7, 16.2", [10, 16]),
        ("10.7, 17.18", [10, 17]),
        ("SDG 16 (targets 16.1, 16.2)", [16]),
        ("SDG 4 (Quality education), SDG 10 (Reduced inequalities)", [4, 10]),
        ("Quality Education; Peace, Justice and Strong Institutions", [4, 16]),
        ("Goals 1-5", [1, 2, 3, 4, 5]),
        ("all SDGs", ALL),
        ("All the SDGs", ALL),
    ],
)
def test_parse_sdgs(text, expected):
    assert parse_sdgs(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("18", "SDG 18 does not exist"),
        ("0, 5", "SDG 0 does not exist"),
        ("SDGs 1 and 18", "SDG 18 does not exist"),
        ("To be decided", "cannot read “To be decided” as SDGs"),
        ("1, 2, x", "cannot read"),
    ],
)
def test_parse_sdgs_refuses_what_is_not_an_sdg_list(text, message):
    with pytest.raises(ValueError, match=message):
        parse_sdgs(text)


def test_format_sdgs_as_the_2024_form_writes_them():
    assert format_sdgs(ALL) == "All 17 SDGs"
    assert format_sdgs([10, 1, 5, 5]) == "1, 5, 10"
    assert format_sdgs([]) == ""
    assert parse_sdgs(format_sdgs([3, 14])) == [3, 14]
