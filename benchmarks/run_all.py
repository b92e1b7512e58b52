#!/usr/bin/env python
"""Every benchmark in one table: `make bench`.

Runs, each as a subprocess with its own database: bench_edit_page.py (the editing page against
a trivial view, under gunicorn), the queries of each page (Django's test client, counted),
bench_exports.py (imports and exports), bench_concurrent_exports.py (the edit page while four
PDF exports run through the task worker, and as before, inside the request; PostgreSQL),
load_test.py (simulated users on gunicorn and PostgreSQL, with its check) and bench_scale.py
(every page at 50 and 100 entities × 10 years and with a 120-row submission, on PostgreSQL
and SQLite; its summary lines). Each one's full output is kept in a temporary folder, named
at the end; the table of figures and goals is printed last, with the machine it ran on.

    .venv/bin/python benchmarks/run_all.py                 # five minutes, and the scale one
    .venv/bin/python benchmarks/run_all.py --quick         # short runs, to try it
    .venv/bin/python benchmarks/run_all.py --skip load     # without the load test
    .venv/bin/python benchmarks/run_all.py --skip scale    # without the scale benchmark
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = Path(tempfile.mkdtemp(prefix="bench-results-"))

QUERY_PAGES = """
import os, sys, tempfile
sys.path.insert(0, {root!r})
os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1",
                  DJANGO_ALLOWED_HOSTS="testserver", DJANGO_LOG_LEVEL="ERROR",
                  DATABASE_URL="sqlite:///" + tempfile.mkdtemp() + "/q.db")
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
from accounts.models import Membership, Organization
from submissions.models import Question, Submission
from submissions.seeds import seeds_load
call_command("migrate", verbosity=0)
seeds_load(demo_users=False)
organization = Organization.objects.get(code="IOM")
user = get_user_model().objects.create(username="queries")
Membership.objects.create(user=user, organization=organization, role="coordinator")
submission = Submission.objects.get(organization=organization, questionnaire__slug="desa-2024")
table = Question.objects.get(questionnaire__slug="desa-2024", table="initiatives")
client = Client()
client.force_login(user)
base = f"/submissions/{{submission.pk}}"
pages = [
    ("dashboard", "/"),
    ("submission overview", base + "/"),
    ("edit page, narrative", base + "/questions/1/"),
    ("edit page, parts", base + "/questions/5/"),
    (f"edit page, {{table.initiatives.filter(submission=submission).count()}} initiatives",
     base + f"/questions/{{table.number}}/"),
    ("review page", base + "/review/"),
    ("history of an answer", base + "/questions/1/history/"),
]
for name, url in pages:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    print(f"queries {{name}}: {{len(queries)}} (HTTP {{status}})")
    assert status == 200, (name, url, status)
