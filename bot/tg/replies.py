"""Turn one core Reply into one Telegram message: HTML, the right buttons, a group hint; then remember and record it."""

from __future__ import annotations

import html
import time
from typing import Callable

from telegram import InlineKeyboardMarkup, Message
from telegram.ext import ContextTypes

from ..render import to_html
from ..reply import Reply
from .keyboards import answer_keyboard, browse_keyboard, clarify_keyboard, private_chat_keyboard
from .logs import event
from .runtime import runtime
from .send import send_html
from .state import Loaded


def _join(markup: InlineKeyboardMarkup | None, extra: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    rows = [list(row) for row in markup.inline_keyboard] if markup else []
    return InlineKeyboardMarkup(rows + [list(row) for row in extra.inline_keyboard])


def reply_markup(reply: Reply, loaded: Loaded, sign: Callable[[str, str], str] = lambda action, key: "") -> InlineKeyboardMarkup | None:
    """The buttons a reply of this kind gets."""
    if reply.kind == "answer":
        return answer_keyboard(reply, loaded.catalogue, loaded.texts, sign)
    if reply.kind == "clarify" and reply.options:
        return clarify_keyboard(reply)
    if reply.kind == "fallback" and loaded.catalogue.topics:
        return browse_keyboard(loaded.texts)
    return None


async def deliver(context: ContextTypes.DEFAULT_TYPE, loaded: Loaded, reply: Reply, *, chat_id: int, chat_type: str,
                  user_id: int | None, reply_to: int | None = None, source: str = "message",
                  started: float | None = None) -> Message | None:
    """Send a reply, remember it for its buttons, record it, and log one line (no text)."""
    rt = runtime(context)
    texts = loaded.texts
    body = to_html(reply)
    markup = reply_markup(reply, loaded, lambda action, key: rt.sign(chat_id, action, key))
    if chat_type != "private":
        username = context.bot.username
        body += "\n\n" + texts.html("group_hint", bot_username=username)
        markup = _join(markup, private_chat_keyboard(username, texts))
    if reply.kind == "answer":
        body += "\n\n" + html.escape(texts.label("helpful_question"), quote=False)
    message = await send_html(context.bot, chat_id, body, markup, reply_to)
    if message is not None:
        rt.recent.remember(chat_id, message.message_id, reply.intent, reply.question)
    rt.record(reply, user_id)
    event("reply", kind=reply.kind, intent=reply.intent, source=source, chat_type=chat_type, sent=message is not None,
          ms=round((time.perf_counter() - started) * 1000, 1) if started else None)
    return message
