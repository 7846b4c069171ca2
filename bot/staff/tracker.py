"""Compare a new copy of the issues tracker with the one the answers were written from, section by section.

A section is a heading followed by "What families have told us". Knowledge entries cite the
section they came from (`sources: - seed: ... section: "..."`); when that section's text changes,
the entry needs a person to check it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..loader import REPO_ROOT, Bundle

TRACKER = "leeds-send-issues-tracker.txt"
DEFAULT_OLD = REPO_ROOT.parent / "shared" / "seeds" / TRACKER
_MARKER = "what families have told us"
_FOLD = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                       "\u201d": '"', "\u00a0": " ", "\u2022": "*"})


def fold(text: str) -> str:
    """Heading or body text with dashes, quotes and spacing made uniform, for comparing."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def heading_key(text: str) -> str:
    """A heading folded for matching a citation to a section."""
    return fold(text).casefold().rstrip(" .:")


def sections(text: str) -> dict[str, list[str]]:
    """Heading -> its lines, in order; headings are the lines just before 'What families have told us'."""
    lines = [line.rstrip() for line in text.splitlines()]
    starts: list[int] = []
    for i, line in enumerate(lines):
        if fold(line).casefold().startswith(_MARKER):
            j = i - 1
            while j >= 0 and not fold(lines[j]):
                j -= 1
            if j >= 0 and (not starts or j > starts[-1]):
                starts.append(j)
    out: dict[str, list[str]] = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = [fold(line) for line in lines[start + 1:end] if fold(line)]
        out[fold(lines[start])] = body
    return out


@dataclass
class Citation:
    """A knowledge entry (or glossary term, or contact) that cites a tracker section."""

    kind: str  # entry | term | contact
    id: str
    path: str
    line: int
    section: str


@dataclass
class SectionChange:
    """One cited section and what happened to it in the new copy."""

    section: str
    status: str  # changed | missing | unknown (cited, but not in the old copy either)
    citations: list[Citation] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def citations(bundle: Bundle) -> list[Citation]:
    """Every place the knowledge base cites a section of the tracker."""
    found: list[Citation] = []

    def scan(kind: str, ident: str, path: str, line: int, sources: list) -> None:
        """Collect the tracker sections one item cites."""
        for source in sources:
            seed = getattr(source, "seed", None)
            section = getattr(source, "section", None)
            if section and (seed is None or Path(seed).name == TRACKER):
                found.append(Citation(kind, ident, path, line, section))

    for ident, located in bundle.entries.items():
        scan("entry", ident, located.path, located.line, located.model.sources)
    for located in bundle.terms:
        scan("term", located.model.term, located.path, located.line, located.model.sources)
    for key, contact in bundle.contacts.items():
        scan("contact", key, "knowledge/contacts.yaml", 0, contact.sources)
    return found


def compare(old_text: str, new_text: str, cited: list[Citation]) -> list[SectionChange]:
    """Cited sections whose text changed, vanished, or that were never in the old copy."""
    old = {heading_key(h): (h, body) for h, body in sections(old_text).items()}
    new = {heading_key(h): (h, body) for h, body in sections(new_text).items()}
    by_section: dict[str, list[Citation]] = {}
    for c in cited:
        by_section.setdefault(heading_key(c.section), []).append(c)
    changes: list[SectionChange] = []
    for key, cites in sorted(by_section.items()):
        name = cites[0].section
        if key not in old:
            changes.append(SectionChange(name, "unknown", cites))
        elif key not in new:
            changes.append(SectionChange(old[key][0], "missing", cites))
        elif old[key][1] != new[key][1]:
            before, after = old[key][1], new[key][1]
            diff = list(difflib.ndiff(before, after))
            changes.append(SectionChange(old[key][0], "changed", cites,
                                         added=[d[2:] for d in diff if d.startswith("+ ")],
                                         removed=[d[2:] for d in diff if d.startswith("- ")]))
    return changes
