"""Every message runs the same stages, prepared once; crisis first and final; stages can be swapped."""

from __future__ import annotations

from bot import normalise, pipeline
from bot.core import Bot
from bot.matcher import Match


def test_stages_run_in_order_and_crisis_wins(bot: Bot) -> None:
    assert bot.handle("my son says he wants to kill himself, also how do i apply for an ehcp").kind == "crisis"
    assert bot.handle("").extra["reason"] == "empty"
    assert bot.handle("🙂🙂").extra["reason"] == "no-words"


def test_a_message_is_split_into_words_once(bot: Bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = normalise.words

    def counting(text: str) -> list[str]:
        calls.append(text)
        return real(text)

    text = "how do i apply for school transport for my son"
    for module in ("bot.hybrid", "bot.matcher"):
        monkeypatch.setattr(f"{module}.words", counting)
    bot.handle(text)
    assert calls.count(text) == 1


def test_a_benchmark_swaps_the_matcher_and_keeps_every_other_stage(bot: Bot) -> None:
    always = lambda message: Match("fallback", (), message.known, "low-confidence")  # noqa: E731
    stages = [*bot.stages[:-1], pipeline.match(bot, always)]
    assert pipeline.run(stages, bot.prepare("how do i apply for an ehcp")).kind == "fallback"
    assert pipeline.run(stages, bot.prepare("i want to kill myself")).kind == "crisis"


def test_the_decision_reason_reaches_the_reply(bot: Bot) -> None:
    reply = bot.handle("what's the capital of peru")
    assert reply.kind == "fallback"
    assert reply.extra.get("decision") in ("low-confidence", "unknown-words", "nothing-matched", "close-options",
                                            "one-likely-option", "confident")


def test_a_message_the_bot_cannot_read_always_carries_the_999_line(bot) -> None:
    """The crisis stage reads English only, so every message in another language gets the safety line."""
    for text in ("Mój syn ma drgawki i nie oddycha normalnie. Co mam robić?", "Ce este un plan EHCP pentru fiica mea de 14 ani?"):
        reply = bot.handle(text)
        if reply.language == "en":
            continue  # misread as English: the English stages (crisis first) decided
        assert reply.kind == "fallback" and reply.safety == "possible"
        assert "999" in reply.safety_line and "999" in reply.body.splitlines()[0]
