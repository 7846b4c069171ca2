"""Spot a message about someone in danger before anything else runs: exact rules, never fuzzy scores.

A rule is a list of phrases (see the top of intents/crisis.yaml for how staff write them); each phrase
compiles to a word-bounded regular expression over the message in its plain form (normalise.plain).
Before the rules run, the message is prepared so that the ways people really type still meet them:

- look-alike characters inside words are read as letters: "k1ll", "su1c1de", "h@rm";
- "my self", "him self" are joined ("kill my self"), contractions are spelled out ("hasn't");
- a doubled or tripled letter is the same letter: phrases compile "kill" to k+i+l+, so "kil", "kiill";
- words may run together: "killmyself", "selfharm";
- a few distinctive words listed under `typo_tolerant` accept one slip (two in long words), by
  Damerau-Levenshtein distance on single words: "sucide", "suicdal", "myslef". This is an exact,
  bounded rule on one word, never a similarity score over the message. Only words with no everyday
  English neighbour belong in that list (not "missing": kissing; not "abused": amused);
- `not_crisis` phrases are then cut out ("school is killing me", "I'm not suicidal"), and every rule
  is tried on what is left, so the rest of the message is still checked.
"""

from __future__ import annotations

import re
import re._parser as _sre  # the standard library's own regex parser: the shape of a staff pattern, not a guess
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from .english import is_english
from .normalise import plain
from .schema import CrisisFile

GAP = r"(?:\s+\S+){0,4}?"  # '...' in a phrase: up to four words in between
SHORT_GAP = r"(?:\s+\S+){0,2}?"  # '..': up to two words
_GROUP = re.compile(r"<([a-z][a-z0-9_-]*)>")
_REGEX_SIGNS = re.compile(r"[\\()\[\]?+{}^$]")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_TOKEN = re.compile(r"[\w@$]+")  # one pass over the text: linear, even for a 4,096-letter word
_LEETY = re.compile(r"[0-9@$]")
# Contractions normalise.plain leaves alone, spelled out so rules need only one form.
_CONTRACTIONS = {
    "hasn't": "has not", "hasnt": "has not", "haven't": "have not", "havent": "have not", "hadn't": "had not",
    "wasn't": "was not", "wasnt": "was not", "weren't": "were not", "werent": "were not", "aren't": "are not",
    "arent": "are not", "ain't": "is not", "couldn't": "could not", "couldnt": "could not", "wouldn't": "would not",
    "wouldnt": "would not", "shouldn't": "should not", "i'd": "i would", "he'd": "he would", "she'd": "she would",
    "they'd": "they would", "we'd": "we would", "i'll": "i will", "he'll": "he will", "she'll": "she will",
    "they'll": "they will", "we'll": "we will", "it'll": "it will", "you'll": "you will", "you'd": "you would",
    "we're": "we are", "you're": "you are", "they've": "they have", "we've": "we have", "you've": "you have",
    "i'm": "i am", "dunno": "do not know",
}
_SPLIT_SELF = re.compile(r"\b(my|him|her|them|your|our|one|it) (self|selves)\b(?! ?(?:harm|injur))")


class RuleError(ValueError):
    """A phrase or pattern staff wrote cannot be compiled; the message says which and why."""


def _letters(word: str) -> str:
    """One word as a regex in which each letter may be typed once or several times."""
    out = []
    for i, ch in enumerate(word):
        if ch.isalpha():
            if i and word[i - 1] == ch:
                continue  # 'll' is one letter typed one or more times, like 'l'
            out.append(re.escape(ch) + "+")
        else:
            out.append(re.escape(ch))
    return "".join(out)


