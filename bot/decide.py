"""Answer, ask or admit we do not know: the decision on a ranked list of intents, with a named reason.

Kept apart from the scoring so the rule can be read, tested and tuned on its own; every outcome
carries why it was chosen, which `sendbot eval -v` and the unanswered log show.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Thresholds


@dataclass(frozen=True)
class Candidate:
    """One intent and how likely it is what the parent meant (0 to 1)."""

    intent: str
    score: float


@dataclass(frozen=True)
class Decision:
    kind: str  # answer | clarify | fallback
    reason: str  # see REASONS
    candidates: tuple[Candidate, ...]


REASONS = {
    "exact-term": "the message is a glossary term, asked as such",
    "confident": "the best intent is likely and well ahead of the next",
    "close-options": "a few intents are plausible: ask which",
    "one-likely-option": "one intent is plausible but not sure enough to answer: offer it",
    "low-confidence": "no intent is likely enough to offer",
    "unknown-words": "too few of the message's words are known to the bot",
    "nothing-matched": "no intent shares anything with the message",
}


def decide(ranked: list[Candidate], known: float, t: Thresholds) -> Decision:
    """The rule: answer when sure and clear, clarify when plausible, otherwise fall back."""
    top = tuple(ranked[: t.max_options + 2])
    if not top:
        return Decision("fallback", "nothing-matched", ())
    best = top[0]
    if known < t.min_known_words:  # mostly words it has never seen (another language, a name, a typo storm)
        return Decision("fallback", "unknown-words", top)
    score = best.score
    second = top[1].score if len(top) > 1 else 0.0
    if score >= t.answer and best.score - second >= t.margin:
        return Decision("answer", "confident", top)
    if score < t.clarify:
        return Decision("fallback", "low-confidence", top)
    options = [best] + [c for c in top[1:] if c.score >= t.option]
    options = options[: t.max_options]
    enough = t.min_options if known >= t.single_option_known else max(2, t.min_options)
    if len(options) < enough:
        return Decision("fallback", "unknown-words", top)
    rest = tuple(c for c in top if c not in options)
    return Decision("clarify", "close-options" if len(options) > 1 else "one-likely-option", tuple(options) + rest)
