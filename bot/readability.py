"""How easy each answer is to read, so staff can see which ones need plainer words."""

from __future__ import annotations

import re
import statistics
import warnings
from dataclasses import dataclass

with warnings.catch_warnings():  # textstat 0.7.4 imports pkg_resources, which warns on every run
    warnings.simplefilter("ignore")
    import textstat

from .knowledge import Page
from .validate import sentences, word_count

_LINK = re.compile(r"\S+\.(?:uk|org|com|net)\S*|\S+@\S+|\{\{.*?\}\}")


@dataclass(frozen=True)
class Score:
    """Readability of one answer."""

    id: str
    flesch: float
    words: int
    words_per_sentence: float
    longest_sentence: int


def score(page: Page) -> Score:
    """Flesch reading ease (higher is easier; 60+ is plain English) and sentence lengths."""
    text = _LINK.sub("the link", page.answer)
    parts = sentences(text)
    lengths = [word_count(s) for s in parts] or [0]
    # textstat counts sentences by full stops; bullet lines without one would merge, so end each line.
    prepared = " ".join(p if p.endswith((".", "!", "?", ":")) else p + "." for p in parts)
    return Score(page.id, round(textstat.flesch_reading_ease(prepared), 1), word_count(text),
                 round(sum(lengths) / len(lengths), 1), max(lengths))


def summary(scores: list[Score]) -> dict[str, float]:
    if not scores:
        return {"answers": 0, "median_flesch": 0.0, "median_words_per_sentence": 0.0, "longest_sentence": 0}
    return {
        "answers": len(scores),
        "median_flesch": round(statistics.median(s.flesch for s in scores), 1),
        "median_words_per_sentence": round(statistics.median(s.words_per_sentence for s in scores), 1),
        "longest_sentence": max(s.longest_sentence for s in scores),
    }
