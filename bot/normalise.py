"""Turn what a parent typed into comparable words: one place, so examples and messages are treated alike."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("english")

# Contractions and text-speak parents use, rewritten so they meet the words in the examples.
_SHORTHAND = {
    "im": "i am", "i'm": "i am", "ive": "i have", "i've": "i have", "dont": "do not", "don't": "do not",
    "doesnt": "does not", "doesn't": "does not", "cant": "can not", "can't": "can not", "cannot": "can not",
    "wont": "will not", "won't": "will not", "isnt": "is not", "isn't": "is not", "didnt": "did not",
    "didn't": "did not", "hes": "he is", "he's": "he is", "shes": "she is", "she's": "she is",
    "whats": "what is", "what's": "what is", "wats": "what is", "wat": "what", "u": "you", "ur": "your",
    "pls": "please", "plz": "please", "thx": "thanks", "ty": "thank you", "r": "are", "y": "why",
    "b4": "before", "2day": "today", "gonna": "going to", "wanna": "want to", "aswell": "as well",
    "it's": "it is", "its": "it is", "theyre": "they are", "they're": "they are", "kid": "child",
    "kids": "children", "kiddo": "child", "ds": "son", "dd": "daughter", "lo": "child",
    # more text-speak and dialect, as parents type on phones
    "wot": "what", "wen": "when", "hw": "how", "whos": "who is", "sez": "says", "wiv": "with", "thru": "through",
    "cos": "because", "coz": "because", "cuz": "because", "becos": "because", "bc": "because", "bout": "about",
    "abt": "about", "dunno": "do not know", "owt": "anything", "nowt": "nothing", "summat": "something",
    "tbh": "to be honest", "atm": "at the moment", "asap": "as soon as possible", "appt": "appointment",
    "sch": "school", "skool": "school", "yr": "year", "yrs": "years", "hrs": "hours", "wk": "week", "wks": "weeks",
    "mths": "months", "ppl": "people", "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not",
    "havent": "have not", "hasnt": "has not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "aint": "is not", "gotta": "got to", "kinda": "kind of", "tho": "though", "msg": "message",
    "wots": "what is", "sed": "said", "cn": "can", "luv": "love", "pple": "people",
}

_SHORTHAND_WORDS = {raw: tuple(full.split()) for raw, full in _SHORTHAND.items()}

# Words so common in questions that they say nothing about the topic.
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with by from as is are was were be been being am do does did "
    "i me my we our us you your he him his she her they them their it this that these those there here "
    "so if then than just really very also too any some all can could would should will shall may might must "
    "have has had get got getting about into over up out what how when where who which why please not "
    "going want wants need needs know tell said say".split()
)


def clean(text: str) -> str:
    """Unicode-normalise, lower-case, straighten quotes; keep letters of every script."""
    if not text:
        return ""
    if text.isascii():  # NFKC and the quote table change nothing in ASCII, and casefold is lower
        return text.lower()
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()


def words(text: str) -> list[str]:
    """Split cleaned text into words, expanding shorthand and contractions."""
    found = _WORD.findall(clean(text))
    if _SHORTHAND_WORDS.keys().isdisjoint(found):
        return found
    out: list[str] = []
    for raw in found:
        full = _SHORTHAND_WORDS.get(raw)
        if full is None:
            out.append(raw)
        else:
            out.extend(full)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold word endings (plural, -ing, -ed) so 'cancelling' meets 'cancel'."""
    if not word.isascii() or word.isdigit() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(word)


_SHORTHAND_TYPED = re.compile(r"(?<![\w'])(" + "|".join(sorted(map(re.escape, _SHORTHAND), key=len, reverse=True)) + r")(?![\w'])",
                              re.IGNORECASE)


def spelled_out(text: str) -> str:
    """The text as typed, punctuation and all, with text-speak and contractions written out: what the
    sentence-embedding model reads, since it learned from written English ("hw do u" -> "how do you")."""
    return _SHORTHAND_TYPED.sub(lambda m: _SHORTHAND[m.group(1).casefold()], text)


def plain(text: str) -> str:
    """Words joined by single spaces: the form lexicon phrases and crisis phrases are matched against."""
    return " ".join(words(text))
