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
NONE = np.array([], dtype=np.int64)  # the label of a message nothing should answer
L2 = 1e-3


@dataclass
class Heldout:
    """Features of every intent for each held-out message, and which intent it was (-1: none)."""

    features: list[np.ndarray]  # (intents, features)
    labels: list[np.ndarray]  # the intents that are right (several where entries overlap; none: nothing fits)
    known: np.ndarray
    allowed: list[np.ndarray]  # intents that may be chosen (the out-of-scope intent is hidden for its own)

    def __add__(self, other: "Heldout") -> "Heldout":
        return Heldout(self.features + other.features, self.labels + other.labels,
                       np.concatenate([self.known, other.known]), self.allowed + other.allowed)


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
            labels.append(NONE)
            mask = everyone.copy()
            mask[oos] = False
            allowed.append(mask)
        else:
            labels.append(np.array([k]))
            allowed.append(everyone)
    return Heldout(features, labels, np.array(known), allowed)


def collect_rounds(bot: Bot, paths: list[Path]) -> Heldout:
    """Parents' questions from scored blind rounds (their expected entries), as the bot reads them."""
    import yaml

    matcher = bot.matcher
    by_entry: dict[str, list[int]] = {}
    for k, intent in enumerate(matcher.intents):
        page = bot.page_for(intent)
        by_entry.setdefault(page.id if page else intent, []).append(k)
    everyone = np.ones(len(matcher.intents), dtype=bool)
    features, labels, known, allowed = [], [], [], []
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if item.get("expect") not in ("answer", "fallback"):
                continue
            right = sorted({k for e in item.get("ids") or [] for k in by_entry.get(str(e), [])})
            if item["expect"] == "answer" and not right:
                continue
            found = matcher.evidence(str(item["q"]))
            if found is None:
                continue
            features.append(found.features)
            labels.append(np.array(right) if item["expect"] == "answer" else NONE)
            known.append(found.known)
            allowed.append(everyone)
    return Heldout(features, labels, np.array(known), allowed)


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
        for f, right, ok in zip(data.features, data.labels, data.allowed):
            p, p_none = _probabilities(f, ok, theta[:4], theta[4])
            expected = p @ f
            if len(right):  # log of the probability of any right intent: weights within the right ones
                share = p[right] / max(float(p[right].sum()), 1e-12)
                observed = share @ f[right]
            else:
                observed = np.zeros(f.shape[1])
            grad[:4] += expected - observed
            grad[4] += p_none - (0.0 if len(right) else 1.0)
        grad /= len(data.labels)
        grad[:4] += L2 * theta[:4]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        theta -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return theta[:4], float(theta[4])


Outcome = tuple[list[Candidate], float, frozenset[str]]  # ranked, known-word share, the right intents


def outcomes(data: Heldout, w: np.ndarray, none: float, intents: list[str]) -> list[Outcome]:
    out = []
    for f, right, ok, known in zip(data.features, data.labels, data.allowed, data.known):
        p, _ = _probabilities(f, ok, w, none)
        order = np.argsort(-p)[:8]
        out.append(([Candidate(intents[i], float(p[i])) for i in order], float(known), frozenset(intents[i] for i in right)))
    return out


def score_rule(results: list[Outcome], t: Thresholds, intents: list[str] | None = None) -> dict[str, float]:
    strict = one_tap = wrong = oos_ok = 0
    n_in = sum(1 for *_, right in results if right)
    n_out = len(results) - n_in
    for ranked, known, right in results:
        d = decide(ranked, known, t)
        if not right:
            oos_ok += d.kind == "fallback"
            wrong += d.kind == "answer"
            continue
        if d.kind == "answer":
            if d.candidates[0].intent in right:
                strict += 1
                one_tap += 1
            else:
                wrong += 1
        elif d.kind == "clarify":
            one_tap += any(c.intent in right for c in d.candidates[: t.max_options])
    total = len(results)
    return {"strict": strict / max(1, n_in), "one_tap": one_tap / max(1, n_in), "wrong": wrong / total,
            "oos_fallback": oos_ok / n_out if n_out else 0.0,
            "utility": (strict + 0.5 * (one_tap - strict) + oos_ok - WRONG_COST * wrong) / total}


def choose(results: list[Outcome], base: Thresholds, intents: list[str] | None = None) -> tuple[Thresholds, dict[str, float]]:
    best: tuple[float, Thresholds, dict[str, float]] | None = None
    for answer, margin, clarify, option in itertools.product(
            (0.4, 0.5, 0.6, 0.7, 0.8, 0.9), (0.0, 0.1, 0.2, 0.3, 0.4), (0.1, 0.15, 0.2, 0.3), (0.05, 0.08, 0.12)):
        t = base.model_copy(update={"answer": answer, "margin": margin, "clarify": clarify, "option": option})
        figures = score_rule(results, t, intents)
        if best is None or figures["utility"] > best[0]:
            best = (figures["utility"], t, figures)
    assert best is not None
    return best[1], best[2]


def write(path: Path, blend: Blend, rounds: list[str] | None = None) -> None:
    lines = [
        "# Written by `sendbot calibrate`: how the matcher weighs its evidence, learned on held-out examples",
        "# (each example hidden in turn) and intents/out_of_scope.yaml"
        + (f", and parents' questions from blind rounds already scored: {', '.join(rounds)}." if rounds else "."),
        "# Re-run it after large changes to intents/; never learn from the blind round you will report.",
        *[f"{name}: {getattr(blend, name):.4f}" for name in (*FEATURES, "none")],
        "measured:  # on the same data, with the thresholds calibrate chose (so flattering: not a measurement)",
        *[f"  {k}: {v:.4f}" for k, v in blend.measured.items()],
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(bot: Bot, rounds: list[Path] | None = None) -> tuple[Blend, Thresholds, dict[str, float]]:
    """Fit on held-out examples and, given them, parents' questions from blind rounds already scored."""
    data = collect(bot)
    if rounds:
        data = data + collect_rounds(bot, rounds)
    w, none = fit(data)
    results = outcomes(data, w, none, bot.matcher.intents)
    thresholds, figures = choose(results, bot.bundle.thresholds, bot.matcher.intents)
    blend = Blend(**dict(zip(FEATURES, map(float, w))), none=none, measured=figures)
    return blend, thresholds, figures
