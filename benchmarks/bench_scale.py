#!/usr/bin/env python
"""Scale benchmark: every page at 50 and 100 entities × 10 years, and one submission of 120 rows.

For each database (PostgreSQL first: a throwaway server started by scripts/pg_local.sh unless
DATABASE_URL is set; then SQLite, in a temporary file), in a process of its own:

1. Migrates, loads the seeds and builds the dataset of benchmarks/scale_data.py: 50
   entities × 10 yearly submissions shaped like IOM's 2024 seed (about 500 submissions, 7,200
   rows, 27,000 history versions, bulk-inserted; how long it took is printed), then VACUUM ANALYZE.
2. Serves the app with gunicorn (2 sync workers, production settings: DEBUG off, as
   load_test.py serves it, with a 300 s worker timeout so that slow pages are measured
   rather than killed) and logs in, through the login form, one entity's coordinator
   (e001-coordinator) and a user who is coordinator of every entity (scale-all).
3. Requests each page with a real HTTP client, alternating with the trivial page of a
   logged-in user (/bench/trivial/: the base layout and nothing else) for the same user:
   trivial, page, trivial, page, … so that each page's ratio is to a trivial page measured in
   the same seconds, whatever else the machine is doing. A page is warmed up first (each
   worker keeps its own caches), then sampled up to --samples times or until --budget
   seconds are spent on it (at least 3 samples, fewer for a page slower than a third of the
   budget; a first request slower than the budget is the one sample). The query count of each request comes from the server (``X-Bench-Queries``, set
   by benchmarks/query_count.py: every statement of the request, the session's and the
   user's included, counted with ``connection.execute_wrapper``; DEBUG stays off).
4. Adds 50 more entities (100 in all) and measures again: growth is the page's ratio at 100
   over its ratio at 50 (both against the trivial page measured with them, so that a busier
   machine in one run does not read as growth); the milliseconds are printed too.
5. Grows entity 1's two latest submissions to 60, then 120 table rows each and compares
   them (compare years: linear in rows means at most ×2.2 per doubling of the rows, as
   the exports' scaling goal has it), then takes the older one back to its rows and measures
   the coordinator's pages with one submission of 120 rows (the library's goal).

A page that fails (not 200) is requested once more in-process with Django's test client,
whose traceback is printed. Goals are printed beside the figures, ok or OVER, and a summary
(``summary:`` lines) at the end; the load (``uptime``) before and after each database.

    .venv/bin/python benchmarks/bench_scale.py                    # both databases
    .venv/bin/python benchmarks/bench_scale.py --database postgresql
    .venv/bin/python benchmarks/bench_scale.py --quick            # 5 × 3 entities, a smoke run

Goals (issue 16): one entity's coordinator, every page ≤ 3× the trivial page (search ≤ 5×,
the edit page ≤ 2.5× on PostgreSQL) at 50 and at 100 entities, growth ≤ 1.2×; a user of 50
entities ≤ 10×; the library with a 120-row submission ≤ 5×; compare years linear in rows.
Exits 1 when a page failed (a goal missed is an OVER in the output, which run_all.py reads).
"""

import argparse
import http.cookiejar
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from serving import gunicorn, start_postgres, stop_postgres

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "scale-benchmark-password-2030"
TRIVIAL = "/bench/trivial/"
GUNICORN_TIMEOUT = 300
PRODUCTION_TIMEOUT_MS = 30_000  # gunicorn's default: slower is an error for a user
REQUEST_TIMEOUT = GUNICORN_TIMEOUT + 30

# Goals: ratio to the trivial page (issue 16).
GOAL_PAGE = 3.0
GOAL_SEARCH = 5.0
GOAL_EDIT_POSTGRESQL = 2.5
GOAL_GROWTH = 1.2
GOAL_MANY_ENTITIES = 10.0
GOAL_LIBRARY_ROWS = 5.0
GOAL_PER_DOUBLING = 2.2  # linear is ×2, quadratic ×4


# -- HTTP -----------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    status: int
    queries: int | None


