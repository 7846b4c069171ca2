"""Group unanswered questions by meaning and wording, so staff see the biggest gaps first.

Two questions are one gap when the bot's sentence embeddings say they mean the same ("can i get a
blue badge" and "blue badge application") or their topic words nearly match (rapidfuzz, which
forgives typos the embeddings may not).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from rapidfuzz import fuzz, process

from ..normalise import STOPWORDS, stem, words
from ..store import Question

SIMILAR = 72  # rapidfuzz score (0-100) at which two wordings count as the same question
MEANING = 0.72  # cosine of the sentence embeddings at which two questions mean the same
Encode = Callable[[Sequence[str]], np.ndarray]
EXAMPLES = 3
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
# Words in nearly every parent's question; they say nothing about which gap it is.
FILLER = STOPWORDS | frozenset("leeds child children son daughter kid kids boy girl help year old anyone "
                               "does do can is there any".split())


def comparable(text: str) -> str:
    """The topic words of a question, sorted, without placeholders and filler words."""
    tokens = [stem(w) for w in words(_PLACEHOLDER.sub(" ", text))]
    topical = [w for w in tokens if w not in FILLER]
    return " ".join(sorted(topical or tokens))


def similarity(a: str, b: str, **_: Any) -> float:
    """Token overlap that forgives order and typos, but not one short question swallowing a long one."""
    sa, sb = set(a.split()), set(b.split())
    if sa and sb and (sa <= sb or sb <= sa) and abs(len(sa) - len(sb)) <= 1:
        return 100.0  # "respite" and "respite care" are the same gap
    sort = fuzz.token_sort_ratio(a, b)
    if min(a.count(" "), b.count(" ")) >= 1:  # both have two or more topic words
        return max(sort, 0.9 * fuzz.token_set_ratio(a, b))
    return sort


@dataclass
class Cluster:
    """Questions worded alike: how many, when, three examples and the intent they came nearest to."""

    id: str
    questions: list[Question] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many times this gap was met."""
        return len(self.questions)

    @property
    def first_seen(self) -> dt.datetime:
        """When it was first asked."""
        return min(q.at for q in self.questions)

    @property
    def last_seen(self) -> dt.datetime:
        """When it was last asked."""
        return max(q.at for q in self.questions)

    @property
    def examples(self) -> list[str]:
        """Up to three different wordings, most frequent first."""
        tally = Counter(q.text for q in self.questions)
        return [text for text, _ in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:EXAMPLES]]

    @property
    def kinds(self) -> dict[str, int]:
        """How many were fallbacks, clarifies and unhelpful answers."""
        return dict(Counter(q.kind for q in self.questions))

    @property
    def nearest(self) -> tuple[str | None, float | None]:
        """The intent most often top of the candidates, with its mean score."""
        votes: Counter[str] = Counter()
        scores: dict[str, list[float]] = defaultdict(list)
        for q in self.questions:
            if q.nearest:
                intent, score = q.nearest
                votes[intent] += 1
                if score is not None:
                    scores[intent].append(float(score))
        if not votes:
            return None, None
        intent = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        values = scores.get(intent)
        return intent, (round(sum(values) / len(values), 3) if values else None)

    def as_dict(self) -> dict[str, Any]:
        """The group as plain data for --json and the report."""
        intent, score = self.nearest
        return {"id": self.id, "count": self.count, "first_seen": self.first_seen.isoformat(),
                "last_seen": self.last_seen.isoformat(), "examples": self.examples, "kinds": self.kinds,
                "nearest_intent": intent, "nearest_score": score, "question_ids": [q.id for q in self.questions]}


def cluster(questions: Iterable[Question], threshold: float = SIMILAR, encode: Encode | None = None,
            meaning: float = MEANING) -> list[Cluster]:
    """Leader clustering: the most repeated wordings start groups; each other wording joins the group it
    means the same as (with `encode`, the bot's sentence embeddings) or, failing that, the closest in words."""
    by_key: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.text.strip():  # a "No" pressed after the bot forgot the question has no words to group
            by_key[comparable(q.text)].append(q)
    order = sorted(by_key, key=lambda k: (-len(by_key[k]), min(q.id for q in by_key[k])))
    vectors = encode([by_key[k][0].text for k in order]) if encode is not None and order else None
    leaders: list[str] = []
    leader_rows: list[int] = []
    groups: list[list[Question]] = []
    for row, key in enumerate(order):
        place: int | None = None
        if vectors is not None and leader_rows:
            sims = vectors[leader_rows] @ vectors[row]
            best = int(np.argmax(sims))
            if sims[best] >= meaning:
                place = best
        if place is None and key and leaders:
            hit = process.extractOne(key, leaders, scorer=similarity, score_cutoff=threshold)
            place = hit[2] if hit else None
        if place is None:
            leaders.append(key)
            leader_rows.append(row)
            groups.append(list(by_key[key]))
        else:
            groups[place].extend(by_key[key])
    clusters = []
    for members in groups:
        members.sort(key=lambda q: (q.at, q.id))
        clusters.append(Cluster(f"c{members[0].id}", members))
    clusters.sort(key=lambda c: (-c.count, -c.last_seen.timestamp(), c.id))
    return clusters


def by_meaning(questions: Iterable[Question]) -> list[Cluster]:
    """cluster() with the bot's own sentence embeddings: how `unanswered`, `learn` and the report group."""
    from ..embed import shared

    return cluster(questions, encode=shared().encode)


def find(clusters: list[Cluster], question_id: int) -> Cluster | None:
    """The cluster holding a question id."""
    return next((c for c in clusters if any(q.id == question_id for q in c.questions)), None)