class Compiler:
    """Turns staff phrases into regular expressions, expanding named word groups."""

    def __init__(self, groups: dict[str, list[str]] | None = None):
        self.groups = groups or {}
        self._cache: dict[str, str] = {}
        self._busy: set[str] = set()

    def group(self, name: str) -> str:
        if name in self._cache:
            return self._cache[name]
        if name not in self.groups:
            raise RuleError(f"<{name}> is not defined under 'groups'")
        if name in self._busy:
            raise RuleError(f"<{name}> refers to itself")
        self._busy.add(name)
        try:
            compiled = "(?:" + "|".join(self.chunks(p) for p in self.groups[name]) + ")"
        finally:
            self._busy.discard(name)
        self._cache[name] = compiled
        return compiled

    def token(self, token: str) -> str:
        """One space-free token: 'word', 'stem*', 'a|b|c', '<group>', or a mix joined by '|'."""
        options = []
        for option in token.split("|"):
            named = _GROUP.fullmatch(option)
            if named:
                options.append(self.group(named.group(1)))
                continue
            stemmed = option.endswith("*")
            normal = plain_words(option.rstrip("*")).split()
            if not normal:
                continue
            compiled = r"\s*".join(_letters(w) for w in normal)
            options.append(compiled + (r"\w*" if stemmed else ""))
        if not options:
            raise RuleError(f"'{token}' has no letters in it")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def words(self, phrase: str) -> str:
        """A run of tokens without '...'; '!a|b' after a word means 'not followed by a or b'."""
        pieces: list[str] = []
        for token in phrase.split():
            if token.startswith("!"):
                if not pieces:
                    raise RuleError(f"'{phrase}': '!' must follow a word")
                pieces[-1] += r"(?!\s*" + self.token(token[1:]) + r"\b)"
            else:
                pieces.append(self.token(token))
        if not pieces:
            raise RuleError(f"'{phrase}' is empty")
        return r"\s*".join(pieces)

    def chunks(self, phrase: str) -> str:
        """Runs of words joined by gaps: '...' allows up to four words in between, '..' up to two."""
        long_parts = []
        for chunk in phrase.split("..."):
            short = [self.words(c) for c in chunk.split("..") if c.strip()]
            if short:
                long_parts.append((SHORT_GAP + r"\s+").join(short))
        if not long_parts:
            raise RuleError(f"'{phrase}' is empty")
        return (GAP + r"\s+").join(long_parts)

    def phrase(self, phrase: str) -> str:
        """'kill* ... <self>' -> a word-bounded regex."""
        return r"\b" + self.chunks(phrase) + r"\b"

    def pattern(self, pattern: str) -> str:
        """A raw regular expression, in which <group> stands for that group's words."""
        return _GROUP.sub(lambda m: self.group(m.group(1)), pattern)


@lru_cache(maxsize=4096)
def _deleet(token: str) -> str:
    letters = sum(ch.isalpha() for ch in token)
    return token.translate(_LEET) if letters >= 2 else token


def plain_words(text: str) -> str:
    """plain() plus the crisis-only folds, shared by phrases and messages so both meet the same way:
    contractions spelled out, "son's" read as "son s", "my self" joined to "myself"."""
    out = []
    for word in plain(text).split():
        word = _CONTRACTIONS.get(word, word)
        if word.endswith("'s") and len(word) > 2:
            word = word[:-2] + " s"
        out.append(word)
    return _SPLIT_SELF.sub(r"\1\2", " ".join(out))


def prepare(text: str) -> str:
    """The message as the rules see it: look-alikes read as letters, then plain_words."""
    return plain_words(_TOKEN.sub(_deleet_token, text or ""))


def _deleet_token(m: re.Match[str]) -> str:
    token = m.group(0)
    return _deleet(token) if _LEETY.search(token) else token


_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))


def _nested_repeat(sub: _sre.SubPattern, inside: bool = False) -> bool:
    """True when an unbounded repeat sits inside another ('(a+)+', '(?:\\w+\\s?)*'): the shape that
    makes a regular expression take seconds, doubling with each letter, on a message that almost matches."""
    for op, av in sub:
        if op in _REPEATS:
            unbounded = av[1] == _sre.MAXREPEAT
            if (unbounded and inside) or _nested_repeat(av[2], inside or unbounded):
                return True
        elif op is _sre.SUBPATTERN and _nested_repeat(av[-1], inside):
            return True
        elif op is _sre.BRANCH and any(_nested_repeat(b, inside) for b in av[1]):
            return True
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT) and _nested_repeat(av[1], inside):
            return True
    return False


def slow_shape(pattern: str) -> str | None:
    """Why a staff-written pattern could stall the bot, or None."""
    try:
        parsed = _sre.parse(pattern)
    except re.error:
        return None  # reported as not compiling
    if _nested_repeat(parsed):
        return ("a repeat inside a repeat (like '(a+)+') can take minutes on some messages; "
                "write it as a phrase, or bound the outer repeat, e.g. {0,4}")
    return None


def _compiled(alternatives: list[str]) -> re.Pattern[str] | None:
    """The alternatives that compile, joined; one broken pattern (which `sendbot check` reports with its
    line) never stops the others from protecting anyone."""
    good = []
    for a in alternatives:
        try:
            re.compile(a)
        except re.error:
            continue
        good.append(a)
    return re.compile("|".join(f"(?:{a})" for a in good)) if good else None


