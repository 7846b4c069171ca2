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

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from .decide import Candidate, decide
from .english import is_english
from .normalise import STOPWORDS, stem, words
from .schema import Thresholds
from .tfidf import Gathered, View, char_ngrams, ranges

WORD_WEIGHT = 0.6  # share of the word view in the blended similarity; the rest is character n-grams
# Words around a term in 'what does X mean?'-style questions; anything else makes it a real question.
FRAME_WORDS = frozenset(
    "what whats is are was a an the does do did mean meaning means meant stand stands for define definition "
    "explain abbreviation acronym short term word it this that please me tell you i".split()
)
AFTER_TERM = frozenset("mean means meaning stand stands".split())  # 'X mean', 'X stand for'
BEFORE_TERM = frozenset("define definition meaning".split())  # 'define X', 'meaning of X'
MAX_TERM_WORDS = 6
DEFINING = frozenset("what whats mean means meaning stand stands define".split())  # a clause that asks what a word is
_CLAUSES = re.compile(r"[,;:.?!]\s+|\s+-\s+")
# Words that show a message is about someone else's child, not the writer's own plan.
SOMEONE_ELSE = frozenset("son sons daughter daughters child childs children kid kids he him his she her boy girl dd ds grandson granddaughter "
                         "stepson stepdaughter teenager toddler twins youngest eldest".split())
# 'my 9 year old', 'our 15yo': a parent naming their child by age
_BY_AGE = re.compile(r"\b(?:my|our)\s+(?:\w+\s+)?\d{1,2}\s*(?:-\s*)?(?:years?|yrs?|y)?\s*(?:-\s*)?(?:old|o)\b", re.IGNORECASE)
MAX_SENTENCES = 6
MAX_TYPO_LETTERS = 24  # longer "words" (a key held down, a pasted link) are nobody's typo, and costly to compare
_SENTENCES = re.compile(r"(?<=[.?!])\s+|\n+|\s+-\s+")
_ASKS = re.compile(r"\s*(?:how|what|whats|when|where|who|why|which|can|could|do|does|is|are|will|would|should|may|am|has|have|any)\b", re.I)
NEAREST_WEIGHT = 0.45  # share of the nearest example in an intent's score; the rest is its centroid
# Above SHORTLIST_ABOVE examples (a knowledge base for many councils), character n-grams and the
# sentences of a long message are compared only with the examples of the SHORTLIST intents the word
# view ranks highest. Measured (make bench-scale): at 21,700 examples the full pass is quicker (p99
# 4.9 ms against 8.7 ms); at 214,000 it is not (28.9 ms against 18 ms). Leeds has about 2,300.
SHORTLIST_ABOVE = 50_000
SHORTLIST = 128


@dataclass(frozen=True)
class Match:
    """The matcher's decision and the evidence behind it."""

    kind: str  # answer | clarify | fallback
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    known: float = 1.0  # share of the message's topic words the bot recognises
    reason: str = ""  # why, from bot/decide.REASONS

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def _slips(word: str) -> int:
    """How many typing slips a word of this length may carry and still be corrected."""
    return 1 if len(word) < 6 else 2 if len(word) < 10 else 3


def sentences(text: str) -> list[str]:
    """The sentences of a message worth scoring on their own (three words or more), if it has two or more."""
    parts = [p for p in _SENTENCES.split(text) if len(p.split()) >= 3]
    return parts[:MAX_SENTENCES] if len(parts) >= 2 else []


def questions(parts: list[str]) -> list[str]:
    """The sentences that ask something ('...?', 'how do I...', 'can we...'), or all of them if none does:
    a parent's background ('he has autism') should not outvote what they ask ('can I apply myself?')."""
    asking = [p for p in parts if p.rstrip().endswith("?") or _ASKS.match(p)]
    return asking or parts


def about_someone_else(text: str, raw: Sequence[str]) -> bool:
    """'my son', 'she', 'my 9 year old': the writer asks about another person, not themselves."""
    return not SOMEONE_ELSE.isdisjoint(raw) or _BY_AGE.search(text) is not None