class Session:
    """One user's cookies against the server."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.username = username
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def login(self) -> None:
        page = self.opener.open(f"{self.base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
                "next": TRIVIAL,  # not the dashboard: it can take seconds at this scale
            }
        ).encode()
        request = urllib.request.Request(f"{self.base}/accounts/login/", data=data)
        request.add_header("Referer", f"{self.base}/accounts/login/")
        with self.opener.open(request) as response:
            if not response.geturl().endswith(TRIVIAL):
                raise SystemExit(f"login of {self.username} failed")

    def get(self, path: str) -> Sample:
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
                response.read()
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as error:
            error.read()
            status, headers = error.code, error.headers
        except OSError:  # the worker was killed (timeout) or the connection dropped
            return Sample(time.perf_counter() - start, 0, None)
        seconds = time.perf_counter() - start
        queries = headers.get("X-Bench-Queries")
        return Sample(seconds, status, int(queries) if queries else None)


# -- Measuring ------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    kind: str = "page"  # page, search, edit, download
    max_samples: int | None = None


@dataclass
class Measure:
    page: Page
    samples: list[Sample] = field(default_factory=list)
    trivial: list[Sample] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.samples)

    @property
    def median_ms(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * 1000

    @property
    def trivial_ms(self) -> float:
        return statistics.median(s.seconds for s in self.trivial) * 1000

    @property
    def ratio(self) -> float:
        return self.median_ms / self.trivial_ms

    @property
    def queries(self) -> str:
        counts = sorted({s.queries for s in self.samples if s.queries is not None})
        if not counts:
            return "?"
        return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


def measure(session: Session, page: Page, args) -> Measure:
    result = Measure(page)
    # Warm up: each worker keeps its own caches (questions, rendered rows, word counts).
    started = time.perf_counter()
    for _ in range(4):
        sample = session.get(page.path)
        if sample.status != 200:
            result.error = f"HTTP {sample.status or 'no answer'} after {sample.seconds:.1f} s"
            return result
        if sample.seconds > args.budget:
            # Far over any goal, where the caches warmed up do not matter: one sample.
            result.samples.append(sample)
            result.trivial.append(session.get(TRIVIAL))
            return result
        if time.perf_counter() - started > 2:
            break
    wanted = min(args.samples, page.max_samples or args.samples)
    spent = 0.0
    while len(result.samples) < wanted:
        result.trivial.append(session.get(TRIVIAL))
        sample = session.get(page.path)
        if sample.status != 200:
            result.error = f"HTTP {sample.status or 'no answer'} after {sample.seconds:.1f} s"
            return result
        result.samples.append(sample)
        spent += sample.seconds
        slow = result.median_ms / 1000 > args.budget / 3
        if spent >= args.budget and (len(result.samples) >= 3 or slow):
            break
    return result


def reproduce(username: str, path: str) -> str:
    """The page's traceback, from a request in this process (Django's test client)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username=username))
    try:
        response = client.get(path)
    except Exception:  # noqa: BLE001 - the point is to show it
        return traceback.format_exc()
    return f"(in-process the page answered HTTP {response.status_code}, without an exception)"


# -- The run on one database ----------------------------------------------------------------


def pages(focus: int, previous: int, initiatives: int) -> list[Page]:
    from benchmarks.scale_data import COMMON_WORD, RARE_WORD

    base = f"/submissions/{focus}"

    return [
        Page("dashboard", "/"),
        Page("My work", "/my-work/"),
        Page("submission overview", f"{base}/"),
        Page("edit page, question 1 (narrative)", f"{base}/questions/1/", "edit"),
        Page(f"edit page, question 7 ({initiatives} initiatives)", f"{base}/questions/7/", "edit"),
        Page("review page", f"{base}/review/"),
        Page("history of question 1", f"{base}/questions/1/history/"),
        Page("history of question 7 (removed rows)", f"{base}/questions/7/history/"),
        Page("completeness", f"{base}/completeness/"),
        Page(f"search, common word ({COMMON_WORD})", f"/search/?q={COMMON_WORD}", "search"),
        Page(f"search, rare word ({RARE_WORD})", f"/search/?q={RARE_WORD}", "search"),
        Page("library", "/library/"),
        Page("compare two years", f"/compare/?a={previous}&b={focus}"),
        Page("SDG coverage", "/coverage/"),
        Page("export PDF (a download)", f"{base}/export/pdf/", "download", max_samples=3),
    ]


