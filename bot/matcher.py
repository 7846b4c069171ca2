"""Decide which intent a message means, or that we do not know: pure, built once, fast per message.

How a message is scored:
1. normalise (Unicode, case, quotes, contractions) and correct typos against the examples'
   own vocabulary with rapidfuzz (what fuzzy matching is best at);
2. rewrite synonyms and acronyms to one canonical word from the lexicon, then stem;
3. compare with every example by TF-IDF cosine over words (so informative words count more than
   'what' and 'my') and over character n-grams (so broken words still meet);
4. each intent scores by its nearest examples; the decision then follows the thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalise import STOPWORDS, stem, words
from .schema import Thresholds

WORD_WEIGHT = 0.6  # share of the word view in the blended similarity; the rest is character n-grams
TOP_EXAMPLES = 2  # an intent's score blends its best few examples, so one lucky example weighs less


@dataclass(frozen=True)
class Candidate:
    """One intent and how well the message matched it."""

    intent: str
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's decision and the evidence behind it."""

    kind: str  # answer | clarify | fallback
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    known: float = 1.0  # share of the message's topic words the bot recognises

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Lexicon:
    """Rewrites every way of saying a thing (EHC plan, education health and care plan) to one word."""

    def __init__(self, synonyms: dict[str, list[str]]):
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in synonyms.items():
            target = tuple(words(canonical))
            for variant in [canonical, *variants]:
                key = tuple(words(variant))
                if key:
                    self.phrases[key] = target
        self.longest = max((len(k) for k in self.phrases), default=1)
        self.vocabulary = {w for k in self.phrases for w in k} | {w for v in self.phrases.values() for w in v}

    def apply(self, tokens: Sequence[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                target = self.phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out


class Index:
    """All examples, vectorised once; `match` is then a couple of sparse products."""

    def __init__(self, examples: Iterable[tuple[str, str]], synonyms: dict[str, list[str]], thresholds: Thresholds):
        pairs = [(i, e) for i, e in examples if e and e.strip()]
        self.thresholds = thresholds
        self.lexicon = Lexicon(synonyms)
        raw_vocab = {w for _, e in pairs for w in words(e)} | self.lexicon.vocabulary
        self.vocabulary = sorted(w for w in raw_vocab if len(w) >= 3 and w.isalpha())
        self.vocab_set = set(raw_vocab)
        self.intents = sorted({i for i, _ in pairs})
        position = {intent: n for n, intent in enumerate(self.intents)}
        self.example_intent = np.array([position[i] for i, _ in pairs], dtype=np.int32)
        self.example_text = [e for _, e in pairs]
        docs = [self.prepare(e)[0] for _, e in pairs]
        self.word_vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+", min_df=1)
        self.char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
        self.word_x = self.word_vec.fit_transform(docs).tocsr() if docs else None
        self.char_x = self.char_vec.fit_transform(docs).tocsr() if docs else None
        self._typo_cache: dict[str, str] = {}

    # -- text preparation -------------------------------------------------
    def _correct(self, word: str) -> str:
        """Map an unknown word to the closest known one, if it is close enough to be a typo."""
        if word in self.vocab_set or len(word) < 4 or not word.isalpha() or not word.isascii():
            return word
        cached = self._typo_cache.get(word)
        if cached is not None:
            return cached
        cutoff = 80 if len(word) < 7 else 75
        hit = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        fixed = hit[0] if hit else word
        if len(self._typo_cache) < 50000:
            self._typo_cache[word] = fixed
        return fixed

    def prepare(self, text: str) -> tuple[str, float]:
        """Return the comparable form of a text and the share of its topic words the bot knows."""
        raw = words(text)
        fixed = [self._correct(w) for w in raw]
        topical = [w for w in raw if w not in STOPWORDS and not w.isdigit()]
        known = sum(1 for w, f in zip(raw, fixed) if w not in STOPWORDS and not w.isdigit() and f in self.vocab_set)
        tokens = [stem(w) for w in self.lexicon.apply(fixed)]
        return " ".join(tokens), (known / len(topical) if topical else 1.0)

    # -- scoring ----------------------------------------------------------
    def scores(self, text: str) -> tuple[list[Candidate], float]:
        """Every intent's score for a message, best first, with the known-word share."""
        prepared, known = self.prepare(text)
        if not prepared or self.word_x is None:
            return [], known
        q_word = self.word_vec.transform([prepared])
        q_char = self.char_vec.transform([prepared])
        sims = WORD_WEIGHT * (self.word_x @ q_word.T).toarray().ravel()
        sims += (1 - WORD_WEIGHT) * (self.char_x @ q_char.T).toarray().ravel()
        return self._per_intent(sims), known

    def _per_intent(self, sims: np.ndarray) -> list[Candidate]:
        order = np.argsort(-sims, kind="stable")
        best: dict[int, list[float]] = {}
        for idx in order[: max(50, 8 * TOP_EXAMPLES)]:
            bucket = best.setdefault(int(self.example_intent[idx]), [])
            if len(bucket) < TOP_EXAMPLES:
                bucket.append(float(sims[idx]))
        ranked = []
        for intent, vals in best.items():
            top = vals[0]
            rest = vals[1] if len(vals) > 1 else 0.0
            ranked.append(Candidate(self.intents[intent], round(0.8 * top + 0.2 * rest, 4)))
        ranked.sort(key=lambda c: (-c.score, c.intent))
        return ranked

    def match(self, text: str, exclude: frozenset[str] = frozenset()) -> Match:
        """Decide: answer, clarify (close options) or fallback."""
        ranked, known = self.scores(text)
        ranked = [c for c in ranked if c.intent not in exclude]
        t = self.thresholds
        top = ranked[: t.max_options + 2]
        if not top:
            return Match("fallback", (), known)
        best = top[0]
        adjusted = best.score * (0.5 + 0.5 * known) if known < t.min_known_words else best.score
        second = top[1].score if len(top) > 1 else 0.0
        if adjusted >= t.answer and best.score - second >= t.margin:
            return Match("answer", tuple(top), known)
        close = [c for c in top if c.score >= t.clarify and best.score - c.score <= t.clarify_window][: t.max_options]
        if adjusted >= t.clarify and len(close) >= 2:
            return Match("clarify", tuple(close) + tuple(c for c in top if c not in close), known)
        if adjusted >= t.answer and len(close) < 2:
            return Match("answer", tuple(top), known)
        return Match("fallback", tuple(top), known)