@lru_cache(maxsize=65536)
def _mark(word: str) -> str:
    """A word as the views see it: a common word marked with '_' (see Index.prepare), any other stemmed."""
    return "_" + word if word in STOPWORDS else stem(word)


def _blend(nearest: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    """An intent's score from its nearest example and its centroid."""
    return NEAREST_WEIGHT * nearest + (1 - NEAREST_WEIGHT) * centroid


def _content(doc: str) -> list[str]:
    tokens = doc.split()
    content = [t for t in tokens if not t.startswith("_")]
    return content or [t[1:] for t in tokens]


def word_units(doc: str) -> list[str]:
    """Every word on its own (pairs of words were tried: leave-one-out fell from 70.0% to 68.2%)."""
    return doc.split()


@dataclass(frozen=True)
class Shortlist:
    """The intents a message is compared with in full at national size, their examples gathered once."""

    keep: np.ndarray  # intent positions, ascending
    rows: np.ndarray  # their examples
    starts: np.ndarray  # where each kept intent's examples begin within rows
    words: Gathered
    chars: Gathered


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
        self.vocabulary = {w for k in self.phrases for w in k} | {w for v in self.phrases.values() for w in v}
        sizes: dict[str, set[int]] = {}
        for key in self.phrases:
            sizes.setdefault(key[0], set()).add(len(key))
        self.sizes = {first: sorted(found, reverse=True) for first, found in sizes.items()}  # longest phrase first

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """Rewrite every phrase, longest first, reading left to right."""
        sizes = self.sizes
        starts = [i for i, token in enumerate(tokens) if token in sizes]  # where a phrase can start
        if not starts:
            return list(tokens)
        out: list[str] = []
        done = 0  # tokens[:done] are handled
        for i in starts:
            if i < done:
                continue  # inside a phrase already rewritten
            for size in sizes[tokens[i]]:
                target = self.phrases.get(tuple(tokens[i : i + size])) if i + size <= len(tokens) else None
                if target is not None:
                    out.extend(tokens[done:i])
                    out.extend(target)
                    done = i + size
                    break
        out.extend(tokens[done:])
        return out


def _typo_of(word: str, known: set[str]) -> bool:
    """True when a word is one slip (two in long words) from a known word: how parents mistype, not a new word."""
    cutoff = 80 if len(word) < 7 else 75
    hit = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=cutoff)
    return bool(hit) and OSA.distance(word, hit[0]) <= _slips(word)


