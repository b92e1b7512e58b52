"""Matching at scale: the stored keys, the candidates found by index, and the same results as
comparing every row with every other (the rule before the index, kept here as the reference)."""

import random
from difflib import SequenceMatcher
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from submissions.insight import matching
from submissions.insight.compare import submissions_compare
from submissions.insight.matching import Keys, NameIndex, group_rows, match_rows, names_match
from submissions.matchkeys import acronym_of, name_key
from submissions.models import ROW_MODELS, Event, Initiative, Questionnaire, Resource, Submission
from submissions.seeds import seeds_load

# -- The reference: every pair compared (the rule as it was before the candidate index) -------


def _reference_similarity(a: str, b: str) -> float:
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    ratio = SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()
    acronym_a, acronym_b = acronym_of(a), acronym_of(b)
    if acronym_a and acronym_a == acronym_b:
        return max(ratio, matching.ACRONYM_SIMILARITY)
    return ratio


def _reference_match_rows(old, new):
    candidates = sorted(
        (
            (_reference_similarity(o.name, n.name), i, j)
            for i, o in enumerate(old)
            for j, n in enumerate(new)
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    old_of_new, used_old = {}, set()
    for score, i, j in candidates:
        if score < matching.SIMILARITY:
            break
        if i in used_old or j in old_of_new:
            continue
        old_of_new[j] = i
        used_old.add(i)
    pairs = [(old[old_of_new[j]] if j in old_of_new else None, n) for j, n in enumerate(new)]
    pairs += [(o, None) for i, o in enumerate(old) if i not in used_old]
    return pairs


def _year(row):
    return row.submission.questionnaire.year


def _reference_group_rows(rows):
    ordered = sorted(rows, key=lambda r: (-_year(r), name_key(r.name)))
    groups = []
    for row in ordered:
        best, best_score = None, 0.0
        for group in groups:
            if any(_year(member) == _year(row) for member in group):
                continue
            score = _reference_similarity(group[0].name, row.name)
            if score >= matching.SIMILARITY and score > best_score:
                best, best_score = group, score
        if best is None:
            groups.append([row])
        else:
            best.append(row)
    return groups


def _row(name, year=2024):
    submission = SimpleNamespace(questionnaire=SimpleNamespace(year=year))
    return SimpleNamespace(name=name, submission=submission)


def _ids(groups):
    return [[id(r) for r in g] for g in groups]


def _pair_ids(pairs):
    return [(o and id(o), n and id(n)) for o, n in pairs]


# Names drift as the seeds' do: the year moves on, an acronym comes or goes, a phase changes,
# punctuation, case and plurals change.
def _drifted(name: str, rng: random.Random) -> str:
    drift = rng.choice(["year", "acronym", "phase", "case", "plural", "same", "same"])
    if drift == "year":
        for old, new in (("2024", "2025"), ("2023", "2024"), ("2022", "2023")):
            name = name.replace(old, new)
        return name
    if drift == "acronym":
        return name.split(" (")[0] if " (" in name else f"{name} (X{rng.randint(10, 99)}Y)"
    if drift == "phase":
        return f"{name} – phase {rng.choice(['II', 'III', '2'])}"
    if drift == "case":
        return f"  {name.upper()}. "
    if drift == "plural":
        return name + "s"
    return name


def _synthetic_years(seed_names, years=5, seed=16):
    rng = random.Random(seed)
    rows, names = [], list(seed_names)
    for year in range(2020, 2020 + years):
        rng.shuffle(names)
        kept = names[: int(len(names) * 0.8)]
        rows.extend(_row(name, year) for name in kept)
        names = [_drifted(name, rng) for name in names]
        names += [f"New programme {year} number {n} on {rng.choice(seed_names)}" for n in range(3)]
    return rows


@pytest.fixture
def seed_names(db):
    seeds_load(demo_users=False)
    return sorted(
        {
            name
            for model in ROW_MODELS.values()
            for name in model.objects.values_list("name", flat=True)
        }
    )


def test_the_seeds_group_and_pair_as_when_every_row_was_compared(seed_names):
    """The library's items and compare's pairs over the seeds are those of the all-pairs rule."""
    assert len(seed_names) > 20
    organization = Organization.objects.get(code="IOM")
    for model in ROW_MODELS.values():
        rows = list(
            model.objects.filter(submission__organization=organization)
            .select_related("submission__questionnaire")
            .order_by("submission__questionnaire__year", "question__position", "position", "id")
        )
        assert _ids(group_rows(rows)) == _ids(_reference_group_rows(rows))
        by_year = {}
        for row in rows:
            by_year.setdefault(_year(row), []).append(row)
        years = sorted(by_year)
        for old, new in zip(years, years[1:], strict=False):
            assert _pair_ids(match_rows(by_year[old], by_year[new])) == _pair_ids(
                _reference_match_rows(by_year[old], by_year[new])
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drifting_names_over_five_years_group_as_when_every_row_was_compared(seed_names, seed):
    rows = _synthetic_years(seed_names, seed=seed)
    groups = group_rows(rows)
    assert _ids(groups) == _ids(_reference_group_rows(rows))
    assert any(len(g) >= 3 for g in groups)  # names drifted and still matched
    by_year = {}
    for row in rows:
        by_year.setdefault(_year(row), []).append(row)
    for year in range(2020, 2024):
        old, new = by_year[year], by_year[year + 1]
        assert _pair_ids(match_rows(old, new)) == _pair_ids(_reference_match_rows(old, new))


def test_name_index_finds_the_first_matching_name_as_a_scan_would(seed_names):
    rows = _synthetic_years(seed_names)
    names = [row.name for row in rows[:60]]
    index = NameIndex([Keys.of(name) for name in names])
    for row in rows:
        expected = next((i for i, n in enumerate(names) if names_match(row.name, n)), None)
        assert index.first(Keys.of(row.name)) == expected


# -- Candidates by index: similarity computed among few pairs ---------------------------------


def _distinct_names(n, seed=5):
    """Names as an entity's are: two common words and two to five of their own."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvw"
    vocabulary = [
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(300)
    ]
    common = ["migration", "global", "programme", "report", "network", "development"]
    return [
        " ".join(rng.sample(common, 2) + rng.sample(vocabulary, rng.randint(2, 5))).title()
        for _ in range(n)
    ]


@pytest.mark.parametrize("size", [30, 240])
def test_similarity_is_computed_only_among_candidates(monkeypatch, size):
    """Rows sharing most of their letters in whole words are the only ones scored: at 240
    rows a year, a few per row rather than every pair (57,600)."""
    calls = []
    real = matching.pair_score
    monkeypatch.setattr(matching, "pair_score", lambda a, b: calls.append(1) or real(a, b))
    names = _distinct_names(size)
    old = [_row(name, 2023) for name in names]
    new = [_row(f"{name.upper()} 2024", 2024) for name in reversed(names)]

    pairs = match_rows(old, new)
    groups = group_rows(old + new)

    assert [(o.name.upper(), n.name) for o, n in pairs] == [
        (name.upper(), f"{name.upper()} 2024") for name in reversed(names)
    ]
    assert len(groups) == size
    assert len(calls) <= 10 * size, (len(calls), size * size)


# -- Stored keys: every write of a name brings them -------------------------------------------


@pytest.fixture
def table_rows(db, sdgs):
    seeds_load(demo_users=False)
    submission = Submission.objects.filter(events__isnull=False).distinct().first()
    return submission


def _stored(row):
    row.refresh_from_db()
    return row.match_key, row.acronym


def test_every_way_of_writing_a_name_writes_its_key(table_rows):
    submission = table_rows
    question = submission.questionnaire.questions.filter(table="events").first()
    row = Event.objects.create(
        submission=submission, question=question, name="Global Forum 2024 (GFMD)"
    )
    assert _stored(row) == ("global forum gfmd", "gfmd")

    row.name = "Regional Forum"
    row.save(update_fields=["name"])
    assert _stored(row) == ("regional forum", "")

    Event.objects.filter(pk=row.pk).update(name="Mayors’ Mechanism (MMC)")
    assert _stored(row) == ("mayors mechanism mmc", "mmc")

    row.name = "Second name"
    Event.objects.bulk_update([row], ["name"])
    assert _stored(row) == ("second name", "")

    [made] = Event.objects.bulk_create(
        [Event(submission=submission, question=question, name="Made in bulk (MIB)", position=99)]
    )
    assert _stored(Event.objects.get(name="Made in bulk (MIB)")) == ("made in bulk mib", "mib")
    assert made is not None


def test_the_migration_fills_the_keys_of_existing_rows(table_rows):
    migration = __import__(
        "submissions.migrations.0016_row_match_keys", fromlist=["fill_match_fields"]
    )
    for model in (Event, Resource, Initiative):
        model.objects.update(match_key="", acronym="")  # as after AddField

    migration.fill_match_fields(apps, None)

    for model in (Event, Resource, Initiative):
        rows = list(model.objects.all())
        assert rows
        for row in rows:
            assert (row.match_key, row.acronym) == (name_key(row.name), acronym_of(row.name))
    assert Event.objects.exclude(acronym="").exists()  # the seeds' "(IDM)" sessions


# -- Compare years: queries fixed in rows -----------------------------------------------------


def _grow(submission, table, count, prefix):
    model = ROW_MODELS[table]
    question = submission.questionnaire.questions.filter(table=table).first()
    model.objects.bulk_create(
        model(submission=submission, question=question, name=f"{prefix} {n}", position=100 + n)
        for n in range(count)
    )


def test_compare_years_runs_the_same_queries_at_16_and_120_rows(table_rows):
    organization = Organization.objects.get(code="IOM")
    new = Submission.objects.get(organization=organization, questionnaire__slug="desa-2024")
    old = Submission.objects.get(organization=organization, questionnaire__slug="desa-2023")
    with CaptureQueriesContext(connection) as few:
        submissions_compare(old=old, new=new)
    for submission in (old, new):
        _grow(submission, "initiatives", 104, "Joint programme on labour mobility in region")
    with CaptureQueriesContext(connection) as many:
        result = submissions_compare(old=old, new=new)
    assert len(few.captured_queries) == len(many.captured_queries)
    assert result is not None
    assert Questionnaire.objects.filter(slug="desa-2024").exists()
