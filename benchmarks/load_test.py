#!/usr/bin/env python
"""Load and concurrency test: simulated users against gunicorn and PostgreSQL, then a check.

Starts a throwaway PostgreSQL 15 (scripts/pg_local.sh) unless DATABASE_URL is set (then that
database is written to: give it a scratch one), migrates, loads the seeds, creates the users
as contributors of IOM, serves the app with gunicorn (production settings) on 127.0.0.1 and
runs the simulated users, each a thread with its own cookies. Every user logs in through the
login form (with its CSRF token), then loops until the time is up, pausing like a person
between requests (--think seconds on average):

- reads the dashboard and the editing page of its answer;
- autosaves its answer twice (JSON, from the version it last saw, taking the new
  version from the response; a conflict is counted, and the page is read again);
- adds a row to a table, edits it, and removes half of the rows it added with the explicit
  save (no autosave=1, rows-0-DELETE=on).

A few users (--shared) work on the same answer and the same row, as people do: each rewrites
its own paragraph of the answer (and now and then the first one, which all of them touch)
and its own field of the row (and toggles its own SDG), from the text it last knew, which
the page's heartbeat (the live endpoint) keeps up to date. Their saves meet: changes to
different paragraphs or fields are merged by the server, changes to the same one conflict.
Logins come first and are timed apart (hashing a password is slow on purpose). Then the
database is checked, for every answer and row the users wrote:

- every accepted save (saved, or merged with a colleague's) got a version no other save of
  that item got;
- the item's version is the highest accepted one, and its content is exactly what the
  server said that save left (the text sent byte for byte, or the merged text it answered;
  every field and the SDGs of a row);
- every version between the one before the test and the final one is an accepted save the
  users were told of (no write the users were not told of, none lost);
- for the shared answer and row, against a model of what each writer meant: each paragraph,
  field and SDG holds what the last accepted save that changed it set (a merge never drops
  a change it reported as merged);
- every refused save was refused as a conflict; removed rows are gone, kept rows are there.

    .venv/bin/python benchmarks/load_test.py                 # 50 users, 60 s, 2 workers
    .venv/bin/python benchmarks/load_test.py --smoke         # 5 users, 5 s
    .venv/bin/python benchmarks/load_test.py --users 20 --duration 30 --think 2

Goals: no server error, no lost or mangled write, p95 under 300 ms. Exits 1 when the check
fails or a request failed. Requests go to 127.0.0.1 only, and the run stops by itself.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from serving import gunicorn, start_postgres, stop_postgres

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password-2030"
USER_PREFIX = "load-"
GOAL_P95_MS = 300

# The editable fields of each kind of row, as the editing page's formset posts them.
ROW_FIELDS = {
    "events": ("name", "dates", "location", "description", "website"),
    "resources": (
        "name",
        "publishing_entities",
        "target_audience",
        "languages",
        "description",
        "website",
    ),
    "initiatives": ("name", "partners", "member_states", "description", "website"),
}
# Text that catches mangling: accents, a non-BMP character, a newline, a trailing space.
FLAVOUR = "Naïve café – 移民 🌍 “quoted” <b>&amp;</b>\nSecond line "


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- Preparing the database (Django, in this process, before the load) ---------------------


@dataclass
class Slot:
    """An answer (question narrative or part) that users autosave."""

    key: str
    submission: int
    question: int
    part: int | None
    url: str
    prefix: str
    initial_version: int
    initial_text: str = ""


@dataclass
class Table:
    """A table question (without narrative) where users add and remove rows."""

    kind: str
    submission: int
    question: int
    url: str


@dataclass
class HotRow:
    key: str
    kind: str
    row_id: int
    url: str
    initial_version: int
    initial_values: dict = field(default_factory=dict)


@dataclass
class Plan:
    usernames: list[str]
    slots: list[Slot]
    tables: list[Table]
    hot_row: HotRow


def prepare(users: int, shared: int) -> Plan:
    """Migrate, load the seeds, create the users and list what they will write."""
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    from accounts.models import Membership, Organization, Role
    from submissions.changes import answer_save, row_save, row_values
    from submissions.models import ROW_MODELS, Answer, Question, QuestionPart, Submission
    from submissions.seeds import seeds_load

    call_command("migrate", verbosity=0)
    # The server reads the manifest of hashed names; compressing every file (WhiteNoise's
    # storage) takes most of a minute and is not what this test measures.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    seeds_load(demo_users=False)
    organization = Organization.objects.get(code="IOM")
    User = get_user_model()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    password = make_password(PASSWORD)  # once: hashing is slow on purpose
    usernames = [f"{USER_PREFIX}{index:03d}" for index in range(users)]
    created = User.objects.bulk_create(
        User(username=name, email=f"{name}@example.org", password=password) for name in usernames
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=organization, role=Role.CONTRIBUTOR) for user in created
    )

    submissions = list(
        Submission.objects.filter(organization=organization)
        .select_related("questionnaire")
        .order_by("-questionnaire__year", "questionnaire__kind")
    )
    versions = {
        (a.submission_id, a.question_id, a.part_id): a.version
        for a in Answer.objects.filter(submission__in=submissions)
    }
    slots, tables = [], []
    for submission in submissions:
        submission.status = "draft"
        submission.save(update_fields=["status"])
        for question in submission.questionnaire.questions.prefetch_related("parts"):
            url = reverse("question_edit", args=[submission.pk, question.number])
            parts = list(question.parts.all())
            if question.table and not (question.has_narrative or question.max_rows or parts):
                tables.append(Table(question.table, submission.pk, question.pk, url))
            targets = [(None, "answer-main")] if question.has_narrative else []
            targets += [(part.pk, f"answer-part-{part.pk}") for part in parts]
            for part, prefix in targets:
                slots.append(
                    Slot(
                        key=f"answer {submission.questionnaire.slug} {question.number} {prefix}",
                        submission=submission.pk,
                        question=question.pk,
                        part=part,
                        url=url,
                        prefix=prefix,
                        initial_version=versions.get((submission.pk, question.pk, part), 0),
                    )
                )
    # The shared answer: a paragraph for everyone to rewrite, then one for each shared user.
    slot = slots[0]
    slot.initial_text = "\n\n".join(f"Paragraph {i} as it stood." for i in range(shared + 1))
    slot.initial_version = answer_save(
        submission=Submission.objects.get(pk=slot.submission),
        question=Question.objects.get(pk=slot.question),
        part=QuestionPart.objects.filter(pk=slot.part).first(),
        text=slot.initial_text,
        base_version=slot.initial_version,
        user=None,
        key=slot.prefix,
    ).version
    table = tables[0]
    model = ROW_MODELS[table.kind]
    values = {name: f"{name} as it stood" for name in ROW_FIELDS[table.kind]}
    values["website"] = "https://example.org/as-it-stood"
    created_row = row_save(
        submission=Submission.objects.get(pk=table.submission),
        question=Question.objects.get(pk=table.question),
        row_id=None,
        base_version=0,
        values=values,
        sdgs=[17],
        position=0,
        user=None,
        key="rows-0",
    )
    row = model.objects.get(pk=created_row.id)
    hot_row = HotRow(
        f"row {row.pk} (shared)",
        table.kind,
        row.pk,
        table.url,
        row.version,
        row_values(row, list(ROW_FIELDS[table.kind])),
    )
    connections.close_all()
    return Plan(usernames, slots, tables, hot_row)


# --- The simulated users (urllib only: nothing of Django in the requests) -----------------------


@dataclass
class Record:
    """One save as the user saw it."""

    item: str
    status: str  # saved, merged, conflict, removed, or what went wrong
    version: int = 0
    sent: dict | None = None
    left: dict | None = None  # what the server said the item holds after the save
    changes: dict | None = None  # shared items: paragraph, field or SDG -> what the user set


@dataclass
class Stats:
    requests: list[tuple[str, float, int]] = field(default_factory=list)  # kind, seconds, HTTP
    logins: list[float] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0
    # (kind, row id): row ids are per table kind, so an event and an initiative may share one.
    added: dict[tuple[str, int], dict] = field(default_factory=dict)  # -> values last saved
    removed: set[tuple[str, int]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failure_count += 1
            if len(self.failures) < 100:
                self.failures.append(message)


class SimulatedUser(threading.Thread):
    def __init__(self, index, username, base, plan, stats, args, start_barrier, stop_at):
        super().__init__(name=username, daemon=True)
        self.index, self.username, self.base = index, username, base
        self.plan, self.stats, self.args = plan, stats, args
        self.start_barrier, self.stop_at = start_barrier, stop_at
        self.random = random.Random(args.seed * 1000 + index)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.shared = index < args.shared
        if self.shared:
            self.slot = plan.slots[0]  # the same answer for every shared user
        else:
            self.slot = plan.slots[1 + (index - args.shared) % (len(plan.slots) - 1)]
        self.table = plan.tables[index % len(plan.tables)]
        self.versions: dict[str, int] = {}
        self.known: dict[str, object] = {}  # shared items: the text or values last known
        self.saves = 0
        self.measuring = False

    # HTTP ---------------------------------------------------------------------------------

    def request(self, kind, path, data=None, headers=None, timeout=30.0):
        """(status, body) of one request; timed when the measured phase has begun."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        except OSError as error:  # refused, reset, timed out
            status, body = 0, str(error)
        elapsed = time.perf_counter() - start
        if self.measuring:
            with self.stats.lock:
                self.stats.requests.append((kind, elapsed, status))
        if status != 200:
            self.stats.fail(f"{self.username} {kind} {path}: HTTP {status or body}")
        return status, body

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def post(self, kind, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        headers = {
            "Accept": "application/json",
            "X-CSRFToken": self.csrf(),
            "Referer": self.base + path,
        }
        status, body = self.request(kind, path, data, headers)
        if status != 200:
            return None
        try:
            return {r["key"]: r for r in json.loads(body)["results"]}
        except (ValueError, KeyError, TypeError):
            self.stats.fail(f"{self.username} {kind}: not the expected JSON: {body[:200]}")
            return None

    def login(self) -> bool:
        start = time.perf_counter()
        status, page = self.request("login", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            return False
        data = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": match[1]}
        ).encode()
        headers = {"Referer": f"{self.base}/accounts/login/"}
        status, page = self.request("login", "/accounts/login/", data, headers, timeout=300)
        self.stats.logins.append(time.perf_counter() - start)
        # Redirected to the dashboard, not shown the form again.
        return status == 200 and bool(self.csrf()) and 'name="password"' not in page

    # Steps --------------------------------------------------------------------------------

    def think(self) -> bool:
        """Pause like a person; False when the time is up."""
        pause = self.random.uniform(0.5, 1.5) * self.args.think
        remaining = self.stop_at[0] - time.monotonic()
        time.sleep(max(0.0, min(pause, remaining)))
        return time.monotonic() < self.stop_at[0]

    def read_versions(self, url: str) -> None:
        status, page = self.request("edit page", url)
        if status != 200 or self.shared:
            return  # a shared user's page keeps its texts and versions from the heartbeat
        slot, hot = self.slot, self.plan.hot_row
        if url == slot.url:
            match = re.search(rf'name="{slot.prefix}-version"[^>]*value="(\d*)"', page)
            self.versions[slot.key] = int(match[1] or 0) if match else 0
        if url == hot.url:
            index = re.search(rf'name="rows-(\d+)-id"[^>]*value="{hot.row_id}"', page)
            if index:
                match = re.search(rf'name="rows-{index[1]}-version"[^>]*value="(\d+)"', page)
                self.versions[hot.key] = int(match[1]) if match else 0

    def live(self, url: str, versions: dict[str, int]) -> dict | None:
        """The page's heartbeat: who is here, and the texts saved since the versions known."""
        data = urllib.parse.urlencode({"versions": json.dumps(versions), "editing": "1"}).encode()
        headers = {
            "Accept": "application/json",
            "X-CSRFToken": self.csrf(),
            "Referer": self.base + url,
        }
        status, body = self.request("heartbeat", url + "live/", data, headers)
        try:
            return json.loads(body) if status == 200 else None
        except ValueError:
            self.stats.fail(f"{self.username} heartbeat: not JSON: {body[:200]}")
            return None

    def sync(self) -> None:
        """What a shared user's open page learns from its heartbeat: the newer saved texts."""
        slot, hot = self.slot, self.plan.hot_row
        body = self.live(slot.url, {slot.prefix: self.versions.get(slot.key, -1)})
        entry = (body or {}).get("answers", {}).get(slot.prefix)
        if entry and "text" in entry:
            self.known[slot.key], self.versions[slot.key] = entry["text"], entry["version"]
        row_key = f"row-{hot.row_id}"
        body = self.live(hot.url, {row_key: self.versions.get(hot.key, -1)})
        entry = (body or {}).get("rows", {}).get(str(hot.row_id))
        if entry and "values" in entry:
            self.known[hot.key], self.versions[hot.key] = entry["values"], entry["version"]

    def save_shared_answer(self) -> None:
        """Rewrite one's own paragraph (or, now and then, the first, everyone's)."""
        slot = self.slot
        if slot.key not in self.known:
            return
        self.saves += 1
        paragraphs = str(self.known[slot.key]).split("\n\n")
        target = 0 if self.random.random() < 0.2 else self.index + 1
        written = f"{self.username}, save {self.saves}: {FLAVOUR.strip()} {self.random.random()}"
        paragraphs[target] = written
        text = "\n\n".join(paragraphs)
        fields = {
            "autosave": "1",
            f"{slot.prefix}-text": text,
            f"{slot.prefix}-version": str(self.versions[slot.key]),
        }
        results = self.post("autosave answer, shared", slot.url, fields)
        if results is not None:
            changes = {f"paragraph {target}": written}
            self.record(slot.key, results.get(slot.prefix), {"text": text}, slot.url, changes)

    def save_shared_row(self) -> None:
        """Rewrite one's own field of the shared row and toggle one's own SDG."""
        hot = self.plan.hot_row
        if hot.key not in self.known:
            return
        self.saves += 1
        values = dict(self.known[hot.key])
        sdgs = set(values.pop("sdgs"))
        fields_ = ROW_FIELDS[hot.kind]
        own = fields_[self.index % len(fields_)]
        # Each value ends in a word of its own: two changes to one field always clash (the
        # server merges changes to different words of a field, which this model does not
        # follow).
        token = f"{self.random.random():.12f}"
        if own == "website":
            values[own] = f"https://example.org/{self.username}/{self.saves}/{token}"
        else:
            values[own] = f"{self.username} {own} {self.saves} – café 移民 {token}"
        # Its own SDG, shared with the user 17 places away when more than 17 share the row.
        sdg = self.index % 17 + 1
        toggled = self.random.random() < 0.5
        sdgs ^= {sdg} if toggled else set()
        fields = self.row_fields(
            hot.kind, 0, hot.row_id, self.versions[hot.key], values, sorted(sdgs), autosave="1"
        )
        results = self.post("autosave row, shared", hot.url, fields)
        if results is not None:
            sent = {**values, "sdgs": sorted(sdgs)}
            # An SDG left as it was is no change of this save's: the server keeps whatever a
            # colleague (the one sharing that SDG) set meanwhile, as it should.
            changes = {own: values[own], **({f"SDG {sdg}": sdg in sdgs} if toggled else {})}
            self.record(hot.key, results.get("rows-0"), sent, hot.url, changes)

    def save_answer(self) -> None:
        slot = self.slot
        self.saves += 1
        text = f"{self.username}, save {self.saves}: {FLAVOUR}{self.random.random()}  "
        fields = {
            "autosave": "1",
            f"{slot.prefix}-text": text,
            f"{slot.prefix}-version": str(self.versions.get(slot.key, 0)),
        }
        kind = "autosave answer, shared" if self.shared else "autosave answer"
        results = self.post(kind, slot.url, fields)
        if results is not None:
            self.record(slot.key, results.get(slot.prefix), {"text": text}, slot.url)

    def row_fields(self, kind, index, row_id, version, values, sdgs, **extra):
        fields = {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000",
            "rows-0-id": str(row_id or ""),
            "rows-0-version": str(version),
            "rows-0-position": str(index),
            "rows-0-sdgs": [str(n) for n in sdgs],
            **{f"rows-0-{name}": value for name, value in values.items()},
        }
        fields.update(extra)
        return fields

    def row_values(self, kind: str) -> tuple[dict, list[int]]:
        self.saves += 1
        values = {
            name: f"{self.username} {name} {self.saves} – café 移民"
            for name in ROW_FIELDS[kind]
            if name != "website"
        }
        # Row fields are stripped of surrounding spaces (Django's form default): send none.
        values["description"] = f"{self.username}, save {self.saves}: {FLAVOUR.strip()}"
        values["website"] = f"https://example.org/{self.username}/{self.saves}"
        sdgs = sorted(self.random.sample(range(1, 18), self.random.randint(0, 4)))
        return values, sdgs

    def add_edit_remove_row(self) -> None:
        table = self.table
        values, sdgs = self.row_values(table.kind)
        position = 1000 + self.index
        fields = self.row_fields(table.kind, position, None, 0, values, sdgs, autosave="1")
        results = self.post("add row", table.url, fields)
        result = (results or {}).get("rows-0")
        if not result or result["status"] != "saved":
            if results is not None:
                self.stats.fail(f"{self.username} add row: {result}")
            return
        row_id, version = result["id"], result["version"]
        with self.stats.lock:
            self.stats.added[table.kind, row_id] = {**values, "sdgs": sdgs}
        if not self.think():
            return
        values, sdgs = self.row_values(table.kind)
        fields = self.row_fields(table.kind, position, row_id, version, values, sdgs, autosave="1")
        results = self.post("autosave row", table.url, fields)
        result = (results or {}).get("rows-0")
        if not result or result["status"] != "saved":
            if results is not None:
                self.stats.fail(f"{self.username} edit own row {row_id}: {result}")
            return
        version = result["version"]
        with self.stats.lock:
            self.stats.added[table.kind, row_id] = {**values, "sdgs": sdgs}
        if self.random.random() < 0.5 or not self.think():
            return  # kept: the check finds it as last saved
        # Removing is the one change autosave does not make: the explicit Save does.
        fields = self.row_fields(
            table.kind, position, row_id, version, values, sdgs, **{"rows-0-DELETE": "on"}
        )
        results = self.post("remove row", table.url, fields)
        result = (results or {}).get("rows-0")
        if result and result["status"] == "removed":
            with self.stats.lock:
                self.stats.removed.add((table.kind, row_id))
        elif results is not None:
            self.stats.fail(f"{self.username} remove own row {row_id}: {result}")

    def record(self, item, result, sent, url, changes=None) -> None:
        if result is None:
            self.stats.fail(f"{self.username}: no result for {item}")
            return
        status = result["status"]
        left = sent if status == "saved" else result.get("current")
        with self.stats.lock:
            self.stats.records.append(
                Record(item, status, result.get("version") or 0, sent, left, changes)
            )
        if status in ("saved", "merged", "conflict") and changes is not None:
            # A shared user goes on from what the server holds (on a conflict: uses theirs).
            current = left if status == "saved" else result["current"]
            self.known[item] = current.get("text", current)
            self.versions[item] = result["version"]
        elif status in ("saved", "merged"):
            self.versions[item] = result["version"]
        elif status == "conflict":
            self.read_versions(url)  # a person reads the other text, then goes on
        else:
            self.stats.fail(f"{self.username} save of {item} refused as {status}: {result}")

    # The loop -----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            logged_in = self.login()
            if not logged_in:
                self.stats.fail(f"{self.username}: login failed")
        finally:
            self.start_barrier.wait(timeout=900)
        if not logged_in:
            return
        self.measuring = True
        time.sleep(self.random.uniform(0, self.args.think))  # do not start in step
        while time.monotonic() < self.stop_at[0]:
            self.request("dashboard", "/")
            if not self.think():
                break
            self.read_versions(self.slot.url)
            if self.shared:
                self.sync()
            for _ in range(2):
                if not self.think():
                    return
                if not self.shared:
                    self.save_answer()
                elif self.random.random() < 0.5:
                    self.save_shared_row()
                else:
                    self.save_shared_answer()
            if self.think():
                self.add_edit_remove_row()
            if not self.think():
                break


# --- The check -----------------------------------------------------------------------------------


def check(plan: Plan, stats: Stats) -> list[str]:
    """What the database holds against what the users were told; the list of problems."""
    from django.db import connections

    from submissions.models import ROW_MODELS, Answer

    problems = []
    by_item: dict[str, list[Record]] = {}
    for record in stats.records:
        by_item.setdefault(record.item, []).append(record)
        if record.status not in ("saved", "merged", "conflict"):
            problems.append(f"{record.item}: a save was refused as {record.status}")

    def accepted_saves(item):
        return sorted(
            (r for r in by_item.get(item, []) if r.status in ("saved", "merged")),
            key=lambda r: r.version,
        )

    def check_item(item, initial, current_version, current_content):
        accepted = accepted_saves(item)
        versions = [r.version for r in accepted]
        if len(set(versions)) != len(versions):
            problems.append(f"{item}: two accepted saves got the same version")
        if not accepted:
            if current_version != initial:
                problems.append(f"{item}: changed ({initial} -> {current_version}) with no save")
            return
        last = max(accepted, key=lambda r: r.version)
        if current_version != last.version:
            problems.append(f"{item}: version {current_version}, last accepted {last.version}")
        if current_content != last.left:
            problems.append(f"{item}: holds {current_content!r}, last accepted {last.left!r}")
        expected = set(range(initial + 1, current_version + 1))
        if set(versions) != expected:
            missing = sorted(expected - set(versions))[:5]
            problems.append(f"{item}: versions {missing}... were written but never accepted")

    for slot in plan.slots:
        answer = Answer.objects.filter(
            submission_id=slot.submission, question_id=slot.question, part_id=slot.part
        ).first()
        version, content = (answer.version, {"text": answer.text}) if answer else (0, None)
        check_item(slot.key, slot.initial_version, version, content)

    def row_content(kind, row):
        values = {name: getattr(row, name) for name in ROW_FIELDS[kind]}
        return {**values, "sdgs": sorted(s.number for s in row.sdgs.all())}

    hot = plan.hot_row
    row = ROW_MODELS[hot.kind].objects.prefetch_related("sdgs").get(pk=hot.row_id)
    check_item(hot.key, hot.initial_version, row.version, row_content(hot.kind, row))

    def check_meaning(item, expected, held):
        """Each paragraph, field or SDG holds what the last accepted save changing it set."""
        for record in accepted_saves(item):
            expected.update(record.changes or {})
        for place, value in expected.items():
            if held.get(place) != value:
                problems.append(f"{item}: {place} holds {held.get(place)!r}, meant {value!r}")

    slot = plan.slots[0]
    answer = Answer.objects.get(
        submission_id=slot.submission, question_id=slot.question, part_id=slot.part
    )
    paragraphs = dict(enumerate(slot.initial_text.split("\n\n")))
    held = dict(enumerate(answer.text.split("\n\n")))
    check_meaning(
        slot.key,
        {f"paragraph {i}": text for i, text in paragraphs.items()},
        {f"paragraph {i}": text for i, text in held.items()},
    )
    if len(held) != len(paragraphs):
        problems.append(f"{slot.key}: {len(held)} paragraphs, {len(paragraphs)} meant")

    def row_places(values):
        places = {name: value for name, value in values.items() if name != "sdgs"}
        places.update({f"SDG {n}": n in values["sdgs"] for n in range(1, 18)})
        return places

    check_meaning(hot.key, row_places(hot.initial_values), row_places(row_content(hot.kind, row)))

    for (kind, row_id), sent in stats.added.items():
        row = ROW_MODELS[kind].objects.prefetch_related("sdgs").filter(pk=row_id).first()
        if (kind, row_id) in stats.removed:
            if row is not None:
                problems.append(f"{kind} row {row_id}: removed, but still there")
        elif row is None:
            problems.append(f"{kind} row {row_id}: kept, but gone")
        elif row_content(kind, row) != sent:
            problems.append(f"{kind} row {row_id}: holds {row_content(kind, row)!r}, sent {sent!r}")
    connections.close_all()
    return problems


# --- Running it ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--think",
        type=float,
        help="mean pause between a user's requests, seconds (default 3; 0.5 with --smoke)",
    )
    parser.add_argument("--shared", type=int, help="users on the same answer and row")
    parser.add_argument("--seed", type=int, default=2030)
    parser.add_argument(
        "--smoke", action="store_true", help="a short run: 5 users, 5 seconds, short pauses"
    )
    args = parser.parse_args()
    if args.smoke:
        args.users, args.duration = 5, 5
    if args.think is None:
        args.think = 0.5 if args.smoke else 3.0
    if args.shared is None:
        args.shared = max(2, args.users // 5)
    args.shared = min(args.shared, args.users)

    tmp = tempfile.mkdtemp(prefix="load-test-")
    pg_dir = None
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"], pg_dir = start_postgres()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "load-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_STATIC_ROOT": str(Path(tmp) / "static"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # Every login comes from 127.0.0.1: keep django-axes out of the way of the test.
            "DJANGO_AXES_FAILURE_LIMIT": "1000",
        }
    )
    sys.path.insert(0, str(ROOT))
    database = os.environ["DATABASE_URL"].split(":")[0]
    try:
        plan = prepare(args.users, args.shared)
        stats, login_seconds, elapsed = run_load(args, plan)
        problems = check(plan, stats)
    finally:
        if pg_dir:
            stop_postgres(pg_dir)
    report(args, database, stats, login_seconds, elapsed, problems)
    return 1 if problems or stats.failure_count else 0


