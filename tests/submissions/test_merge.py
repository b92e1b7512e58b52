"""Three-way merge: two people edit one answer or row; different passages merge, the same
passage clashes, and nothing anyone wrote is overwritten without them seeing it."""

import random

import pytest

from submissions import changes
from submissions.merge import merge_row, merge_text
from submissions.models import Answer, Event
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

BASE = "One two three four.\n\nFive six seven eight.\n\nNine ten eleven twelve."


def test_changes_to_different_paragraphs_merge():
    mine = BASE.replace("six", "SIX")
    theirs = BASE.replace("eleven", "ELEVEN")
    merged = merge_text(BASE, mine, theirs)
    assert merged.clean and merged.text == BASE.replace("six", "SIX").replace("eleven", "ELEVEN")
    assert merged.their_paragraphs == [3]


def test_changes_to_different_words_of_one_paragraph_merge():
    merged = merge_text(BASE, BASE.replace("two", "2"), BASE.replace("three", "3"))
    assert merged.clean and merged.text.startswith("One 2 3 four.")


def test_the_same_words_changed_twice_clash_and_keep_mine_marked():
    mine, theirs = BASE.replace("two", "TWO"), BASE.replace("two", "deux")
    merged = merge_text(BASE, mine, theirs)
    [clash] = merged.clashes
    assert (clash.mine, clash.theirs) == ("One TWO three four.", "One deux three four.")
    assert merged.text[clash.start : clash.end] == "One TWO three four."


def test_a_paragraph_added_by_one_and_another_changed_by_the_other_merge():
    merged = merge_text(BASE, BASE + "\n\nThirteen.", "Zero.\n\n" + BASE)
    assert merged.clean and merged.text == "Zero.\n\n" + BASE + "\n\nThirteen."


def test_rows_merge_field_by_field_and_sdgs_as_sets():
    base = {"name": "IDM", "dates": "May", "description": "A dialogue.", "sdgs": [10, 17]}
    mine = {**base, "dates": "21-22 May 2024", "sdgs": [10, 16, 17]}
    theirs = {**base, "description": "A dialogue in New York.", "sdgs": [10]}
    merged = merge_row(base, mine, theirs)
    assert merged.clean
    assert merged.values == {
        "name": "IDM",
        "dates": "21-22 May 2024",
        "description": "A dialogue in New York.",
        "sdgs": [10, 16],
    }
    clash = merge_row(base, {**base, "name": "IDM 2024"}, {**base, "name": "IDM (first)"})
    assert clash.clashes == ["name"]


# -- Through the write gate, as two people save ------------------------------------------


def save(submission, question, user, text, version):
    return changes.answer_save(
        submission=submission,
        question=question,
        part=None,
        text=text,
        base_version=version,
        user=user,
        key="answer-main",
    )


@pytest.fixture
def two(organization):
    ana = make_member(organization, "contributor", "ana")
    ana.first_name = "Ana"
    ana.save()
    return ana, make_member(organization, "contributor", "bo")


def test_a_second_save_from_an_older_version_merges_and_says_with_whom(submission, two):
    ana, bo = two
    question = submission.questionnaire.questions.get(number="1")
    save(submission, question, ana, BASE, 0)
    assert save(submission, question, ana, BASE.replace("six", "SIX"), 1).status == "saved"

    result = save(submission, question, bo, BASE.replace("twelve", "12"), 1)

    assert result.status == changes.MERGED and result.version == 3
    expected = BASE.replace("six", "SIX").replace("twelve", "12")
    assert result.current == {"text": expected}
    assert result.message == "Merged with Ana's change to paragraph 2."
    assert Answer.objects.get().text == expected


def test_a_clash_writes_nothing_and_shows_the_diff_and_a_merged_text(submission, two):
    ana, bo = two
    question = submission.questionnaire.questions.get(number="1")
    save(submission, question, ana, BASE, 0)
    save(submission, question, ana, BASE.replace("six", "SIX").replace("ten", "TEN"), 1)

    result = save(submission, question, bo, BASE.replace("six", "6").replace("one", "1"), 1)

    assert result.status == changes.CONFLICT
    assert Answer.objects.get().text == BASE.replace("six", "SIX").replace("ten", "TEN")
    assert ("delete", " SIX") in result.merge["diff"] and ("insert", " 6") in result.merge["diff"]
    [clash] = result.merge["clashes"]
    assert clash["theirs"] == "Five SIX seven eight." and clash["mine"] == "Five 6 seven eight."
    # Merged where it could be: Ana's "TEN" is in the text offered to edit.
    assert "TEN" in result.merge["text"] and "Five 6 seven" in result.merge["text"]


