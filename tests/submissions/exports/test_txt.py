"""Plain text in the 2024 seed layout: labels, SDGs, footer, and a fixed number of queries."""

import pytest

from submissions.exports.txt import TxtExporter
from submissions.models import SDG, Event, RowField
from tests.submissions.importers.conftest import seeded  # noqa: F401 - a fixture

from .conftest import add_rows

pytestmark = pytest.mark.django_db


def render(submission) -> str:
    filename, content_type, content = TxtExporter().render(submission)
    assert (filename, content_type) == ("IOM-desa-2024.txt", "text/plain; charset=utf-8")
    return content.decode("utf-8")


def test_txt_writes_the_questionnaires_own_wording(filled_submission):
    """Labels, limit notes, part numbers and the footer are the questionnaire's data."""
    questionnaire = filled_submission.questionnaire
    questionnaire.footer = "ECESA Plus Member\nYear of submission: 2024"
    questionnaire.save()
    events = questionnaire.questions.get(number="3")
    for position, (name, label, guidance) in enumerate(
        [
            ("name", "Event Name", ""),
            ("dates", "Event Dates", ""),
            ("location", "Event Location (City, Country)", ""),
            ("sdgs", "Relevant SDGs", ""),
            (
                "description",
                "Description (max 150 words)",
                "please include a short summary of the event’s mandate and contributions to "
                "the SDGs, including its main outcome(s)",
            ),
            ("website", "Website (if applicable)", ""),
        ]
    ):
        RowField.objects.create(
            question=events, field=name, label=label, guidance=guidance, position=position
        )
    transitions = questionnaire.questions.get(number="5")
    transitions.limit_note = "(max 200 words under each transition)"
    transitions.save()
    for index, part in enumerate(transitions.parts.order_by("position"), start=1):
        part.number = f"{index})"
        part.save()
    event = filled_submission.events.order_by("position").first()
    event.sdgs.set(SDG.objects.all())

    text = render(filled_submission)

    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "International Organization for Migration (IOM)"
    assert paragraphs[1] == "1. Decisions? (max 200 words)"
    assert paragraphs[2:4] == [
        "The Council adopted the Strategic Plan 2024–2028.",
        "It guides SDG acceleration.",
    ]
    assert "5. Six transitions? (max 200 words under each transition)\n\n" in text
    assert (
        "\n\n1) Food systems\n\nMigrants work in agri-food systems.\n\n2) Energy access\n\n" in text
    )
    assert (
        "Event Name\n\nevent 1\n\nEvent Dates\n\n21-22 May 2024\n\n"
        "Event Location (City, Country)\n\nNew York, United States\n\n"
        "Relevant SDGs\n\nAll 17 SDGs\n\n"
        "Description (max 150 words): please include a short summary of the event’s mandate "
        "and contributions to the SDGs, including its main outcome(s)\n\n"
        "A short description.\n\nWebsite (if applicable)\n\nhttps://www.iom.int/\n\n"
    ) in text
    assert "Partnerships\n\n7. Initiatives? (max 200 words)\n\nWe partner widely." in text
    assert text.endswith("ECESA Plus Member\nYear of submission: 2024\n")


def test_without_its_own_wording_a_table_uses_the_apps_labels(filled_submission):
    text = render(filled_submission)
    assert "Resource name\n\nresource 1\n\nRelevant SDGs\n\n4, 10, 17\n\n" in text
    assert "Description (max 150 words)\n\nA short description." in text
    assert "ECESA" not in text  # no footer the questionnaire does not have


def test_txt_leaves_empty_values_empty(filled_submission):
    Event.objects.filter(submission=filled_submission).update(website="", dates="")
    text = render(filled_submission)
    assert "Event dates\n\nEvent location (city, country)" in text
    assert "Website\n\nEvent name" in text


def test_txt_queries_do_not_grow_with_rows(
    submission, full_questionnaire, sdgs, django_assert_num_queries
):
    """Prevents the N+1 of reading each row's SDGs (and each answer's question and part) one
    query per row: the submission, questions, parts, row field labels, answers, and rows and
    SDGs of each of the three tables are eleven queries for 1 row of each kind as for 50."""
    add_rows(submission, 1)
    with django_assert_num_queries(11):
        TxtExporter().render(submission)
    for related in ("events", "resources", "initiatives"):
        getattr(submission, related).all().delete()
    add_rows(submission, 50)
    with django_assert_num_queries(11):
        text = TxtExporter().render(submission)[2].decode("utf-8")
    assert text.count("Event name") == 50


# -- The text export equal to the seed documents ------------------------------------------

