"""Train the learned crisis detector (bot/crisis_model.py) and set its thresholds by cross-validation.

Run with the bench extra installed (scikit-learn):
    .venv/bin/python tools/train_crisis.py            # cross-validate, print figures, write bot/model/crisis.npz
    .venv/bin/python tools/train_crisis.py --dry-run  # figures only

Training data: every file in training/crisis/ (messages labelled crisis or safe, with a kind and who
wrote it), plus every intent example and out-of-scope message as ordinary questions. Each message is
embedded exactly as the bot embeds it at run time (Bot.prepare), and scored as the bot scores it: the
most dangerous of the whole message and its sentences. The thresholds come from five-fold
cross-validation on this data alone: `urgent` is the lowest that keeps false alarms on the hard
negatives (distress, danger words in other senses, past incidents) at or under URGENT_FALSE_ALARMS,
and `possible` the lowest that keeps a safety line on ordinary questions at or under
POSSIBLE_ON_QUESTIONS. A test round must never be used here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import embed  # noqa: E402
from bot.core import Bot  # noqa: E402
from bot.crisis_model import MODEL_FILE, SAFE, CrisisModel  # noqa: E402

CORPUS = ROOT / "training" / "crisis"
URGENT_FALSE_ALARMS = 0.03  # share of hard negatives that may get the urgent reply, in cross-validation
POSSIBLE_ON_QUESTIONS = 0.01  # share of ordinary questions that may get a safety line
FOLDS = 5
C = 4.0  # inverse regularisation of the softmax layer (chosen by the cross-validated figures below)

KINDS = {  # the corpus's kinds -> the detector's classes (each class has its own crisis reply)
    "child-suicidal": "suicidal", "parent-suicidal": "suicidal", "suicidal": "suicidal",
    "self-harm-injury": "self-harm", "self-harm": "self-harm",
    "medical": "medical", "overdose": "medical", "poisoning": "medical",
    "abuse": "abuse", "neglect": "abuse", "grooming": "abuse",
    "selfharm": "self-harm", "suicidal-parent": "suicidal",
    "domestic-violence": "domestic-violence", "dv": "domestic-violence",
    "parent-harm": "parent-may-harm",
    "missing": "missing",
    "weapon": "violence", "violence": "violence",
    "parent-may-harm": "parent-may-harm",
}


@dataclass
class Item:
    text: str
    label: str  # a class of KINDS' values, or SAFE
    hard: bool  # a hard negative (from the corpus), not an ordinary question
    young: bool
    vectors: np.ndarray | None = None


def kind_of(raw: str) -> str:
    """A corpus kind as a class; 'buried-medical' and similar take the kind after 'buried-'."""
    raw = raw.strip().lower()
    if raw.startswith("buried-"):
        raw = raw[len("buried-"):]
    for name, cls in sorted(KINDS.items(), key=lambda kv: -len(kv[0])):
        if raw == name or raw.startswith(name):
            return cls
    raise ValueError(f"unknown crisis kind '{raw}'")


def is_young(voice: str) -> bool:
    voice = (voice or "").lower()
    return any(w in voice for w in ("young person", "teen", "child", "pupil", "student", "self"))


def load_corpus(folder: Path = CORPUS) -> list[Item]:
    items = []
    for path in sorted(folder.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            crisis = row["label"] == "crisis"
            items.append(Item(str(row["text"]), kind_of(row["kind"]) if crisis else SAFE, not crisis,
                              is_young(row.get("voice", ""))))
    return items


def questions(bot: Bot) -> list[Item]:
    texts = {e for _, e in bot.examples}
    return [Item(t, SAFE, False, False) for t in sorted(texts)]


def embed_all(bot: Bot, items: list[Item]) -> None:
    for n, item in enumerate(items):
        item.vectors = np.asarray(bot.prepare(item.text).vectors, dtype=np.float32)
        if n % 500 == 0:
            print(f"  embedded {n}/{len(items)}", file=sys.stderr)


def fit(items: list[Item], classes: list[str]):
    from sklearn.linear_model import LogisticRegression

    x = np.stack([i.vectors[0] for i in items])
    y = np.array([classes.index(i.label) for i in items])
    weight = {c: len(y) / (len(classes) * max(1, int((y == c).sum()))) for c in range(len(classes))}
    soft = LogisticRegression(C=C, max_iter=3000, class_weight=weight).fit(x, y)
    danger = [i for i in items if i.label != SAFE]
    young = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(
        np.stack([i.vectors[0] for i in danger]), np.array([i.young for i in danger]))
    return soft, young


def as_model(soft, young, classes: list[str], urgent: float, possible: float, encoder: str) -> CrisisModel:
    weights = np.zeros((soft.coef_.shape[1], len(classes)), dtype=np.float32)
    bias = np.zeros(len(classes), dtype=np.float32)
    for col, cls in enumerate(soft.classes_):
        weights[:, cls] = soft.coef_[col]
        bias[cls] = soft.intercept_[col]
    return CrisisModel(tuple(classes), weights, bias, young.coef_[0].astype(np.float32), float(young.intercept_[0]),
                       urgent, possible, encoder)


def threshold(scores: np.ndarray, allowed: float) -> float:
    """The lowest threshold that lets at most `allowed` of these scores reach it."""
    ordered = np.sort(scores)[::-1]
    k = int(np.floor(allowed * len(ordered)))
    return float(ordered[k]) + 1e-6 if k < len(ordered) else 0.0


def cross_validate(items: list[Item], classes: list[str], encoder: str, rules) -> tuple[float, float, dict]:
    rng = np.random.default_rng(7)
    fold = rng.integers(0, FOLDS, len(items))
    danger = np.zeros(len(items))
    kinds = [""] * len(items)
    for f in range(FOLDS):
        train = [i for i, k in zip(items, fold) if k != f]
        soft, young = fit(train, classes)
        model = as_model(soft, young, classes, 1.0, 1.0, encoder)
        for n in np.flatnonzero(fold == f):
            reading = model.read(items[n].vectors)
            danger[n], kinds[n] = reading.danger, reading.kind
    crisis = np.array([i.label != SAFE for i in items])
    hard = np.array([i.hard for i in items])
    ordinary = ~crisis & ~hard
    ruled = np.array([rules.check(i.text) is not None for i in items])
    # The rules' own false alarms count against the budget; the model may add the rest.
    spare = max(0.0, URGENT_FALSE_ALARMS - float(ruled[hard].mean()))
    urgent = threshold(danger[hard & ~ruled], spare * hard.sum() / max(1, (hard & ~ruled).sum()))
    possible = min(threshold(danger[ordinary & ~ruled], POSSIBLE_ON_QUESTIONS), urgent)
    is_urgent = ruled | (danger >= urgent)
    any_line = ruled | (danger >= possible)
    figures = {
        "crisis": int(crisis.sum()), "hard negatives": int(hard.sum()), "ordinary questions": int(ordinary.sum()),
        "rules alone: recall": float(ruled[crisis].mean()),
        "rules alone: on hard negatives": float(ruled[hard].mean()),
        "model alone: urgent recall": float((danger[crisis] >= urgent).mean()),
        "urgent recall": float(is_urgent[crisis].mean()),
        "urgent or possible recall": float(any_line[crisis].mean()),
        "urgent on hard negatives": float(is_urgent[hard].mean()),
        "any line on hard negatives": float(any_line[hard].mean()),
        "any line on ordinary questions": float(any_line[ordinary].mean()),
        "kind right (crisis items)": float(np.mean([k == i.label for k, i in zip(kinds, items) if i.label != SAFE])),
    }
    by_kind = {}
    for cls in classes:
        if cls == SAFE:
            continue
        rows = np.array([i.label == cls for i in items])
        by_kind[cls] = (int(is_urgent[rows].sum()), int(any_line[rows].sum()), int(rows.sum()))
    figures["by kind (urgent, any, of)"] = by_kind
    return urgent, possible, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the cross-validated figures, write nothing")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder of labelled messages (default {CORPUS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    bot = Bot.load(ROOT, strict=False)  # the detector file may be missing: this makes it
    items = load_corpus(args.corpus) + questions(bot)
    classes = sorted({i.label for i in items} - {SAFE}) + [SAFE]
    print(f"{len(items)} messages; classes {classes}", file=sys.stderr)
    embed_all(bot, items)
    encoder = embed.shared().digest
    urgent, possible, figures = cross_validate(items, classes, encoder, bot.crisis)
    print(f"cross-validated ({FOLDS} folds): urgent >= {urgent:.3f}, possible >= {possible:.3f}")
    for name, value in figures.items():
        print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    if args.dry_run:
        return 0
    soft, young = fit(items, classes)
    model = as_model(soft, young, classes, urgent, possible, encoder)
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    with MODEL_FILE.open("wb") as fh:
        np.savez_compressed(fh, kinds=np.array(model.kinds), weights=model.weights, bias=model.bias,
                            young_weights=model.young_weights, young_bias=model.young_bias,
                            urgent=model.urgent, possible=model.possible, encoder=model.encoder)
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
