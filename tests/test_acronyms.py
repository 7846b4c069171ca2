"""Plain words: a glossary acronym is expanded the first time it appears in a reply, automatically."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.acronyms import Expander, plural
from bot.core import Bot
from bot.schema import Term


def term(name: str, expansion: str | None, expand: bool = True, aliases: tuple[str, ...] = ()) -> Term:
    return Term(term=name, expansion=expansion, explanation="An explanation.", aliases=list(aliases),
                sources=["x"], last_reviewed=dt.date(2026, 1, 1), expand_in_replies=expand)


@pytest.fixture(scope="module")
def expander() -> Expander:
    return Expander([
        term("EHCP", "Education, Health and Care Plan", aliases=("EHC plan",)),
        term("SEND", "Special Educational Needs and Disabilities"),
        term("SENCO", "Special Educational Needs Co-ordinator", aliases=("SENCo",)),
        term("LA", "Local Authority"),
        term("VI", "Voice and Influence, or Visual Impairment", expand=False),
        term("Local Offer", None),
        term("SEND and AP Partnership Board", None),
    ])


@pytest.mark.parametrize("before, after", [
    ("Ask for an EHCP.", "Ask for an EHCP (Education, Health and Care Plan)."),
    ("An EHCP is a plan. The EHCP says...", "An EHCP (Education, Health and Care Plan) is a plan. The EHCP says..."),
    ("Two EHCPs.", "Two EHCPs (Education, Health and Care Plans)."),
    ("Ask the LAs.", "Ask the LAs (Local Authorities)."),
    ("Your SENCo can help.", "Your SENCo (Special Educational Needs Co-ordinator) can help."),
    ("SEND help", "SEND (Special Educational Needs and Disabilities) help"),
])
def test_first_use_is_expanded(expander: Expander, before: str, after: str) -> None:
    assert expander.expand(before) == after


@pytest.mark.parametrize("text", [
    "An Education, Health and Care Plan (EHCP) sets out help.",  # expansion already there
    "Your EHCP, or education health and care plan, ...",  # nearby, punctuation aside
    "Your EHCP (the plan) ...",  # already followed by brackets
    "See www.leedslocaloffer.org.uk/EHCP for more.",  # web address
    "Email EHCP@leeds.gov.uk today.",  # email
    "Phone {{ contacts.EHCP.phone }}.",  # placeholder
    "Leeds SENDIASS can help.",  # part of a longer word
    "VI means different things.",  # expand_in_replies: false
    "The Local Offer website.",  # no expansion
    "The SEND and AP Partnership Board met.",  # a name of several words
    "Send it to school.",  # not the acronym
])
def test_left_alone(expander: Expander, text: str) -> None:
    assert expander.expand(text) == text


def test_plural() -> None:
    assert plural("Education, Health and Care Plan") == "Education, Health and Care Plans"
    assert plural("Local Authority") == "Local Authorities"
    assert plural("Special Educational Needs and Disabilities") == "Special Educational Needs and Disabilities"


def test_replies_expand_but_staff_text_is_measured_as_written(bot: Bot) -> None:
    expanded = [p for p in bot.pages.values() if p.shown_answer != p.answer]
    assert expanded, "some answers use glossary acronyms"
    page = expanded[0]
    intent = next(i for i, t in bot.targets.items() if t.page == page.id)
    reply = bot.answer(intent)
    assert page.shown_answer in reply.body
    assert "(" in page.shown_answer and len(page.shown_answer) > len(page.answer)


def test_glossary_answers_do_not_repeat_their_own_expansion(bot: Bot) -> None:
    page = bot.pages["term-ehcp"]
    assert page.shown_answer.count("Education, Health and Care Plan") == 1
