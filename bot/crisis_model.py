"""The learned crisis detector: reads what a message means, so danger said in words no rule lists is caught.

Two heads, trained once by tools/train_crisis.py on the corpus in training/crisis/ and shipped as
bot/model/crisis.npz:
- a small neural layer over the same sentence embeddings as the matcher, which knows what a message
  means however it is worded, and names the kind of danger;
- a logistic layer over the message's words and word pairs (TF-IDF, as scikit-learn computes it),
  which holds on to the plain words of danger that an embedding of a long message blurs.
Their mean is the danger. Both score the whole message and each of its sentences, and the most
dangerous row counts, so one dangerous sentence inside a long EHCP question is not diluted. The two
thresholds (urgent, possible) were set by cross-validation on the training corpus, never on a test round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "model" / "crisis.npz"
SAFE = "safe"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern, so run time reads as training did


class CrisisModelError(Exception):
    """The detector file is missing, damaged or was trained on a different embedding model."""


@dataclass(frozen=True)
class Reading:
    """What the detector makes of one message."""

    danger: float  # probability that someone is at risk, from the most dangerous row
    kind: str  # the most likely kind of danger in that row (even when danger is low)
    young: float  # probability that the writer is a young person writing about themselves
    row: int  # 0 = the whole message, n = its n-th sentence


@dataclass(frozen=True)
class WordHead:
    """Logistic regression over TF-IDF of words and word pairs (sublinear tf, l2-normalised, as scikit-learn)."""

    terms: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    bias: float

    def danger(self, text: str) -> float:
        tokens = _TOKEN.findall(text.lower())
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        counts: dict[int, int] = {}
        for gram in grams:
            column = self.terms.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return 0.0  # no word it knows: no evidence of danger (the meaning head still reads it)
        columns = np.fromiter(counts, dtype=np.int64)
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[columns]
        weights /= np.linalg.norm(weights)
        return float(1.0 / (1.0 + np.exp(-(weights @ self.coef[columns] + self.bias))))


@dataclass(frozen=True)
class CrisisModel:
    """Weights and thresholds of the learned detector; `read` costs a few small matrix products."""

    kinds: tuple[str, ...]  # class names of the meaning head; SAFE among them
    hidden_weights: np.ndarray  # (dim, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    weights: np.ndarray  # (hidden, classes)
    bias: np.ndarray  # (classes,)
    young_weights: np.ndarray  # (dim,)
    young_bias: float
    words: WordHead
    urgent: float
    possible: float
    encoder: str  # digest of the embedding model it was trained on
    mix: float = 0.5  # share of the word head in the danger

    @classmethod
    def load(cls, path: Path = MODEL_FILE, encoder: str | None = None) -> "CrisisModel":
        try:
            with np.load(path, allow_pickle=False) as data:
                words = WordHead({str(t): n for n, t in enumerate(data["word_terms"])}, data["word_idf"].astype(np.float64),
                                 data["word_coef"].astype(np.float64), float(data["word_bias"]))
                model = cls(tuple(str(k) for k in data["kinds"]), data["hidden_weights"].astype(np.float32),
                            data["hidden_bias"].astype(np.float32), data["weights"].astype(np.float32),
                            data["bias"].astype(np.float32), data["young_weights"].astype(np.float32),
                            float(data["young_bias"]), words, float(data["urgent"]), float(data["possible"]),
                            str(data["encoder"]), float(data["mix"]))
        except (OSError, KeyError, ValueError) as exc:
            raise CrisisModelError(f"{path} is missing or damaged ({exc}); run tools/train_crisis.py or reinstall sendbot") from exc
        if SAFE not in model.kinds or model.weights.shape[1] != len(model.kinds):
            raise CrisisModelError(f"{path} does not hold a crisis detector; run tools/train_crisis.py")
        if encoder is not None and model.encoder != encoder:
            raise CrisisModelError(f"{path} was trained on another embedding model; run tools/train_crisis.py")
        return model

    def save(self, path: Path = MODEL_FILE) -> None:
        terms = sorted(self.words.terms, key=self.words.terms.__getitem__)
        with path.open("wb") as fh:
            np.savez_compressed(fh, kinds=np.array(self.kinds), hidden_weights=self.hidden_weights, hidden_bias=self.hidden_bias,
                                weights=self.weights, bias=self.bias, young_weights=self.young_weights,
                                young_bias=self.young_bias, word_terms=np.array(terms), word_idf=self.words.idf,
                                word_coef=self.words.coef, word_bias=self.words.bias, mix=self.mix,
                                urgent=self.urgent, possible=self.possible, encoder=self.encoder)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """The meaning head: each row's probability for each class."""
        hidden = np.maximum(vectors @ self.hidden_weights + self.hidden_bias, 0.0)
        logits = hidden @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        shares = np.exp(logits)
        return shares / shares.sum(axis=1, keepdims=True)

    def read(self, vectors: np.ndarray, texts: list[str]) -> Reading:
        """The most dangerous row: `vectors` and `texts` are the whole message, then each sentence."""
        shares = self.probabilities(vectors)
        safe = self.kinds.index(SAFE)
        words = np.array([self.words.danger(t) for t in texts[: len(vectors)]])
        danger = (1.0 - self.mix) * (1.0 - shares[: len(words), safe]) + self.mix * words
        row = int(np.argmax(danger))
        others = shares[row].copy()
        others[safe] = -1.0
        young = float(1.0 / (1.0 + np.exp(-(vectors[row] @ self.young_weights + self.young_bias))))
        return Reading(float(danger[row]), self.kinds[int(np.argmax(others))], young, row)

    def tier(self, reading: Reading) -> str | None:
        """'urgent', 'possible' or None, by the thresholds learned with the weights."""
        if reading.danger >= self.urgent:
            return "urgent"
        return "possible" if reading.danger >= self.possible else None
