"""Each intent's closeness in meaning to a message: its nearest example, its centroid and its answer.

Built from embeddings (bot/embed.py) of the same examples the lexical views use, in the same
order (grouped by intent), plus each intent's entry as a parent reads it (title and answer), so a
question that no example anticipated can still meet the answer that holds its facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import embed_store
from .embed import Encoder


@dataclass(frozen=True)
class Closeness:
    """Per intent (in the index's order): cosine to the nearest example, to the centroid, to the entry."""

    nearest: np.ndarray
    centroid: np.ndarray
    entry: np.ndarray


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class SemanticIndex:
    """Example, centroid and entry embeddings for every intent, compared with a message by dot products."""

    def __init__(self, examples: np.ndarray, example_intent: np.ndarray, starts: np.ndarray, entries: np.ndarray,
                 has_entry: np.ndarray):
        """`examples` rows follow `example_intent`, grouped by intent from `starts`; `entries` has a row per
        intent (zeros and has_entry False where an intent leads to no entry: chat, fallbacks)."""
        self.examples = _unit(examples)
        self.example_intent = example_intent
        self.starts = starts
        n = len(starts)
        sums = np.zeros((n, self.examples.shape[1]), dtype=np.float64)
        np.add.at(sums, example_intent, self.examples)
        self.sums = sums
        self.centroids = _unit(sums)
        self.entries = _unit(entries)
        self.has_entry = has_entry

    @classmethod
    def build(cls, encoder: Encoder, examples: Sequence[str], example_intent: np.ndarray, starts: np.ndarray,
              entries: Sequence[str]) -> "SemanticIndex":
        """Embed the examples and each intent's entry text ("" where it has none), through the store on disk."""
        present = [t for t in entries if t]
        vectors = embed_store.embeddings(encoder, [*examples, *present])
        rows = np.zeros((len(entries), encoder.dim), dtype=np.float32)
        has_entry = np.array([bool(t) for t in entries], dtype=bool)
        rows[has_entry] = vectors[len(examples):]
        return cls(vectors[: len(examples)], example_intent, starts, rows, has_entry)

    def closeness(self, queries: np.ndarray, skip: int | None = None, mask: np.ndarray | None = None) -> Closeness:
        """Closeness of a message (row 0) and its sentences (further rows), each intent keeping its best.

        `mask` (per intent) limits sentences to the intents that may be won from one sentence; `skip`
        hides one example, as if it had never been written, for leave-one-out measurement.
        """
        sims = queries @ self.examples.T  # (rows, examples)
        centroids = self.centroids
        if skip is not None:
            sims[:, skip] = -1.0
            k = int(self.example_intent[skip])
            centroids = centroids.copy()
            rest = self.sums[k] - self.examples[skip]
            norm = np.linalg.norm(rest)
            centroids[k] = rest / norm if norm > 0 else 0.0
        nearest = np.maximum.reduceat(sims, self.starts, axis=1)
        centroid = queries @ centroids.T
        entry = np.where(self.has_entry, queries @ self.entries.T, centroid)
        if len(queries) > 1:
            keep = np.ones(len(self.starts), dtype=bool) if mask is None else mask
            nearest = np.where(keep, nearest.max(0), nearest[0])
            centroid = np.where(keep, centroid.max(0), centroid[0])
            entry = np.where(keep, entry.max(0), entry[0])
        else:
            nearest, centroid, entry = nearest[0], centroid[0], entry[0]
        return Closeness(nearest, centroid, entry)
