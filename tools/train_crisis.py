"""Train the learned crisis detector (bot/crisis_model.py) and set its thresholds by cross-validation.

Run with the bench extra installed (scikit-learn):
    .venv/bin/python tools/train_crisis.py            # cross-validate, print figures, write bot/model/crisis.npz
    .venv/bin/python tools/train_crisis.py --dry-run  # figures only

Training data: every file in training/crisis/ (messages labelled crisis or safe, with a kind and who
wrote it), plus every intent example and out-of-scope message as ordinary questions. Each message is
embedded exactly as the bot embeds it at run time (Bot.prepare), and scored as the bot scores it: the
most dangerous of the whole message and its sentences. The thresholds come from five-fold
cross-validation on this data alone: `possible` is the lowest that keeps the detector's safety line
on ordinary questions at or under POSSIBLE_ON_QUESTIONS, and `urgent` the lowest that keeps urgent
replies to the hard negatives (distress, danger words in other senses, past incidents) within the rules'
own false alarms plus URGENT_FALSE_ALARMS, with rules and detector combined as bot/danger.py does.
A test round must never be used here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import embed  # noqa: E402
from bot.core import Bot  # noqa: E402
from bot.crisis_model import MODEL_FILE, SAFE, CrisisModel, WordHead  # noqa: E402
from bot.normalise import STOPWORDS  # noqa: E402

CORPUS = ROOT / "training" / "crisis"
URGENT_FALSE_ALARMS = 0.03  # share of hard negatives the detector may add to the rules' own urgent replies
POSSIBLE_ON_QUESTIONS = 0.01  # share of ordinary questions that may get a safety line from the detector
FOLDS = 5
HIDDEN = 256  # units of the meaning head's hidden layer
WORDS_C = 8.0  # inverse regularisation of the word head
MIX = 0.5  # share of the word head in the danger

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
    vectors: np.ndarray | None = None  # the whole message, then each sentence, as the bot embeds them
    rows: list[str] | None = None  # the texts of those rows
    rule: str | None = None  # the crisis rule that fires on it, if any
    topic_only: bool = False  # the rule fired on a word naming a danger as a subject (crisis.yaml 'topics')
    words: bool = True  # it has a word that is not a common one (else the detector is not asked)
    fragment: bool = False  # a scrap of an ordinary question: trained on, not used to set thresholds


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
            if str(row.get("kind", "")).startswith("other-language"):
                continue  # the detector reads English; other languages get the 999 line by language instead
            crisis = row["label"] == "crisis"
            items.append(Item(str(row["text"]), kind_of(row["kind"]) if crisis else SAFE, not crisis,
                              is_young(row.get("voice", ""))))
    return items


EMERGENCY_INTENTS = {"mh-emergency"}  # its examples are parents in a crisis asking where to go: not "ordinary"


def questions(bot: Bot) -> list[Item]:
    """Every example phrasing as an ordinary question, but for those that may show real danger."""
    texts = {e for i, e in bot.examples if i not in EMERGENCY_INTENTS and bot.crisis.check(e) is None}
    return [Item(t, SAFE, False, False) for t in sorted(texts)]


def fragments(questions: list[Item], seed: int = 7) -> list[Item]:
    """One to three words cut from ordinary questions ('and', 'her review', 'the taxi firm'): parents send
    such scraps, and a detector never shown them reads them as anything at all."""
    rng = np.random.default_rng(seed)
    out, seen = [], set()
    for item in questions:
        words = item.text.split()
        size = int(rng.integers(1, 4))
        start = int(rng.integers(0, max(1, len(words) - size + 1)))
        scrap = " ".join(words[start:start + size]).strip(" ,.?!")
        if scrap and scrap.lower() not in seen:
            seen.add(scrap.lower())
            out.append(Item(scrap, SAFE, False, False, fragment=True))
    return out


def embed_all(bot: Bot, items: list[Item], cache: Path | None = None) -> None:
    """Each message's rows as the bot embeds them; with `cache`, kept between runs (keyed by model and text)."""
    import pickle

    digest = embed.shared().digest
    saved: dict[str, tuple] = {}
    if cache is not None and cache.exists():
        saved = pickle.loads(cache.read_bytes())
    for n, item in enumerate(items):
        key = f"{digest}|{item.text}"
        if key not in saved:
            message = bot.prepare(item.text)
            saved[key] = (np.asarray(message.vectors, dtype=np.float32), [message.clipped, *message.sentences],
                          any(w not in STOPWORDS for w in message.words))
        item.vectors, item.rows, item.words = saved[key]
        hit = bot.crisis.why(item.text)
        item.rule = hit[0] if hit else None
        item.topic_only = hit is not None and bot.crisis.doubtable(item.text, hit[1])
        if n % 1000 == 0:
            print(f"  embedded {n}/{len(items)}", file=sys.stderr)
    if cache is not None:
        cache.write_bytes(pickle.dumps(saved))


