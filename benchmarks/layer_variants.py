"""Exploration, not product: how far a linear layer over sendbot's prepared text could take CLINC150.

Why: benchmarks/prototypes.py showed a LinearSVC over sendbot's views lifting CLINC150 data_full
from 86% to about 92% in-scope. This runs the variants that decide whether to build one into the
matcher: which features (prepared words, word pairs, character n-grams of topic words or of every
word), which C, and how to blend the margin with sendbot's score. Every setting's threshold is
chosen on val + oos_val, as in clinc150.py; the table shows test + oos_test and val beside it, so
the spread across settings (the noise in "the best one") is visible. It ends with our own intents/:
top-1 and top-3 under stratified 10-fold CV, sendbot's score plus a x the layer's margin.
Run: `.venv/bin/python benchmarks/layer_variants.py` (needs the `bench` extra; about 5 minutes;
`--mlp` adds a one-hidden-layer MLP on words and word pairs, about 15 minutes more).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot.matcher import Index  # noqa: E402
from bot.schema import Thresholds  # noqa: E402
from bot.tfidf import View  # noqa: E402
from clinc150 import DATA, choose_threshold, report  # noqa: E402
from prototypes import all_scores, bigrams, every_word_chars, stratified_folds, view_matrix  # noqa: E402

FEATURES = {"w": "prepared words", "b": "word pairs", "c": "char n-grams of topic words (sendbot's)", "a": "char n-grams of every word"}
SETTINGS = [("wb", (1.0, 1.0)), ("wab", (0.77, 0.63, 1.0)), ("wcb", (0.77, 0.63, 1.0)), ("wcb", (1.0, 0.5, 1.0))]


def queries(view: View, prepared: list[str]):  # noqa: ANN201 - scipy.sparse.csr_matrix
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for k, text in enumerate(prepared):
        ids, weights = view.query(text)
        rows += [k] * len(ids)
        cols += ids.tolist()
        vals += weights.tolist()
    return csr_matrix((vals, (rows, cols)), shape=(len(prepared), len(view.vocabulary)))


def clinc(variant: str = "data_full", mlp: bool = False) -> list[str]:
    from scipy.sparse import hstack
    from sklearn.svm import LinearSVC

    data = json.loads((DATA / f"{variant}.json").read_text(encoding="utf-8"))
    index = Index([(i, x) for x, i in data["train"]], {}, Thresholds())
    n = len(index.intents)
    docs = [index.prepare(e)[0] for e in index.example_text]
    views = {"w": index.words, "c": index.chars, "b": View(bigrams, docs, index.example_intent, n),
             "a": View(every_word_chars, docs, index.example_intent, n)}
    splits = {"val": data["val"] + data["oos_val"], "test": data["test"] + data["oos_test"]}
    prepared = {s: [index.prepare(t)[0] for t, _ in rows] for s, rows in splits.items()}
    gold = {s: [g for _, g in rows] for s, rows in splits.items()}
    base = {s: np.array([all_scores(index, t) for t, _ in rows]) for s, rows in splits.items()}
    q = {s: {k: queries(v, prepared[s]) for k, v in views.items()} for s in splits}
    x = {k: view_matrix(v) for k, v in views.items()}

    def evaluate(score: dict[str, np.ndarray]) -> str:
        out = {}
        for s in splits:
            best = score[s].argmax(axis=1)
            out[s] = ([index.intents[i] for i in best], score[s][np.arange(len(best)), best], gold[s])
        t = choose_threshold(*out["val"])
        test, val = report(*out["test"], t), report(*out["val"], t)
        return f"{100 * test[0]:.1f} | {100 * test[1]:.1f} | {100 * val[0]:.1f} | {100 * val[1]:.1f}"

    lines = [f"\n### CLINC150 {variant}", "| features (scales) | C | confidence | test in-scope | test oos recall | val in-scope | val oos recall |",
             "|---|---|---|---|---|---|---|", f"| sendbot as is | - | sendbot score | {evaluate(base)} |"]
    for combo, scales in SETTINGS:
        train = hstack([w * x[k] for k, w in zip(combo, scales)]).tocsr()
        query = {s: hstack([w * q[s][k] for k, w in zip(combo, scales)]).tocsr() for s in splits}
        for c in (0.5, 1.0, 2.0):
            start = time.perf_counter()
            svm = LinearSVC(C=c).fit(train, index.example_intent)
            fit = time.perf_counter() - start
            margin = {s: query[s] @ svm.coef_.T + svm.intercept_ for s in splits}
            label = f"| {'+'.join(FEATURES[k] for k in combo)} {scales} | {c}"
            lines.append(f"{label} | margin (fit {fit:.1f} s) | {evaluate(margin)} |")
            for a in (1.0, 2.0):
                lines.append(f"{label} | score + {a} x margin | {evaluate({s: base[s] + a * margin[s] for s in splits})} |")
        print("\n".join(lines[-9:]), flush=True)
    if mlp:  # a non-linear model on the same features: about 15 minutes on two cores
        from sklearn.neural_network import MLPClassifier

        train = hstack([x["w"], x["b"]]).tocsr()
        query = {s: hstack([q[s]["w"], q[s]["b"]]).tocsr() for s in splits}
        start = time.perf_counter()
        net = MLPClassifier(hidden_layer_sizes=(256,), max_iter=30, batch_size=128, random_state=0).fit(train, index.example_intent)
        fit = time.perf_counter() - start
        prob = {s: net.predict_proba(query[s]) for s in splits}
        label = "| prepared words+word pairs, MLP 256 hidden, 30 epochs | -"
        lines.append(f"{label} | probability (fit {fit:.0f} s) | {evaluate(prob)} |")
        for a in (0.25, 0.5, 1.0):
            lines.append(f"{label} | score + {a} x probability | {evaluate({s: base[s] + a * prob[s] for s in splits})} |")
    return lines


def ours(folds: int = 10, blends: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)) -> list[str]:
    """Our intents/: does the layer move the right intent to the top, under k-fold CV?"""
    from scipy.sparse import hstack
    from sklearn.svm import LinearSVC

    from bot.core import Bot

    bot = Bot.load(ROOT)
    pairs = sorted(bot.examples, key=lambda p: p[0])
    fold = stratified_folds(pairs, folds)
    top1 = dict.fromkeys(blends, 0)
    top3 = dict.fromkeys(blends, 0)
    for f in range(folds):
        index = Index([p for k, p in enumerate(pairs) if fold[k] != f], bot.bundle.lexicon, bot.bundle.thresholds)
        docs = [index.prepare(e)[0] for e in index.example_text]
        views = [index.words, View(bigrams, docs, index.example_intent, len(index.intents))]
        svm = LinearSVC(C=1.0).fit(hstack([view_matrix(v) for v in views]).tocsr(), index.example_intent)
        for k in np.flatnonzero(fold == f):
            gold, text = pairs[k]
            p = index.prepare(text)[0]
            margin = hstack([queries(v, [p]) for v in views]).tocsr() @ svm.coef_.T + svm.intercept_
            score = all_scores(index, text)
            for a in blends:
                order = np.argsort(-(score + a * margin[0]))
                top1[a] += index.intents[order[0]] == gold
                top3[a] += gold in [index.intents[i] for i in order[:3]]
    n = len(pairs)
    return [f"\n### our intents/: {folds}-fold stratified CV over {n} examples, layer on prepared words + word pairs, C=1",
            "| blend a (score + a x margin) | top-1 | top-3 |", "|---|---|---|",
            *[f"| {a} | {100 * top1[a] / n:.1f} | {100 * top3[a] / n:.1f} |" for a in blends]]


def main() -> int:
    lines = clinc(mlp="--mlp" in sys.argv) + ours()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