@dataclass(frozen=True)
class CrisisDetector:
    """Compiled crisis rules; `check` returns the id of the rule that fired, or None."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    masks: tuple[re.Pattern[str], ...]
    typo_words: tuple[str, ...] = ()
    topics: frozenset[str] = frozenset()  # matched words that name a danger as a subject ('topics')
    over: re.Pattern[str] | None = None  # phrases that place an incident in the past or in a plan ('over')
    _typo_cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_file(cls, crisis: CrisisFile) -> "CrisisDetector":
        compiler = Compiler(crisis.groups)
        rules = []
        def compiled(texts: list[str], compile_one) -> list[str]:
            out = []
            for text in texts:
                try:
                    regex = compile_one(text)
                except RuleError:
                    continue  # reported by `sendbot check`, with its line
                if compile_one == compiler.pattern and slow_shape(regex):
                    continue  # refused by check: never run a pattern that could stall every chat
                out.append(regex)
            return out

        for rule in crisis.rules:
            joined = _compiled(compiled(rule.phrases, compiler.phrase) + compiled(rule.patterns, compiler.pattern))
            if joined is not None:
                rules.append((rule.id, joined))
        masks = tuple(m for m in (_compiled([a]) for a in compiled(crisis.not_crisis, compiler.phrase)) if m is not None)
        typo = tuple(sorted({plain(w) for w in crisis.typo_tolerant if plain(w)}))
        topics = frozenset(" ".join(prepare(t).split()) for t in crisis.topics)
        over = _compiled(compiled(crisis.over, compiler.phrase))
        return cls(tuple(rules), masks, typo, topics, over)

    @staticmethod
    def problems(crisis: CrisisFile) -> list[str]:
        """Every phrase or pattern that will not compile, for the tests; `sendbot check` uses `findings`."""
        return [f"{where}: '{text}': {message}" for where, text, message in CrisisDetector.findings(crisis)]

    @staticmethod
    def findings(crisis: CrisisFile) -> list[tuple[str, str, str]]:
        """(where, the phrase or pattern as staff wrote it, what is wrong) for every rule that will not compile
        or could stall the bot."""
        compiler = Compiler(crisis.groups)
        found = []
        items = [(f"rule '{r.id}'", p, compiler.phrase) for r in crisis.rules for p in r.phrases]
        items += [(f"rule '{r.id}'", p, compiler.pattern) for r in crisis.rules for p in r.patterns]
        items += [("not_crisis", p, compiler.phrase) for p in crisis.not_crisis]
        items += [("over", p, compiler.phrase) for p in crisis.over]
        for where, text, compile_one in items:
            try:
                regex = compile_one(text)
                re.compile(regex)
            except (RuleError, re.error) as exc:
                found.append((where, text, str(exc)))
                continue
            slow = slow_shape(regex) if compile_one == compiler.pattern else None
            if slow:
                found.append((where, text, slow))
        for rule in crisis.rules:
            for pattern in rule.patterns:
                if not _REGEX_SIGNS.search(_GROUP.sub("", pattern)):
                    found.append((f"rule '{rule.id}'", pattern, "is under 'patterns' but looks like a phrase; move it to 'phrases'"))
        return found

    def _fix_typo(self, word: str) -> str:
        """A word one slip away from a listed distinctive word (two in words of 10+ letters that are not
        English words themselves) becomes it."""
        if len(word) < 5 or not word.isalpha() or word in self.typo_words:
            return word
        if word in self._typo_cache:
            return self._typo_cache[word]
        fixed = word
        real = is_english(word)  # "struggling" is two slips from "strangling", but it is a word of its own
        for target in self.typo_words:
            if abs(len(target) - len(word)) > 2:
                continue
            limit = 1 if real else 2 if len(target) >= 10 else 1
            if OSA.distance(word, target, score_cutoff=limit) <= limit:
                fixed = target
                break
        if len(self._typo_cache) < 20000:
            self._typo_cache[word] = fixed
        return fixed

    def normal(self, text: str) -> str:
        """The message after preparation, typo fixes and masks: what the rules are tried on."""
        normal = prepare(text)
        if self.typo_words:
            normal = " ".join(self._fix_typo(w) for w in normal.split())
        for mask in self.masks:
            normal = mask.sub(" ", normal)
        return " " + " ".join(normal.split()) + " "

    def why(self, text: str) -> tuple[str, str] | None:
        """The rule that fired and the words that fired it, or None."""
        normal = self.normal(text)
        for rule_id, pattern in self.rules:
            found = pattern.search(normal)
            if found:
                return rule_id, found.group(0).strip()
        return None

    def doubtable(self, text: str, words: str) -> bool:
        """A hit the learned detector may downgrade: a bare topic word, or a message that says the incident is over."""
        return words in self.topics or bool(self.over and self.over.search(self.normal(text)))

    def check(self, text: str) -> str | None:
        hit = self.why(text)
        return hit[0] if hit else None
