"""Search across all of an organization's submissions and years: answers, parts and table rows.

On PostgreSQL the words are matched by full-text search (English stemming, websearch syntax:
"a phrase", -word, or), ranked and highlighted by the database. On SQLite, the development
and test default, every word must appear (case-insensitive, anywhere in a word) and the
highlighting is done here. Either way, the matched words come back wrapped in <mark> in
HTML that is escaped here, and only submissions the user may see are searched.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..models import (
    ROW_MODELS,
    Answer,
    Question,
    QuestionnaireKind,
    Submission,
    TableKind,
    TableRow,
)
from ..selectors import submissions_visible_to

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"

# The "where" filter: written answers (narratives and parts) or one of the tables.
WHERE_ANSWERS = "answers"
WHERE_CHOICES = [
    ("", _("Everywhere")),
    (WHERE_ANSWERS, _("Written answers and parts")),
    *[(kind.value, kind.label) for kind in TableKind if kind.value],
]

# Text fields of each table searched besides the name and the description.
ROW_EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    TableKind.EVENTS: ("dates", "location"),
    TableKind.RESOURCES: ("publishing_entities", "target_audience", "languages"),
    TableKind.INITIATIVES: ("partners", "member_states"),
}

# Bootstrap pads <mark>; without side padding "pre-<mark>migration</mark>" reads as one word.
MARK_OPEN = '<mark class="px-0">'

# Around each matched word while highlighting; control characters never reach the
# database (forms and importers strip them), so they cannot be confused with the text.
_START, _STOP = "\x02", "\x03"
_MARKERS = re.compile(f"([{_START}{_STOP}])")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_NUMBER_PARTS = re.compile(r"(\d+)")

# SQLite snippets: about this many characters of text around the first match.
_SNIPPET_BEFORE = 90
_SNIPPET_LENGTH = 300


@dataclass(frozen=True)
class ParsedQuery:
    """The words of a query for the SQLite fallback: all of `words`, none of `excluded`."""

    words: tuple[str, ...]
    excluded: tuple[str, ...]


def search_query_parse(query: str) -> ParsedQuery:
    """Split a query into what to find (words, "phrases in quotes") and what to leave out (-word)."""
    words: list[str] = []
    excluded: list[str] = []
    for phrase, token in _TOKEN.findall(query):
        if phrase:
            found = [" ".join(_WORD.findall(phrase))]
            target = words
        else:
            found = _WORD.findall(token)
            target = excluded if token.startswith("-") else words
        for word in found:
            if word and word.casefold() not in {w.casefold() for w in target}:
                target.append(word)
    return ParsedQuery(words=tuple(words), excluded=tuple(excluded))


def _place(submission, question) -> dict:
    """Where a result is: its submission, year and question (SearchResult's first fields)."""
    return {
        "submission_id": submission.pk,
        "organization_code": submission.organization.code,
        "year": submission.questionnaire.year,
        "questionnaire_title": submission.questionnaire.title,
        "questionnaire_kind_label": _kind_label(submission),
        "question_number": question.number,
        "question_prompt": question.prompt,
        "question_position": question.position,
    }


@dataclass(frozen=True)
class SearchResult:
    """One answer, part or table row that matched, with its place and highlighted text."""

    submission_id: int
    organization_code: str
    year: int
    questionnaire_title: str
    # The questionnaire's kind when it is not the yearly UN DESA one (a year may have both).
    questionnaire_kind_label: str
    question_number: str
    question_prompt: str
    question_position: int
    part_title: str = ""
    part_position: int = 0
    table: str = ""
    table_label: str = ""
    row_id: int | None = None
    row_position: int = 0
    row_name: SafeString = field(default_factory=lambda: SafeString(""))
    snippet: SafeString = field(default_factory=lambda: SafeString(""))
    snippet_label: str = ""
    sdgs: tuple[int, ...] = ()
    rank: float = 0.0

    @property
    def is_row(self) -> bool:
        return self.row_id is not None

    @property
    def url(self) -> str:
        """The question's editing page; for a row, at that row."""
        url = reverse("question_edit", args=[self.submission_id, self.question_number])
        return f"{url}#row-{self.row_id}" if self.is_row else url


@dataclass(frozen=True)
class SearchScope:
    """What the user can search and filter by: their submissions' years and question numbers."""

    submissions: list[Submission]
    years: list[int]
    question_numbers: list[str]

    @property
    def organization_count(self) -> int:
        return len({s.organization_id for s in self.submissions})


def _number_key(number: str) -> tuple:
    """Natural order of question numbers: 2 before 10, 5 before 5.1, digits before letters."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _NUMBER_PARTS.split(number)
        if part
    )


def search_scope(*, user: AbstractBaseUser) -> SearchScope:
    """The submissions a user may search, with the years and question numbers to filter by."""
    submissions = list(submissions_visible_to(user=user))
    numbers = set(
        Question.objects.filter(
            questionnaire_id__in={s.questionnaire_id for s in submissions}
        ).values_list("number", flat=True)
    )
    return SearchScope(
        submissions=submissions,
        years=sorted({s.questionnaire.year for s in submissions}, reverse=True),
        question_numbers=sorted(numbers, key=_number_key),
    )


def marked_to_html(marked: str) -> SafeString:
    """Text with start and stop markers around matches, as escaped HTML with <mark>.

    Every piece of text is escaped; the only tags are the ones added here, always paired.
    """
    parts: list[str] = []
    inside = False
    for piece in _MARKERS.split(marked):
        if piece == _START:
            if not inside:
                parts.append(MARK_OPEN)
                inside = True
        elif piece == _STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        elif piece:
            parts.append(escape(piece))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped pieces only


def _words_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    # A phrase matches across any whitespace (a line break in the text, say).
    alternatives = sorted(
        {r"\s+".join(re.escape(part) for part in w.split()) for w in words}, key=len, reverse=True
    )
    return re.compile("|".join(alternatives), re.IGNORECASE)


def marked_snippet(marked: str, *, whole: bool = False) -> SafeString:
    """Escaped HTML of a marked text around its first match, every match in <mark>.

    `whole` keeps the entire text (a row's name); otherwise about 300 characters are kept,
    cut at spaces, with an ellipsis where text was left out.
    """
    text = " ".join((marked or "").split())
    if not whole and len(text) > _SNIPPET_LENGTH:
        first = text.find(_START)
        start = max(0, first - _SNIPPET_BEFORE)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else start
        end = start + _SNIPPET_LENGTH
        if end < len(text):
            space = text.rfind(" ", start + 1, end)
            end = space if space > 0 else end
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return marked_to_html(text)


def mark_words(text: str, words: tuple[str, ...]) -> str:
    """The text with each word between markers (case-insensitive, also inside longer words)."""
    pattern = _words_pattern(words)
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", text or "") if pattern else text


def highlight(text: str, words: tuple[str, ...], *, whole: bool = False) -> SafeString:
    """The text's snippet as escaped HTML, each word in <mark> (SQLite's highlighting)."""
    return marked_snippet(mark_words(text, words), whole=whole)


def _kind_label(submission: Submission) -> str:
    questionnaire = submission.questionnaire
    return "" if questionnaire.kind == QuestionnaireKind.DESA else questionnaire.get_kind_display()


def _sqlite_filter(fields: list[str], parsed: ParsedQuery) -> Q:
    """Every word in one of the fields, no excluded word in any of them."""

    def anywhere(word: str) -> Q:
        return reduce(or_, [Q(**{f"{name}__icontains": word}) for name in fields])

    conditions = [anywhere(w) for w in parsed.words] + [~anywhere(w) for w in parsed.excluded]
    return reduce(and_, conditions, Q())


def _sqlite_rank(texts: list[str], words: tuple[str, ...], *, name: str = "") -> float:
    """How often the words occur, a match in a row's name counting triple."""
    pattern = _words_pattern(words)
    if pattern is None:
        return 0.0
    return 3.0 * len(pattern.findall(name or "")) + sum(
        len(pattern.findall(t or "")) for t in texts
    )


def _marked(field_name: str, query: SearchQuery) -> SearchHeadline:
    """The field's whole text with the matched words between markers.

    HighlightAll returns the text as written; in fragment mode PostgreSQL would leave out
    anything that looks like an HTML tag. Snippets are cut here, as on SQLite.
    """
    return SearchHeadline(
        field_name,
        query,
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        highlight_all=True,
    )


def _search_answers(
    *,
    submissions: dict[int, Submission],
    query: str,
    parsed: ParsedQuery,
    question_number: str | None,
) -> list[SearchResult]:
    answers = Answer.objects.filter(submission_id__in=submissions, text__gt="").select_related(
        "question", "part"
    )
    if question_number:
        answers = answers.filter(question__number=question_number)
    postgres = connection.vendor == "postgresql"
    if postgres:
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        answers = (
            answers.annotate(search=SearchVector("text", config=SEARCH_CONFIG, weight="B"))
            .filter(search=search_query)
            .annotate(
                rank=SearchRank(F("search"), search_query),
                marked=_marked("text", search_query),
            )
        )
    else:
        answers = answers.filter(_sqlite_filter(["text"], parsed))
    results = []
    for answer in answers:
        submission = submissions[answer.submission_id]
        if postgres:
            snippet, rank = marked_snippet(answer.marked), answer.rank
        else:
            snippet = highlight(answer.text, parsed.words)
            rank = _sqlite_rank([answer.text], parsed.words)
        results.append(
            SearchResult(
                **_place(submission, answer.question),
                part_title=answer.part.title if answer.part_id else "",
                part_position=answer.part.position if answer.part_id else 0,
                snippet=snippet,
                rank=float(rank or 0),
            )
        )
    return results


def _search_rows(
    *,
    table: str,
    submissions: dict[int, Submission],
    query: str,
    parsed: ParsedQuery,
    question_number: str | None,
    sdg: int | None,
) -> list[SearchResult]:
    model: type[TableRow] = ROW_MODELS[table]
    extras = ROW_EXTRA_FIELDS[table]
    rows: QuerySet = (
        model.objects.filter(submission_id__in=submissions)
        .select_related("question")
        .prefetch_related("sdgs")
    )
    if question_number:
        rows = rows.filter(question__number=question_number)
    if sdg:
        rows = rows.filter(sdgs__number=sdg)
    postgres = connection.vendor == "postgresql"
    if postgres:
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        vector = (
            SearchVector("name", config=SEARCH_CONFIG, weight="A")
            + SearchVector("description", config=SEARCH_CONFIG, weight="B")
            + SearchVector(*extras, config=SEARCH_CONFIG, weight="C")
        )
        rows = (
            rows.annotate(search=vector)
            .filter(search=search_query)
            .annotate(
                rank=SearchRank(F("search"), search_query),
                **{
                    f"{name}_marked": _marked(name, search_query)
                    for name in ("name", "description", *extras)
                },
            )
        )
    else:
        rows = rows.filter(_sqlite_filter(["name", "description", *extras], parsed))
    label = TableKind(table).label
    results = []
    for row in rows:
        submission = submissions[row.submission_id]
        if postgres:
            marked = {f: getattr(row, f"{f}_marked") for f in ("name", "description", *extras)}
            rank = float(row.rank or 0)
        else:
            marked = {
                f: mark_words(getattr(row, f), parsed.words)
                for f in ("name", "description", *extras)
            }
            rank = _sqlite_rank(
                [row.description, *(getattr(row, f) for f in extras)], parsed.words, name=row.name
            )
        name = marked_snippet(marked["name"], whole=True)
        snippet = marked_snippet(marked["description"])
        snippet_label = ""
        if _START not in marked["description"]:
            # The words are not in the description: show the field that has them, if any.
            for name_ in extras:
                if _START in marked[name_]:
                    snippet = marked_snippet(marked[name_])
                    snippet_label = str(model._meta.get_field(name_).verbose_name)
                    break
        results.append(
            SearchResult(
                **_place(submission, row.question),
                table=table,
                table_label=str(label),
                row_id=row.pk,
                row_position=row.position,
                row_name=name,
                snippet=snippet,
                snippet_label=snippet_label,
                sdgs=tuple(s.number for s in row.sdgs.all()),
                rank=rank,
            )
        )
    return results


def submissions_search(
    *,
    user: AbstractBaseUser,
    query: str,
    year: int | None = None,
    question_number: str | None = None,
    where: str = "",
    sdg: int | None = None,
) -> list[SearchResult]:
    """Answers, parts and table rows of the user's submissions that match the query, best first.

    `where` is "" (everywhere), "answers" (narratives and parts) or a table kind. Answers carry
    no SDGs, so filtering by an SDG finds table rows only. Another organization's submissions
    are never searched.
    """
    query = (query or "").strip()
    parsed = search_query_parse(query)
    if not parsed.words:  # nothing to find (leaving words out alone would list everything)
        return []
    by_id = {
        s.pk: s
        for s in submissions_visible_to(user=user)
        if year is None or s.questionnaire.year == year
    }
    if not by_id:
        return []
    results: list[SearchResult] = []
    if where in ("", WHERE_ANSWERS) and not sdg:
        results += _search_answers(
            submissions=by_id, query=query, parsed=parsed, question_number=question_number
        )
    for table in ROW_MODELS:
        if where in ("", table):
            results += _search_rows(
                table=table,
                submissions=by_id,
                query=query,
                parsed=parsed,
                question_number=question_number,
                sdg=sdg,
            )
    results.sort(
        key=lambda r: (
            -r.rank,
            -r.year,
            r.question_position,
            r.part_position,
            r.row_position,
            r.row_id or 0,
        )
    )
    return results
