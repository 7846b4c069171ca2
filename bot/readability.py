"""How easy each answer is to read, as parents receive it, so staff can see which ones need plainer words.

`sendbot check` measures every entry's answer as sent: placeholders filled, acronyms expanded, the
title line and the footer apart. Over the limits of bot/limits.py (Flesch reading ease under 60, or
70 for answers written for young people; a sentence over 25 words; an answer over 120 words) is an
error, and so is a contact's number given twice in one reply. These errors are for `sendbot check`
(and so for `make test` and staff): they do not stop a running bot from loading its knowledge.
"""

from __future__ import annotations

import statistics
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

with warnings.catch_warnings():  # textstat 0.7.4 imports pkg_resources, which warns on every run
    warnings.simplefilter("ignore")
    import textstat

from .knowledge import TEMPLATE_DIR, TRANSLATIONS, Page
from .limits import MAX_ANSWER_WORDS, MAX_SENTENCE_WORDS, MIN_FLESCH, as_read, sentences, word_count
from .loader import Problem

if TYPE_CHECKING:
    from .core import Bot

MIN_FLESCH_YOUNG = 70  # answers for young people themselves: words a 12-year-old can follow
FALLBACK_REASONS = ("unknown", "out-of-scope", "slow", "language", "empty", "no-words")


@dataclass(frozen=True)
class Score:
    """Readability of one answer."""

    id: str
    flesch: float
    words: int
    words_per_sentence: float
    longest_sentence: int
    longest: str = ""  # the longest sentence itself, to quote to staff


def measure(entry_id: str, text: str) -> Score:
    """Flesch reading ease (higher is easier; 60+ is plain English) and sentence lengths of `text`."""
    text = as_read(text)
    parts = sentences(text) or [""]
    lengths = [word_count(s) for s in parts]
    # textstat counts sentences by full stops; bullet lines without one would merge, so end each line.
    prepared = " ".join(p if p.endswith((".", "!", "?", ":")) else p + "." for p in parts)
    longest = max(range(len(parts)), key=lengths.__getitem__)
    return Score(entry_id, round(textstat.flesch_reading_ease(prepared), 1), word_count(text),
                 round(sum(lengths) / len(lengths), 1), lengths[longest], parts[longest])


def score(page: Page) -> Score:
    """The answer as staff wrote it (placeholders filled), before acronyms are expanded."""
    return measure(page.id, page.answer)


def sent_answer(bot: "Bot", page: Page) -> str:
    """The answer as the bot sends it, without its title line and footer."""
    body = bot.page_reply(page).body
    return body[len(page.title):].strip() if body.startswith(page.title) else body


def sent_scores(bot: "Bot") -> list[Score]:
    """Every entry's answer measured as sent."""
    return [measure(entry_id, sent_answer(bot, bot.pages[entry_id])) for entry_id in bot.bundle.entries if entry_id in bot.pages]


def summary(scores: list[Score]) -> dict[str, float]:
    if not scores:
        return {"answers": 0, "median_flesch": 0.0, "median_words_per_sentence": 0.0, "longest_sentence": 0}
    return {
        "answers": len(scores),
        "median_flesch": round(statistics.median(s.flesch for s in scores), 1),
        "median_words_per_sentence": round(statistics.median(s.words_per_sentence for s in scores), 1),
        "longest_sentence": max(s.longest_sentence for s in scores),
    }


def _quote(sentence: str) -> str:
    return sentence if len(sentence) < 70 else sentence[:67] + "..."


def limit_problems(bot: "Bot", scores: list[Score] | None = None) -> list[Problem]:
    """Errors for each answer, as sent, over the plain-words limits.

    Where the load checks (bot/validate.py) already call the answer as written too long, that is not
    said twice: fix it first, then `sendbot check` measures the rest."""
    problems = []
    for s in scores if scores is not None else sent_scores(bot):
        located, page = bot.bundle.entries[s.id], bot.pages[s.id]
        where = (located.path, located.line)
        written = score(page)
        least = MIN_FLESCH_YOUNG if page.audience == "young-people" else MIN_FLESCH
        if s.flesch < least:
            problems.append(Problem(*where, f"entry '{s.id}' as sent: Flesch reading ease {s.flesch} (at least {least}); "
                                            "use shorter words and sentences"))
        if s.longest_sentence > MAX_SENTENCE_WORDS and written.longest_sentence <= MAX_SENTENCE_WORDS:
            problems.append(Problem(*where, f"entry '{s.id}' as sent: a sentence has {s.longest_sentence} words "
                                            f"(most {MAX_SENTENCE_WORDS}); split it: \"{_quote(s.longest)}\""))
        if s.words > MAX_ANSWER_WORDS and written.words <= MAX_ANSWER_WORDS + 10:
            problems.append(Problem(*where, f"entry '{s.id}' as sent: the answer has {s.words} words "
                                            f"(most {MAX_ANSWER_WORDS}); move the rest to 'details'"))
    return problems


def _twice(bot: "Bot", text: str, path: str, line: int, what: str) -> list[Problem]:
    """An error for each contact whose number `text` gives more than once."""
    return [Problem(path, line, f"{what} gives the {bot.bundle.contacts[key].name.split(' (')[0]} number {n} times; give it once")
            for key, n in bot.numbers.counts(text).items() if n > 1]


def repeated_numbers(bot: "Bot") -> list[Problem]:
    """Every reply the knowledge gives (answers, fallbacks, 'I can't do that' replies, translations) with a number twice."""
    problems: list[Problem] = []
    for entry_id, located in bot.bundle.entries.items():
        if entry_id in bot.pages:
            problems += _twice(bot, bot.page_reply(bot.pages[entry_id]).text, located.path, located.line, f"entry '{entry_id}'")
    for reason in FALLBACK_REASONS:
        problems += _twice(bot, bot.fallback("", reason=reason).text, f"{TEMPLATE_DIR}/fallback.txt.j2", 0, f"the '{reason}' fallback")
    for intent_id, located in bot.bundle.intents.items():
        if located.model.kind == "fallback" and located.model.reply:
            problems += _twice(bot, bot.answer(intent_id).text, located.path, located.line, f"intent '{intent_id}'")
    for code, body in bot.translations.items():
        # Read block by block: the Kurdish reply is written twice, in two scripts, for two sets of readers;
        # the English safety line above every translation gives 999 on purpose, so it is not counted.
        for block in body.split("\n\n"):
            problems += _twice(bot, block, TRANSLATIONS, 0, f"the '{code}' reply")
        if bot.numbers.gives(bot.footer_for(body), "sendiass") and bot.numbers.gives(body, "sendiass"):
            problems += _twice(bot, f"{body}\n\n{bot.footer_for(body)}", TRANSLATIONS, 0, f"the '{code}' reply with its footer")
    return problems


def confirmations(bot: "Bot") -> dict[str, list[tuple[str, str]]]:
    """Each entry's needs_confirmation note, by file: what staff must check before anyone relies on it."""
    notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entry_id, located in bot.bundle.entries.items():
        if located.model.needs_confirmation:
            notes[located.path].append((entry_id, located.model.needs_confirmation))
    return dict(sorted(notes.items()))
