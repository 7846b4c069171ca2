"""Plain words: the first time a glossary acronym appears in a reply, its expansion follows it.

"Ask for an EHCP." -> "Ask for an EHCP (Education, Health and Care Plan)."

Done once, when answers are rendered (knowledge.build_pages), from knowledge/glossary.yaml, so staff
never write expansions by hand. Each term is explained at most once per text, at the first use that
can take it:
- only terms with an `expansion` and `expand_in_replies: true` (the default);
- the term as written in the glossary, or an alias that differs only in case ("SENCo"), as a whole
  word; a plural gets the glossary's `plural` ("OTs (Occupational Therapists)"), or else the expansion
  with an -s ("EHCPs (Education, Health and Care Plans)");
- a use is passed over, and the next use may take the expansion, when it is already inside brackets
  ("EHC plan (EHCP)", "once called CAMHS"), part of a longer name ("SEND Tribunal", or "SENIT team"
  when SENIT's expansion ends in Team), a possessive ("SILC's"), or where the expansion would push its
  sentence over 25 words or the answer over 120;
- a term with a `short` form ("SENDIASS (the SEND advice service)") is explained by it in replies: the
  full expansion is for the glossary answer (see PREFER_SHORT);
- a term is not explained at all when it already is: its expansion (or short form) is written within
  a sentence or two either side, its sentence uses the short form's last words ("SENDIASS, a free
  advice service, ..."), or the term is followed by brackets ("SENDIASS (a free advice service)");
- never inside a web address, an email address, a {{ placeholder }}, or a glossary name of several
  words ("SEND and AP Partnership Board").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .limits import MAX_ANSWER_WORDS, MAX_SENTENCE_WORDS, as_read, sentence_around, word_count
from .schema import Term

NEARBY = 200  # characters either side in which an expansion already written counts as "nearby"
_PROTECTED = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}"  # placeholders
    r"|https?://\S+|www\.\S+"  # web addresses
    r"|\S+@\S+"  # email addresses
    r"|\b[\w.-]+\.(?:uk|org|com|net|gov|nhs|info|co)\b\S*",  # bare domains: sendiass.leeds.gov.uk/...
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"[ \t]+([\w'’-]+)")
_POSSESSIVE = re.compile(r"['’]s\b")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# A term with a `short` form is explained by it in every reply (the glossary answer keeps the full
# expansion). Measured on the 123 answers as sent: SENDIASS's 11-word expansion only where it fits gave
# a median Flesch reading ease of 67.2 and 22 answers below 60; its short form everywhere, 73.6 and 10.
PREFER_SHORT = True
EXPLAINED = ""  # _addition's answer when the term is already explained: add nothing, now or later


def _flat(text: str) -> str:
    """Lower case letters and digits only, so 'Education, Health and Care Plan' meets 'education health and care plan'."""
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def plural(expansion: str) -> str:
    """'Education, Health and Care Plan' -> '...Plans'; 'Local Authority' -> '...Authorities'."""
    if expansion.endswith("y") and len(expansion) > 1 and expansion[-2] not in "aeiou":
        return expansion[:-1] + "ies"
    return expansion if expansion.endswith("s") else expansion + "s"


@dataclass(frozen=True)
class Limits:
    """The most words a sentence, and the whole text, may have once expanded; None for no limit."""

    sentence: int | None = MAX_SENTENCE_WORDS
    words: int | None = MAX_ANSWER_WORDS


ANSWER = Limits()
DETAILS = Limits(words=None)  # 'Tell me more' has no word limit, only the sentence one


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    expansion: str
    plural: str
    short: str | None
    names: tuple[str, ...]  # a text without any of these cannot match: a cheap test before the regex
    flats: tuple[str, ...]  # the expansion (and short and plural forms) flattened, to spot one already written nearby
    last: str  # the expansion's last word, casefolded: "SENIT team" repeats it
    described: str | None  # the short form's last two words, flattened: "advice service" in the sentence explains SENDIASS

    @classmethod
    def of(cls, term: Term) -> "_Entry":
        """One glossary term ready to match: its names as whole words, an optional plural 's'."""
        expansion = term.expansion or ""
        names = {term.term} | {a for a in term.aliases if a.casefold() == term.term.casefold()}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        # a whole word: not part of a longer word, a hyphenated word or a path; an optional plural 's'
        pattern = re.compile(rf"(?<![\w&/.@-])(?:{alternatives})(s?)(?![\w&@]|-\w|/\w|\.\w)")
        many = term.plural or plural(expansion)
        flats = tuple(_flat(_ARTICLE.sub("", f)) for f in (expansion, term.short, term.plural) if f)
        described = _flat(" ".join(term.short.split()[-2:])) if term.short else None
        return cls(pattern, expansion, many, term.short, tuple(names), flats, expansion.split()[-1].casefold(), described)


class Expander:
    """Built once from the glossary; `expand(text)` is then a few regex scans."""

    def __init__(self, terms: Iterable[Term]):
        terms = list(terms)
        # names of several words ("SEND and AP Partnership Board") are names: the acronyms inside stay as they are
        names = sorted({n for t in terms for n in (t.term, *t.aliases) if " " in n.strip() and re.search(r"[A-Z]{2}", n)}, key=len, reverse=True)
        self.names = re.compile("|".join(re.escape(n) for n in names)) if names else None
        self.entries = tuple(_Entry.of(t) for t in terms if t.expansion and t.expand_in_replies)

    def expand(self, text: str | None, limits: Limits = ANSWER) -> str | None:
        """`text` with each acronym explained once, where the rules above allow it."""
        if not text or not self.entries:
            return text
        present = [e for e in self.entries if any(name in text for name in e.names)]
        if not present:
            return text
        protected = self._protected(text)
        uses = sorted((m.start(), n, m) for n, entry in enumerate(present) for m in entry.pattern.finditer(text)
                      if not any(a < m.end() and m.start() < b for a, b in protected))
        settled: set[int] = set()
        out, shift = text, 0
        for _, n, found in uses:
            if n in settled:
                continue
            addition = _addition(text, out, found, shift, present[n], limits)
            if addition is None:
                continue  # this use cannot take it; a later one may
            settled.add(n)
            if addition:
                at = found.end() + shift
                out, shift = out[:at] + addition + out[at:], shift + len(addition)
        return out

    def _protected(self, text: str) -> list[tuple[int, int]]:
        """Spans no expansion may touch: placeholders, addresses and names of several words."""
        spans = [m.span() for m in _PROTECTED.finditer(text)]
        return spans + ([m.span() for m in self.names.finditer(text)] if self.names else [])


def _addition(text: str, out: str, found: re.Match[str], shift: int, entry: _Entry, limits: Limits) -> str | None:
    """What to write after this use: ' (expansion)', EXPLAINED if the term needs none, None to pass it over.

    `text` is the text as written (for what the writer already said), `out` the text with the
    expansions added so far, `shift` how far they moved this use (for the sentence it is now in)."""
    start, end = found.span()
    if _explained(text, start, end, entry):
        return EXPLAINED
    if _in_brackets(text, start) or _POSSESSIVE.match(text, end) or _in_longer_name(text, end, entry):
        return None
    if found.group(1):
        choices: tuple[str, ...] = (entry.plural,)
    elif entry.short:
        choices = (entry.short,) if PREFER_SHORT else (entry.expansion, entry.short)
    else:
        choices = (entry.expansion,)
    for choice in choices:
        if _fits(out, start + shift, word_count(choice), limits):
            return f" ({choice})"
    return None


def _explained(text: str, start: int, end: int, entry: _Entry) -> bool:
    """The writer already explains the term here: brackets follow it, its expansion is nearby, or its
    sentence says what it is in the short form's words ("SENDIASS, a free advice service, ...")."""
    if text[end:end + 2].lstrip().startswith("("):
        return True
    window = _flat(text[max(0, start - NEARBY): end + NEARBY])
    if any(f in window for f in entry.flats):
        return True
    return bool(entry.described) and entry.described in _flat(sentence_around(text, start))


def _in_brackets(text: str, start: int) -> bool:
    """Inside brackets someone already opened on this line: "EHC plan (EHCP)", "(once called CAMHS)"."""
    line = text[text.rfind("\n", 0, start) + 1:start]
    return line.count("(") > line.count(")")


def _in_longer_name(text: str, end: int, entry: _Entry) -> bool:
    """Part of a longer name: a capitalised word follows ("SEND Tribunal"), or the expansion's own last word ("SENIT team")."""
    following = _NEXT_WORD.match(text, end)
    if not following:
        return False
    word = following.group(1)
    return word[0].isupper() or word.casefold().rstrip("s") == entry.last.rstrip("s")


def _fits(out: str, position: int, extra: int, limits: Limits) -> bool:
    """Adding `extra` words at `position` keeps its sentence and the whole text within the limits, counted
    as `sendbot check` counts them (bot/readability.py)."""
    if limits.sentence is not None and word_count(as_read(sentence_around(out, position))) + extra > limits.sentence:
        return False
    return limits.words is None or word_count(as_read(out)) + extra <= limits.words
