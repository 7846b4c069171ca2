"""A parent's message, prepared once: every stage reads the same words, sentences and embedding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .reply import Who

MAX_CHARS = 4096  # longest message we read in full; Telegram's own limit


@dataclass
class Message:
    """What a stage needs of one message; the expensive parts are worked out on first use, then kept."""

    text: str  # as typed, stripped
    who: Who
    words: list[str] = field(default_factory=list)  # normalise.words of the first MAX_CHARS characters
    lexical: str = ""  # the matcher's prepared form (typos corrected, synonyms applied, stemmed)
    known: float = 1.0  # share of its topic words the bot recognises
    sentences: list[str] = field(default_factory=list)  # when it has two or more worth scoring alone
    safety_line: str = ""  # set by the crisis stage when someone may be at risk: goes above any reply
    language: str = "und"  # decided once, by the language stage ("en" or another code); "und" before it runs
    _embed: Callable[["Message"], np.ndarray] | None = field(default=None, repr=False)
    _vectors: np.ndarray | None = field(default=None, repr=False)

    @property
    def clipped(self) -> str:
        return self.text[:MAX_CHARS]

    @property
    def vectors(self) -> np.ndarray:
        """The message's embedding (row 0) and each of its sentences' (rows 1...), computed once."""
        if self._vectors is None:
            assert self._embed is not None, "this message was prepared without an encoder"
            self._vectors = self._embed(self)
        return self._vectors
