#!/usr/bin/env python
"""Benchmark: the editing page while four people export the 2024 submission as PDF.

Starts a throwaway PostgreSQL 15 (scripts/pg_local.sh) unless DATABASE_URL is set (then that
database is written to: give it a scratch one), migrates, loads the seeds, serves the app with
gunicorn (production settings, 2 sync workers) and, beside it, the task worker
(`manage.py db_worker`, under `nice -n 10`, as `make serve-prod` runs it). One person reads the
editing page of the 2024 initiatives question again and again, interleaved with the trivial
page of a logged-in user; first with nothing else running (idle), then while four other people
each press "PDF" on the 2024 submission's overview, follow the job's page (its status, polled
every 1.5 s as the page's script does) and download the file. That is repeated --rounds times.
Prints the edit page's median and p95 in both phases and the ratio of the p95s (goal: at most
2), and the time from the click to the file.

`--mode in-request` measures the way it was before (DJANGO_TASKS_BACKEND=immediate: the PDF
is made inside the request that asks for it, holding a web worker); `--mode both` (the
default) runs the two one after the other on the same database.

    .venv/bin/python benchmarks/bench_concurrent_exports.py [--rounds 3] [--mode both]

Requests go to 127.0.0.1 only, and the run stops by itself.
"""

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from serving import gunicorn, start_postgres, stop_postgres

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-2030"
EXPORTERS = 4
GOAL_RATIO = 2.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def prepare_database(env: dict) -> dict:
    """Migrate, load the seeds, make the users; the pages' paths, as JSON on the last line."""
    script = f"""
import json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from accounts.models import Membership, Organization
from submissions.models import Initiative, Question, Submission
from submissions.seeds import seeds_load
call_command("migrate", verbosity=0)
settings.STORAGES["staticfiles"]["BACKEND"] = (
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
)
call_command("collectstatic", interactive=False, verbosity=0)
seeds_load(demo_users=False)
organization = Organization.objects.get(code="IOM")
submission = Submission.objects.get(organization=organization, questionnaire__slug="desa-2024")
question = Question.objects.get(questionnaire__slug="desa-2024", table="initiatives")
if not Initiative.objects.filter(submission=submission).exists():
    for i in range(10):
        row = Initiative.objects.create(submission=submission, question=question,
                                        name=f"Initiative {{i}}", description="word " * 120,
                                        position=i)
        row.sdgs.set([1, 10, 17])
password = make_password("{PASSWORD}")
names = ["bench-edit"] + [f"bench-export-{{i}}" for i in range({EXPORTERS})]
for name in names:
    user, _ = get_user_model().objects.update_or_create(username=name,
                                                        defaults={{"password": password}})
    Membership.objects.get_or_create(user=user, organization=organization,
                                     defaults={{"role": "contributor"}})
print(json.dumps({{
    "edit": f"/submissions/{{submission.pk}}/questions/{{question.number}}/",
    "overview": f"/submissions/{{submission.pk}}/",
    "export": f"/submissions/{{submission.pk}}/export/pdf/",
    "users": names,
}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class Person:
    """One browser: its cookies, logged in through the login form."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.get("/accounts/login/")
        self.post("/accounts/login/", page, {"username": username, "password": PASSWORD})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            assert response.status == 200, path
            return response.read().decode("utf-8", "replace")

    def timed_get(self, path: str) -> float:
        start = time.perf_counter()
        with self.opener.open(self.base + path, timeout=120) as response:
            response.read()
            assert response.status == 200, path
        return time.perf_counter() - start

    def post(self, path: str, form_page: str, fields: dict) -> tuple[str, bytes]:
        """Submit a form of form_page to path; the address it ends on and its body."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)[1]
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=300) as response:
            return response.geturl(), response.read()


def export_pdf(person: Person, paths: dict, results: list, errors: list) -> None:
    """Press "PDF" on the overview, follow the job's page as its script does, download the file."""
    try:
        overview = person.get(paths["overview"])
        start = time.perf_counter()
        job_url, _page = person.post(paths["export"], overview, {})
        job_path = urllib.parse.urlsplit(job_url).path
        assert re.fullmatch(r"/exports/\d+/", job_path), job_url
        while True:
            state = json.loads(person.get(job_path + "status/"))
            if state["finished"]:
                break
            time.sleep(1.5)
        assert state["status"] == "ready", state
        with person.opener.open(person.base + state["download_url"], timeout=120) as response:
            assert response.read(4) == b"%PDF"
        results.append(time.perf_counter() - start)
    except Exception as error:  # reported and counted: the run goes on
        errors.append(repr(error))


def sample_pages(person: Person, paths: dict, until, times: dict) -> None:
    """The edit page and the trivial page in turn, until ``until()`` says stop."""
    while not until():
        times["edit"].append(person.timed_get(paths["edit"]))
        times["trivial"].append(person.timed_get("/bench/trivial/"))


