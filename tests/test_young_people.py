"""Answers for young people themselves: plain enough for a 12-year-old, and reachable as they ask."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import Bot
from bot.readability import score
from bot.validate import MAX_ANSWER_WORDS, MAX_SENTENCE_WORDS

MIN_FLESCH = 70

# Written after the intents, as young people might ask; not examples of any intent.
FRESH = {
    "yp-what-is-ehcp": ["what is my ehcp for", "why have i got an education health and care plan"],
    "yp-whats-in-my-plan": ["what does my ehcp say", "can i read what my plan says about me"],
    "yp-my-review": ["can i come to the meeting about my ehcp", "do i get to go to my annual review"],
    "yp-ask-for-ehcp": ["im 16 can i ask for an ehcp", "can i get an ehcp without my parents asking"],
    "yp-at-16": ["what happens to my ehcp when im 16", "i turn 16 soon what changes"],
    "yp-at-18": ["does my plan stop when im 18", "what happens to my support at 18"],
    "yp-my-decisions": ["do i get to decide about my plan", "can i make choices about my education myself"],
    "yp-speak-up": ["who can help me get my views heard", "is there anyone who can help me say what i want"],
    "yp-disagree": ["i dont agree with my ehcp what can i do", "can i appeal about my plan"],
    "yp-after-year-11": ["what options do i have after year 11", "what can i do when i leave school"],
    "yp-travel": ["how do i get to college", "can i get a taxi to college"],
    "yp-feeling-low": ["i feel sad all the time who can i talk to", "im really anxious who can help me"],
}


def young_pages(bot: Bot) -> list:
    return [p for p in bot.pages.values() if p.audience == "young-people"]


def test_there_are_about_twelve(bot: Bot) -> None:
    assert len(young_pages(bot)) >= 12


def test_each_answer_is_plain_enough_for_a_twelve_year_old(bot: Bot, figures: list[str]) -> None:
    scores = {p.id: score(replace(p, answer=p.shown_answer)) for p in young_pages(bot)}  # as sent, acronyms expanded
    figures.append("young people's answers, Flesch reading ease: "
                   + ", ".join(f"{k.removeprefix('yp-')} {s.flesch:.0f}" for k, s in scores.items()))
    low = {k: s.flesch for k, s in scores.items() if s.flesch < MIN_FLESCH}
    assert not low, f"below Flesch {MIN_FLESCH}: {low}"
    assert all(s.words <= MAX_ANSWER_WORDS for s in scores.values()), {k: s.words for k, s in scores.items()}
    assert all(s.longest_sentence <= MAX_SENTENCE_WORDS for s in scores.values())


def test_every_entry_has_an_intent_with_ten_phrasings(bot: Bot) -> None:
    for page in young_pages(bot):
        intents = [loc.model for loc in bot.bundle.intents.values() if loc.model.answer == page.id]
        assert intents, page.id
        assert sum(len(i.examples) for i in intents) >= 10, page.id


def test_entries_can_be_listed_for_a_young_people_menu(bot: Bot) -> None:
    listed = bot.entries_for("young-people")
    assert {bot.page_for(intent).id for intent, _ in listed} == {p.id for p in young_pages(bot)}
    for intent, title in listed:
        reply = bot.answer(intent)
        assert reply.kind == "answer" and reply.title == title
    assert bot.entries_for("nobody") == []


def test_young_people_reach_their_answers(bot: Bot, figures: list[str]) -> None:
    direct = offered = 0
    misses = []
    total = sum(len(v) for v in FRESH.values())
    for entry, messages in FRESH.items():
        for message in messages:
            reply = bot.handle(message)
            if reply.kind == "answer" and reply.entry == entry:
                direct += 1
            elif any(bot.page_for(o.intent) and bot.page_for(o.intent).id == entry for o in reply.options):
                offered += 1
            else:
                misses.append(f"{message!r} -> {reply.kind} {reply.intent}")
    figures.append(f"young people's fresh questions: {direct}/{total} answered, {offered} more offered as a choice")
    assert direct + offered >= 0.8 * total, misses


@pytest.mark.parametrize("intent_id", sorted(FRESH))
def test_phrasings_do_not_trip_the_crisis_rules(bot: Bot, intent_id: str) -> None:
    located = bot.bundle.intents[intent_id]
    assert [e for e in located.model.examples if bot.crisis.check(e)] == []


def test_young_people_get_their_own_footer(bot: Bot) -> None:
    intent, _ = bot.entries_for("young-people")[0]
    assert "young people" in bot.answer(intent).footer
    assert "your own child" in bot.handle("how do I cancel school transport").footer
