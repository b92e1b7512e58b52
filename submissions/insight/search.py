"""Search across all of an organization's submissions and years: answers, parts and table rows.

On PostgreSQL the words are matched by full-text search over stored, GIN-indexed vectors
(English stemming, websearch syntax: "a phrase", -word, or), ranked, counted, ordered and cut
to the page in SQL, and highlighted by the database for the page shown only
(`search_index.py`). On SQLite, the development and test default, the texts are scanned:
every word must appear (case-insensitive, anywhere in a word), the matches are ranked here
and the page's are highlighted here. Either way, the matched words come back wrapped in
<mark> in HTML that is escaped here, and only the user's organizations are searched.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Aggregate, CharField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..models import (
    ROW_MODELS,
    Answer,
    Questionnaire,
    QuestionnaireKind,
    Submission,
    TableKind,
)
from ..selectors import questionnaire_questions
from .search_index import (
    ANSWERS,
    KINDS,
    ROW_EXTRA_FIELDS,
    Filters,
    MarkedHit,
    hits_marked,
    matches_page,
)

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20

# The "where" filter: written answers (narratives and parts) or one of the tables.
WHERE_ANSWERS = ANSWERS
WHERE_CHOICES = [
    ("", _("Everywhere")),
    (WHERE_ANSWERS, _("Written answers and parts")),
    *[(kind.value, kind.label) for kind in TableKind if kind.value],
]

# Bootstrap pads <mark>; without side padding "pre-<mark>migration</mark>" reads as one word.
MARK_OPEN = '<mark class="px-0">'

# Around each matched word while highlighting; control characters never reach the
# database (forms and importers strip them), so they cannot be confused with the text.
_START, _STOP = "\x02", "\x03"
_MARKERS = re.compile(f"([{_START}{_STOP}])")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_NUMBER_PARTS = re.compile(r"(\d+)")

# Snippets: about this many characters of text around the first match.
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
    """What the user can search and filter by: their organizations, years and question numbers.

    Read with two small queries whatever the number of organizations (the questions are the
    process's): no submission, answer or row is loaded to build the filters.
    """

    organizations: list[tuple[int, str, str]]  # id, code, name
    years: list[int]
    question_numbers: list[str]

    @property
    def organization_count(self) -> int:
        return len(self.organizations)


def _number_key(number: str) -> tuple:
    """Natural order of question numbers: 2 before 10, 5 before 5.1, digits before letters."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _NUMBER_PARTS.split(number)
        if part
    )