class Index:
    """All examples, vectorised once; `match` is then a couple of sparse products."""

    def __init__(self, examples: Iterable[tuple[str, str]], synonyms: dict[str, list[str]], thresholds: Thresholds,
                 exact: Iterable[tuple[str, str]] = (), whole_only: Iterable[str] = (), first_person: Iterable[str] = ()):
        """`exact` pairs (intent, phrase) win outright when a message is just that phrase, give or take
        question words: how glossary terms answer 'EHCP', 'EHCP?' and 'what does EHCP mean'."""
        exact = list(exact)
        pairs = sorted(((i, e) for i, e in examples if e and e.strip()), key=lambda p: p[0])  # each intent contiguous
        self.thresholds = thresholds
        self.lexicon = Lexicon(synonyms)
        tokenised = [words(e) for _, e in pairs]
        # Parents' own questions are examples too, typos and all: an example's word that is neither
        # English nor in the lexicon or a glossary term, and is one slip from a word that is, is a
        # typo, not a word to correct others to ("tribnal" must not catch "tribnual").
        used = {w for ws in tokenised for w in ws}
        trusted = {w for _, e in exact for w in words(e)} | self.lexicon.vocabulary
        plain_words = {w for w in used if w in trusted or not w.isalpha() or is_english(w)} | trusted
        # A short word no list has ("un", "de") is too easily another language's: it is not a word the bot knows.
        used = {w for w in used if len(w) >= 4 or w in plain_words}
        raw_vocab = plain_words | {w for w in used - plain_words if not _typo_of(w, plain_words)}
        self.vocabulary = sorted(w for w in raw_vocab if len(w) >= 3 and w.isalpha())
        self.vocab_set = set(raw_vocab)
        self.intents = sorted({i for i, _ in pairs})
        position = {intent: n for n, intent in enumerate(self.intents)}
        self.example_intent = np.array([position[i] for i, _ in pairs], dtype=np.int64)
        self.example_text = [e for _, e in pairs]
        self.starts = np.searchsorted(self.example_intent, np.arange(len(self.intents)))
        # Intents matched on the whole message only (chat like 'who are you' must not win from
        # one sentence of a long question: 'my son won't sleep... who do we talk to?').
        whole, own = set(whole_only), set(first_person)
        self.sentence_mask = np.array([i not in whole for i in self.intents], dtype=bool)
        # Intents written for young people about themselves: a parent asking about 'my son' wants the parents' answer.
        self.first_person = np.array([i in own for i in self.intents], dtype=bool)
        self._typo_cache: dict[str, str] = {}
        docs = [self._prepare_known([w if w in self.vocab_set else self._correct(w) for w in ws]) for ws in tokenised]
        self.exact: dict[str, str] = {}
        for intent, phrase in exact:
            self.exact.setdefault(self.key(phrase), intent)
        for intent, phrase in exact:  # and the same with synonyms applied, where that is not taken
            self.exact.setdefault(self._key(self._tokens(phrase)), intent)
        self.exact.pop("", None)
        self.words = self.chars = None
        self.shortlist = SHORTLIST if len(pairs) > SHORTLIST_ABOVE else 0  # 0: compare every example
        if docs:
            self.words = View(word_units, docs, self.example_intent, len(self.intents))
            # character 3-5-grams of topic words only: they catch broken and compound words
            self.chars = View(_content, docs, self.example_intent, len(self.intents), features=char_ngrams)
            if self.shortlist:
                self.words.by_row()
                self.chars.by_row(keep_columns=False)  # characters are only ever compared with a shortlist
        self.ends = np.append(self.starts[1:], len(self.example_text)).astype(np.int64)

    # -- text preparation -------------------------------------------------
    def _correct(self, word: str) -> str:
        """Map an unknown word to the closest known one, if it is close enough to be a typo.

        A real English word is never rewritten ('rain' is not a typo for 'train'), and a short word
        only by one slip of the finger."""
        if (word in self.vocab_set or len(word) < 4 or len(word) > MAX_TYPO_LETTERS or not word.isalpha() or not word.isascii()
                or is_english(word)):
            return word
        cached = self._typo_cache.get(word)
        if cached is not None:
            return cached
        if word.endswith("in") and word + "g" in self.vocab_set:  # "doin", "startin": a dropped g
            return word + "g"
        cutoff = 80 if len(word) < 7 else 75
        hit = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        fixed = hit[0] if hit and OSA.distance(word, hit[0]) <= _slips(word) else word  # a swapped pair is one slip
        if len(self._typo_cache) < 50000:
            self._typo_cache[word] = fixed
        return fixed

    def prepare(self, text: str) -> tuple[str, float]:
        """Return the comparable form of a text and the share of its topic words the bot knows.

        Common words are kept but marked with '_': they count as single words (so 'how are
        you' still meets itself) and never in pairs or character n-grams, so 'how do I apply
        for X' and 'how do I apply for Y' are not alike just by their shape.
        """
        return self._prepare(words(text))

    def correct(self, word: str) -> str:
        """A typed word as the matcher reads it: itself, or the known word it is a typo of."""
        return self._correct(word)

    def prepare_words(self, raw: list[str]) -> tuple[str, float]:
        """prepare() for a message already split into words (bot/message.Message holds them)."""
        return self._prepare(raw)

    def _prepare(self, raw: list[str]) -> tuple[str, float]:
        """prepare() for text already split into words (the examples are split once, at build)."""
        fixed = [self._correct(w) for w in raw]
        topical = [w for w in raw if w not in STOPWORDS and not w.isdigit()]
        # a word known as typed counts whole; one known only after correcting a typo counts half
        known = sum(1.0 if w == f else 0.5 for w, f in zip(raw, fixed) if w not in STOPWORDS and not w.isdigit() and f in self.vocab_set)
        return " ".join(map(_mark, self.lexicon.apply(fixed))), (known / len(topical) if topical else 1.0)

    def _prepare_known(self, raw: list[str]) -> str:
        """_prepare()'s text for words all in the vocabulary (the examples): nothing to correct or count."""
        return " ".join(map(_mark, self.lexicon.apply(raw)))

    def _tokens(self, text: str, synonyms: bool = True, raw: Sequence[str] | None = None) -> list[str]:
        fixed = [self._correct(w) for w in (words(text) if raw is None else raw)]
        return self.lexicon.apply(fixed) if synonyms else fixed

    @staticmethod
    def _key(tokens: Sequence[str]) -> str:
        return " ".join(sorted({stem(w) for w in tokens if w not in FRAME_WORDS}))

    def key(self, text: str) -> str:
        """The bare topic of a short question: 'what does SENCo stand for?' -> 'senco'."""
        return self._key(self._tokens(text, synonyms=False))

    def exact_hit(self, text: str, raw: Sequence[str] | None = None) -> str | None:
        """The exact intent a message asks about: 'EHCP?', 'what does AP mean when school say it'.

        Words are compared as typed first (so 'SEN' finds SEN, not SEND, its lexicon synonym),
        then with synonyms applied (so 'ehc plan' finds EHCP).
        """
        if not self.exact:
            return None
        if len(text) > 200 or _CLAUSES.search(text.strip(" ?!.")):
            # a term asked about at the end of a longer message: "SENCO wants SENIT in, what is SENIT?"
            last = _CLAUSES.split(text.strip(" ?!."))[-1]
            if last != text and DEFINING.intersection(words(last)) and len(last) <= 200:
                return self.exact_hit(last)
            if len(text) > 200:
                return None
        typed = self._tokens(text, synonyms=False, raw=raw)
        for tokens in (typed, self.lexicon.apply(typed)):
            hit = self.exact.get(self._key(tokens))
            if hit is not None:
                return hit
            for i in range(len(tokens)):
                for j in range(min(len(tokens), i + MAX_TERM_WORDS), i, -1):
                    after = tokens[j] if j < len(tokens) else ""
                    before = tokens[i - 1] if i > 0 else ""
                    before2 = tokens[i - 2] if i > 1 else ""
                    if after in AFTER_TERM or before in BEFORE_TERM or (before == "of" and before2 in BEFORE_TERM):
                        found = self.exact.get(self._key(tokens[i:j]))
                        if found is not None:
                            return found
        return None

    # -- scoring ----------------------------------------------------------
    def _combined(self, prepared: str, skip: int | None, shortlist: Shortlist | None = None) -> tuple[np.ndarray, Shortlist | None]:
        """Each intent's score for one prepared text: nearest example blended with the centroid.

        In a national knowledge base (self.shortlist) the character view compares only the examples
        of the intents the words view ranks highest, and that shortlist is returned; given one, both
        views compare its examples only (the sentences of a long message). Leaving an example out
        (`skip`, for measurement) always takes the full pass.
        """
        if self.shortlist and skip is None:
            return self._shortlisted(prepared, shortlist)
        n = len(self.intents)
        assert self.words is not None and self.chars is not None
        word_sims = self.words.similarities(prepared)
        char_sims = self.chars.similarities(prepared)
        centroid = WORD_WEIGHT * self.words.centroid(word_sims, self.example_intent, n, skip, self.starts)
        centroid += (1 - WORD_WEIGHT) * self.chars.centroid(char_sims, self.example_intent, n, skip, self.starts)
        sims = WORD_WEIGHT * word_sims + (1 - WORD_WEIGHT) * char_sims
        if skip is not None:
            sims[skip] = 0.0
        return _blend(np.maximum.reduceat(sims, self.starts), centroid), None

    def _shortlisted(self, prepared: str, shortlist: Shortlist | None) -> tuple[np.ndarray, Shortlist]:
        """_combined() for a national knowledge base, worked out on the shortlist's examples only.

        Off the shortlist an intent has no character score, so it scores by its words alone (and,
        for a sentence of a long message, not at all). The scores are the same numbers as the
        full-length pass gives (tests/test_matcher.py). After the first words pass only the
        shortlist's examples (~1% at 100x) are touched, gathered once per message for all its
        sentences: the slowest messages at 100x went from about 18 ms to about 12 ms.
        """
        assert self.words is not None and self.chars is not None
        n = len(self.intents)
        if shortlist is None:
            word_sims = self.words.similarities(prepared)
            word_nearest = np.maximum.reduceat(word_sims, self.starts)
            word_centroid = self.words.centroid(word_sims, self.example_intent, n, None, self.starts)
            rough = _blend(word_nearest, word_centroid)
            keep = np.sort(np.argpartition(-rough, self.shortlist)[: self.shortlist]) if n > self.shortlist else np.arange(n)
            shortlist = self._gather(keep)
            result = _blend(WORD_WEIGHT * word_nearest, WORD_WEIGHT * word_centroid)
            word_part = word_sims[shortlist.rows]
            word_centroid = word_centroid[keep]
        else:
            keep = shortlist.keep
            result = np.zeros(n)
            word_part = self.words.similarities_at(prepared, shortlist.words)
            word_centroid = self.words.centroid_at(word_part, shortlist.starts, keep)
        char_part = self.chars.similarities_at(prepared, shortlist.chars)
        centroid = WORD_WEIGHT * word_centroid
        centroid += (1 - WORD_WEIGHT) * self.chars.centroid_at(char_part, shortlist.starts, keep)
        sims = WORD_WEIGHT * word_part + (1 - WORD_WEIGHT) * char_part
        result[keep] = _blend(np.maximum.reduceat(sims, shortlist.starts), centroid)
        return result, shortlist

    def _gather(self, keep: np.ndarray) -> Shortlist:
        """The kept intents' examples, pulled out of both views once for the whole message."""
        assert self.words is not None and self.chars is not None
        sizes = self.ends[keep] - self.starts[keep]
        rows = ranges(self.starts[keep], self.ends[keep])
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        return Shortlist(keep, rows, starts, self.words.gather(rows), self.chars.gather(rows))

    def vector(self, text: str, skip: int | None = None, raw: list[str] | None = None,
               prepared: tuple[str, float] | None = None, parts: list[str] | None = None) -> tuple[np.ndarray | None, float]:
        """Every intent's lexical score for a message (in `self.intents` order), with the known-word share.

        An intent scores by a blend of its nearest example and its centroid (all its examples
        together), so an intent is not won by one lucky example. A message of several sentences
        is also scored sentence by sentence, and each intent keeps its best: a parent's question
        is often one sentence after several of background. `skip` hides one example (by position)
        exactly, for leave-one-out measurement.
        """
        raw = words(text) if raw is None else raw
        prepared, known = self._prepare(raw) if prepared is None else prepared
        if not prepared or self.words is None or self.chars is None:
            return None, known
        combined, shortlist = self._combined(prepared, skip)
        for part in questions(sentences(text) if parts is None else parts):
            piece = self.prepare(part)[0]
            if piece:
                part_scores = self._combined(piece, skip, shortlist)[0]
                combined = np.where(self.sentence_mask, np.maximum(combined, part_scores), combined)
        if self.first_person.any() and about_someone_else(text, raw):
            combined = np.where(self.first_person, combined * self.thresholds.about_someone_else, combined)
        return combined, known

    def scores(self, text: str, skip: int | None = None) -> tuple[list[Candidate], float]:
        """The eight best intents by their lexical score, best first, with the known-word share."""
        combined, known = self.vector(text, skip)
        if combined is None:
            return [], known
        order = np.argsort(-combined, kind="stable")[:8]
        return [Candidate(self.intents[i], round(float(combined[i]), 4)) for i in order if combined[i] > 0], known

    def match(self, text: str, skip: int | None = None) -> Match:
        """Decide on the lexical scores alone (the bot itself decides on bot/hybrid.Matcher's)."""
        ranked, known = self.scores(text, skip)
        hit = self.exact_hit(text)
        if hit is not None:
            rest = tuple(c for c in ranked if c.intent != hit)
            return Match("answer", (Candidate(hit, 1.0), *rest[:4]), known, "exact-term")
        decision = decide(ranked, known, self.thresholds)
        return Match(decision.kind, decision.candidates, known, decision.reason)
