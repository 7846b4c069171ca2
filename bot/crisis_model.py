"""The learned crisis detector: reads what a message means, so danger said in words no rule lists is caught.

A softmax layer over the same sentence embeddings as the matcher, one class per kind of danger plus
"safe", trained once by tools/train_crisis.py on the corpus in training/crisis/ and shipped as
bot/model/crisis.npz. It scores the whole message and each of its sentences and keeps the most
dangerous, so one dangerous sentence inside a long EHCP question is not diluted. Its two thresholds
(urgent, possible) were set by cross-validation on the training corpus, never on a test round.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "model" / "crisis.npz"
SAFE = "safe"


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
class CrisisModel:
    """Weights and thresholds of the learned detector; `read` costs two small matrix products."""

    kinds: tuple[str, ...]  # class names; SAFE among them
    weights: np.ndarray  # (dim, classes)
    bias: np.ndarray  # (classes,)
    young_weights: np.ndarray  # (dim,)
    young_bias: float
    urgent: float
    possible: float
    encoder: str  # digest of the embedding model it was trained on

    @classmethod
    def load(cls, path: Path = MODEL_FILE, encoder: str | None = None) -> "CrisisModel":
        try:
            with np.load(path, allow_pickle=False) as data:
                model = cls(tuple(str(k) for k in data["kinds"]), data["weights"].astype(np.float32),
                            data["bias"].astype(np.float32), data["young_weights"].astype(np.float32),
                            float(data["young_bias"]), float(data["urgent"]), float(data["possible"]),
                            str(data["encoder"]))
        except (OSError, KeyError, ValueError) as exc:
            raise CrisisModelError(f"{path} is missing or damaged ({exc}); run tools/train_crisis.py or reinstall sendbot") from exc
        if SAFE not in model.kinds or model.weights.shape != (model.young_weights.shape[0], len(model.kinds)):
            raise CrisisModelError(f"{path} does not hold a crisis detector; run tools/train_crisis.py")
        if encoder is not None and model.encoder != encoder:
            raise CrisisModelError(f"{path} was trained on another embedding model; run tools/train_crisis.py")
        return model

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Each row's probability for each class."""
        logits = vectors @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        shares = np.exp(logits)
        return shares / shares.sum(axis=1, keepdims=True)

    def read(self, vectors: np.ndarray) -> Reading:
        """The most dangerous of the message's rows (row 0 the whole message, then each sentence)."""
        shares = self.probabilities(vectors)
        safe = self.kinds.index(SAFE)
        danger = 1.0 - shares[:, safe]
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
