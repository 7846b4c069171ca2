"""TF-IDF views of the examples in plain numpy: small, fast to import, and queried in microseconds.

Weights follow the usual definition (sublinear tf, smoothed idf = ln((1+n)/(1+df)) + 1, rows
L2-normalised), so similarities are cosines. An intent's centroid needs no matrix of its own:
q . sum(x_i) = sum(q . x_i), the sum of its examples' similarities over the norm of their sum.

A view splits a text into units (words) and each unit into features (itself, or its character
n-grams). Features are worked out once per distinct unit, not once per use: a national knowledge
base repeats the same few thousand words hundreds of thousands of times, so building stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

Splitter = Callable[[str], Sequence[str]]
MAX_CACHED_UNITS = 100_000  # unseen words remembered between queries; beyond this they are worked out each time


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


def itself(unit: str) -> Sequence[str]:
    return (unit,)


def ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """All of start..end-1 for each pair, concatenated, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)


CHUNK = 1 << 18  # features expanded at a time while counting terms: small temporaries stay in memory already touched


def _term_counts(token: np.ndarray, doc_tokens: np.ndarray, unit_len: np.ndarray, unit_ptr: np.ndarray,
                 unit_cols: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, example, count) of every feature in every example: column by column, examples in order.

    The examples are counted a chunk at a time: each chunk's keys (feature x examples + example)
    are sorted while small, and runs of equal keys are the counts. An example lies in one chunk, so
    the chunks' counts are final, and each is copied straight to its place: after the entries of
    the same feature from the chunks before it. Small temporaries and no sort of all ~20 million
    entries: at 100x today's size the character view builds in about 2 s instead of 3.5 s, most of the
    difference being page faults on fresh memory.
    """
    n_docs = len(doc_tokens) - 1
    width = max(n_docs, 1)
    token_len = unit_len[token]
    features_before = np.concatenate([[0], np.cumsum(token_len)])[doc_tokens]  # at each example's start
    cuts = np.unique(np.concatenate([[0], np.searchsorted(features_before, np.arange(CHUNK, features_before[-1], CHUNK)), [n_docs]]))
    parts = []
    for d0, d1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        t0, t1 = doc_tokens[d0], doc_tokens[d1]
        lengths = token_len[t0:t1]
        starts = unit_ptr[token[t0:t1]]
        key = unit_cols[ranges(starts, starts + lengths)]
        key *= width
        key += np.repeat(np.repeat(np.arange(d0, d1, dtype=np.int64), np.diff(doc_tokens[d0 : d1 + 1])), lengths)
        key.sort()
        new = np.empty(len(key), dtype=bool)
        new[:1] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        first = np.flatnonzero(new)
        counts = np.diff(first, append=len(key))
        key = key[first]
        col = key // width
        key -= col * width
        parts.append((col, key, counts, np.bincount(col, minlength=n_features)))
    per_feature = np.zeros(n_features, dtype=np.int64)
    for part in parts:
        per_feature += part[3]
    indptr = np.concatenate([[0], np.cumsum(per_feature)]).astype(np.int64)
    rows = np.empty(int(indptr[-1]), dtype=np.int64)
    counts = np.empty(int(indptr[-1]), dtype=np.int64)
    place = indptr[:-1].copy()  # where the next entry of each feature goes
    for col, row, count, in_part in parts:
        within = np.concatenate([[0], np.cumsum(in_part)])[:-1]  # where each feature's run starts in this part
        at = place[col] + (np.arange(len(col)) - within[col])
        rows[at] = row
        counts[at] = count
        place += in_part
    return indptr, rows, counts


@dataclass(frozen=True)
class Gathered:
    """Some examples' entries row by row: `row` numbers them 0..size-1 in the order asked for."""

    size: int
    row: np.ndarray
    cols: np.ndarray
    values: np.ndarray


