"""The plain-words limits every answer is held to, and the one way of counting them.

Shared by the checks (bot/validate.py, bot/readability.py) and the acronym expander (bot/acronyms.py),
so an expansion is never added where the checker would then call the sentence too long.
"""

from __future__ import annotations

import re

MAX_SENTENCE_WORDS = 25
MAX_ANSWER_WORDS = 120
MIN_FLESCH = 60  # Flesch reading ease: 60 and above is plain English
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """Split wording into sentences; bullet lines count as their own sentence."""
    return [s.strip(" -*•\t") for s in _SENTENCE_END.split(text) if s.strip(" -*•\t")]


def sentence_around(text: str, position: int) -> str:
    """The sentence of `text` that holds `position`, split as `sentences` splits."""
    start = 0
    for found in _SENTENCE_END.finditer(text):
        if found.start() >= position:
            return text[start:found.start()].strip(" -*•\t")
        start = found.end()
    return text[start:].strip(" -*•\t")


def word_count(text: str) -> int:
    """Words separated by spaces: a web or email address counts as one word, like any other."""
    return len(text.split())


_LINK = re.compile(
    r"(?:\S+@\S+?|\S+\.(?:uk|org|com|net)\b\S*?)(?=[.,;:!?)]*(?:\s|$))"  # an address, not the full stop after it
    r"|\{\{.*?\}\}"
)


def as_read(text: str) -> str:
    """Text as the measures read it: each web or email address becomes 'the link', its full stop kept."""
    return _LINK.sub("the link", text)
