"""Checks across files (links, targets, plain words) that no single file's schema can see."""

from __future__ import annotations

import datetime as dt

from .knowledge import Page, slug
from .loader import Bundle, Problem
from .limits import MAX_ANSWER_WORDS, MAX_SENTENCE_WORDS, sentences, word_count
from .normalise import plain

__all__ = ["MAX_ANSWER_WORDS", "MAX_SENTENCE_WORDS", "cross_check", "sentences", "word_count"]
REVIEW_AFTER_DAYS = 183


def cross_check(bundle: Bundle, pages: dict[str, Page], today: dt.date | None = None) -> list[Problem]:
    """Find broken links, missing targets, long sentences and stale entries."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    term_ids = {f"term-{slug(t.model.term)}" for t in bundle.terms}
    targeted: set[str] = set()
    seen_examples: dict[str, str] = {}
    for intent_id, located in bundle.intents.items():
        intent = located.model
        where = (located.path, located.line)
        if intent.kind in ("smalltalk", "fallback"):
            if not intent.reply:
                problems.append(Problem(*where, f"{intent.kind} intent '{intent_id}' needs a 'reply'"))
        elif intent.answer and intent.glossary:
            problems.append(Problem(*where, f"intent '{intent_id}' has both 'answer' and 'glossary'; keep one"))
        elif intent.answer:
            if intent.answer not in bundle.entries:
                problems.append(Problem(*where, f"intent '{intent_id}' points to entry '{intent.answer}', which does not exist; check the id in knowledge/"))
            targeted.add(intent.answer)
        elif intent.glossary:
            if f"term-{slug(intent.glossary)}" not in term_ids:
                problems.append(Problem(*where, f"intent '{intent_id}' points to glossary term '{intent.glossary}', which is not in knowledge/glossary.yaml"))
        else:
            problems.append(Problem(*where, f"intent '{intent_id}' needs 'answer: <entry id>' or 'glossary: <term>'"))
        for example in intent.examples:
            key = plain(example)
            other = seen_examples.get(key)
            if other and other != intent_id:
                problems.append(Problem(*where, f"example '{example}' is also an example of '{other}'; the bot cannot tell them apart", "warning"))
            seen_examples[key] = intent_id
    for entry_id, located in bundle.entries.items():
        entry = located.model
        where = (located.path, located.line)
        for rel in entry.related:
            if rel not in bundle.entries:
                problems.append(Problem(*where, f"entry '{entry_id}' lists related '{rel}', which does not exist; fix or remove it"))
        if entry_id not in targeted:
            problems.append(Problem(*where, f"entry '{entry_id}' has no intent, so no question can reach it; add one in intents/", "warning"))
        age = (today - entry.last_reviewed).days
        if age > REVIEW_AFTER_DAYS:
            problems.append(Problem(*where, f"entry '{entry_id}' was last reviewed {entry.last_reviewed} ({age} days ago); check it and update last_reviewed", "warning"))
        if entry.last_reviewed > today:
            problems.append(Problem(*where, f"entry '{entry_id}' has last_reviewed in the future ({entry.last_reviewed}); use the date you checked it"))
        page = pages.get(entry_id)
        if page is None:
            continue
        for field, text in (("answer", page.answer), ("details", page.details or "")):
            for sentence in sentences(text):
                if word_count(sentence) > MAX_SENTENCE_WORDS:
                    short = sentence if len(sentence) < 70 else sentence[:67] + "..."
                    problems.append(Problem(*where, f"entry '{entry_id}' {field}: a sentence has {word_count(sentence)} words (most {MAX_SENTENCE_WORDS}); split it: \"{short}\""))
        if word_count(page.answer) > MAX_ANSWER_WORDS + 10:
            problems.append(Problem(*where, f"entry '{entry_id}': the answer has {word_count(page.answer)} words; keep it near {MAX_ANSWER_WORDS} and move the rest to 'details'"))
    for contact_key, contact in bundle.contacts.items():
        if contact.needs_confirmation:
            problems.append(Problem("knowledge/contacts.yaml", 0, f"contact '{contact_key}' needs confirming: {contact.needs_confirmation}", "warning"))
    return problems