class View:
    """One TF-IDF view (words or character n-grams) of the examples, each owned by an intent."""

    def __init__(self, units: Splitter, docs: list[str], owner: np.ndarray, n_intents: int, features: Splitter = itself):
        self.units, self.features = units, features
        self.vocabulary: dict[str, int] = {}
        doc_units = [units(doc) for doc in docs]
        flat = [u for us in doc_units for u in us]
        distinct = {u: n for n, u in enumerate(dict.fromkeys(flat))}
        self._unit_ids: dict[str, np.ndarray] = {}  # unit -> its feature ids (in the vocabulary)
        for unit in distinct:
            self._unit_ids[unit] = np.fromiter((self.vocabulary.setdefault(f, len(self.vocabulary)) for f in features(unit)), dtype=np.int64)
        per_unit = list(self._unit_ids.values())
        unit_len = np.fromiter((len(a) for a in per_unit), dtype=np.int64, count=len(per_unit))
        unit_ptr = np.concatenate([[0], np.cumsum(unit_len)])[:-1]
        unit_cols = np.concatenate(per_unit) if per_unit else np.zeros(0, dtype=np.int64)
        token = np.fromiter(map(distinct.__getitem__, flat), dtype=np.int64, count=len(flat))
        doc_tokens = np.concatenate([[0], np.cumsum([len(us) for us in doc_units], dtype=np.int64)])
        n_docs, n_features = len(docs), len(self.vocabulary)
        indptr, row, counts = _term_counts(token, doc_tokens, unit_len, unit_ptr, unit_cols, n_features)
        df = np.diff(indptr)
        self.idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        # In place where it can be: at national size each array here is ~100 MB of fresh memory,
        # and fresh memory costs page faults.
        val = counts.astype(np.float64)
        del counts
        np.log(val, out=val)
        val += 1.0
        val *= np.repeat(self.idf, df)
        norms = np.sqrt(np.bincount(row, weights=val * val, minlength=n_docs))
        norms[norms == 0] = 1.0
        val /= norms[row]
        # Per-intent sums S, for centroids and for leaving one example out exactly. Examples come
        # grouped by intent, so within a feature each intent's entries are one run.
        if np.any(np.diff(owner) < 0):
            raise ValueError("examples must be grouped by intent")
        intent = owner[row]
        new_run = np.empty(len(val), dtype=bool)
        new_run[:1] = True
        np.not_equal(intent[1:], intent[:-1], out=new_run[1:])
        new_run[indptr[1:-1][indptr[1:-1] < len(val)]] = True  # where a feature starts
        bounds = np.flatnonzero(new_run)
        del new_run
        sums = np.add.reduceat(val, bounds) if len(bounds) else np.zeros(0)
        self.sum_norm = np.sqrt(np.bincount(intent[bounds], weights=sums * sums, minlength=n_intents))
        del intent
        self.sum_norm[self.sum_norm == 0] = 1.0
        spread = np.repeat(sums, np.diff(bounds, append=len(val)))  # each entry's own intent sum
        spread *= val
        self.self_dot = np.bincount(row, weights=spread, minlength=n_docs)  # x_k . S_intent(k)
        del spread
        self.self_norm = np.sqrt(np.bincount(row, weights=val * val, minlength=n_docs))
        self.rows: np.ndarray | None = row
        self.values: np.ndarray | None = val
        self.indptr = indptr
        self.size = n_docs
        self.row_ptr: np.ndarray | None = None  # set by by_row()

    def by_row(self, keep_columns: bool = True) -> None:
        """Also keep the examples row by row, so a query can be compared with a few examples only.

        Without keep_columns the column-wise copy goes (similarities() then reads the rows): at
        national size the character view only ever compares a shortlist, and the copy is ~200 MB.
        """
        assert self.rows is not None and self.values is not None
        order = np.argsort(self.rows, kind="stable")
        self.row_cols = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))[order]
        self.row_values = self.values[order]
        self.row_ptr = np.concatenate([[0], np.cumsum(np.bincount(self.rows, minlength=self.size))])
        if not keep_columns:
            self.rows = self.values = None

    def gather(self, rows: np.ndarray) -> "Gathered":
        """Pull out some examples' entries once, to compare them with several texts (a message's sentences)."""
        assert self.row_ptr is not None, "call by_row() first"
        starts, ends = self.row_ptr[rows], self.row_ptr[rows + 1]
        entries = ranges(starts, ends)
        return Gathered(len(rows), np.repeat(np.arange(len(rows)), ends - starts), self.row_cols[entries], self.row_values[entries])

    def similarities_at(self, text: str, gathered: "Gathered") -> np.ndarray:
        """Cosine similarity with gathered examples only, in their order: cost follows their size."""
        features, weights = self.query(text)
        if not len(features) or not gathered.size:
            return np.zeros(gathered.size)
        dense = np.zeros(len(self.vocabulary))
        dense[features] = weights
        return np.bincount(gathered.row, weights=dense[gathered.cols] * gathered.values, minlength=gathered.size)

    def similarities_of(self, text: str, rows: np.ndarray) -> np.ndarray:
        """Like similarities(), but only for the given examples (zero elsewhere): cost follows len(rows)."""
        out = np.zeros(self.size)
        out[rows] = self.similarities_at(text, self.gather(rows))
        return out

    def analyse(self, text: str) -> list[str]:
        """Every feature of a text, repeats included (what a one-step analyser would return)."""
        return [f for unit in self.units(text) for f in self.features(unit)]

    def feature_ids(self, text: str) -> dict[int, int]:
        """Known feature ids of a text and how often each occurs."""
        counts: dict[int, int] = {}
        for unit in self.units(text):
            ids = self._unit_ids.get(unit)
            if ids is None:
                known = (self.vocabulary.get(f) for f in self.features(unit))
                ids = np.fromiter((j for j in known if j is not None), dtype=np.int64)
                if len(self._unit_ids) < MAX_CACHED_UNITS:
                    self._unit_ids[unit] = ids
            for j in ids.tolist():
                counts[j] = counts.get(j, 0) + 1
        return counts

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids, L2-normalised TF-IDF weights) of a text, as the examples were weighted."""
        counts = self.feature_ids(text)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        features = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[features]
        return features, weights / np.linalg.norm(weights)

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of a prepared text with every example."""
        if self.rows is None or self.values is None:  # kept row by row only
            return self.similarities_of(text, np.arange(self.size))
        features, weights = self.query(text)
        if not len(features):
            return np.zeros(self.size)
        starts, ends = self.indptr[features], self.indptr[features + 1]
        rows = np.concatenate([self.rows[a:b] for a, b in zip(starts, ends)])
        vals = np.concatenate([self.values[a:b] * w for a, b, w in zip(starts, ends, weights)])
        return np.bincount(rows, weights=vals, minlength=self.size)

    def centroid_at(self, sims: np.ndarray, starts: np.ndarray, intents: np.ndarray) -> np.ndarray:
        """centroid() for some intents only, from similarities_at() over their examples (`starts`: where
        each intent's examples begin in `sims`)."""
        return np.add.reduceat(sims, starts) / self.sum_norm[intents]

    def centroid(self, sims: np.ndarray, owner: np.ndarray, n_intents: int, skip: int | None,
                 starts: np.ndarray | None = None) -> np.ndarray:
        """Each intent's similarity to the mean of its examples; `skip` leaves one example out exactly.

        `starts` (where each intent's examples begin; every intent has some) makes the sums a
        reduceat, several times quicker than bincount at 200,000 examples.
        """
        totals = np.add.reduceat(sims, starts) if starts is not None else np.bincount(owner, weights=sims, minlength=n_intents)
        result = totals / self.sum_norm
        if skip is not None:
            k, intent = skip, owner[skip]
            rest = self.sum_norm[intent] ** 2 - 2 * self.self_dot[k] + self.self_norm[k] ** 2
            result[intent] = (totals[intent] - sims[k]) / np.sqrt(rest) if rest > 1e-9 else 0.0
        return result
