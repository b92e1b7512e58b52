"""The app's settings, plus one page for benchmarks: the trivial view of a logged-in user."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
