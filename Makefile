# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install test-provider system-deps lint format clean serve-prod worker bench messages

# Reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The tests' OpenID Connect provider (oidc-provider under Node), from its lock file.
OIDC_PROVIDER := tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error

test-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json

## Set up, migrate, load the seeds and demo users, and serve on http://127.0.0.1:8000, with
## the task worker that makes the Word and PDF exports beside it (Ctrl+C stops both)
run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_seeds
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'pkill -P $$worker 2>/dev/null; kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## Set up and run lint, Django's checks and the whole test suite
test: install test-provider
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

## Production serving: gunicorn, settings from the environment (DATABASE_URL, DJANGO_SECRET_KEY...);
## migrates first unless MIGRATE=0 (with several app servers, let one of them, or the deploy, do it).
## Beside gunicorn, unless TASK_WORKER=0, the task worker that makes the Word and PDF exports,
## at a lower CPU priority (nice WORKER_NICE) so that pages get the processor first.
WORKERS ?= 4
MIGRATE ?= 1
TASK_WORKER ?= 1
WORKER_NICE ?= 10
serve-prod: install
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL (scripts/pg_local.sh make serve-prod starts a local PostgreSQL)"; exit 1; }
	if [ "$(MIGRATE)" = 1 ]; then $(PY) manage.py migrate --noinput; else $(PY) manage.py migrate --check; fi
	$(PY) manage.py collectstatic --noinput -v0
	worker=; if [ "$(TASK_WORKER)" = 1 ]; then \
		nice -n $(WORKER_NICE) $(PY) manage.py db_worker --no-reload & worker=$$!; fi; \
	trap '[ -z "$$worker" ] || kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m gunicorn config.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - --graceful-timeout 30 --max-requests 2000 --max-requests-jitter 200

## The task worker alone (for a server that runs it apart from gunicorn: systemd, a container)
worker: install
	nice -n $(WORKER_NICE) $(PY) manage.py db_worker --no-reload

## All benchmarks (edit page, exports, load test on PostgreSQL) in one table
bench: install
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

## Debian packages some tests need (gettext, Chromium, LibreOffice, poppler, fonts); needs root
system-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gettext chromium libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation fonts-dejavu-core fonts-noto-core \
		fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libcairo2 >/dev/null

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache $(OIDC_PROVIDER)/node_modules

## Translation catalogues: refresh locale/<lang>/LC_MESSAGES/*.po from the sources (LOCALES="fr es"
## for more), then compile them to the .mo files kept in git. Translate the new entries in between.
LOCALES ?= fr
MESSAGES_IGNORE := -i .venv -i build -i test-artifacts -i node_modules -i staticfiles -i tests \
	-i benchmarks -i scripts -i docs -i seeds
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages $(addprefix -l ,$(LOCALES)) $(MESSAGES_IGNORE) \
		--add-location file --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -d djangojs $(addprefix -l ,$(LOCALES)) \
		$(MESSAGES_IGNORE) --add-location file --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages $(addprefix -l ,$(LOCALES)) $(MESSAGES_IGNORE)
