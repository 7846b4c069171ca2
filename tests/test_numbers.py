"""Each contact number once per reply, and a short caveat beside any number staff have not confirmed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.core import Bot
from bot.numbers import Numbers
from bot.readability import FALLBACK_REASONS
from bot.schema import Contact
from small_kb import build, entry

SENDIASS = "0113 378 5020"
CAVEAT = re.compile(r"Please check the .* numbers? on the council's website\.")
NESTED = re.compile(r"\([^()]*\(")


def contact(name: str, phone: str | None, note: str | None = None) -> Contact:
    return Contact(name=name, phone=phone, sources=["x"], last_reviewed=dt.date(2026, 1, 1), needs_confirmation=note)


def test_numbers_are_found_whole_and_counted() -> None:
    numbers = Numbers.of({"sendiass": contact("Leeds SENDIASS", SENDIASS, "check it"), "emergency": contact("999", "999"),
                          "nhs111": contact("NHS 111", "111, option 2"), "forum": contact("Forum", None, "no phone")})
    text = f"Ring {SENDIASS} or {SENDIASS}. In danger, call 999; NHS 111, option 2. Not 99912 nor 0113 378 50201."
    assert numbers.counts(text) == {"sendiass": 2, "emergency": 1, "nhs111": 1}
    assert numbers.gives(text, "sendiass") and not numbers.gives("Ring them.", "sendiass")
    assert numbers.unconfirmed == {"sendiass"}  # the Forum has a note but no phone to doubt
    assert numbers.unconfirmed_in(text) == ("sendiass",) and numbers.unconfirmed_in("call 999") == ()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    """A small knowledge base where SENDIASS and SENSAP are unconfirmed, the SEND Assessment Team confirmed."""
    root = build(tmp_path_factory.mktemp("numbers"), [
        entry("body-gives-sendiass", "SENDIASS can help you get ready: {{ contacts.sendiass.phone }}."),
        entry("no-number", "Ask the school for a meeting. Take your notes with you."),
        entry("sensap", "If the plan is late, ring SENSAP on {{ contacts.sensap.phone }}."),
        entry("confirmed", "Ring the SEND Assessment Team on {{ contacts.send_assessment_team.phone }}."),
        entry("young", "SENDIASS helps you too: {{ contacts.sendiass.phone }}.", audience="young-people"),
    ], unconfirmed=("sendiass", "sensap"))
    return Bot.load(root)


def reply(bot: Bot, entry_id: str):  # type: ignore[no-untyped-def]
    return bot.page_reply(bot.pages[entry_id])


@pytest.mark.parametrize("entry_id", ["body-gives-sendiass", "no-number", "sensap", "confirmed", "young"])
def test_the_sendiass_number_once_per_reply(small: Bot, entry_id: str) -> None:
    assert reply(small, entry_id).text.count(SENDIASS) == 1


def test_the_footer_leaves_out_a_number_the_body_gives(small: Bot) -> None:
    assert SENDIASS not in reply(small, "body-gives-sendiass").footer
    assert SENDIASS in reply(small, "no-number").footer
    young = reply(small, "young").footer
    assert SENDIASS not in young and "young people" in young


@pytest.mark.parametrize("entry_id, names", [
    ("no-number", "Leeds SENDIASS number"),  # the footer's number
    ("body-gives-sendiass", "Leeds SENDIASS number"),
    ("sensap", "SENSAP and Leeds SENDIASS numbers"),  # in the order the reply gives them
    ("confirmed", "Leeds SENDIASS number"),
])
def test_one_caveat_line_names_the_unconfirmed_numbers(small: Bot, entry_id: str, names: str) -> None:
    text = reply(small, entry_id).text
    assert len(CAVEAT.findall(text)) == 1
    assert f"Please check the {names} on the council's website." in text
    assert text.rstrip().endswith("on the council's website.")


def test_no_caveat_once_staff_confirm_the_numbers(tmp_path: Path) -> None:
    bot = Bot.load(build(tmp_path, [entry("sensap", "Ring SENSAP on {{ contacts.sensap.phone }}.")], unconfirmed=()))
    assert not CAVEAT.search(reply(bot, "sensap").text)


def test_no_caveat_in_a_crisis_reply(small: Bot) -> None:
    crisis = small.handle("my child has stopped breathing")
    assert crisis.kind == "crisis" and not CAVEAT.search(crisis.text)


@pytest.mark.parametrize("reason", FALLBACK_REASONS)
def test_the_fallback_gives_the_number_once_without_nested_brackets(bot: Bot, reason: str) -> None:
    text = bot.fallback("", reason=reason).text
    assert text.count(bot.bundle.contacts["sendiass"].phone) <= 1
    assert not NESTED.search(text), text


def test_a_reply_in_another_language_gives_the_number_once(bot: Bot) -> None:
    polish = bot.handle("Dzień dobry, potrzebuję pomocy z EHCP dla syna")
    assert polish.language == "pl"
    assert (polish.body + polish.footer).count(bot.bundle.contacts["sendiass"].phone) == 1


def test_telegram_contact_and_details_carry_the_caveat_once(small: Bot) -> None:
    from bot.tg.texts import Texts

    texts = Texts(small)
    contact = texts.text("contact")
    assert SENDIASS in contact and len(CAVEAT.findall(contact)) == 1
    details = texts.text("details", title="A title", details=f"Ring SENSAP on {small.bundle.contacts['sensap'].phone}.")
    assert "Please check the SENSAP number on the council's website." in details
    assert not CAVEAT.search(texts.text("details", title="A title", details="Ask the school."))