def page_goal(page: Page, database: str) -> float | None:
    if page.kind == "download":
        return None
    if page.kind == "search":
        return GOAL_SEARCH
    if page.kind == "edit" and database == "postgresql":
        return GOAL_EDIT_POSTGRESQL
    return GOAL_PAGE


def verdict(value: float, goal: float | None) -> str:
    if goal is None:
        return ""
    return "ok" if value <= goal else "OVER"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def describe(report, label: str) -> str:
    t = report.totals
    return (
        f"dataset {label}: built in {report.seconds:.1f} s (of which {report.questionnaire_seconds:.1f} s "
        f"creating questionnaires through the app's service): {report.submissions:,} "
        f"submissions, {report.answers:,} answers, {report.rows:,} rows (+{report.removed_rows:,} "
        f"removed), {report.revisions:,} revisions, {report.versions:,} versions; the database "
        f"now holds {t['submissions']:,} submissions, {t['rows']:,} rows, {t['versions']:,} "
        f"versions, {t['users']:,} users"
    )


def run_database(database: str, args) -> int:
    tmp = tempfile.mkdtemp(prefix="bench-scale-")
    pg_dir = None
    if database == "postgresql":
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            os.environ["DATABASE_URL"], pg_dir = start_postgres()
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/scale.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.scale_settings",
            "DJANGO_SECRET_KEY": "scale-benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuv",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "DJANGO_LOG_LEVEL": "ERROR",
            "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_AXES_FAILURE_LIMIT": "1000",
        }
    )
    sys.path.insert(0, str(ROOT))
    try:
        return _run(database, args)
    finally:
        if pg_dir:
            stop_postgres(pg_dir)


