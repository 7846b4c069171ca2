"""Sending Telegram HTML safely: split at paragraph breaks under 4,096 characters, tags kept balanced, errors logged."""

from __future__ import annotations

import logging
import re

from telegram import Bot as TelegramBot
from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import Forbidden, TelegramError

from ..render import TELEGRAM_LIMIT, split_message
from .logs import event

_TAG = re.compile(r"<(/?)(b|i)>")


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """split_message for our HTML: a <b> or <i> left open at a cut is closed there and reopened in the next part."""
    parts = split_message(text, limit - 16)  # room for the closing and reopening tags
    out: list[str] = []
    carry: list[str] = []
    for part in parts:
        part = "".join(f"<{t}>" for t in carry) + part
        stack: list[str] = []
        for closing, tag in _TAG.findall(part):
            if closing and stack and stack[-1] == tag:
                stack.pop()
            elif not closing:
                stack.append(tag)
        out.append(part + "".join(f"</{t}>" for t in reversed(stack)))
        carry = stack
    return out


async def send_html(bot: TelegramBot, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None,
                    reply_to: int | None = None) -> Message | None:
    """Send one reply (in parts if long; buttons on the last part); return the last message, or None on failure."""
    parts = split_html(html)
    last: Message | None = None
    for number, part in enumerate(parts):
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and number == 0 else None
        try:
            last = await bot.send_message(chat_id, part, reply_markup=markup if number == len(parts) - 1 else None,
                                          reply_parameters=reply)
        except Forbidden:
            event("send_blocked", logging.INFO)  # the user blocked the bot or left the group
            return None
        except TelegramError as exc:  # bad request, 429 after retries, network trouble: logged, never raised
            event("send_failed", logging.ERROR, error=type(exc).__name__, detail=str(exc)[:200], part=number + 1, parts=len(parts))
            return None
    return last
