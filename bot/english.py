"""Which words are real English, so typo correction never turns one real word into another.

The list is symspellpy's English frequency dictionary (82,765 words from Google Books n-grams,
MIT), read from the installed package: 'rain' stays 'rain' even though the knowledge base only
knows 'train', while 'apeal' and 'skool', in no dictionary, may still be corrected.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

DICTIONARY = "frequency_dictionary_en_82_765.txt"


@lru_cache(maxsize=1)
def ranks() -> dict[str, int]:
    """Each word's place in the list, most frequent first: 'the' is 0, 'grace' about 3,800."""
    text = resources.files("symspellpy").joinpath(DICTIONARY).read_text(encoding="utf-8")
    return {line.split(" ", 1)[0]: i for i, line in enumerate(l for l in text.splitlines() if l)}


@lru_cache(maxsize=1)
def words() -> frozenset[str]:
    return frozenset(ranks())


def rank(word: str) -> int | None:
    """How common a word is in English books (lower is commoner); None if it is not in the list."""
    return ranks().get(word)


def is_english(word: str) -> bool:
    return word in words()