@contextmanager
def task_worker(env: dict, nice: int):
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity", "0"]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    worker = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def measure(mode: str, env: dict, paths: dict, args) -> dict:
    """One mode's figures: the pages idle and during the exports, and the exports' times."""
    env = {**env, "DJANGO_TASKS_BACKEND": "database" if mode == "worker" else "immediate"}
    with (
        gunicorn(workers=2, env=env) as base,
        task_worker(env, args.nice) if mode == "worker" else _nothing(),
    ):
        reader = Person(base, paths["users"][0])
        exporters = [Person(base, name) for name in paths["users"][1:]]
        # Warm up: both web workers, the task worker (WeasyPrint loads its fonts once).
        for _ in range(20):
            reader.timed_get(paths["edit"])
            reader.timed_get("/bench/trivial/")
        warm_results, warm_errors = [], []
        warmers = [
            threading.Thread(target=export_pdf, args=(p, paths, warm_results, warm_errors))
            for p in exporters[:2]
        ]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()

        idle = {"edit": [], "trivial": []}
        busy = {"edit": [], "trivial": []}
        results, errors = [], []
        for _round in range(args.rounds):
            deadline = time.monotonic() + args.idle_seconds
            sample_pages(reader, paths, lambda d=deadline: time.monotonic() > d, idle)
            threads = [
                threading.Thread(target=export_pdf, args=(p, paths, results, errors))
                for p in exporters
            ]
            for thread in threads:
                thread.start()
            sample_pages(reader, paths, lambda t=threads: not any(x.is_alive() for x in t), busy)
            for thread in threads:
                thread.join()
    return {
        "idle": idle,
        "busy": busy,
        "exports": results,
        "errors": warm_errors + errors,
    }


@contextmanager
def _nothing():
    yield None


def report(mode: str, figures: dict) -> float:
    label = {"worker": "task worker", "in-request": "in-request, as before"}[mode]
    idle, busy = figures["idle"], figures["busy"]
    idle_p95 = percentile(idle["edit"], 0.95) * 1000
    busy_p95 = percentile(busy["edit"], 0.95) * 1000
    ratio = busy_p95 / idle_p95
    print(f"[{label}]")
    print(
        f"edit page idle ({label}): median {statistics.median(idle['edit']) * 1000:.1f} ms, "
        f"p95 {idle_p95:.1f} ms ({len(idle['edit'])} requests)"
    )
    print(
        f"edit page during {EXPORTERS} PDF exports ({label}): median "
        f"{statistics.median(busy['edit']) * 1000:.1f} ms, p95 {busy_p95:.1f} ms, "
        f"max {max(busy['edit']) * 1000:.0f} ms ({len(busy['edit'])} requests)"
    )
    print(
        f"trivial page p95 idle / during ({label}): "
        f"{percentile(idle['trivial'], 0.95) * 1000:.1f} ms / "
        f"{percentile(busy['trivial'], 0.95) * 1000:.1f} ms"
    )
    if figures["exports"]:
        print(
            f"PDF export, click to file ({label}): median "
            f"{statistics.median(figures['exports']):.2f} s, max {max(figures['exports']):.2f} s "
            f"({len(figures['exports'])} exports)"
        )
    print(f"export errors ({label}): {len(figures['errors'])}")
    for error in figures["errors"][:5]:
        print(f"   {error}")
    verdict = "met" if ratio <= GOAL_RATIO else "missed"
    print(
        f"ratio p95 during / idle ({label}): {ratio:.2f} (goal: at most {GOAL_RATIO:g}: {verdict})"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of four exports")
    parser.add_argument("--idle-seconds", type=float, default=5, help="idle sampling per round")
    parser.add_argument("--mode", choices=["worker", "in-request", "both"], default="both")
    parser.add_argument("--nice", type=int, default=10, help="the task worker's nice value")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-exports-")
    pg_dir = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url, pg_dir = start_postgres()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
        "DJANGO_AXES_FAILURE_LIMIT": "1000",
    }
    modes = ["worker", "in-request"] if args.mode == "both" else [args.mode]
    failed = False
    try:
        paths = prepare_database(env)
        print(
            f"database: {database_url.split(':')[0]}, gunicorn 2 sync workers, "
            f"{args.rounds} rounds of {EXPORTERS} PDF exports of the 2024 seed, "
            f"task worker at nice {args.nice}"
        )
        print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
        for mode in modes:
            figures = measure(mode, env, paths, args)
            ratio = report(mode, figures)
            failed |= bool(figures["errors"]) or (mode == "worker" and ratio > GOAL_RATIO)
        print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    finally:
        if pg_dir:
            stop_postgres(pg_dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