def fit(items: list[Item], classes: list[str], encoder: str) -> CrisisModel:
    """Both heads and the young-writer layer, on whole messages; thresholds left at 1 (set them after)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    # A safe message's sentences are each safe too: the detector reads them one by one at run time.
    rows = [(i.vectors[0], i.label) for i in items] + [(v, SAFE) for i in items if i.label == SAFE for v in i.vectors[1:]]
    texts = [i.text for i in items] + [t for i in items if i.label == SAFE for t in i.rows[1:]]
    x = np.stack([v for v, _ in rows])
    y = np.array([classes.index(label) for _, label in rows])
    net = MLPClassifier((HIDDEN,), alpha=1e-3, max_iter=300, random_state=0).fit(x, y)
    out_w = np.zeros((HIDDEN, len(classes)), dtype=np.float32)
    out_b = np.full(len(classes), -30.0, dtype=np.float32)  # a class absent from this fold: never chosen
    for col, cls in enumerate(net.classes_):
        out_w[:, cls] = net.coefs_[1][:, col]
        out_b[cls] = net.intercepts_[1][col]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    words = vectorizer.fit_transform(texts)
    word_lr = LogisticRegression(C=WORDS_C, max_iter=3000, class_weight="balanced").fit(words, y != classes.index(SAFE))
    danger = [i for i in items if i.label != SAFE]
    young = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(
        np.stack([i.vectors[0] for i in danger]), np.array([i.young for i in danger]))
    terms = vectorizer.vocabulary_
    return CrisisModel(tuple(classes), net.coefs_[0].astype(np.float32), net.intercepts_[0].astype(np.float32),
                       out_w, out_b, young.coef_[0].astype(np.float32), float(young.intercept_[0]),
                       WordHead(dict(terms), vectorizer.idf_.astype(np.float64), word_lr.coef_[0].astype(np.float64),
                                float(word_lr.intercept_[0])),
                       1.0, 1.0, encoder, MIX)


def threshold(scores: np.ndarray, allowed: float) -> float:
    """The lowest threshold that lets at most `allowed` of these scores reach it."""
    ordered = np.sort(scores)[::-1]
    k = int(np.floor(allowed * len(ordered)))
    return float(ordered[k]) + 1e-6 if k < len(ordered) else 0.0


def tiers(items: list[Item], danger: np.ndarray, urgent: float, possible: float) -> tuple[np.ndarray, np.ndarray]:
    """(urgent, any line) per item, as bot/danger.py decides them."""
    ruled = np.array([i.rule is not None for i in items])
    doubted = np.array([i.topic_only for i in items]) & (danger < possible)
    is_urgent = (ruled & ~doubted) | (danger >= urgent)
    return is_urgent, ruled | (danger >= possible)


def choose(items: list[Item], danger: np.ndarray) -> tuple[float, float]:
    """`possible` from the ordinary questions, then the lowest `urgent` within the false-alarm budget."""
    crisis = np.array([i.label != SAFE for i in items])
    hard = np.array([i.hard for i in items])
    ordinary = ~crisis & ~hard & ~np.array([i.fragment for i in items])
    long = ordinary & np.array([len(i.rows) > 1 for i in items])
    # Every sentence of a long message is a chance of a false line: hold long messages to the same share.
    possible = max(threshold(danger[ordinary], POSSIBLE_ON_QUESTIONS), threshold(danger[long], POSSIBLE_ON_QUESTIONS))
    budget = tiers(items, danger, 2.0, possible)[0][hard].mean() + URGENT_FALSE_ALARMS  # the rules' own, and the detector's share
    for urgent in np.unique(np.clip(danger[hard], possible, 1.0)):
        if tiers(items, danger, urgent, possible)[0][hard].mean() <= budget:
            return float(urgent), possible
    return 1.0, possible


def cross_validate(items: list[Item], classes: list[str], encoder: str) -> tuple[float, float, dict]:
    rng = np.random.default_rng(7)
    fold = rng.integers(0, FOLDS, len(items))
    danger = np.zeros(len(items))
    kinds = [""] * len(items)
    for f in range(FOLDS):
        model = fit([i for i, k in zip(items, fold) if k != f], classes, encoder)
        for n in np.flatnonzero(fold == f):
            reading = model.read(items[n].vectors, items[n].rows)
            danger[n], kinds[n] = (reading.danger if items[n].words else 0.0), reading.kind
        print(f"  fold {f + 1}/{FOLDS} done", file=sys.stderr)
    crisis = np.array([i.label != SAFE for i in items])
    hard = np.array([i.hard for i in items])
    scraps = np.array([i.fragment for i in items])
    ordinary = ~crisis & ~hard & ~scraps
    long = ordinary & np.array([len(i.rows) > 1 for i in items])
    ruled = np.array([i.rule is not None for i in items])
    urgent, possible = choose(items, danger)
    is_urgent, any_line = tiers(items, danger, urgent, possible)
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
        "any line on long ordinary questions": float(any_line[long].mean()),
        "any line on scraps of questions": float(any_line[scraps].mean()),
        "ordinary questions, long ones, scraps": (int(ordinary.sum()), int(long.sum()), int(scraps.sum())),
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
    parser.add_argument("--cache", type=Path, help="keep the embeddings in this file between runs (they take minutes)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder of labelled messages (default {CORPUS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    bot = Bot.load(ROOT, strict=False)  # the detector file may be missing: this makes it
    ordinary = questions(bot)
    items = load_corpus(args.corpus) + ordinary + fragments(ordinary)
    classes = sorted({i.label for i in items} - {SAFE}) + [SAFE]
    print(f"{len(items)} messages; classes {classes}", file=sys.stderr)
    embed_all(bot, items, args.cache)
    encoder = embed.shared().digest
    urgent, possible, figures = cross_validate(items, classes, encoder)
    print(f"cross-validated ({FOLDS} folds): urgent >= {urgent:.3f}, possible >= {possible:.3f}")
    for name, value in figures.items():
        print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    if args.dry_run:
        return 0
    model = replace(fit(items, classes, encoder), urgent=urgent, possible=possible)
    MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    model.save(MODEL_FILE)
    print(f"wrote {MODEL_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
