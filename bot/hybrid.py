"""The matcher parents meet: word evidence and meaning evidence, weighed by a learned blend, then decided.

Lexical views (bot/matcher.Index) catch the exact words of the trade: SILC, SENSAP, EOTAS. The
sentence embeddings (bot/semantic.py) catch the same question in other words: "the minibus never
turned up" for a transport complaint. A softmax over per-intent logits, with a "nothing fits"
logit beside them, turns the evidence into probabilities (weights from intents/calibration.yaml,
learned by `sendbot calibrate` on held-out examples), and bot/decide.py makes the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .decide import Candidate, Decision, decide
from .embed import Encoder
from .matcher import Index, Match, about_someone_else, questions, sentences
from .message import MAX_CHARS, Message
from .reading import Reader
from .reply import Who
from .normalise import words
from .schema import Blend, Thresholds
from .semantic import Closeness, SemanticIndex

FEATURES = ("lexical", "nearest", "centroid", "entry")
TOP = 8  # candidates kept for the decision and the unanswered log
EXCLUDED = -10.0  # a feature value no real evidence reaches (cosines are >= -1): the intent gets no probability
SHORT_QUESTION = 5  # words; up to this, a message naming a term may be asking what it is ("SALT??", "wot is a pa")
ASKS_MEANING = frozenset("mean means meaning meant stand stands define definition acronym abbreviation".split())
WHAT_IS = {("what", "is"), ("what", "are"), ("what", "was"), ("is", "that"), ("who", "is"), ("who", "are"),
           ("what", "does"), ("difference", "between")}


def asks_what_something_is(raw: list[str]) -> bool:
    """'what does X mean', 'what is the X', 'is that the...': a question about a word or a thing itself."""
    return not ASKS_MEANING.isdisjoint(raw) or any(pair in WHAT_IS for pair in zip(raw, raw[1:]))


@dataclass(frozen=True)
class Evidence:
    """Per intent: the four features, the known-word share, and the exact glossary hit if any."""

    features: np.ndarray  # (intents, len(FEATURES))
    known: float
    exact: str | None


class Matcher:
    """Ranks every intent for a message and decides; `match(text)` is all a channel needs."""

    def __init__(self, index: Index, semantic: SemanticIndex, encoder: Encoder, blend: Blend, thresholds: Thresholds,
                 reader: Reader | None = None, glossary: Iterable[str] = ()):
        """`glossary`: the intents of glossary terms, which a message must ask about to win."""
        self.index = index
        self.reader = reader or Reader(())
        self.semantic = semantic
        self.encoder = encoder
        self.blend = blend
        self.thresholds = thresholds
        self.weights = np.array([getattr(blend, f) for f in FEATURES], dtype=np.float64)
        self.intents = index.intents
        terms = set(glossary)
        self.glossary = np.array([i in terms for i in index.intents], dtype=bool)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["encoder"] = None  # the model is reloaded from the package, never pickled
        return state

    def __setstate__(self, state: dict) -> None:
        from .embed import shared

        self.__dict__.update(state)
        self.encoder = shared()

    def queries(self, message: Message) -> np.ndarray:
        """The message's embedding (row 0), then each sentence's when it has several.

        A long message is embedded sentence by sentence, and the whole is their mean: the same
        meaning for about half the work of embedding it twice."""
        parts = message.sentences
        if not parts:
            return self.encoder.encode_many([self.reader.read(message.clipped)])
        rows = self.encoder.encode_many([self.reader.read(p) for p in parts])
        whole = rows.mean(axis=0)
        whole /= max(float(np.linalg.norm(whole)), 1e-9)
        return np.vstack([whole[None, :], rows])

    @staticmethod
    def asking_rows(message: Message) -> list[int]:
        """The rows of message.vectors the matcher compares: the whole, then the sentences that ask."""
        asking = set(questions(message.sentences)) if message.sentences else set()
        return [0] + [1 + i for i, p in enumerate(message.sentences) if p in asking]

    def prepare(self, text: str, who: Who | None = None) -> Message:
        """The message every stage shares: words, the lexical form, known-word share and sentences once."""
        clipped = text[:MAX_CHARS]
        raw = words(clipped)
        lexical, known = self.index.prepare_words(raw)
        return Message(text, who or Who(), raw, lexical, known, sentences(clipped), _embed=self.queries)

    def match_message(self, message: Message) -> Match:
        """match() for a message already prepared (Bot.handle): nothing is worked out twice."""
        return self._decide(self.evidence(message))

    def evidence(self, message: Message | str, skip: int | None = None, vectors: np.ndarray | None = None) -> Evidence | None:
        """Everything the blend weighs, for one message; None when it has no words at all.

        `skip` hides one example and `vectors` stands in for the message's embedding (leave-one-out)."""
        if isinstance(message, str):
            message = self.prepare(message)
        text, raw = message.clipped, message.words
        lexical, known = self.index.vector(text, skip, raw, (message.lexical, message.known), message.sentences)
        if lexical is None:
            return None
        queries = message.vectors[self.asking_rows(message)] if vectors is None else vectors
        close: Closeness = self.semantic.closeness(queries, skip, self.index.sentence_mask)
        features = np.stack([lexical, close.nearest, close.centroid, close.entry], axis=1)
        if self.index.first_person.any() and about_someone_else(text, raw):
            features[self.index.first_person, 1:] *= self.thresholds.about_someone_else
        exact = self.index.exact_hit(text, raw) if skip is None else None
        if self.glossary.any() and len(raw) > SHORT_QUESTION and not asks_what_something_is(raw):
            features[self.glossary] = EXCLUDED  # a term named in passing is not a question about the term
        return Evidence(features, known, exact)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Softmax over the intents' logits and 'nothing fits'; returns the intents' share."""
        logits = features @ self.weights
        top = max(float(logits.max()), self.blend.none)
        shares = np.exp(logits - top)
        return shares / (shares.sum() + np.exp(self.blend.none - top))

    def ranked(self, found: Evidence | None) -> tuple[list[Candidate], float, str | None]:
        if found is None:
            return [], 1.0, None
        probs = self.probabilities(found.features)
        order = np.argsort(-probs, kind="stable")[:TOP]
        ranked = [Candidate(self.intents[i], round(float(probs[i]), 4)) for i in order]
        return ranked, found.known, found.exact

    def rank(self, text: str, skip: int | None = None, vectors: np.ndarray | None = None) -> tuple[list[Candidate], float, str | None]:
        return self.ranked(self.evidence(text, skip, vectors))

    def match(self, text: str, skip: int | None = None) -> Match:
        """Decide: answer, clarify (close options) or fallback, with the reason.

        `skip` hides one example (by position), words and meaning, for leave-one-out measurement."""
        vectors = self.semantic.examples[skip : skip + 1] if skip is not None else None
        return self._decide(self.evidence(text, skip, vectors))

    def _decide(self, found: Evidence | None) -> Match:
        ranked, known, exact = self.ranked(found)
        if exact is not None:
            rest = tuple(c for c in ranked if c.intent != exact)
            return Match("answer", (Candidate(exact, 1.0), *rest[:4]), known, "exact-term")
        decision: Decision = decide(ranked, known, self.thresholds)
        return Match(decision.kind, decision.candidates, known, decision.reason)
