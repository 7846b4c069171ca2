"""Spot a message about someone in danger before anything else runs; exact rules, never fuzzy scores."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import plain
from .schema import CrisisFile

GAP = r"(?:\s+\S+){0,4}?"  # '...' in a phrase: up to four words in between


def phrase_to_regex(phrase: str) -> str:
    """'kill* ... myself' -> a word-bounded regex; '*' ends a word stem, '...' allows a short gap."""
    parts = []
    for chunk in phrase.split("..."):
        pieces: list[str] = []
        for token in chunk.split():
            stemmed = token.endswith("*")
            normal = plain(token.rstrip("*")).split()
            pieces.extend(re.escape(w) for w in normal)
            if stemmed and pieces:
                pieces[-1] += r"\w*"
        if pieces:
            parts.append(r"\s+".join(pieces))
    return r"\b" + (GAP + r"\s+").join(parts) + r"\b"


@dataclass(frozen=True)
class CrisisDetector:
    """Compiled crisis rules; `check` returns the id of the rule that fired, or None."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    masks: tuple[re.Pattern[str], ...]

    @classmethod
    def from_file(cls, crisis: CrisisFile) -> "CrisisDetector":
        rules = []
        for rule in crisis.rules:
            alternatives = [phrase_to_regex(p) for p in rule.phrases] + list(rule.patterns)
            if alternatives:
                rules.append((rule.id, re.compile("|".join(f"(?:{a})" for a in alternatives))))
        masks = tuple(re.compile(phrase_to_regex(p)) for p in crisis.not_crisis)
        return cls(tuple(rules), masks)

    def check(self, text: str) -> str | None:
        normal = plain(text)
        for mask in self.masks:
            normal = mask.sub(" ", normal)
        normal = " " + " ".join(normal.split()) + " "
        for rule_id, pattern in self.rules:
            if pattern.search(normal):
                return rule_id
        return None
