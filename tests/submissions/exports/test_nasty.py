"""Text people paste: emoji, Arabic, Chinese, control characters, 20,000 characters, 200+ rows."""

import io
import json

import docx
import openpyxl
import pytest

from submissions.exports import EXPORTERS, render_export
from submissions.exports.rows import HEADERS
from submissions.models import Answer, Event
from submissions.text import MAX_TEXT_LENGTH
from tests.submissions.exports.conftest import body_paragraphs

from .conftest import add_rows

pytestmark = pytest.mark.django_db

# No NUL: PostgreSQL refuses it in text columns, so it cannot be stored in the first place.
CONTROL = "\x01\x08\x0b\x0c\x1b\x7f\ufffe\uffff"
MIXED = f"Migrants 🧳🌍 مهاجرون 移民 {CONTROL}end\ttab\r\nnext line – 2030"


@pytest.fixture
def nasty_submission(filled_submission):
    Answer.objects.filter(question__number="1").update(text=MIXED)
    long_text = ("word " * (MAX_TEXT_LENGTH // 5))[:MAX_TEXT_LENGTH]
    assert len(long_text) == MAX_TEXT_LENGTH
    Answer.objects.filter(question__number="7").update(text=long_text)
    add_rows(filled_submission, 68, description=MIXED)  # 204 more rows, 210 in all
    first_event = Event.objects.order_by("pk").first()
    Event.objects.filter(pk=first_event.pk).update(name=MIXED[:80])
    return filled_submission


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_every_format_exports_nasty_text(nasty_submission, fmt):
    filename, _, content = render_export(submission=nasty_submission, fmt=fmt)

    assert filename.endswith(f".{fmt}") and content
    if fmt == "docx":
        document = docx.Document(io.BytesIO(content))
        text = "\n".join(p.text for p in body_paragraphs(document))
        assert "Migrants 🧳🌍 مهاجرون 移民 end\ttab" in text
        assert not any(c in text for c in CONTROL)
        assert len(document.tables) == 210
    elif fmt == "txt":
        text = content.decode("utf-8")
        assert "Migrants 🧳🌍 مهاجرون 移民 end" in text
        assert not any(c in text for c in CONTROL)
    elif fmt == "pdf":
        assert content.startswith(b"%PDF-")
    elif fmt == "json":
        answer = json.loads(content)["answers"][0]
        assert answer["text"] == MIXED  # lossless, control characters included
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert sheet.max_row == 211
        assert sheet.cell(row=2, column=HEADERS.index("name") + 1).value == MIXED[:80].translate(
            dict.fromkeys(map(ord, CONTROL))
        )
    elif fmt == "csv":
        assert content.decode("utf-8-sig").count("🧳") == 205  # 204 descriptions + one name
