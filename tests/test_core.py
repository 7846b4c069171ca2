"""The channel-independent core: every kind of input gets a kind reply, crisis always first."""

from __future__ import annotations

import pytest

from bot.core import Bot

FOOTER_KINDS = {"answer", "clarify", "fallback"}


@pytest.mark.parametrize(
    "message",
    ["", "   ", "\n\n", "🙂🙂🙂", "?!?!", "😡" * 50, "a" * 5000, ("my son " * 700), "مرحبا كيف حالك", "你好", "\x00\x01"],
    ids=["empty", "spaces", "newlines", "emoji", "punctuation", "emoji-rant", "5000-a", "4900-char-rant", "arabic", "chinese", "control"],
)
def test_odd_input_gets_a_kind_reply(bot: Bot, message: str) -> None:
    reply = bot.handle(message)
    assert reply.kind in {"fallback", "clarify", "answer", "smalltalk"}
    assert reply.body.strip()
    assert "Traceback" not in reply.text
    if reply.kind in FOOTER_KINDS:
        assert "SENDIASS" in reply.footer and "not legal advice" in reply.footer


def test_empty_message_asks_for_words(bot: Bot) -> None:
    reply = bot.handle("")
    assert reply.kind == "fallback"
    assert "type your question" in reply.body


def test_fallback_is_honest_and_signposts(bot: Bot) -> None:
    reply = bot.handle("what time does the christmas market open")
    assert reply.kind == "fallback"
    assert "don't know" in reply.body
    assert bot.bundle.contacts["sendiass"].phone in reply.body


@pytest.mark.parametrize(
    "message",
    [
        "my son says he wants to kill himself, how do i apply for an ehcp",
        "how do I cancel school transport? also my daughter is cutting herself",
        "EHCP. " * 50 + "she took an overdose an hour ago. " + "transport " * 50,
    ],
)
def test_crisis_wins_over_any_answer(bot: Bot, message: str) -> None:
    reply = bot.handle(message)
    assert reply.kind == "crisis"
    assert reply.body.lstrip().startswith("If anyone is in danger right now, call 999") or "999" in reply.body.splitlines()[0]


def test_answer_reply_has_its_parts(bot: Bot) -> None:
    reply = bot.handle("how do I use a hydrotherapy pool in leeds")
    assert reply.kind == "answer"
    assert reply.intent and reply.entry and reply.title
    assert reply.body.startswith(reply.title)
    assert reply.text == f"{reply.body}\n\n{reply.footer}"
    assert "{{" not in reply.text, "placeholders must be filled"


def test_clarify_options_lead_to_answers(bot: Bot) -> None:
    seen = 0
    for message in ("transport", "ehcp help", "mediation", "autism assessment", "school"):
        reply = bot.handle(message)
        if reply.kind != "clarify":
            continue
        seen += 1
        assert 1 <= len(reply.options) <= bot.bundle.thresholds.max_options
        for number, option in enumerate(reply.options, 1):
            assert f"{number}. {option.title}" in reply.body
            assert option.body == bot.answer(option.intent).body
    assert seen, "at least one broad message should ask which answer was meant"


def test_every_intent_leads_somewhere(bot: Bot) -> None:
    for intent_id in bot.targets:
        reply = bot.answer(intent_id, "test")
        assert reply.kind == (bot.targets[intent_id].kind), intent_id
        assert reply.body.strip()


def test_handle_is_deterministic(bot: Bot) -> None:
    first = bot.handle("can my child get eotas").as_json()
    assert all(bot.handle("can my child get eotas").as_json() == first for _ in range(3))


@pytest.mark.parametrize(
    "message, intent",
    [
        ("can you check whether the council got my son's EHCP form", "cannot-see-records"),
        ("what's the waiting time for an EHC plan in Wakefield", "other-areas"),
    ],
)
def test_known_limits_are_said_kindly_not_answered(bot: Bot, message: str, intent: str) -> None:
    reply = bot.handle(message)
    assert (reply.kind, reply.intent) == ("fallback", intent)
    assert "SENDIASS" in reply.footer
    assert "{{" not in reply.body


def test_load_turns_the_cycle_collector_back_on(data_copy) -> None:
    """Bot.load pauses the collector for speed; a load that succeeds or fails must leave it running."""
    import gc

    from bot.core import DataError

    assert gc.isenabled()
    Bot.load(data_copy)
    assert gc.isenabled()
    (data_copy / "intents" / "crisis.yaml").unlink()
    with pytest.raises(DataError):
        Bot.load(data_copy)
    assert gc.isenabled()


def test_an_old_bot_is_freed_after_a_reload() -> None:
    """Nothing module-level keeps a Bot (and its index) alive once nobody uses it (/reload builds a new one)."""
    import gc
    import weakref

    from bot.core import Bot

    bot = Bot.load()
    for question in ("hello", "thanks", "how do i apply for school transport"):
        bot.handle(question)
    gone = weakref.ref(bot)
    del bot
    gc.collect()
    assert gone() is None
