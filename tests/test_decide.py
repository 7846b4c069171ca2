"""The decision on a ranked list: answer when sure and clear, ask when plausible, else fall back; always a reason."""

from __future__ import annotations

import pytest

from bot.decide import REASONS, Candidate, decide
from bot.schema import Thresholds

T = Thresholds(answer=0.7, margin=0.4, clarify=0.3, option=0.05, max_options=3, min_options=1,
               single_option_known=0.7, min_known_words=0.5)


def ranked(*scores: float) -> list[Candidate]:
    return [Candidate(f"i{n}", s) for n, s in enumerate(scores)]


@pytest.mark.parametrize("scores, known, kind, reason, offered", [
    ((0.9, 0.05), 1.0, "answer", "confident", 1),
    ((0.75, 0.4), 1.0, "clarify", "close-options", 2),  # likely, but not clear of the next
    ((0.5, 0.3, 0.1, 0.06), 1.0, "clarify", "close-options", 3),  # at most max_options
    ((0.5, 0.01), 1.0, "clarify", "one-likely-option", 1),
    ((0.5, 0.01), 0.6, "fallback", "unknown-words", 0),  # one option needs more known words
    ((0.5, 0.2), 0.6, "clarify", "close-options", 2),
    ((0.2, 0.1), 1.0, "fallback", "low-confidence", 0),
    ((0.99, 0.0), 0.4, "fallback", "unknown-words", 0),  # mostly words the bot has never seen
    ((), 1.0, "fallback", "nothing-matched", 0),
])
def test_decisions(scores: tuple[float, ...], known: float, kind: str, reason: str, offered: int) -> None:
    d = decide(ranked(*scores), known, T)
    assert (d.kind, d.reason) == (kind, reason)
    assert reason in REASONS
    if kind == "clarify":
        assert len([c for c in d.candidates[:offered]]) == offered
        assert d.candidates[0].intent == "i0"


def test_clarify_options_come_first_and_in_order() -> None:
    d = decide(ranked(0.45, 0.3, 0.02, 0.2), 1.0, T)
    assert [c.intent for c in d.candidates[:2]] == ["i0", "i1"]