def test_row_fields_merge_through_the_gate(submission, two, sdgs):
    ana, bo = two
    question = submission.questionnaire.questions.get(number="3")
    values = {
        "name": "IDM",
        "dates": "May",
        "location": "",
        "description": "A dialogue.",
        "website": "",
    }
    created = changes.row_save(
        submission=submission, question=question, row_id=None, base_version=0, values=values,
        sdgs=[10], position=0, user=ana, key="rows-0",
    )  # fmt: skip
    changes.row_save(
        submission=submission, question=question, row_id=created.id, base_version=1,
        values={**values, "dates": "21-22 May"}, sdgs=[10], position=0, user=ana, key="rows-0",
    )  # fmt: skip
    result = changes.row_save(
        submission=submission, question=question, row_id=created.id, base_version=1,
        values={**values, "location": "New York"}, sdgs=[10, 17], position=0, user=bo,
        key="rows-0",
    )  # fmt: skip
    assert result.status == changes.MERGED
    row = Event.objects.get()
    assert (row.dates, row.location, row.version) == ("21-22 May", "New York", 3)
    assert sorted(row.sdgs.values_list("pk", flat=True)) == [10, 17]

    clash = changes.row_save(
        submission=submission, question=question, row_id=created.id, base_version=1,
        values={**values, "dates": "June"}, sdgs=[10], position=0, user=bo, key="rows-0",
    )  # fmt: skip
    assert clash.status == changes.CONFLICT and clash.merge == {"fields": ["dates"]}
    assert Event.objects.get().dates == "21-22 May"


# -- A thousand interleavings against a model of what each writer meant --------------------


def _paragraphs(count: int) -> list[list[str]]:
    return [[f"w{p}x{w}" for w in range(6)] for p in range(count)]


def _text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(words) for words in paragraphs)


def _edit(rng: random.Random, paragraphs, who: str) -> dict[tuple[int, int], str]:
    """Words a writer replaces: (paragraph, word) -> new word."""
    edits = {}
    for _ in range(rng.randint(1, 3)):
        p, w = rng.randrange(len(paragraphs)), rng.randrange(6)
        edits[(p, w)] = f"{who}{p}x{w}"
    return edits


def _apply(paragraphs, *edits: dict) -> str:
    words = [list(p) for p in paragraphs]
    for edit in edits:
        for (p, w), new in edit.items():
            words[p][w] = new
    return _text(words)


def test_a_thousand_two_writer_interleavings_lose_nothing(submission, two):
    """Each round: both writers start from the same version and change words; whoever saves
    second is merged when the two changed different words (the text then holds both), and
    refused with both texts when they changed one word differently (the first stays)."""
    ana, bo = two
    question = submission.questionnaire.questions.get(number="1")
    rng = random.Random(2030)
    merged = clashed = 0
    for _round in range(1000):
        Answer.objects.all().delete()
        paragraphs = _paragraphs(rng.randint(1, 4))
        save(submission, question, ana, _text(paragraphs), 0)
        first, second = (ana, bo) if rng.random() < 0.5 else (bo, ana)
        a, b = _edit(rng, paragraphs, "A"), _edit(rng, paragraphs, "B")

        assert save(submission, question, first, _apply(paragraphs, a), 1).status == "saved"
        result = save(submission, question, second, _apply(paragraphs, b), 1)

        clash = any(key in a and a[key] != b[key] for key in b)
        stored = Answer.objects.get().text
        if clash:
            clashed += 1
            assert result.status == changes.CONFLICT
            assert stored == _apply(paragraphs, a)  # the first writer's text, untouched
        else:
            merged += 1
            assert result.status in (changes.MERGED, changes.SAVED), result
            assert stored == _apply(paragraphs, a, b)  # both writers' words
    assert merged > 300 and clashed > 100  # both cases were exercised