# What differs between each seed and its import exported as text, web-page furniture lines
# aside, and why. Lines compared with their white space collapsed and blank lines dropped
# (the seeds' trailing and no-break spaces are not text). A difference not listed here, or
# one listed that is gone, fails the test.
SEED_DIFFERENCES: dict[str, list[tuple[list[str], list[str], str]]] = {
    "desa-2024": [
        (
            ["1)Food systems"],
            ["1) Food systems"],
            "the seed has no space after the first transition's number, and one after the "
            "five others; the export writes them all alike",
        ),
    ],
    "desa-2023": [
        (
            ["Initiative/Partnership Name", "|"],
            ["Initiative/Partnership Name |"],
            "the seed ends this cell with a “ |” on a line of its own",
        ),
        (
            ["United Nations Network on Migration (UNNM): Workstream on promoting safe", "|"],
            ["United Nations Network on Migration (UNNM): Workstream on promoting safe"],
            "the seed ends this cell with a “ |” on a line of its own",
        ),
    ],
    "desa-2021": [
        (
            ["Link to access…"],
            ["[Link to access: …]", "Link to access"],
            "“…” is no web address: the import moves it to the end of the description, "
            "where the author sees and fixes it, and leaves the link empty",
        ),
        (
            ["Target audience", "National governments, UN agencies, other stakeholders"],
            ["Target audience National governments, UN agencies, other stakeholders"],
            "the seed puts this value on the line after its label; the 2021 layout writes "
            "label and value on one line",
        ),
        (
            ["Link to access…"],
            ["[Link to access: …]", "Link to access"],
            "“…” is no web address (as above)",
        ),
        (
            ["Language English"],
            [],
            "the seed gives this row's fields in another order; the export writes them in "
            "the form's order (the line comes below, before the next row)",
        ),
        (
            ["The Human Mobility Impacts due to COVID-19 demonstrates IOM's"],
            ["Description The Human Mobility Impacts due to COVID-19 demonstrates IOM's"],
            "the seed gives this description without its label; the export labels it",
        ),
        ([], ["Language English"], "the field the seed gives earlier (see above)"),
        (
            ["Target audience diaspora organizations, governments, academia"],
            [],
            "an initiatives table has no target audience: the import keeps this text apart "
            "(text the import could not place, on the submission's page)",
        ),
        (
            ["Member State(s) benefiting from the initiative As the UN Network on Migration"],
            ["Member States benefiting from the initiative As the UN Network on Migration"],
            "the seed words this one label differently from the form's",
        ),
        (
            ["Website Website:"],
            ["[Website: Website:]"],
            "“Website:” is no web address: moved to the end of the description (as above)",
        ),
    ],
    "desa-2017": [],
    # The web page shows each answer cut short, then in full after "View More": compared
    # with the answers in full (_answers_in_full), the export writes each once.
    "gbv-2024": [
        (
            ["The approach has been piloted at both community level and using an institutional"],
            ["The approach has been piloted at both community level and using an institutional"],
            "the page's full copy of the last answer lacks the final full stop its cut-short "
            "copy has; the import keeps the longer line",
        ),
    ],
}


def _lines(text: str) -> list[str]:
    from submissions.importers.labels import is_furniture

    lines = (" ".join(line.split()) for line in text.replace("\r", "").split("\n"))
    return [line for line in lines if line and not is_furniture(line)]


def _differences(seed: list[str], export: list[str]) -> list[tuple[list[str], list[str]]]:
    import difflib

    matcher = difflib.SequenceMatcher(None, seed, export, autojunk=False)
    return [
        (seed[i1:i2], export[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@pytest.mark.parametrize("slug", list(SEED_DIFFERENCES))
def test_the_text_export_is_the_seed_document(seeded, slug):  # noqa: F811 - the fixture
    from submissions.models import Submission
    from tests.submissions.importers.conftest import seed_text

    submission = Submission.objects.get(organization__code="IOM", questionnaire__slug=slug)
    export = _lines(TxtExporter().render(submission)[2].decode("utf-8"))
    seed = _lines(seed_text(slug))
    if submission.questionnaire.text_layout == "web-capture":
        seed = _answers_in_full(seed)
    found = _differences(seed, export)
    expected = SEED_DIFFERENCES[slug]
    assert len(found) == len(expected), found
    for (seed_part, export_part), (seed_wanted, export_wanted, reason) in zip(
        found, expected, strict=True
    ):
        assert len(seed_part) == len(seed_wanted), (reason, seed_part)
        assert len(export_part) == len(export_wanted), (reason, export_part)
        pairs = [
            *zip(seed_part, seed_wanted, strict=True),
            *zip(export_part, export_wanted, strict=True),
        ]
        for line, wanted in pairs:
            assert line.startswith(wanted), (reason, line)


def _answers_in_full(seed: list[str]) -> list[str]:
    """The capture's lines without its cut-short copies: the organization line, then each
    answer from its "View More" to the cut-short copy of the next one, which is the run of
    lines before the next "View More" that begin that answer's lines."""
    from submissions.importers.webcapture import VIEW_MORE

    marks = [i for i, line in enumerate(seed) if line.startswith(VIEW_MORE)]
    full = [[seed[m]] for m in marks]
    ends = [*marks[1:], len(seed)]
    for n, (mark, end) in enumerate(zip(marks, ends, strict=True)):
        block = seed[mark + 1 : end]
        if n + 1 < len(marks):
            following = [
                full[n + 1][0][len(VIEW_MORE) :].strip(),
                *seed[marks[n + 1] + 1 : ends[n + 1]],
            ]
            for start in range(len(block) + 1):
                cut = block[start:]
                pairs = zip(cut, following, strict=False)
                if all(later.startswith(line.rstrip(".…")) for line, later in pairs):
                    block = block[:start]
                    break
        full[n] += block
    return [seed[0], *(line for answer in full for line in answer)]
