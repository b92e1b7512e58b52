#!/usr/bin/env python
"""Benchmark: the library and comparing years as one submission grows from 16 to 120 rows.

Loads the seeds, then times (in-process, Django's test client, interleaved runs, medians)
the trivial view of a logged-in user (/bench/trivial/), the library and comparing IOM's 2023
and 2024 submissions, with the 2024 seed's 16 rows and then 120 (104 more initiatives, and as
many in 2023 under last year's names, so that they match). Prints queries, medians, ratios
to the trivial view, and the matching alone at 120 to 960 rows a year (time per row: linear
when it stays flat). Not part of the test suite.

    .venv/bin/python benchmarks/bench_library.py                       # temporary SQLite
    scripts/pg_local.sh .venv/bin/python benchmarks/bench_library.py --configured-database

Goals (issue 16): the library at 120 rows in one submission within 5 times the trivial view;
comparing years linear in rows.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOPICS = (
    "labour mobility",
    "climate displacement",
    "return and reintegration",
    "border management",
    "diaspora engagement",
    "migrant health",
    "counter trafficking",
    "data for development",
)
PLACES = ("West Africa", "the Sahel", "Central America", "the Pacific", "South Asia", "Europe")


def _setup(configured_database: bool) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    if not configured_database:
        directory = tempfile.mkdtemp(prefix="bench-library-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # In process, without collectstatic: plain static URLs instead of the manifest's.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}

    call_command("migrate", verbosity=0)


def _names(count: int, year: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    return [
        f"{rng.choice(('Joint', 'Regional', 'Global'))} programme on {TOPICS[n % 8]} in "
        f"{PLACES[n // 8 % 6]} ({chr(65 + n % 26)}{chr(65 + n // 26 % 26)}P{n}) {year}"
        for n in range(count)
    ]


def _grow(submission, count: int) -> None:
    from submissions.models import SDG, Initiative

    question = submission.questionnaire.questions.filter(table="initiatives").first()
    start = Initiative.objects.filter(submission=submission).count()
    rows = Initiative.objects.bulk_create(
        Initiative(
            submission=submission,
            question=question,
            name=name,
            position=start + n,
            description="Cities and partners working together on the programme.",
        )
        for n, name in enumerate(_names(count, submission.questionnaire.year))
    )
    sdgs = list(SDG.objects.filter(number__in=[8, 10, 17]))
    Initiative.sdgs.through.objects.bulk_create(
        Initiative.sdgs.through(initiative_id=row.pk, sdg_id=sdg.pk) for row in rows for sdg in sdgs
    )


def _measure(client, pages: dict[str, str], runs: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured.captured_queries)
    for _ in range(3):  # warm
        for url in pages.values():
            client.get(url)
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(runs):
        for name, url in pages.items():
            start = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]) * 1000, queries[name]) for name in pages}


def _matching_per_row() -> list[tuple[int, float, float]]:
    from types import SimpleNamespace

    from submissions.insight.matching import group_rows, match_rows
    from submissions.matchkeys import row_match_fields

    def rows(names, year):
        questionnaire = SimpleNamespace(year=year)
        return [
            SimpleNamespace(
                name=name,
                submission=SimpleNamespace(questionnaire=questionnaire),
                **row_match_fields(name),
            )
            for name in names
        ]

    figures = []
    for size in (120, 240, 480, 960):
        old, new = rows(_names(size, 2023), 2023), rows(_names(size, 2024)[::-1], 2024)
        start = time.perf_counter()
        pairs = match_rows(old, new)
        matched = time.perf_counter() - start
        start = time.perf_counter()
        groups = group_rows(old + new)
        grouped = time.perf_counter() - start
        assert all(o and n for o, n in pairs) and len(groups) == size
        figures.append((size, matched / size * 1e6, grouped / size * 1e6))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--configured-database", action="store_true")
    args = parser.parse_args()
    _setup(args.configured_database)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership, Organization, Role
    from submissions.models import Submission
    from submissions.seeds import seeds_load

    seeds_load(demo_users=False)
    iom = Organization.objects.get(code="IOM")

    user, _created = get_user_model().objects.get_or_create(username="bench-library")
    Membership.objects.get_or_create(
        user=user, organization=iom, defaults={"role": Role.COORDINATOR}
    )
    new = Submission.objects.get(organization=iom, questionnaire__slug="desa-2024")
    old = Submission.objects.get(organization=iom, questionnaire__slug="desa-2023")
    client = Client()
    client.force_login(user)
    pages = {
        "trivial": "/bench/trivial/",
        "library": "/library/",
        "compare": f"/compare/?a={old.pk}&b={new.pk}",
    }
    print(f"database: {connection.vendor}; runs: {args.runs}; load: {os.getloadavg()}")
    results = {}
    for label, grow in (("seed", 0), ("grown", 104)):
        if grow:
            _grow(new, grow)
            _grow(old, grow)
        results[label] = (_count(new), _measure(client, pages, args.runs))
    print(f"{'page':<10} {'rows':>5} {'queries':>8} {'median ms':>10} {'÷ trivial':>10}")
    for label, (rows, figures) in results.items():
        trivial = figures["trivial"][0]
        for name, (ms, queries) in figures.items():
            print(f"{name:<10} {rows:>5} {queries:>8} {ms:>10.1f} {ms / trivial:>10.2f}")
        print(f"  ({label})")
    library = results["grown"][1]["library"][0] / results["grown"][1]["trivial"][0]
    print(f"library at {results['grown'][0]} rows ÷ trivial: {library:.2f} (goal: at most 5)")
    print("matching alone, microseconds per row (flat = linear):")
    print(f"{'rows a year':>12} {'match_rows':>11} {'group_rows':>11}")
    for size, matched, grouped in _matching_per_row():
        print(f"{size:>12} {matched:>11.0f} {grouped:>11.0f}")


def _count(submission) -> int:
    from submissions.models import ROW_MODELS

    return sum(model.objects.filter(submission=submission).count() for model in ROW_MODELS.values())


if __name__ == "__main__":
    main()
