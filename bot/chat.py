"""The terminal conversation: the same core a parent meets on Telegram, for staff and for local use."""

from __future__ import annotations

import sys
from typing import Callable, TextIO

from .core import Bot
from .reply import Reply

WELCOME = (
    "sendbot: questions about SEND in Leeds. I'm a computer program, not a person.\n"
    "Please don't type names, phone numbers or other personal details.\n"
    "Type a question; 'more' shows the longer answer; a number picks an option; 'quit' ends."
)


def respond(bot: Bot, line: str, last: Reply | None) -> Reply | str:
    """One turn: picks up 'more' and option numbers from the previous reply, else asks the core."""
    text = line.strip()
    low = text.casefold()
    if last is not None and last.kind == "clarify" and low.isascii() and low.isdigit() and len(low) <= 3:
        choice = int(low)
        if 1 <= choice <= len(last.options):
            return bot.answer(last.options[choice - 1].intent, last.question)
        return f"Please pick a number from 1 to {len(last.options)}, or ask again."
    if low in {"more", "tell me more"} and last is not None:
        return last.details or "There is nothing more on this one. Leeds SENDIASS can tell you more."
    return bot.handle(text)


def show(reply: Reply | str) -> str:
    if isinstance(reply, str):
        return reply
    hint = "\n\n(Type 'more' for the longer answer.)" if reply.details else ""
    return reply.text + hint


def chat(bot: Bot, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
         on_reply: Callable[[Reply], None] | None = None) -> int:
    """Read lines until EOF or 'quit'; works the same with a keyboard or piped input."""
    interactive = stdin.isatty()
    print(WELCOME, file=stdout)
    last: Reply | None = None
    while True:
        if interactive:
            print("\nyou> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        if line.strip().casefold() in {"quit", "exit", "/quit"}:
            break
        if not interactive:
            print(f"\nyou> {line.rstrip()}", file=stdout)
        result = respond(bot, line, last)
        if isinstance(result, Reply):
            last = result
            if on_reply:
                on_reply(result)
        print(f"bot> {show(result)}", file=stdout, flush=True)
    print("\nGoodbye.", file=stdout)
    return 0
