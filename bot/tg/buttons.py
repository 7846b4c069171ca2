"""Button presses: every callback is untrusted, so anything unknown gets a polite reply, never an exception."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from ..render import to_html
from ..reply import Reply
from .callbacks import ANSWER, MORE, NO, TOPIC, TOPICS, YES, decode, signed
from .keyboards import topic_keyboard, topics_keyboard, without
from .logs import event
from .replies import deliver
from .runtime import Runtime, runtime
from .send import send_html
from .state import Loaded


async def _ack(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner (exactly once per press); a late or repeated answer is only logged."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        event("callback_answer_failed", logging.INFO, error=type(exc).__name__)


async def _edit(query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None) -> bool:
    """Edit the message under the button; 'not modified' counts as done. False if it cannot be edited."""
    message = query.message
    if not isinstance(message, Message):
        return False
    try:
        if text is None:
            await message.edit_reply_markup(markup)
        else:
            await message.edit_text(text, reply_markup=markup)
        return True
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return True
        event("edit_failed", logging.INFO, error=type(exc).__name__)
        return False
    except TelegramError as exc:
        event("edit_failed", logging.INFO, error=type(exc).__name__)
        return False


async def _refuse(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, chat_id: int, why: str) -> None:
    """A forged, stale or old-version button: a polite message, and nothing else happens."""
    await _ack(query)
    texts = runtime(context).live.current.texts
    await send_html(context.bot, chat_id, texts.html("stale_button"))
    event("button_refused", logging.WARNING, reason=why)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Dispatch a press by its action: answer, tell me more, yes/no, topic, topics."""
    query = update.callback_query
    if query is None:
        return
    rt = runtime(context)
    loaded = rt.live.current
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    chat_type = message.chat.type if message is not None else "private"
    press, why = decode(query.data)
    if press is None:
        await _refuse(query, context, chat_id, why)
        return
    if press.action in (TOPICS, TOPIC):
        await _browse(query, context, loaded, chat_id, press.action, press.key)
        return
    intent = loaded.catalogue.intent(press.key)
    if intent is None:
        await _refuse(query, context, chat_id, "stale")
        return
    if press.action == ANSWER:
        remembered = rt.recent.get(chat_id, message.message_id) if message is not None else None
        question = remembered.question if remembered and remembered.intent is None else ""
        await _ack(query)
        reply = loaded.bot.answer(intent, question)
        await deliver(context, loaded, reply, chat_id=chat_id, chat_type=chat_type, user_id=query.from_user.id,
                      source="button")
    elif press.action == MORE:
        await _more(query, context, loaded, chat_id, intent)
    elif press.action in (YES, NO):
        if not signed(rt.button_secret, chat_id, press):  # not a button this bot sent to this chat
            await _refuse(query, context, chat_id, "forged")
            return
        await _feedback(query, context, rt, chat_id, intent, press.action == YES)


async def _browse(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, loaded: Loaded, chat_id: int,
                  action: str, key: str) -> None:
    """Topic navigation edits the menu in place (or sends it anew if the old one cannot be edited)."""
    if action == TOPIC:
        topic = loaded.catalogue.topic(key)
        markup = topic_keyboard(loaded.catalogue, key, loaded.texts)
        if topic is None or markup is None:
            await _refuse(query, context, chat_id, "stale")
            return
        text = loaded.texts.html("topics", topic=topic.name)
    else:
        text, markup = loaded.texts.html("topics", topic=None), topics_keyboard(loaded.catalogue)
    await _ack(query)
    if not await _edit(query, text, markup):
        await send_html(context.bot, chat_id, text, markup)
    event("browse", action=action)


async def _more(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, loaded: Loaded, chat_id: int, intent: str) -> None:
    """Tell me more: send the details, then take the button away."""
    page = loaded.bot.page_for(intent)
    if page is None or not page.details:
        await _refuse(query, context, chat_id, "stale")
        return
    await _ack(query)
    body = loaded.texts.text("details", title=page.title, details=page.shown_details or page.details)
    reply = Reply(question="", kind="answer", body=body, intent=intent, title=page.title)
    reply_to = query.message.message_id if isinstance(query.message, Message) else None
    await send_html(context.bot, chat_id, to_html(reply), reply_to=reply_to)
    if isinstance(query.message, Message):
        await _edit(query, None, without(query.message.reply_markup, MORE))
    event("more", intent=intent)


async def _feedback(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, chat_id: int,
                    intent: str, helpful: bool) -> None:
    """Was this helpful? Record one vote per reply, thank the parent, remove the pair."""
    texts = rt.live.current.texts
    message = query.message
    remembered = rt.recent.get(chat_id, message.message_id) if message is not None else None
    if remembered is not None and remembered.feedback_given:
        await _ack(query, texts.label("feedback_already"))
        return
    if remembered is not None:
        remembered.feedback_given = True
    rt.feedback(intent, helpful, remembered.question if remembered else None, query.from_user.id)
    await _ack(query, texts.label("feedback_thanks"))
    if isinstance(message, Message):
        await _edit(query, None, without(message.reply_markup, YES, NO))
    if not helpful:
        await send_html(context.bot, chat_id, texts.html("feedback_no"))
    event("feedback", helpful=helpful, intent=intent)
