"""The benchmarks' settings (the trivial page added) with each response's query count.

``X-Bench-Queries`` says how many SQL statements the request ran on the default database,
counted by ``connection.execute_wrapper`` around everything else (so with the session's and
the user's): DEBUG stays off, as in production, and nothing is kept but the number.
"""

from benchmarks.bench_settings import *  # noqa: F403
from benchmarks.bench_settings import MIDDLEWARE

MIDDLEWARE = ["benchmarks.query_count.QueryCountMiddleware", *MIDDLEWARE]