def _run(database: str, args) -> int:
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from benchmarks import scale_data
    from submissions.seeds import seeds_load

    load_before = uptime()
    print(f"== scale benchmark on {database}: gunicorn, 2 sync workers, production settings")
    print(f"load before: {load_before}", flush=True)
    call_command("migrate", verbosity=0)
    # The server reads the manifest of hashed names; compressing every file (WhiteNoise's
    # storage) takes most of a minute and is not what this measures (as in load_test.py).
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    seeds_load(demo_users=False)
    password = make_password(PASSWORD)
    entities, years = args.entities, args.years

    report = scale_data.build(entities=entities, years=years, password=password)
    scale_data.analyze()
    print(describe(report, f"{entities} entities × {years} years"), flush=True)
    focus, previous = scale_data.focus_submission(), scale_data.previous_submission()
    initiatives = focus.initiatives.count()
    coordinator = scale_data.coordinator_username(1)
    everyone = scale_data.ALL_ENTITIES_USERNAME
    plan = pages(focus.pk, previous.pk, initiatives)
    results: dict[tuple[str, str], dict[str, Measure]] = {}
    errors: list[tuple[str, Measure, str]] = []

    def stage(label: str, session: Session, user: str, chosen: list[Page]) -> None:
        found = results.setdefault((label, user), {})
        for page in chosen:
            result = measure(session, page, args)
            found[page.name] = result
            if result.ok:
                line = (
                    f"  {label:>7} {user:<17} {page.name:<42} {result.queries:>6} q "
                    f"{result.median_ms:9.1f} ms  ×{result.ratio:7.2f}  "
                    f"(trivial {result.trivial_ms:.1f} ms, {len(result.samples)} samples)"
                )
            else:
                line = f"  {label:>7} {user:<17} {page.name:<42} FAILED: {result.error}"
                errors.append((label, result, reproduce(user, page.path)))
            print(line, flush=True)

    with gunicorn(workers=2, args=("--timeout", str(GUNICORN_TIMEOUT))) as base:
        sessions = {name: Session(base, name) for name in (coordinator, everyone)}
        for session in sessions.values():
            session.login()
        small, large = str(entities), str(2 * entities)
        print(f"measuring at {small} entities", flush=True)
        # The download is the same submission's for both: measured for the coordinator only.
        shared = [p for p in plan if p.kind != "download"]
        stage(small, sessions[coordinator], coordinator, plan)
        stage(small, sessions[everyone], everyone, shared)

        more = scale_data.build(
            entities=entities, years=years, first=entities + 1, password=password
        )
        scale_data.analyze()
        print(describe(more, f"+{entities} entities ({2 * entities} in all)"), flush=True)
        print(f"measuring at {large} entities", flush=True)
        stage(large, sessions[coordinator], coordinator, plan)
        stage(large, sessions[everyone], everyone, shared)

        # Compare years with both submissions grown, then one submission of N rows.
        compare = next(p for p in plan if p.name == "compare two years")
        sizes = (scale_data.row_count(focus), scale_data.row_count(previous))
        compared = {sizes: results[(large, coordinator)][compare.name]}
        added_previous = []
        for total in (args.rows // 2, args.rows):
            scale_data.grow_rows(focus, total=total)
            added_previous += scale_data.grow_rows(previous, total=total)
            scale_data.analyze()
            label = f"{total} rows"
            stage(label, sessions[coordinator], coordinator, [compare])
            compared[(total, total)] = results[(label, coordinator)][compare.name]
        scale_data.remove_rows(added_previous)
        scale_data.analyze()
        # The pages that read the submission's rows (search and My work do not depend on them).
        rows_label = f"{args.rows} rows"
        grown = [
            p
            for p in pages(focus.pk, previous.pk, focus.initiatives.count())
            if p.kind != "search" and p.name not in ("My work", "edit page, question 1 (narrative)")
        ]
        stage(rows_label + " in one", sessions[coordinator], coordinator, grown)

    load_after = uptime()
    return _report(
        database=database,
        plan=plan,
        results=results,
        labels=(str(entities), str(2 * entities)),
        users=(coordinator, everyone),
        compared=compared,
        rows_label=rows_label,
        errors=errors,
        loads=(load_before, load_after),
    )


@dataclass
class Row:
    """A page at both sizes (None where it failed)."""

    page: Page
    small: Measure | None
    large: Measure | None

    @property
    def growth(self) -> float | None:
        if self.small is None or self.large is None:
            return None
        return self.large.ratio / self.small.ratio


def _judge(name: str, items: list[tuple[str, float | None, float]], goal_text: str):
    """A summary line: how many of (name, value, goal) are within their goal, and the worst."""
    within = sum(1 for _n, value, goal in items if value is not None and value <= goal)
    failed = sum(1 for _n, value, _g in items if value is None)
    measured = [(value / goal, value, n) for n, value, goal in items if value is not None]
    worst = max(measured, default=None)
    figure = f"{within} of {len(items)} within"
    if worst:
        figure += f" (worst: {worst[2]}, ×{worst[1]:.2f})"
    if failed:
        figure += f", {failed} failed"
    return (name, figure, goal_text, "ok" if within == len(items) else "OVER")


def _report(*, database, plan, results, labels, users, compared, rows_label, errors,
            loads) -> int:  # fmt: skip
    small, large = labels
    coordinator, everyone = users
    summary: list[tuple[str, str, str, str]] = []

    def row(user: str, page: Page) -> Row:
        def ok(m):
            return m if m is not None and m.ok else None

        return Row(
            page,
            ok(results[(small, user)].get(page.name)),
            ok(results[(large, user)].get(page.name)),
        )

    print()
    print(f"== {database}: ratio = the page's median / the trivial page's median, measured")
    print(
        "   alternately for the same user; growth = ratio at the larger size / ratio at the smaller"
    )
    for user, title in (
        (coordinator, f"one entity's coordinator ({coordinator})"),
        (everyone, f"a user of every entity ({everyone}: of {small}, then of {large})"),
    ):
        print()
        print(title)
        print(
            f"{'page':<44} {'queries':>13} {'median ms':>19} {'ratio at ' + small:>17} "
            f"{'ratio at ' + large:>17} {'growth':>13}"
        )
        for page in plan:
            if page.name not in results[(small, user)]:
                continue  # not measured for this user
            r = row(user, page)
            if r.small is None or r.large is None:
                where = small if r.small is None else large
                print(f"{page.name:<44} FAILED at {where} entities")
                continue
            if user == coordinator:
                goal_small = goal_large = page_goal(page, database)
                goal_growth = None if page.kind == "download" else GOAL_GROWTH
            else:  # the goal is stated for a user of 50 entities
                goal_small = None if page.kind == "download" else GOAL_MANY_ENTITIES
                goal_large = goal_growth = None
            slowest = max(r.small.median_ms, r.large.median_ms)
            slow = (
                "  (over 30 s: past gunicorn's default timeout)"
                if slowest > PRODUCTION_TIMEOUT_MS
                else ""
            )
            print(
                f"{page.name:<44} {r.small.queries:>6} / {r.large.queries:<6} "
                f"{r.small.median_ms:>8.1f} / {r.large.median_ms:<8.1f} "
                f"{_cell(r.small.ratio, goal_small):>17} {_cell(r.large.ratio, goal_large):>17} "
                f"{_cell(r.growth, goal_growth):>13}{slow}"
            )
        for label in (small, large):
            measured = [m for m in results[(label, user)].values() if m.ok]
            trivial = [s for m in measured for s in m.trivial]
            counts = sorted({s.queries for s in trivial if s.queries is not None})
            print(
                f"  trivial page at {label} entities: median {statistics.median(s.seconds for s in trivial) * 1000:.1f} ms "
                f"over {len(trivial)} requests, {'/'.join(map(str, counts))} queries"
            )

    judged = [p for p in plan if p.kind != "download"]
    goals = f"≤ {GOAL_PAGE:g}, search ≤ {GOAL_SEARCH:g}" + (
        f", edit ≤ {GOAL_EDIT_POSTGRESQL:g}" if database == "postgresql" else ""
    )
    for label, size in ((small, "small"), (large, "large")):
        items = []
        for page in judged:
            m = getattr(row(coordinator, page), size)
            items.append((page.name, m.ratio if m else None, page_goal(page, database)))
        summary.append(
            _judge(f"{database}: one entity's coordinator, ratio at {label} entities", items, goals)
        )
    items = [(p.name, row(coordinator, p).growth, GOAL_GROWTH) for p in judged]
    summary.append(
        _judge(
            f"{database}: one entity's coordinator, growth {small} → {large} entities",
            items,
            f"≤ ×{GOAL_GROWTH:g}",
        )  # fmt: skip
    )
    for page in judged:
        if page.kind == "edit":
            r = row(coordinator, page)
            goal = page_goal(page, database)
            if r.small and r.large:
                summary.append(
                    (
                        f"{database}: {page.name}",
                        f"×{r.small.ratio:.2f} / ×{r.large.ratio:.2f} at {small} / {large} entities",
                        f"≤ {goal:g}",
                        verdict(max(r.small.ratio, r.large.ratio), goal),
                    )
                )
    items = []
    for page in judged:
        m = row(everyone, page).small
        items.append((page.name, m.ratio if m else None, GOAL_MANY_ENTITIES))
    summary.append(
        _judge(f"{database}: a user of {small} entities, ratio", items, f"≤ {GOAL_MANY_ENTITIES:g}")
    )

    # Compare years against the rows.
    print()
    print(f"compare two years, both submissions grown (entity 1, {large} entities)")
    works = {}
    for (newer, older), m in compared.items():
        if m is None or not m.ok:
            print(f"  {newer:>4} and {older:>4} rows: FAILED")
            continue
        works[newer + older] = max(m.median_ms - m.trivial_ms, 0.1)
        print(
            f"  {newer:>4} and {older:>4} rows: {m.queries:>5} q {m.median_ms:9.1f} ms  "
            f"×{m.ratio:6.2f}  work over the trivial page {works[newer + older]:.1f} ms"
        )
    if len(works) >= 2:
        first, last = min(works), max(works)
        per_doubling = (works[last] / works[first]) ** (1 / math.log2(last / first))
        figure = f"×{per_doubling:.2f} per doubling, {first} to {last} rows in all"
        print(f"  {figure} (goal ≤ ×{GOAL_PER_DOUBLING:g}: linear is ×2, quadratic ×4)")
        summary.append(
            (
                f"{database}: compare years, work per doubling of both years' rows",
                figure,
                f"≤ ×{GOAL_PER_DOUBLING:g} (linear)",
                verdict(per_doubling, GOAL_PER_DOUBLING),
            )
        )

    # One submission grown.
    print()
    print(f"one submission of {rows_label} (entity 1's newest; its coordinator, {large} entities)")
    print(f"{'page':<44} {'queries':>7} {'median ms':>10} {'ratio':>14}   at 16 rows")
    base = results[(large, coordinator)]
    for name, m in results.get((rows_label + " in one", coordinator), {}).items():
        if not m.ok:
            print(f"{name:<44} FAILED: {m.error}")
            continue
        goal = GOAL_LIBRARY_ROWS if name == "library" else None
        before = base.get(name)
        versus = f"×{before.ratio:.2f}" if before and before.ok else ""
        print(
            f"{name:<44} {m.queries:>7} {m.median_ms:>10.1f} {_cell(m.ratio, goal):>14}   {versus}"
        )
        if goal is not None:
            summary.append(
                (
                    f"{database}: library with one submission of {rows_label}",
                    f"×{m.ratio:.2f}",
                    f"≤ {goal:g}",
                    verdict(m.ratio, goal),
                )
            )

    if errors:
        print()
        print("pages that failed (the traceback of the same request, made in-process):")
        for label, m, trace in errors:
            print(f"--- {m.page.name} (at {label}) {m.page.path}: {m.error}")
            print(trace.rstrip())
    summary.append(
        (f"{database}: pages that failed", str(len(errors)), "0", verdict(len(errors), 0))
    )

    print()
    print(f"load before: {loads[0]}")
    print(f"load after:  {loads[1]}")
    print()
    for name, figure, goal, result in summary:
        print(f"summary: {name} | {figure} | {goal} | {result}")
    return 1 if errors else 0


def _cell(value: float | None, goal: float | None) -> str:
    if value is None:
        return "—"
    text = f"×{value:.2f}"
    if goal is None:
        return text
    return f"{text} {'ok' if value <= goal else 'OVER'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", choices=["postgresql", "sqlite", "both"], default="both",
        help="where to build and measure (default: both, PostgreSQL first)",
    )  # fmt: skip
    parser.add_argument("--entities", type=int, help="entities of the first size (default 50)")
    parser.add_argument("--years", type=int, help="yearly submissions per entity (default 10)")
    parser.add_argument("--rows", type=int, help="rows of the grown submission (default 120)")
    parser.add_argument("--samples", type=int, help="most samples per page (default 15)")
    parser.add_argument("--budget", type=float, help="seconds of samples per page (default 20)")
    parser.add_argument("--quick", action="store_true", help="5 entities × 3 years, 5 samples")
    args = parser.parse_args()
    # Stopped (kill PID): leave through the finally blocks, which stop the servers started.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    defaults = (5, 3, 40, 5, 5.0) if args.quick else (50, 10, 120, 15, 20.0)
    for name, default in zip(
        ("entities", "years", "rows", "samples", "budget"), defaults, strict=True
    ):
        if getattr(args, name) is None:
            setattr(args, name, default)

    if args.database != "both":
        return run_database(args.database, args)
    # Each database in a process of its own: Django's settings are read once per process.
    code = 0
    for database in ("postgresql", "sqlite"):
        command = [sys.executable, __file__, "--database", database]
        for name in ("entities", "years", "rows", "samples", "budget"):
            command += [f"--{name}", str(getattr(args, name))]
        child = subprocess.Popen(command, cwd=ROOT)
        try:
            code |= child.wait()
        finally:  # stopped: let the child stop its servers too
            if child.poll() is None:
                child.terminate()
                child.wait(timeout=60)
        print(flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