"""


def run(name: str, command: list[str], env: dict | None = None) -> tuple[str, float, int]:
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    start = time.monotonic()
    process = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    output = process.stdout + process.stderr
    (RESULTS / f"{name}.txt").write_text(output, encoding="utf-8")
    lines = [line for line in process.stdout.splitlines() if line.strip()]
    for line in lines:
        print(f"   {line}")
    if process.returncode:
        print(f"   exit code {process.returncode}; full output in {RESULTS / (name + '.txt')}")
        print("   " + "\n   ".join(output.strip().splitlines()[-15:]))
    print(f"   ({seconds:.0f} s)", flush=True)
    return process.stdout, seconds, process.returncode


def number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text, re.MULTILINE)
    return float(match[1]) if match else None


def verdict(value: float | None, goal: float | None, *, lower_is_better: bool = True) -> str:
    if value is None:
        return "n/a"
    if goal is None:
        return ""
    ok = value <= goal if lower_is_better else value >= goal
    return "ok" if ok else "OVER"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    postgres = subprocess.run(
        ["/usr/lib/postgresql/15/bin/postgres", "--version"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {postgres or 'PostgreSQL not found'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, a 10 s load test")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["edit", "queries", "exports", "concurrent", "load", "scale"],
        help="leave a benchmark out (repeatable)",
    )
    args = parser.parse_args()
    python = sys.executable
    rows: list[tuple[str, str, str, str]] = []  # benchmark, figure, goal, verdict
    failures = []

    if "edit" not in args.skip:
        out, _s, code = run(
            "edit_page",
            [python, str(HERE / "bench_edit_page.py"), "--requests", "50" if args.quick else "200"],
        )
        failures += ["edit page"] if code else []
        edit = number(r"^edit page .*median ([\d.]+) ms", out)
        trivial = number(r"^trivial .*median ([\d.]+) ms", out)
        health = number(r"^health .*median ([\d.]+) ms", out)
        ratio = number(r"^ratio: ([\d.]+)", out)
        health_ratio = number(r"^ratio to the health check: ([\d.]+)", out)
        database = re.search(r"^database: (\w+)", out, re.MULTILINE)
        where = f" ({database[1]})" if database else ""
        rows.append((f"edit page median{where}", _ms(edit), "", ""))
        rows.append(("trivial view, logged in (base layout) median", _ms(trivial), "", ""))
        rows.append(("health check (no session) median", _ms(health), "", ""))
        rows.append(("edit page / trivial view", _fmt(ratio, "{:.2f}"), "<= 3", verdict(ratio, 3)))
        rows.append(("edit page / health check", _fmt(health_ratio, "{:.2f}"), "", ""))

    if "queries" not in args.skip:
        out, _s, code = run("queries", [python, "-c", QUERY_PAGES.format(root=str(ROOT))])
        failures += ["queries"] if code else []
        for name, count in re.findall(r"^queries (.+): (\d+)", out, re.MULTILINE):
            rows.append((f"queries: {name}", count, "", ""))

    if "exports" not in args.skip:
        out, _s, code = run(
            "exports",
            [python, str(HERE / "bench_exports.py"), "--runs", "3" if args.quick else "10"],
        )
        failures += ["exports"] if code else []
        seeds = re.search(r"^import of the (\d+) seeds\s+([\d.]+) s", out, re.MULTILINE)
        if seeds:
            rows.append((f"import of the {seeds[1]} seed documents", f"{seeds[2]} s", "", ""))
        for fmt, seconds, goal in re.findall(
            r"^export (\w+)\s+([\d.]+) s\s+\((?:goal < ([\d.]+) s|no goal)\)", out, re.MULTILINE
        ):
            limit = float(goal) if goal else None
            rows.append(
                (
                    f"export {fmt} (2024 submission)",
                    f"{seconds} s",
                    f"< {goal} s" if goal else "",
                    verdict(float(seconds), limit),
                )
            )
        for events, seconds, factor in re.findall(
            r"^export docx, (\d+) events\s+([\d.]+) s(?:\s+\(x([\d.]+))?", out, re.MULTILINE
        ):
            rows.append(
                (
                    f"export docx, {events} events",
                    f"{seconds} s" + (f" (x{factor})" if factor else ""),
                    "< x3 per doubling" if factor else "",  # x2 linear, x4 quadratic
                    verdict(float(factor), 3.0) if factor else "",
                )
            )
        for rows_count, seconds, factor in re.findall(
            r"^export pdf, (\d+) rows\s+([\d.]+) s(?:\s+\(x([\d.]+))?", out, re.MULTILINE
        ):
            rows.append(
                (
                    f"export pdf, {rows_count} table rows",
                    f"{seconds} s" + (f" (x{factor})" if factor else ""),
                    "< x2.2 per doubling" if factor else "",
                    verdict(float(factor), 2.2) if factor else "",
                )
            )
        word = re.search(
            r"^import of a Word document\s+([\d.]+) s\s+\((\d+) pages", out, re.MULTILINE
        )
        if word:
            rows.append(
                (
                    f"import of a Word document ({word[2]} pages)",
                    f"{word[1]} s",
                    "< 2 s for 100 pages",
                    verdict(float(word[1]), 2.0) if int(word[2]) >= 100 else "too few pages",
                )
            )

    if "concurrent" not in args.skip:
        command = [python, str(HERE / "bench_concurrent_exports.py")]
        command += ["--rounds", "1" if args.quick else "3"]
        out, _s, code = run("concurrent_exports", command)
        failures += ["concurrent exports"] if code and "ratio p95" not in out else []
        for mode, label in (("task worker", "task worker"), ("in-request", "in-request, before")):
            idle = number(rf"^edit page idle \({mode}.*p95 ([\d.]+) ms", out)
            busy = number(rf"^edit page during \d+ PDF exports \({mode}.*p95 ([\d.]+) ms", out)
            ratio = number(rf"^ratio p95 during / idle \({mode}.*?: ([\d.]+)", out)
            rows.append(
                (
                    f"edit page p95 idle / during 4 PDF exports ({label})",
                    f"{_ms(idle)} / {_ms(busy)}",
                    "",
                    "",
                )
            )
            goal = mode == "task worker"
            rows.append(
                (
                    f"edit page p95 during / idle ({label})",
                    _fmt(ratio, "{:.2f}"),
                    "<= 2" if goal else "",
                    verdict(ratio, 2) if goal else "",
                )
            )
        click = re.search(
            r"^PDF export, click to file \(task worker\): median ([\d.]+) s, max ([\d.]+) s",
            out,
            re.MULTILINE,
        )
        if click:
            rows.append(
                (
                    "PDF export through the worker, click to file (median / max)",
                    f"{click[1]} s / {click[2]} s",
                    "",
                    "",
                )
            )

    if "load" not in args.skip:
        command = [python, str(HERE / "load_test.py")]
        if args.quick:
            command += ["--users", "10", "--duration", "10"]
        out, _s, code = run("load_test", command)
        failures += ["load test"] if code else []
        header = re.search(r"^load test: (\d+) users.*?, ([\d.]+) s, think ([\d.]+) s", out, re.M)
        what = f" ({header[1]} users, {header[2]} s)" if header else ""
        rps = number(r"^requests per second: ([\d.]+)", out)
        median = number(r"^latency median: ([\d.]+) ms", out)
        p95 = number(r"^latency p95: ([\d.]+) ms", out)
        errors = number(r"^errors: (\d+)", out)
        saves = re.search(r"^saves: (\d+) accepted, (\d+) refused as conflicts", out, re.M)
        check = re.search(r"^check: (\w+)", out, re.MULTILINE)
        rows.append((f"load{what}: requests per second", _fmt(rps, "{:.1f}"), "", ""))
        rows.append(("load: latency median", _ms(median), "", ""))
        rows.append(("load: latency p95", _ms(p95), "< 300 ms", verdict(p95, 300)))
        rows.append(("load: errors", _fmt(errors, "{:.0f}"), "0", verdict(errors, 0)))
        if saves:
            rows.append(("load: saves accepted / conflicts", f"{saves[1]} / {saves[2]}", "", ""))
        rows.append(
            (
                "load: database check (no lost or mangled write)",
                check[1] if check else "n/a",
                "PASSED",
                "ok" if check and check[1] == "PASSED" else "FAILED",
            )
        )

    if "scale" not in args.skip:
        command = [python, str(HERE / "bench_scale.py")] + (["--quick"] if args.quick else [])
        out, _s, code = run("scale", command)
        failures += ["scale (a page failed)"] if code else []
        for name, figure, goal, result in re.findall(
            r"^summary: (.+?) \| (.+?) \| (.+?) \| (ok|OVER)$", out, re.MULTILINE
        ):
            rows.append((f"scale, {name}", figure, goal, result))

    print()
    print(f"Machine: {machine()}")
    print()
    width = max(len(r[0]) for r in rows) if rows else 10
    fig = max([16, *(len(r[1]) for r in rows)])
    aim = max([15, *(len(r[2]) for r in rows)])
    print(f"| {'benchmark':<{width}} | {'figure':>{fig}} | {'goal':<{aim}} | {'':<4} |")
    print(f"|{'-' * (width + 2)}|{'-' * (fig + 2)}|{'-' * (aim + 2)}|{'-' * 6}|")
    for name, figure, goal, result in rows:
        print(f"| {name:<{width}} | {figure:>{fig}} | {goal:<{aim}} | {result:<4} |")
    if failures:
        print(f"\nFailed to run: {', '.join(failures)}")
    print(f"\nFull outputs: {RESULTS}")
    missed = [r[0] for r in rows if r[3] in ("OVER", "FAILED")]
    if missed:
        print(f"Goals missed: {'; '.join(missed)}")
    return 1 if failures or missed else 0


def _fmt(value: float | None, pattern: str) -> str:
    return "n/a" if value is None else pattern.format(value)


def _ms(value: float | None) -> str:
    return _fmt(value, "{:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