def search_scope(*, user: AbstractBaseUser) -> SearchScope:
    """The organizations a user may search, with the years and question numbers to filter by."""
    organizations = list(
        Organization.objects.filter(memberships__user=user)
        .order_by("code")
        .values_list("id", "code", "name")
    )
    # The questionnaires of the user's submissions; their questions are the process's.
    questionnaires = list(
        Questionnaire.objects.filter(submissions__organization__memberships__user=user)
        .order_by()
        .only("id", "year", "structure_stamp")
        .distinct()
    )
    questions = questionnaire_questions(questionnaires=questionnaires)
    numbers = {q.number for listed in questions.values() for q in listed}
    return SearchScope(
        organizations=organizations,
        years=sorted({q.year for q in questionnaires}, reverse=True),
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


def _kind_label(kind: str) -> str:
    """The questionnaire's kind when it is not the yearly UN DESA one (a year may have both)."""
    return "" if kind == QuestionnaireKind.DESA else str(QuestionnaireKind(kind).label)


def _result(hit: MarkedHit, rank: float) -> SearchResult:
    """A hit as the page shows it: its place, its name and the snippet that has the words."""
    place = {
        "submission_id": hit.submission_id,
        "organization_code": hit.organization_code,
        "year": hit.year,
        "questionnaire_title": hit.questionnaire_title,
        "questionnaire_kind_label": _kind_label(hit.questionnaire_kind),
        "question_number": hit.question_number,
        "question_prompt": hit.question_prompt,
        "question_position": hit.question_position,
        "rank": rank,
    }
    if hit.kind == ANSWERS:
        return SearchResult(
            **place,
            part_title=hit.part_title,
            part_position=hit.part_position,
            snippet=marked_snippet(hit.marked["text"]),
        )
    model = ROW_MODELS[hit.kind]
    marked = hit.marked
    snippet = marked_snippet(marked["description"])
    snippet_label = ""
    if _START not in marked["description"]:
        # The words are not in the description: show the field that has them, if any.
        for name in ROW_EXTRA_FIELDS[hit.kind]:
            if _START in marked[name]:
                snippet = marked_snippet(marked[name])
                snippet_label = str(model._meta.get_field(name).verbose_name)
                break
    return SearchResult(
        **place,
        table=hit.kind,
        table_label=str(TableKind(hit.kind).label),
        row_id=hit.id,
        row_position=hit.row_position,
        row_name=marked_snippet(marked["name"], whole=True),
        snippet=snippet,
        snippet_label=snippet_label,
        sdgs=hit.sdgs,
    )


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first, with how many match in all and the page shown."""

    results: list[SearchResult]
    count: int
    number: int
    per_page: int = RESULTS_PER_PAGE

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


# -- SQLite: the scan ------------------------------------------------------------------------


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


def _scan_hit(kind: str, obj, words: tuple[str, ...]) -> MarkedHit:
    """A scanned answer or row as a hit, its texts marked here (for the page's only)."""
    submission = obj.submission
    questionnaire = submission.questionnaire
    if kind == ANSWERS:
        fields, part, sdgs, position = ("text",), obj.part, (), 0
    else:
        fields = ("name", "description", *ROW_EXTRA_FIELDS[kind])
        part, position = None, obj.position
        sdgs = tuple(sorted(int(n) for n in (obj.sdg_numbers or "").split(",") if n))
    return MarkedHit(
        kind=kind,
        id=obj.pk,
        submission_id=submission.pk,
        organization_code=submission.organization.code,
        year=questionnaire.year,
        questionnaire_title=questionnaire.title,
        questionnaire_kind=questionnaire.kind,
        question_number=obj.question.number,
        question_prompt=obj.question.prompt,
        question_position=obj.question.position,
        part_title=part.title if part else "",
        part_position=part.position if part else 0,
        row_position=position,
        marked={name: mark_words(getattr(obj, name), words) for name in fields},
        sdgs=sdgs,
    )


class _Joined(Aggregate):
    """SQLite's GROUP_CONCAT: a row's SDG numbers read with the row, not one query a table."""

    function = "GROUP_CONCAT"
    output_field = CharField()


def _sdg_numbers(model) -> Subquery:
    through = model.sdgs.through
    column = f"{model._meta.model_name}_id"
    return Subquery(
        through.objects.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(numbers=_Joined("sdg_id"))
        .values("numbers")
    )


def _scan(*, parsed: ParsedQuery, filters: Filters, number: int, per_page: int) -> SearchPage:
    """SQLite: every match read and ranked here, the page's highlighted here.

    One query a kind of text searched, whatever the number of matches or organizations.
    """
    visible = Submission.objects.filter(organization__memberships__user_id=filters.user_id)
    if filters.organization_id is not None:
        visible = visible.filter(organization_id=filters.organization_id)
    if filters.year is not None:
        visible = visible.filter(questionnaire__year=filters.year)
    related = ("question", "submission__organization", "submission__questionnaire")
    ranked: list[tuple[tuple, str, object]] = []
    for kind in filters.kinds:
        if kind == ANSWERS:
            if filters.sdg:
                continue  # answers carry no SDGs
            model, fields = Answer, ["text"]
            found = model.objects.select_related(*related, "part")
        else:
            model = ROW_MODELS[kind]
            fields = ["name", "description", *ROW_EXTRA_FIELDS[kind]]
            found = model.objects.select_related(*related).annotate(sdg_numbers=_sdg_numbers(model))
            if filters.sdg:
                found = found.filter(sdgs__number=filters.sdg)
        found = found.filter(submission__in=visible).filter(_sqlite_filter(fields, parsed))
        if filters.question_number:
            found = found.filter(question__number=filters.question_number)
        for obj in found.order_by():
            if kind == ANSWERS:
                rank = _sqlite_rank([obj.text], parsed.words)
                positions = (obj.part.position if obj.part_id else 0, 0)
            else:
                rank = _sqlite_rank(
                    [getattr(obj, f) for f in fields[1:]], parsed.words, name=obj.name
                )
                positions = (0, obj.position)
            key = (
                -rank,
                -obj.submission.questionnaire.year,
                obj.question.position,
                *positions,
                KINDS.index(kind),
                obj.pk,
            )
            ranked.append((key, kind, obj))
    ranked.sort(key=lambda item: item[0])
    count = len(ranked)
    shown = min(max(number, 1), max((count - 1) // per_page + 1, 1))
    page = ranked[(shown - 1) * per_page : shown * per_page]
    results = [_result(_scan_hit(kind, obj, parsed.words), -key[0]) for key, kind, obj in page]
    return SearchPage(results=results, count=count, number=shown, per_page=per_page)


def submissions_search(
    *,
    user: AbstractBaseUser,
    query: str,
    year: int | None = None,
    question_number: str | None = None,
    where: str = "",
    sdg: int | None = None,
    organization_id: int | None = None,
    page: int = 1,
    per_page: int = RESULTS_PER_PAGE,
) -> SearchPage:
    """One page of the user's answers, parts and table rows that match the query, best first.

    `where` is "" (everywhere), "answers" (narratives and parts) or a table kind. Answers carry
    no SDGs, so filtering by an SDG finds table rows only. `organization_id` narrows to one of
    the user's organizations (another one finds nothing). Another organization's submissions
    are never searched. A page past the last one gives the last one.
    """
    query = (query or "").strip()
    parsed = search_query_parse(query)
    if not parsed.words:  # nothing to find (leaving words out alone would list everything)
        return SearchPage(results=[], count=0, number=1, per_page=per_page)
    filters = Filters(
        user_id=user.pk,
        kinds=tuple(kind for kind in KINDS if where in ("", kind)),
        organization_id=organization_id,
        year=year,
        question_number=question_number,
        sdg=sdg,
    )
    if connection.vendor != "postgresql":
        return _scan(parsed=parsed, filters=filters, number=page, per_page=per_page)
    hits, count, shown = matches_page(query=query, filters=filters, number=page, per_page=per_page)
    marked = hits_marked(query=query, hits=hits, start=_START, stop=_STOP)
    results = [_result(marked[(hit.kind, hit.id)], hit.rank) for hit in hits]
    return SearchPage(results=results, count=count, number=shown, per_page=per_page)
