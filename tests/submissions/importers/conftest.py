"""Seed documents, their questionnaires as parser outlines, and a canonical dump of a submission."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from submissions.importers import submission_import
from submissions.importers.document import Outline, QuestionOutline
from submissions.seeds import seeds_load
from submissions.services import questionnaire_create_from_definition

SEEDS = Path(settings.BASE_DIR) / "seeds"
SLUGS = ["desa-2017", "desa-2021", "desa-2023", "desa-2024", "gbv-2024"]


def definition(slug: str) -> dict:
    return json.loads((SEEDS / "questionnaires" / f"{slug}.json").read_text(encoding="utf-8"))


def seed_text(slug: str) -> str:
    path = SEEDS / "documents" / definition(slug)["source_document"]
    return path.read_text(encoding="utf-8")


def outline_of(slug: str) -> Outline:
    """The parser's outline straight from the JSON, so that parser tests need no database."""
    return Outline(
        tuple(
            QuestionOutline(
                number=q["number"],
                prompt=q["prompt"],
                section=q.get("section", ""),
                guidance=q.get("guidance", ""),
                has_narrative=q["has_narrative"],
                table=q["table"],
                max_rows=q.get("max_rows"),
                parts=tuple(part["title"] for part in q.get("parts", [])),
            )
            for q in definition(slug)["questions"]
        )
    )


def ws(text: str) -> str:
    """White space normalised: the comparison the round-trip requirement asks for."""
    return re.sub(r"\s+", " ", text).strip()


_ROW_SKIP = {"id", "submission", "question", "updated_at", "updated_by", "version"}


def canonical(submission) -> list[tuple]:
    """Everything an import writes, in order, without ids, editors or timestamps."""
    dump: list[tuple] = [
        ("answer", a.question.number, a.part.title if a.part else None, a.text)
        for a in submission.answers.select_related("question", "part").order_by(
            "question__position", "part__position"
        )
    ]
    for related in ("events", "resources", "initiatives"):
        rows = getattr(submission, related).select_related("question").prefetch_related("sdgs")
        for row in rows.order_by("question__position", "position"):
            values = tuple(
                (f.name, getattr(row, f.name))
                for f in row._meta.concrete_fields
                if f.name not in _ROW_SKIP
            )
            sdgs = tuple(sdg.number for sdg in row.sdgs.all())
            dump.append((related, row.question.number, values, sdgs))
    return dump


@pytest.fixture
def seeded(db):
    """The five seed questionnaires, with IOM's submissions imported from the seed documents."""
    seeds_load(demo_users=False)


@pytest.fixture
def desa_2024(sdgs):
    """The 2024 questionnaire alone (faster than loading every seed)."""
    return questionnaire_create_from_definition(definition=definition("desa-2024"))


@pytest.fixture
def iom_2024(organization, desa_2024):
    """IOM's 2024 submission, imported from its seed document."""
    return submission_import(
        organization=organization, questionnaire=desa_2024, document=seed_text("desa-2024")
    ).submission
