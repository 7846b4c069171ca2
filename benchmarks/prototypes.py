"""Prototype, not product: a discriminative layer over sendbot's own TF-IDF views, measured on CLINC150.

Why: on CLINC150 sendbot's nearest-example + centroid scores trail a linear SVM over similar
features. This asks whether the same word and character views sendbot already builds
(bot/tfidf.py), with a linear model trained on them, would close the gap, and what it would cost
per query. Nothing here changes bot/: it reads an Index's views and trains on them (with
scikit-learn's LinearSVC, for the prototype only; scoring needs just numpy: a few hundred
weights rows summed per query).

Variants (threshold chosen on val + oos_val as in clinc150.py, reported on test + oos_test):
- sendbot: Index.scores as it is (nearest example + centroid blend);
- svm margin: LinearSVC over the blended views, confidence = its one-vs-rest margin;
- svm pick, sendbot score: the SVM chooses the intent, sendbot's score of that intent decides oos;
- blend a: sendbot score + a x margin per intent, best of the sum (a chosen on val);
- the same with extra views for the layer only: char n-grams of every word and word pairs.
It also checks our own intents/ (top-1 under 10-fold CV), where a change must not regress.
Run: `.venv/bin/python benchmarks/prototypes.py` (needs the `bench` extra).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot.matcher import WORD_WEIGHT, Index  # noqa: E402
from bot.schema import Thresholds  # noqa: E402
from bot.tfidf import View, char_ngrams  # noqa: E402
from clinc150 import DATA, choose_threshold, report  # noqa: E402


def view_matrix(view: View):  # noqa: ANN201 - scipy.sparse.csr_matrix
    """The view's examples as a sparse matrix: View keeps them column-major, exactly CSC."""
    from scipy.sparse import csc_matrix

    return csc_matrix((view.values, view.rows, view.indptr), shape=(view.size, len(view.vocabulary))).tocsr()


def bigrams(doc: str) -> list[str]:
    """Adjacent word pairs of a prepared text, common words included ('_how _do', 'cancel _my')."""
    t = doc.split()
    return [f"{a} {b}" for a, b in zip(t, t[1:])]


def every_word_chars(doc: str) -> list[str]:
    """Character 3-5-grams of every word, common ones too (sendbot's char view keeps topic words only)."""
    return char_ngrams(" ".join(w.lstrip("_") for w in doc.split()))


class Layer:
    """A linear one-vs-rest model (LinearSVC, C=1) over TF-IDF views of sendbot's prepared texts.

    `extra=False`: exactly sendbot's word and char views. `extra=True`: sendbot's word view, char
    n-grams of every word, and word pairs: views a runtime version would build beside the
    matcher's own, only for this layer. Scoring is numpy: the rows of W for the message's features.
    """

    def __init__(self, index: Index, extra: bool = False, c: float = 1.0, scales: tuple[float, float, float] = (1.0, 1.0, 1.0)):
        from scipy.sparse import hstack
        from sklearn.svm import LinearSVC

        a, b = np.sqrt(WORD_WEIGHT), np.sqrt(1 - WORD_WEIGHT)  # dot products = sendbot's blended cosine
        self.views: list[tuple[float, View]] = [(a, index.words), (b, index.chars)]
        if extra:
            docs = [index.prepare(e)[0] for e in index.example_text]
            n = len(index.intents)
            self.views = [(scales[0], index.words), (scales[1], View(every_word_chars, docs, index.example_intent, n)),
                          (scales[2], View(bigrams, docs, index.example_intent, n))]
        x = hstack([w * view_matrix(v) for w, v in self.views]).tocsr()
        svm = LinearSVC(C=c, random_state=0).fit(x, index.example_intent)
        assert list(svm.classes_) == list(range(len(index.intents)))
        self.index = index
        self.offsets = np.cumsum([0] + [len(v.vocabulary) for _, v in self.views])[:-1]
        self.weights = np.ascontiguousarray(svm.coef_.T, dtype=np.float32)  # features x intents
        self.bias = svm.intercept_.astype(np.float32)

    def margins(self, prepared: str) -> np.ndarray:
        ids, ws = [], []
        for (scale, view), offset in zip(self.views, self.offsets):
            i, w = view.query(prepared)
            ids.append(i + offset)
            ws.append(scale * w)
        return np.concatenate(ws).astype(np.float32) @ self.weights[np.concatenate(ids)] + self.bias


def all_scores(index: Index, text: str) -> np.ndarray:
    """sendbot's combined score for every intent (Index.scores keeps only the top 8)."""
    prepared, _ = index.prepare(text)
    return index._combined(prepared, None)[0]  # the matcher's own blend, so this follows its changes


