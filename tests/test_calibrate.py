"""The blend is learned, not guessed: fitting finds the evidence that tells right intents from wrong."""

from __future__ import annotations

import numpy as np

from bot.calibrate import NONE, Heldout, choose, fit, outcomes, score_rule
from bot.schema import Thresholds


def synthetic(n: int = 300, seed: int = 7) -> Heldout:
    """Five intents; the right one has a high first feature, the others noise; every tenth message fits none."""
    rng = np.random.default_rng(seed)
    features, labels = [], []
    for i in range(n):
        f = rng.uniform(0, 0.4, size=(5, 4))
        if i % 10:
            k = int(rng.integers(5))
            f[k, 0] = rng.uniform(0.6, 1.0)
            labels.append(np.array([k]))
        else:
            labels.append(NONE)
        features.append(f)
    return Heldout(features, labels, np.ones(n), [np.ones(5, dtype=bool)] * n)


def test_fit_learns_which_feature_matters_and_when_nothing_fits() -> None:
    data = synthetic()
    w, none = fit(data, steps=300)
    assert w[0] > max(w[1:]) + 2  # the informative feature outweighs the noise
    figures = score_rule(outcomes(data, w, none, list("abcde")), Thresholds(answer=0.6, margin=0.3, clarify=0.2))
    assert figures["strict"] > 0.9 and figures["wrong"] < 0.05 and figures["oos_fallback"] > 0.5


def test_several_right_intents_all_count() -> None:
    data = synthetic()
    data.labels[1] = np.array([int(data.labels[1][0]), (int(data.labels[1][0]) + 1) % 5])
    w, none = fit(data, steps=100)
    assert np.isfinite(w).all() and np.isfinite(none)


def test_choose_prefers_caution_when_wrong_answers_cost_more() -> None:
    data = synthetic()
    w, none = fit(data, steps=300)
    thresholds, figures = choose(outcomes(data, w, none, list("abcde")), Thresholds())
    assert figures["wrong"] <= 0.05
    assert thresholds.answer >= thresholds.clarify
