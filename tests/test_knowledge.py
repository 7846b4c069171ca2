"""The shipped knowledge base: reachable, sourced, plain, and with every number from contacts.yaml."""

from __future__ import annotations

import re
import statistics

import pytest

from bot.core import Bot
from bot.readability import score

PHONE = re.compile(r"(?<![\w.])(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)|\b\d{3}\s\d{3}\b|\b(?:999|111|116 123|0800 1111)\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def test_every_glossary_term_answers_three_ways(bot: Bot) -> None:
    misses = []
    for located in bot.bundle.terms:
        term = located.model.term
        expected = f"term-{re.sub(r'[^a-z0-9]+', '-', term.casefold()).strip('-')}"
        for message in (term, f"{term}?", f"what does {term} mean", f"what does {term.lower()} stand for"):
            reply = bot.handle(message)
            if (reply.kind, reply.intent) != ("answer", expected):
                misses.append((message, reply.kind, reply.intent))
    assert not misses


def test_no_contact_detail_is_typed_into_an_answer(bot: Bot) -> None:
    """Numbers and emails live once, in contacts.yaml; answers use placeholders."""
    offenders = []
    for entry_id, located in bot.bundle.entries.items():
        entry = located.model
        for text in (entry.answer, entry.details or ""):
            raw = re.sub(r"\{\{.*?\}\}", "", text)
            if EMAIL.search(raw) or PHONE.search(raw):
                offenders.append((located.path, entry_id))
    assert not offenders


def test_every_number_in_a_reply_is_a_sourced_contact(bot: Bot) -> None:
    known = {c.phone for c in bot.bundle.contacts.values() if c.phone} | {c.text for c in bot.bundle.contacts.values() if c.text}
    known_digits = {re.sub(r"\D", "", k) for k in known}
    for page in bot.pages.values():
        for text in (page.answer, page.details or ""):
            for found in PHONE.findall(text):
                assert re.sub(r"\D", "", found) in known_digits or any(re.sub(r"\D", "", found) in k for k in known_digits), (page.id, found)


def test_entries_are_sourced_and_dated(bot: Bot) -> None:
    for entry_id, located in bot.bundle.entries.items():
        entry = located.model
        assert entry.sources, entry_id
        assert entry.last_reviewed.year >= 2025, entry_id


def test_plain_language_figures(bot: Bot) -> None:
    scores = [score(bot.pages[e]) for e in bot.bundle.entries]
    median = statistics.median(s.flesch for s in scores)
    longest = max(s.longest_sentence for s in scores)
    print(f"\nreadability: {len(scores)} answers, median Flesch {median:.1f}, longest sentence {longest} words")
    assert median >= 60
    assert longest <= 25
    assert all(s.words <= 130 for s in scores), [s.id for s in scores if s.words > 130]


def test_coverage_of_the_tracker_topics(bot: Bot) -> None:
    topics = set(bot.bundle.topics.values())
    print(f"\n{len(bot.bundle.entries)} entries in {len(topics)} topics")
    assert len(bot.bundle.entries) >= 80
    for intent_id, located in bot.bundle.intents.items():
        if located.model.kind == "answer":
            assert len(located.model.examples) >= 8, intent_id


@pytest.mark.parametrize("key", ["sendiass", "local_offer", "parent_carer_forum", "sensap", "mindmate", "samaritans", "childline", "shout", "nhs111", "duty_and_advice"])
def test_key_contacts_exist(bot: Bot, key: str) -> None:
    assert key in bot.bundle.contacts
