import pytest
from django.core.exceptions import ValidationError

from submissions.text import strip_control_characters
from submissions.validators import validate_website


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "https://www.iom.int",
        "http://example.org/a?b=c",
        "www.iom.int/idm",
        "n/a",
        "N/A",
        "Forthcoming",
    ],
)
def test_website_accepts_addresses_empty_and_the_seeds_placeholders(value):
    validate_website(value)


@pytest.mark.parametrize("value", ["not a website", "javascript:alert(1)", "ftp://x.org", "<b>"])
def test_website_refuses_anything_else_with_a_clear_message(value):
    with pytest.raises(ValidationError) as error:
        validate_website(value)
    assert error.value.code == "invalid_website"
    assert "web address" in error.value.messages[0]


def test_control_characters_are_stripped_but_tab_and_newlines_kept():
    text = "a\x00b\x07c\td\ne\r\nf\x1b\ufffe\uffffg\x7f"
    assert strip_control_characters(text) == "abc\td\ne\r\nfg"


def test_ordinary_unicode_survives_stripping():
    text = "Migration 🌍 الهجرة 移民 “quotes” — dash\u00a0nbsp"
    assert strip_control_characters(text) == text
