"""Plain words: the first time a glossary acronym appears in a reply, its expansion follows it.

"Ask for an EHCP." -> "Ask for an EHCP (Education, Health and Care Plan)."

Done once, when answers are rendered (knowledge.build_pages), from knowledge/glossary.yaml, so staff
never write expansions by hand. Rules:
- only terms with an `expansion` and `expand_in_replies: true` (the default);
- the term as written in the glossary, or an alias that differs only in case ("SENCo"), as a whole
  word; a plural "EHCPs" gets a plural expansion ("Education, Health and Care Plans");
- only the first use in each text; skipped when the expansion is already there within a sentence or
  two either side, or the term is already followed by brackets;
- never inside a web address, an email address, a {{ placeholder }}, or a glossary name of several
  words ("SEND and AP Partnership Board").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .schema import Term

NEARBY = 200  # characters either side in which an expansion already written counts as "nearby"
_PROTECTED = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}"  # placeholders
    r"|https?://\S+|www\.\S+"  # web addresses
    r"|\S+@\S+"  # email addresses
    r"|\b[\w.-]+\.(?:uk|org|com|net|gov|nhs|info|co)\b\S*",  # bare domains: sendiass.leeds.gov.uk/...
    re.IGNORECASE,
)


def _flat(text: str) -> str:
    """Lower case letters and digits only, so 'Education, Health and Care Plan' meets 'education health and care plan'."""
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def plural(expansion: str) -> str:
    """'Education, Health and Care Plan' -> '...Plans'; 'Local Authority' -> '...Authorities'."""
    if expansion.endswith("y") and len(expansion) > 1 and expansion[-2] not in "aeiou":
        return expansion[:-1] + "ies"
    return expansion if expansion.endswith("s") else expansion + "s"


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    expansion: str
    names: tuple[str, ...]  # a text without any of these cannot match: a cheap test before the regex
    flat: str  # _flat(expansion), to spot it already written nearby


class Expander:
    """Built once from the glossary; `expand(text)` is then a few regex scans."""

    def __init__(self, terms: Iterable[Term]):
        terms = list(terms)
        # names of several words ("SEND and AP Partnership Board") are names: the acronyms inside stay as they are
        names = sorted({n for t in terms for n in (t.term, *t.aliases) if " " in n.strip() and re.search(r"[A-Z]{2}", n)}, key=len, reverse=True)
        self.names = re.compile("|".join(re.escape(n) for n in names)) if names else None
        entries = []
        for term in terms:
            if not term.expansion or not term.expand_in_replies:
                continue
            names = {term.term} | {a for a in term.aliases if a.casefold() == term.term.casefold()}
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            # a whole word: not part of a longer word, a hyphenated word or a path; an optional plural 's'
            pattern = re.compile(rf"(?<![\w&/.@-])(?:{alternatives})(s?)(?![\w&@]|-\w|/\w|\.\w)")
            entries.append(_Entry(pattern, term.expansion, tuple(names), _flat(term.expansion)))
        self.entries = tuple(entries)

    def expand(self, text: str | None) -> str | None:
        if not text or not self.entries:
            return text
        present = [e for e in self.entries if any(name in text for name in e.names)]
        if not present:
            return text
        protected = [m.span() for m in _PROTECTED.finditer(text)]
        if self.names:
            protected += [m.span() for m in self.names.finditer(text)]

        def is_protected(start: int, end: int) -> bool:
            return any(a < end and start < b for a, b in protected)

        insertions: list[tuple[int, str]] = []
        for entry in present:
            for found in entry.pattern.finditer(text):
                start, end = found.span()
                if is_protected(start, end):
                    continue
                window = text[max(0, start - NEARBY): end + NEARBY]
                already = entry.flat in _flat(window) or text[end:end + 2].lstrip().startswith("(")
                if not already:
                    words = plural(entry.expansion) if found.group(1) else entry.expansion
                    insertions.append((end, f" ({words})"))
                break  # only the first use of each term
        for position, addition in sorted(insertions, reverse=True):
            text = text[:position] + addition + text[position:]
        return text
