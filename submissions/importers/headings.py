"""Finding a questionnaire's questions in a document: by their number and by their meaning.

Entities retype the questions their own way: "Question 1:", "Q1.", "(1)", a word changed, a
comma missing, the limit note reworded or gone, the heading cut to its first sentence, the
questions in another order, another numbering. A line is a question's heading when

- it carries that question's number and reads like its prompt (at least ``NUMBERED`` alike), or
- it reads very like one prompt (at least ``UNNUMBERED`` alike), whatever number it carries.

Alike is measured word by word (difflib on the words, case, punctuation and the limit note
left out), against the whole prompt and against its beginning, so that a heading cut short
still matches. A numbered line inside an answer ("1. We trained 200 staff") resembles no
prompt and stays in the answer. Every match says how sure it is, for the preview.
"""

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from .document import QuestionOutline, key

NUMBERED = 0.55  # a line with the question's number
UNNUMBERED = 0.8  # a line without it (or with another number)
MIN_WORDS = 4  # shorter lines match only exactly (a short prompt such as "Background")
PREFIX_MIN_WORDS = 8  # a heading cut short is compared with the prompt's beginning from here

# A limit note at the end of a heading, however it is worded: "(max 200 words)",
# "(maximum 200 words)", "(200-800 words)", "(max. 200 words under each transition)".
LIMIT_NOTE = re.compile(
    r"\s*\((?:(?:max(?:imum)?|up to|no more than|not more than|limit(?:ed)? to|approx\.?)\.?\s*)?"
    r"\d+(?:\s*[-\u2013]\s*\d+)?\s*words?\b[^)]*\)\s*[.:]?\s*$",
    re.IGNORECASE,
)
# A number in front of a heading: "1.", "1)", "(1)", "Q1.", "Q 1:", "Question 1:", "A1.", "5.1".
NUMBER = re.compile(
    r"^(?:(?:question|q)\s*\.?\s*(?P<named>[a-z]?\d{1,2}(?:\.\d{1,2})?)\s*[:.)\-\u2013]?"
    r"|\(?(?P<plain>[a-z]?\d{1,2}(?:\.\d{1,2})?)\s*[.):]|\((?P<paren>[a-z]?\d{1,2})\))\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    """A text's words for comparing: case, accents, quotes and punctuation folded."""
    folded = unicodedata.normalize("NFKD", key(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded.replace("'", ""))


def strip_limit_note(text: str) -> str:
    return LIMIT_NOTE.sub("", text).rstrip(" |:")


@dataclass(frozen=True)
class HeadingMatch:
    """A line read as a question's heading, and how alike it is (0 to 1)."""

    index: int  # of the question in the outline
    similarity: float
    number: str  # the number the line carries, "" for none

    @property
    def percent(self) -> int:
        return int(round(self.similarity * 100))


class _Prompt:
    def __init__(self, index: int, question: QuestionOutline):
        self.index = index
        self.question = question
        self.number = key(question.number)
        self.words = words(strip_limit_note(question.prompt))
        self.word_set = set(self.words)
        self.short = len(self.words) < MIN_WORDS


def _ratio(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


class HeadingFinder:
    """Reads lines as question headings, against one questionnaire's questions."""

    def __init__(self, questions: tuple[QuestionOutline, ...]):
        self.prompts = [_Prompt(index, question) for index, question in enumerate(questions)]
        self.by_number = {p.number: p for p in self.prompts}

    def find(self, text: str) -> HeadingMatch | None:
        """The question this line is the heading of, or None."""
        line = strip_limit_note(key(text).rstrip(" |"))
        number, rest = "", line
        match = NUMBER.match(line)
        if match:
            number = key(match["named"] or match["plain"] or match["paren"] or "")
            rest = line[match.end() :]
        line_words = words(rest)
        if not line_words:
            # "Question 3" alone on its line (the prompt below it): the number says it all.
            if match and match["named"] and number in self.by_number:
                return HeadingMatch(self.by_number[number].index, 1.0, number)
            return None
        numbered = self.by_number.get(number) if number else None
        if numbered is not None:
            similarity = self._similarity(line_words, numbered)
            if similarity >= NUMBERED:
                return HeadingMatch(numbered.index, similarity, number)
        best, best_similarity = None, 0.0
        for prompt in self.prompts:
            if prompt.short:
                if line_words == prompt.words:
                    return HeadingMatch(prompt.index, 1.0, number)
                continue
            if len(line_words) < MIN_WORDS:
                continue
            # Cheap bound first: most lines share few words with any prompt.
            shared = len(prompt.word_set.intersection(line_words))
            if shared < UNNUMBERED * min(len(set(line_words)), len(prompt.word_set)) * 0.75:
                continue
            similarity = self._similarity(line_words, prompt)
            if similarity > best_similarity:
                best, best_similarity = prompt, similarity
        if best is not None and best_similarity >= UNNUMBERED:
            return HeadingMatch(best.index, best_similarity, number)
        return None

    @staticmethod
    def _similarity(line: list[str], prompt: _Prompt) -> float:
        """How alike, 0 to 1: whole against whole, or a heading against the prompt's start."""
        whole = _ratio(line, prompt.words)
        if prompt.short:
            return whole
        best = whole
        if PREFIX_MIN_WORDS <= len(line) < len(prompt.words):
            # Cut short: the first sentence, or the question without its guidance.
            best = max(best, _ratio(line, prompt.words[: len(line)]) * 0.98)
        elif len(line) > len(prompt.words) >= PREFIX_MIN_WORDS:
            # Run on: guidance or the first words of the answer on the heading's line.
            best = max(best, _ratio(line[: len(prompt.words)], prompt.words) * 0.98)
        return best


# A part's enumeration as people write it: "1)", "(iii)", "iii.", "a)", "5.1", "-", "•".
_ENUMERATION = re.compile(
    r"^(?:[-\u2022*]\s*|\(?(?:\d{1,2}(?:\.\d{1,2})?|[a-z]|[ivx]{1,5})\s*[.):]\s*"
    r"|\d{1,2}\.\d{1,2}\s+)",
    re.IGNORECASE,
)
PART_ALIKE = 0.85


def _part_key(text: str) -> str:
    return strip_limit_note(key(text)).rstrip(" |:.")


def part_similarity(title: str, text: str) -> float:
    """How alike a line is to a part's title (0 when it is not that title).

    Exact once enumerations and limit notes are set aside ("(iii) Digital connectivity",
    "1)Food systems"), or nearly so for a title of three words or more.
    """
    line, wanted = _part_key(text), _part_key(title)
    bare_line = _ENUMERATION.sub("", line, count=1).strip()
    bare_wanted = _ENUMERATION.sub("", wanted, count=1).strip()
    if wanted in (line, bare_line) or bare_wanted in (line, bare_line):
        return 1.0
    wanted_words, line_words = words(bare_wanted), words(bare_line)
    if len(wanted_words) < 3 or len(line_words) > len(wanted_words) * 1.5 + 2:
        return 0.0
    similarity = _ratio(line_words, wanted_words)
    return similarity if similarity >= PART_ALIKE else 0.0
