"""TF-IDF views of the examples in plain numpy: small, fast to import, and queried in microseconds.

Weights follow the usual definition (sublinear tf, smoothed idf = ln((1+n)/(1+df)) + 1, rows
L2-normalised), so similarities are cosines. An intent's centroid needs no matrix of its own:
q . sum(x_i) = sum(q . x_i), the sum of its examples' similarities over the norm of their sum.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Analyser = Callable[[str], list[str]]


def char_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries (' hydro ' -> ' hy', 'hyd', ...), as in 'char_wb'."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size < n:
                if n == low:
                    grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


class View:
    """One TF-IDF view (words or character n-grams) of the examples, each owned by an intent."""

    def __init__(self, analyse: Analyser, docs: list[str], owner: np.ndarray, n_intents: int):
        self.analyse = analyse
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        for r, doc in enumerate(docs):
            seen: dict[int, int] = {}
            for feature in analyse(doc):
                j = self.vocabulary.setdefault(feature, len(self.vocabulary))
                seen[j] = seen.get(j, 0) + 1
            rows += [r] * len(seen)
            cols += list(seen)
            counts += list(seen.values())
        row = np.asarray(rows, dtype=np.int64)
        col = np.asarray(cols, dtype=np.int64)
        n_docs, n_features = len(docs), len(self.vocabulary)
        df = np.bincount(col, minlength=n_features)
        self.idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        val = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[col] if len(col) else np.zeros(0)
        norms = np.sqrt(np.bincount(row, weights=val * val, minlength=n_docs))
        norms[norms == 0] = 1.0
        val = val / norms[row]
        # Per-intent sums S, for centroids and for leaving one example out exactly.
        key = owner[row] * max(n_features, 1) + col
        unique, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=val)
        self.sum_norm = np.sqrt(np.bincount(unique // max(n_features, 1), weights=sums * sums, minlength=n_intents))
        self.sum_norm[self.sum_norm == 0] = 1.0
        self.self_dot = np.bincount(row, weights=val * sums[inverse], minlength=n_docs)  # x_k . S_intent(k)
        self.self_norm = np.sqrt(np.bincount(row, weights=val * val, minlength=n_docs))
        order = np.lexsort((row, col))
        self.rows, self.values = row[order], val[order]
        self.indptr = np.searchsorted(col[order], np.arange(n_features + 1))
        self.size = n_docs

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of a prepared text with every example."""
        counts: dict[int, int] = {}
        for feature in self.analyse(text):
            j = self.vocabulary.get(feature)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(self.size)
        features = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[features]
        weights /= np.linalg.norm(weights)
        starts, ends = self.indptr[features], self.indptr[features + 1]
        rows = np.concatenate([self.rows[a:b] for a, b in zip(starts, ends)])
        vals = np.concatenate([self.values[a:b] * w for a, b, w in zip(starts, ends, weights)])
        return np.bincount(rows, weights=vals, minlength=self.size)

    def centroid(self, sims: np.ndarray, owner: np.ndarray, n_intents: int, skip: int | None) -> np.ndarray:
        """Each intent's similarity to the mean of its examples; `skip` leaves one example out exactly."""
        totals = np.bincount(owner, weights=sims, minlength=n_intents)
        result = totals / self.sum_norm
        if skip is not None:
            k, intent = skip, owner[skip]
            rest = self.sum_norm[intent] ** 2 - 2 * self.self_dot[k] + self.self_norm[k] ** 2
            result[intent] = (totals[intent] - sims[k]) / np.sqrt(rest) if rest > 1e-9 else 0.0
        return result
