"""The stages every message passes through, in order; the first that replies ends the run.

    prepared message -> empty -> crisis -> odd input -> language -> match and decide -> reply

Crisis comes before everything that could misread a message, and nothing after it can override
it: urgent danger replies at once; possible danger puts a safety line above whatever replies.
Channels, `ask`, the benchmarks and the tests all run these same stages (Bot.handle), so what staff
preview is what parents get; a benchmark swaps one stage (its own matcher) and keeps the rest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Sequence

from . import language
from .danger import POSSIBLE, URGENT, Assessment
from .message import Message
from .reply import Option, Reply

if TYPE_CHECKING:
    from .core import Bot
    from .matcher import Match

Stage = Callable[[Message], "Reply | None"]


def empty(bot: "Bot") -> Stage:
    def stage(message: Message) -> Reply | None:
        return bot.fallback("", reason="empty") if not message.text else None
    return stage


def crisis(bot: "Bot") -> Stage:
    """Urgent danger gets the crisis reply now; possible danger leaves a safety line for whatever replies."""
    def stage(message: Message) -> Reply | None:
        found = bot.danger.assess(message)
        if found.tier == URGENT:
            return bot.crisis_reply(message.text, found)
        if found.tier == POSSIBLE:
            message.safety_line = bot.safety_line(found)
        return None
    return stage


def odd_input(bot: "Bot") -> Stage:
    def stage(message: Message) -> Reply | None:
        return None if any(ch.isalnum() for ch in message.text) else bot.fallback(message.text, reason="no-words")
    return stage


def other_language(bot: "Bot") -> Stage:
    """A message in another language gets a short reply in it, never an English answer matched from it.

    The crisis stage reads English only, so a message it cannot read always carries the 999 line: the
    bot cannot tell whether someone is in danger."""
    def stage(message: Message) -> Reply | None:
        code = message.language = language.detect(message.text, known=message.known)
        if code == "en":
            return None
        if not message.safety_line:
            message.safety_line = bot.safety_line(Assessment(POSSIBLE))
        body = bot.translations.get(code) or bot._template("fallback.txt.j2", reason="language")
        return Reply(message.text, "fallback", body, bot.footer_for(body), language=code, extra={"reason": "language"})
    return stage


def match(bot: "Bot", matcher: Callable[[Message], "Match"] | None = None) -> Stage:
    """Match and decide, then word the reply; `matcher` replaces the bot's own (for benchmarks)."""
    find = matcher or bot.matcher.match_message

    def stage(message: Message) -> Reply:
        return reply_for(bot, message, find(message))
    return stage


def reply_for(bot: "Bot", message: Message, found: "Match") -> Reply:
    question, lang = message.text, message.who.lang
    best = found.best
    reason = {"decision": found.reason} if found.reason else {}
    if best is not None and found.kind != "fallback" and bot.targets[best.intent].kind == "fallback":
        # "I can't see records" is safe to say on a likely match: it answers nothing wrongly.
        return bot.answer(best.intent, question, best.score, found)
    if found.kind == "answer" and best is not None:
        return bot.answer(best.intent, question, best.score, found, language=lang)
    if found.kind == "clarify":
        options = []
        for cand in found.candidates[: bot.bundle.thresholds.max_options]:
            reply = bot.answer(cand.intent, language=lang)
            if reply.kind in ("answer", "smalltalk"):
                options.append(Option(cand.intent, bot.title_for(cand.intent), reply.body))
        if options:
            body = bot._template("clarify.txt.j2", options=options)
            cands = tuple((c.intent, c.score) for c in found.candidates)
            return Reply(question, "clarify", body, bot.footer_for(body), score=best.score if best else None,
                         options=tuple(options), candidates=cands, extra=reason)
    return bot.fallback(question, found)


def standard(bot: "Bot") -> list[Stage]:
    return [empty(bot), crisis(bot), odd_input(bot), other_language(bot), match(bot)]


def run(stages: Sequence[Stage], message: Message) -> Reply:
    for stage in stages:
        reply = stage(message)
        if reply is not None:
            if message.safety_line and reply.safety is None:
                reply = replace(reply, safety=POSSIBLE, safety_line=message.safety_line)
            return replace(reply, message_language=message.language)
    raise AssertionError("the last stage always replies")
