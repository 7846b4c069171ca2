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
def words() -> frozenset[str]:
    text = resources.files("symspellpy").joinpath(DICTIONARY).read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


def is_english(word: str) -> bool:
    return word in words()