def run_load(args, plan: Plan) -> tuple[Stats, float, float]:
    """Serve with gunicorn, log every user in, run them for the duration; stop the server."""
    with gunicorn(workers=args.workers) as base:
        stats = Stats()
        barrier = threading.Barrier(args.users + 1)
        stop_at = [float("inf")]
        users = [
            SimulatedUser(i, name, base, plan, stats, args, barrier, stop_at)
            for i, name in enumerate(plan.usernames)
        ]
        login_start = time.perf_counter()
        for user in users:
            user.start()
        barrier.wait(timeout=900)
        login_seconds = time.perf_counter() - login_start
        started = time.monotonic()
        stop_at[0] = started + args.duration
        for user in users:
            user.join(timeout=max(1.0, stop_at[0] + 120 - time.monotonic()))
        elapsed = time.monotonic() - started
        alive = [user.name for user in users if user.is_alive()]
        if alive:
            stats.fail(f"{len(alive)} users did not stop: {alive[:5]}")
    return stats, login_seconds, elapsed


def report(args, database, stats, login_seconds, elapsed, problems) -> None:
    times = [seconds for _kind, seconds, _status in stats.requests]
    server_errors = sum(1 for _k, _s, status in stats.requests if status >= 500)
    other = sum(1 for _k, _s, status in stats.requests if 0 < status < 500 and status != 200)
    broken = sum(1 for _k, _s, status in stats.requests if status == 0)
    saves = stats.records
    accepted = sum(r.status == "saved" for r in saves)
    merged = sum(r.status == "merged" for r in saves)
    conflicts = sum(r.status == "conflict" for r in saves)
    refused_otherwise = len(saves) - accepted - merged - conflicts
    shared = [r for r in saves if r.changes is not None]
    median = statistics.median(times) * 1000 if times else 0.0
    p95 = percentile(times, 0.95) * 1000
    print(
        f"load test: {args.users} users ({args.shared} on the same answer and row), "
        f"{args.duration:g} s, think {args.think:g} s, gunicorn {args.workers} workers, {database}"
    )
    print(
        f"logins: {len(stats.logins)} in {login_seconds:.1f} s before the timed phase "
        f"(median {statistics.median(stats.logins) * 1000 if stats.logins else 0:.0f} ms)"
    )
    print(f"requests: {len(times)} in {elapsed:.1f} s")
    print(f"requests per second: {len(times) / elapsed if elapsed else 0:.1f}")
    verdict = "ok" if p95 < GOAL_P95_MS else "OVER"
    print(f"latency median: {median:.1f} ms")
    print(f"latency p95: {p95:.1f} ms (goal < {GOAL_P95_MS} ms) {verdict}")
    kinds = sorted({kind for kind, _s, _st in stats.requests})
    for kind in kinds:
        values = [s for k, s, _st in stats.requests if k == kind]
        print(
            f"  {kind:<23} {len(values):6d} requests, median {statistics.median(values) * 1000:6.1f}"
            f" ms, p95 {percentile(values, 0.95) * 1000:6.1f} ms"
        )
    print(
        f"saves: {accepted} saved as sent, {merged} merged with a colleague's change, "
        f"{conflicts} refused as conflicts, {refused_otherwise} refused otherwise; "
        f"rows added {len(stats.added)}, removed {len(stats.removed)}"
    )
    print(
        f"  of which on the shared answer and row: {len(shared)} saves, "
        f"{sum(r.status == 'merged' for r in shared)} merged, "
        f"{sum(r.status == 'conflict' for r in shared)} conflicts"
    )
    print(f"server errors (5xx): {server_errors}; other HTTP errors: {other}; no answer: {broken}")
    print(f"errors: {stats.failure_count}")
    for failure in stats.failures[:10]:
        print(f"  {failure}")
    if problems:
        print(f"check: FAILED ({len(problems)} problems)")
        for problem in problems[:20]:
            print(f"  {problem}")
    else:
        print(
            "check: PASSED (every accepted save has its own version, the final content is what "
            "the last accepted save left exactly, no version unaccounted for, every paragraph, "
            "field and SDG of the shared answer and row as its last writer meant, every "
            "refusal a conflict)"
        )


if __name__ == "__main__":
    sys.exit(main())