def stratified_folds(pairs: list[tuple[str, str]], folds: int, seed: int = 0) -> np.ndarray:
    """A fold number for each (intent, example) pair, each intent's examples spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(pairs), dtype=np.int64)
    for intent in sorted({i for i, _ in pairs}):
        members = [k for k, (i, _) in enumerate(pairs) if i == intent]
        fold[members] = rng.permutation(len(members)) % folds
    return fold


def run(variant: str) -> list[str]:
    """Every variant on one CLINC150 file; a markdown table."""
    data = json.loads((DATA / f"{variant}.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    index = Index([(i, x) for x, i in data["train"]], {}, Thresholds())
    index_s = time.perf_counter() - start
    a_w, b_w = float(np.sqrt(WORD_WEIGHT)), float(np.sqrt(1 - WORD_WEIGHT))
    grid = [(c, w) for c in (0.5, 1.0) for w in ((1.0, 1.0, 1.0), (0.5, 1.0, 1.0), (round(a_w, 2), round(b_w, 2), 1.0))]
    layers: dict[object, Layer] = {}
    start = time.perf_counter()
    layers["own"] = Layer(index)
    own_s = time.perf_counter() - start
    for c, w in grid:
        start = time.perf_counter()
        layers[(c, w)] = Layer(index, extra=True, c=c, scales=w)
        fit_s = time.perf_counter() - start
    names = index.intents
    splits = {"val": data["val"] + data["oos_val"], "test": data["test"] + data["oos_test"]}
    sb: dict[str, np.ndarray] = {}
    mg: dict[object, dict[str, np.ndarray]] = {k: {} for k in layers}
    cost: list[float] = []
    for split, rows in splits.items():
        sb[split] = np.array([all_scores(index, text) for text, _ in rows])
        prepared = [index.prepare(text)[0] for text, _ in rows]
        for key, layer in layers.items():
            out = []
            for p in prepared:
                t = time.thread_time()
                out.append(layer.margins(p))
                if key == grid[0]:
                    cost.append(time.thread_time() - t)
            mg[key][split] = np.array(out)
    gold = {k: [y for _, y in v] for k, v in splits.items()}

    def evaluate(score: dict[str, np.ndarray], pick: dict[str, np.ndarray] | None = None) -> tuple[float, float, float]:
        out = {}
        for split in splits:
            idx = (pick or score)[split].argmax(axis=1)
            out[split] = ([names[i] for i in idx], score[split][np.arange(len(idx)), idx])
        t = choose_threshold(*out["val"], gold["val"])
        val_acc = sum((c >= t and p == g) or (c < t and g == "oos") for p, c, g in zip(*out["val"], gold["val"])) / len(gold["val"])
        return (*report(*out["test"], gold["test"], t), val_acc)

    def blend(m: dict[str, np.ndarray], label: str) -> tuple[str, tuple[float, float, float]]:
        tried = [(a, evaluate({k: sb[k] + a * m[k] for k in splits})) for a in (0.25, 0.5, 1.0, 2.0)]
        a, r = max(tried, key=lambda x: x[1][2])  # a chosen on val, like the threshold
        return f"{label}: sendbot score + {a} x margin", r

    # +views: (C, view scales, margin or blend) chosen on val alone; the test range shows the spread
    tried = []
    for key in grid:
        tried.append((f"margin, C={key[0]}, scales {key[1]}", evaluate(mg[key])))
        label, r = blend(mg[key], f"C={key[0]}, scales {key[1]}")
        tried.append((label, r))
    chosen = max(tried, key=lambda x: x[1][2])
    spread = [r for _, r in tried]
    big = layers[grid[0]]
    lines = [f"\n## {variant}: index build {index_s:.1f} s; LinearSVC fit {own_s:.1f} s (sendbot views), "
             f"{fit_s:.1f} s (+views); weights {big.weights.nbytes / 1e6:.0f} MB float32 (+views); "
             f"layer cost per query (+views) p50 {1e3 * statistics.median(cost):.3f} ms, p99 {1e3 * float(np.percentile(cost, 99)):.3f} ms CPU",
             "| variant | in-scope acc | oos recall | val acc (151-class) |", "|---|---|---|---|"]
    rows = [("sendbot Index.scores (as is)", evaluate(sb)),
            ("SVM on sendbot's views: margin", evaluate(mg["own"])),
            ("SVM on sendbot's views: SVM picks, sendbot score decides oos", evaluate(sb, pick=mg["own"])),
            blend(mg["own"], "SVM on sendbot's views"),
            (f"SVM +views (all-word chars, word pairs), best on val of {len(tried)}: {chosen[0]}", chosen[1])]
    for name, (acc, rec, val) in rows:
        lines.append(f"| {name} | {100 * acc:.1f} | {100 * rec:.1f} | {100 * val:.1f} |")
    lines.append(f"(+views over all {len(tried)} settings, on test: in-scope {100 * min(r[0] for r in spread):.1f}-"
                 f"{100 * max(r[0] for r in spread):.1f}%, oos recall {100 * min(r[1] for r in spread):.1f}-{100 * max(r[1] for r in spread):.1f}%)")
    return lines


def ours(folds: int = 10) -> list[str]:
    """Top-1 intent accuracy on our own intents/ under stratified k-fold CV: does the layer regress us?"""
    from bot.core import Bot

    bot = Bot.load(ROOT, strict=False)
    pairs = sorted(bot.examples, key=lambda p: p[0])
    fold = stratified_folds(pairs, folds)
    hits = {"sendbot": 0, "svm": 0, "svm+": 0, "blend+": 0}
    for f in range(folds):
        train = [p for n, p in enumerate(pairs) if fold[n] != f]
        index = Index(train, bot.bundle.lexicon, bot.bundle.thresholds)
        small, big = Layer(index), Layer(index, extra=True)
        for n in np.flatnonzero(fold == f):
            gold, text = pairs[n]
            s = all_scores(index, text)
            p = index.prepare(text)[0]
            mb = big.margins(p)
            for name, score in (("sendbot", s), ("svm", small.margins(p)), ("svm+", mb), ("blend+", s + 1.0 * mb)):
                hits[name] += index.intents[int(np.argmax(score))] == gold
    n = len(pairs)
    return [f"\n## our intents/: top-1 intent, {folds}-fold stratified CV over {n} examples (no thresholds, no glossary)",
            "| variant | top-1 |", "|---|---|", *[f"| {k} | {100 * v / n:.1f} |" for k, v in hits.items()]]


def main() -> int:
    for variant in ("data_full", "data_small"):
        print("\n".join(run(variant)), flush=True)
    print("\n".join(ours()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
