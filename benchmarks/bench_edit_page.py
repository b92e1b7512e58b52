"""Benchmark: the editing page against trivial views, under gunicorn.

Serves the app with gunicorn (production settings, 2 workers) on 127.0.0.1 against a fresh
SQLite database (or DATABASE_URL when set), logs in as a contributor and requests, in turn,
the edit page of the 2024 submission's initiatives question (10 initiatives), the trivial
view of a logged-in user (/bench/trivial/: the base layout, added by benchmarks/bench_urls.py)
and the health page (a bare template and one query, no session). Prints the median time of
each and the edit page's ratio to both.

    .venv/bin/python benchmarks/bench_edit_page.py [--requests 200]

Goal: the edit page within 3 times the trivial view of a logged-in user.
"""

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from serving import gunicorn

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-2030"


def prepare_database(env: dict) -> str:
    """Migrate, load the seeds and make sure the 2024 submission has the seed's shape."""
    script = f"""
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from accounts.models import Membership, Organization
from submissions.models import Initiative, Question, Submission
from submissions.seeds import seeds_load
call_command("migrate", verbosity=0)
seeds_load(demo_users=False)
submission = Submission.objects.get(organization__code="IOM", questionnaire__slug="desa-2024")
question = Question.objects.get(questionnaire__slug="desa-2024", table="initiatives")
if not Initiative.objects.filter(submission=submission).exists():
    for i in range(10):
        row = Initiative.objects.create(submission=submission, question=question,
                                        name=f"Initiative {{i}}", description="word " * 120,
                                        position=i)
        row.sdgs.set([1, 10, 17])
user, _ = get_user_model().objects.get_or_create(username="bench")
user.set_password("{PASSWORD}")
user.save()
Membership.objects.get_or_create(user=user, organization=Organization.objects.get(code="IOM"),
                                 defaults={{"role": "contributor"}})
print(f"/submissions/{{submission.pk}}/questions/{{question.number}}/")
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def login(opener, base: str) -> None:
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data)
    request.add_header("Referer", f"{base}/accounts/login/")
    response = opener.open(request)
    assert response.geturl().rstrip("/") == base, "login failed"


def timed_get(opener, url: str) -> float:
    start = time.perf_counter()
    with opener.open(url) as response:
        response.read()
        assert response.status == 200, url
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-edit-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    edit_path = prepare_database(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with gunicorn(workers=2, env=env) as base:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login(opener, base)
        pages = {
            "edit": base + edit_path,
            "trivial": f"{base}/bench/trivial/",
            "health": f"{base}/health/",
        }
        for _ in range(10):  # warm both workers
            for url in pages.values():
                timed_get(opener, url)
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.requests):
            for name, url in pages.items():
                times[name].append(timed_get(opener, url))

    edit_ms, trivial_ms, health_ms = (
        statistics.median(times[name]) * 1000 for name in ("edit", "trivial", "health")
    )
    print(
        f"database: {env['DATABASE_URL'].split(':')[0]}, gunicorn 2 workers, {args.requests} requests each"
    )
    print(f"edit page {edit_path}: median {edit_ms:.1f} ms")
    print(f"trivial view of a logged-in user /bench/trivial/: median {trivial_ms:.1f} ms")
    print(f"health check /health/ (no session): median {health_ms:.1f} ms")
    print(f"ratio: {edit_ms / trivial_ms:.2f} (goal: at most 3)")
    print(f"ratio to the health check: {edit_ms / health_ms:.2f}")


if __name__ == "__main__":
    main()
