#!/usr/bin/env python
"""Benchmark: importing the five seed documents, and exporting the 2024 submission to each format.

Prints the median of several runs beside each goal. Not part of the test suite (the test
suite asserts query counts, not times).

    .venv/bin/python benchmarks/bench_exports.py            # temporary SQLite database
    .venv/bin/python benchmarks/bench_exports.py --runs 20
    .venv/bin/python benchmarks/bench_exports.py --configured-database   # DATABASE_URL

With --configured-database the seeds are loaded into that database (load_seeds does the same)
and everything else the benchmark writes is rolled back.
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOALS = {"docx": 0.3, "pdf": 2.0, "txt": 0.1, "json": 0.1, "csv": None, "xlsx": None}
WORDS = [
    "migration",
    "mobility",
    "partnership",
    "resilience",
    "climate",
    "displacement",
    "inclusion",
    "data",
    "governance",
    "protection",
    "livelihoods",
    "health",
    "education",
    "gender",
    "coordination",
]


def _setup(configured_database: bool) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if not configured_database:
        directory = tempfile.mkdtemp(prefix="bench-exports-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _median(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _text(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed + i * 7) % len(WORDS)] for i in range(words))


def _fill_synthetic(submission) -> None:
    """The 2024 submission's shape: narratives, 6 parts, 3 events, 3 resources, 10 initiatives."""
    from submissions.models import ROW_MODELS, SDG, Answer

    sdgs = list(SDG.objects.filter(number__in=[3, 5, 10, 16, 17]))
    counts = {"events": 3, "resources": 3, "initiatives": 10}
    for number, question in enumerate(submission.questionnaire.questions.all()):
        if question.has_narrative:
            Answer.objects.create(submission=submission, question=question, text=_text(190, number))
        for part in question.parts.all():
            Answer.objects.create(
                submission=submission, question=question, part=part, text=_text(190, part.pk)
            )
        if question.table:
            model = ROW_MODELS[question.table]
            for position in range(1, counts[question.table] + 1):
                row = model.objects.create(
                    submission=submission,
                    question=question,
                    position=position,
                    name=f"{question.get_table_display()} {position}",
                    description=_text(140, position),
                    website="https://www.iom.int/",
                )
                row.sdgs.set(sdgs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per figure (default 10)")
    parser.add_argument("--configured-database", action="store_true")
    args = parser.parse_args()
    _setup(args.configured_database)

    from django.db import transaction

    from submissions.exports import EXPORTERS, render_export
    from submissions.models import Submission
    from submissions.seeds import SEEDS_DIR, seeds_load

    seeds_load(demo_users=False)
    with transaction.atomic():
        submission = Submission.objects.select_related("organization", "questionnaire").get(
            organization__code="IOM", questionnaire__slug="desa-2024"
        )
        shape = {
            "answers": submission.answers.count(),
            "events": submission.events.count(),
            "resources": submission.resources.count(),
            "initiatives": submission.initiatives.count(),
        }
        if not any(shape.values()):
            _fill_synthetic(submission)
            print("The 2024 seed was not imported: exporting a synthetic submission of its shape.")
        print(
            f"2024 submission: {shape if any(shape.values()) else 'synthetic'}; "
            f"median of {args.runs} runs\n"
        )

        try:
            from submissions.importers import submission_import
        except ImportError:
            submission_import = None
        if submission_import is None:
            print(f"{'import of the five seeds':<28} n/a (no submissions.importers)")
        else:
            seeded = list(
                Submission.objects.filter(organization__code="IOM")
                .exclude(questionnaire__source_document="")
                .select_related("organization", "questionnaire")
            )
            documents = {
                s.pk: (SEEDS_DIR / "documents" / s.questionnaire.source_document).read_text(
                    encoding="utf-8"
                )
                for s in seeded
            }

            def import_all():
                for s in seeded:
                    submission_import(
                        organization=s.organization,
                        questionnaire=s.questionnaire,
                        document=documents[s.pk],
                        replace=True,
                    )

            seconds = _median(import_all, args.runs)
            print(f"{'import of the ' + str(len(seeded)) + ' seeds':<28} {seconds:7.3f} s")

        for fmt in EXPORTERS:
            render_export(submission=submission, fmt=fmt)  # warm up: imports, fonts
            seconds = _median(
                lambda fmt=fmt: render_export(submission=submission, fmt=fmt), args.runs
            )
            goal = GOALS.get(fmt)
            verdict = "" if goal is None else ("  ok" if seconds < goal else "  OVER")
            goal_text = f"goal < {goal} s" if goal else "no goal"
            print(f"{'export ' + fmt:<28} {seconds:7.3f} s   ({goal_text}){verdict}")

        for fmt in ("docx", "pdf"):
            _row_scaling(submission, max(3, args.runs // 2), fmt)
        if submission_import is not None:
            _word_import(submission, max(3, args.runs // 2))
        transaction.set_rollback(True)
    return 0


SCALING_ROWS = (16, 30, 60, 120)
DOUBLING_GOAL = 2.2


def _row_scaling(submission, runs: int, fmt: str) -> None:
    """DOCX or PDF time against the submission's table rows (16 in the 2024 seed): each
    doubling of the rows should cost at most x2.2, about linear (python-docx and WeasyPrint
    both have quadratic pitfalls).

    The rows added are copies of the submission's first event; all of them are rolled back.
    """
    from django.db import transaction

    from submissions.exports import render_export
    from submissions.models import ROW_MODELS, Event

    template = submission.events.first()
    if template is None:
        return
    print()
    with transaction.atomic():
        previous = None
        for rows in SCALING_ROWS:
            existing = sum(
                model.objects.filter(submission=submission).count() for model in ROW_MODELS.values()
            )
            Event.objects.bulk_create(
                Event(
                    submission=submission,
                    question_id=template.question_id,
                    position=3000 + i,
                    name=f"{template.name} {i}",
                    dates=template.dates,
                    location=template.location,
                    description=template.description,
                )
                for i in range(existing, rows)
            )
            if existing > rows:
                continue
            cpu_start = time.process_time()
            seconds = _median(lambda: render_export(submission=submission, fmt=fmt), runs)
            # The process's CPU time beside it: on a busy machine the wall time is the neighbours'.
            cpu = (time.process_time() - cpu_start) / runs
            factor = ""
            if previous:
                # Scaled to a doubling: 16 -> 30 rows is not quite twice the rows.
                per_doubling = (seconds / previous[1]) ** (1 / math.log2(rows / previous[0]))
                verdict = "ok" if per_doubling <= DOUBLING_GOAL else "OVER"
                factor = (
                    f"  (x{per_doubling:.2f} per doubling of the rows, "
                    f"goal <= x{DOUBLING_GOAL}) {verdict}"
                )
            print(f"{f'export {fmt}, {rows} rows':<28} {seconds:7.3f} s{factor}  [cpu {cpu:.3f} s]")
            previous = (rows, seconds)
        transaction.set_rollback(True)


WORD_PAGES = 100
WORD_IMPORT_GOAL = 2.0


def _word_import(submission, runs: int) -> None:
    """Import of a Word document of at least 100 pages: the app's own export of the 2024
    submission grown with events (pages counted by LibreOffice when it is installed)."""
    import shutil

    from accounts.models import Organization
    from submissions.exports import render_export
    from submissions.importers import submission_import
    from submissions.models import Event

    events = submission.events.count()
    if events < 300:
        question_id = submission.events.values_list("question_id", flat=True).first()
        Event.objects.bulk_create(
            Event(
                submission=submission,
                question_id=question_id,
                position=2000 + i,
                name=f"Regional consultation {i}",
                dates="21-22 May 2024",
                location="Geneva, Switzerland",
                sdgs_text="10.7, 16.2, 17.18",
                description=_text(140, i),
            )
            for i in range(events, 300)
        )
    _, _, word = render_export(submission=submission, fmt="docx")
    pages = _pages(word) if shutil.which("soffice") and shutil.which("pdfinfo") else None
    organization, _ = Organization.objects.get_or_create(
        code="BENCH", defaults={"name": "Benchmark organization"}
    )
    seconds = _median(
        lambda: submission_import(
            organization=organization,
            questionnaire=submission.questionnaire,
            document=word,
            dry_run=True,
        ),
        runs,
    )
    size = f"{pages} pages" if pages else f"{len(word) // 1024} KB"
    verdict = "  ok" if seconds < WORD_IMPORT_GOAL and (pages or 0) >= WORD_PAGES else ""
    print(
        f"{'import of a Word document':<28} {seconds:7.3f} s   ({size}, "
        f"goal < {WORD_IMPORT_GOAL} s for {WORD_PAGES} pages){verdict}"
    )


def _pages(word: bytes) -> int | None:
    """Pages of a DOCX as LibreOffice lays it out."""
    import subprocess

    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "document.docx"
        source.write_bytes(word)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(directory, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                directory,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        info = subprocess.run(
            ["pdfinfo", str(Path(directory) / "document.pdf")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


if __name__ == "__main__":
    sys.exit(main())
