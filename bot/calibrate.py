"""Learn how the matcher weighs its evidence, and how sure it must be, from held-out examples.

Each written example is hidden in turn (its words and its embedding) and matched against the rest;
each message of intents/out_of_scope.yaml is matched with the out-of-scope intent hidden, and must
find nothing. A conditional-logit model (one weight per feature, shared by every intent, plus a
"nothing fits" logit) is fitted to those outcomes; the decision thresholds are then the ones that
do best on the same held-out outcomes, counting a confident wrong answer as three misses.
`sendbot calibrate` writes the weights to intents/calibration.yaml and prints the thresholds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .core import OUT_OF_SCOPE, Bot
from .decide import Candidate, decide
from .hybrid import FEATURES
from .schema import Blend, Thresholds

WRONG_COST = 3.0  # a confident wrong answer costs three missed answers
L2 = 1e-3


@dataclass
class Heldout:
    """Features of every intent for each held-out message, and which intent it was (-1: none)."""

    features: list[np.ndarray]  # (intents, features)
    labels: np.ndarray
    known: np.ndarray
    allowed: list[np.ndarray]  # intents that may be chosen (the out-of-scope intent is hidden for its own)


def collect(bot: Bot) -> Heldout:
    matcher = bot.matcher
    index = matcher.index
    written = set(bot.bundle.intents) | {OUT_OF_SCOPE}
    oos = index.intents.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in index.intents else -1
    features, labels, known, allowed = [], [], [], []
    everyone = np.ones(len(index.intents), dtype=bool)
    for position, text in enumerate(index.example_text):
        k = int(index.example_intent[position])
        if index.intents[k] not in written:
            continue
        found = matcher.evidence(text, skip=position, vectors=matcher.semantic.examples[position : position + 1])
        if found is None:
            continue
        features.append(found.features)
        known.append(found.known)
        if k == oos:
            labels.append(-1)
            mask = everyone.copy()
            mask[oos] = False
            allowed.append(mask)
        else:
            labels.append(k)
            allowed.append(everyone)
    return Heldout(features, np.array(labels), np.array(known), allowed)


def _probabilities(f: np.ndarray, allowed: np.ndarray, w: np.ndarray, none: float) -> tuple[np.ndarray, float]:
    logits = np.where(allowed, f @ w, -np.inf)
    top = max(float(logits.max()), none)
    shares = np.exp(logits - top)
    total = shares.sum() + np.exp(none - top)
    return shares / total, float(np.exp(none - top) / total)


def fit(data: Heldout, steps: int = 400, rate: float = 0.05) -> tuple[np.ndarray, float]:
    """Maximum likelihood with a little L2, by Adam: five numbers, so it is quick and stable."""
    theta = np.array([8.0, 8.0, 4.0, 2.0, 11.0])
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for step in range(1, steps + 1):
        grad = np.zeros_like(theta)
        for f, label, ok in zip(data.features, data.labels, data.allowed):
            p, p_none = _probabilities(f, ok, theta[:4], theta[4])
            expected = p @ f
            observed = f[label] if label >= 0 else np.zeros(f.shape[1])
            grad[:4] += expected - observed
            grad[4] += p_none - (1.0 if label < 0 else 0.0)
        grad /= len(data.labels)
        grad[:4] += L2 * theta[:4]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        theta -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return theta[:4], float(theta[4])


def outcomes(data: Heldout, w: np.ndarray, none: float, intents: list[str]) -> list[tuple[list[Candidate], float, int]]:
    out = []
    for f, label, ok, known in zip(data.features, data.labels, data.allowed, data.known):
        p, _ = _probabilities(f, ok, w, none)
        order = np.argsort(-p)[:8]
        out.append(([Candidate(intents[i], float(p[i])) for i in order], float(known), int(label)))
    return out


def score_rule(results: list[tuple[list[Candidate], float, int]], t: Thresholds, intents: list[str]) -> dict[str, float]:
    strict = one_tap = wrong = 0
    n_in = sum(1 for *_, label in results if label >= 0)
    n_out = len(results) - n_in
    oos_ok = 0
    for ranked, known, label in results:
        d = decide(ranked, known, t)
        right = intents[label] if label >= 0 else None
        if label < 0:
            oos_ok += d.kind == "fallback"
            wrong += d.kind == "answer"
            continue
        if d.kind == "answer":
            if d.candidates[0].intent == right:
                strict += 1
                one_tap += 1
            else:
                wrong += 1
        elif d.kind == "clarify":
            one_tap += any(c.intent == right for c in d.candidates[: t.max_options])
    total = len(results)
    return {"strict": strict / n_in, "one_tap": one_tap / n_in, "wrong": wrong / total,
            "oos_fallback": oos_ok / n_out if n_out else 0.0,
            "utility": (strict + 0.5 * (one_tap - strict) + oos_ok - WRONG_COST * wrong) / total}


def choose(results: list[tuple[list[Candidate], float, int]], base: Thresholds, intents: list[str]) -> tuple[Thresholds, dict[str, float]]:
    best: tuple[float, Thresholds, dict[str, float]] | None = None
    for answer, margin, clarify, option in itertools.product(
            (0.4, 0.5, 0.6, 0.7, 0.8, 0.9), (0.0, 0.1, 0.2, 0.3, 0.4), (0.1, 0.15, 0.2, 0.3), (0.05, 0.08, 0.12)):
        t = base.model_copy(update={"answer": answer, "margin": margin, "clarify": clarify, "option": option})
        figures = score_rule(results, t, intents)
        if best is None or figures["utility"] > best[0]:
            best = (figures["utility"], t, figures)
    assert best is not None
    return best[1], best[2]


def write(path: Path, w: np.ndarray, none: float, figures: dict[str, float]) -> None:
    lines = [
        "# Written by `sendbot calibrate`: how the matcher weighs its evidence, learned on held-out examples",
        "# (each example hidden in turn) and intents/out_of_scope.yaml. Re-run it after large changes to intents/.",
        *[f"{name}: {value:.4f}" for name, value in zip(FEATURES, w)],
        f"none: {none:.4f}",
        "measured:  # on the same held-out examples, with the thresholds calibrate chose",
        *[f"  {k}: {v:.4f}" for k, v in figures.items()],
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(bot: Bot) -> tuple[Blend, Thresholds, dict[str, float]]:
    data = collect(bot)
    w, none = fit(data)
    results = outcomes(data, w, none, bot.matcher.intents)
    thresholds, figures = choose(results, bot.bundle.thresholds, bot.matcher.intents)
    blend = Blend(**dict(zip(FEATURES, map(float, w))), none=none, measured=figures)
    return blend, thresholds, figures
