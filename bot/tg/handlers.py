"""Handlers for what parents send: questions, edits, non-text messages and the public commands."""

from __future__ import annotations

import logging
import re
import time

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from ..reply import Who
from .flood import NOTICE, OK
from .keyboards import private_chat_keyboard, topic_keyboard, topics_keyboard
from .logs import event
from .replies import deliver
from .runtime import FORGET_FAILED, runtime
from .send import send_html
from .updates import chat_of


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def _user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def addressed_text(message: Message, username: str | None) -> str | None:
    """In a group: the text without the @mention if the message is for this bot (mention or reply), else None."""
    text = message.text or ""
    if not username:
        return None
    mention = f"@{username}".casefold()
    mentioned = any(e.type == MessageEntity.MENTION and text[e.offset:e.offset + e.length].casefold() == mention
                    for e in message.entities or ())
    replied = (message.reply_to_message is not None and message.reply_to_message.from_user is not None
               and (message.reply_to_message.from_user.username or "").casefold() == username.casefold())
    if not (mentioned or replied):
        return None
    return re.sub(re.escape(f"@{username}"), " ", text, flags=re.IGNORECASE).strip()


def for_this_bot(update: Update, username: str | None) -> bool:
    """Whether the bot would act on this update: everything in private chats; in groups only what names it."""
    if update.callback_query is not None or _private(update):
        return True
    message = update.effective_message
    if message is None or not message.text:
        return False
    if message.text.startswith("/"):
        target = message.text.split()[0].partition("@")[2]
        return not target or target.casefold() == (username or "").casefold()
    return addressed_text(message, username) is not None


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: a chat over the flood limit gets one notice, then nothing until it calms down."""
    rt = runtime(context)
    chat = chat_of(update)
    if chat is None or not for_this_bot(update, context.bot.username):
        return
    verdict = rt.flood.check(chat)
    if verdict == OK:
        return
    if verdict == NOTICE:
        event("flood", logging.WARNING, chat_type=update.effective_chat.type if update.effective_chat else None)
        texts = rt.live.current.texts
        await send_html(context.bot, chat, texts.html("flood", window_seconds=round(rt.settings.flood_window)))
    raise ApplicationHandlerStop


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed question (new or edited): the same core as `sendbot ask`, then buttons."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    started = time.perf_counter()
    text: str | None = message.text
    if chat.type != ChatType.PRIVATE:
        text = addressed_text(message, context.bot.username)
        if text is None:
            return
    loaded = runtime(context).live.current
    user = update.effective_user
    who = Who(_user_id(update), user.language_code if user else None, "telegram")  # for translated answers
    reply = await runtime(context).answer(loaded.bot, text, who)
    await deliver(context, loaded, reply, chat_id=chat.id, chat_type=chat.type, user_id=_user_id(update),
                  reply_to=message.message_id, source="edit" if update.edited_message else "message", started=started)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes, documents, locations: a kind word and the SENDIASS number."""
    if update.effective_chat is None or update.effective_message is None:
        return
    texts = runtime(context).live.current.texts
    await send_html(context.bot, update.effective_chat.id, texts.html("non_text"), reply_to=update.effective_message.message_id)
    event("non_text", chat_type=update.effective_chat.type)


async def _send_template(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str, **values: object) -> None:
    if update.effective_chat is None:
        return
    loaded = runtime(context).live.current
    markup = None if _private(update) else private_chat_keyboard(context.bot.username, loaded.texts)
    await send_html(context.bot, update.effective_chat.id, loaded.texts.html(name, **values), markup)
    event("command", command=name, chat_type=update.effective_chat.type)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Who the bot is, that it is a program, what it covers, no personal details; topic buttons."""
    if update.effective_chat is None:
        return
    loaded = runtime(context).live.current
    names = [t.name for t in loaded.catalogue.topics]
    body = loaded.texts.html("start", topics=names, private=_private(update))
    if _private(update):
        markup = topics_keyboard(loaded.catalogue)
    else:
        body += "\n\n" + loaded.texts.html("group_hint", bot_username=context.bot.username)
        markup = private_chat_keyboard(context.bot.username, loaded.texts)
    await send_html(context.bot, update.effective_chat.id, body, markup)
    event("command", command="start", chat_type=update.effective_chat.type)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_template(update, context, "help", staff=runtime(context).is_staff(_user_id(update)) and _private(update))


async def cmd_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is None:
        return
    loaded = runtime(context).live.current
    await send_html(context.bot, update.effective_chat.id, loaded.texts.html("topics", topic=None),
                    topics_keyboard(loaded.catalogue))
    event("command", command="topics", chat_type=update.effective_chat.type)


async def cmd_young(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers written for young people themselves, in words a 12-year-old can follow."""
    if update.effective_chat is None:
        return
    loaded = runtime(context).live.current
    young = loaded.catalogue.young
    if young is None:
        await send_html(context.bot, update.effective_chat.id, loaded.texts.html("topics", topic=None),
                        topics_keyboard(loaded.catalogue))
    else:
        await send_html(context.bot, update.effective_chat.id, loaded.texts.html("topics", topic=young.name),
                        topic_keyboard(loaded.catalogue, young.key, loaded.texts))
    event("command", command="young", chat_type=update.effective_chat.type)


async def cmd_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_template(update, context, "contact")


async def cmd_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_template(update, context, "privacy", retention_days=runtime(context).settings.retention_days)


async def cmd_forgetme(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete what the recorder keeps for this user, and the bot's own short memory of the chat."""
    rt = runtime(context)
    user = _user_id(update)
    if user is None or update.effective_chat is None:
        return
    deleted = await rt.forget(user)
    rt.recent.forget_chat(update.effective_chat.id)
    await _send_template(update, context, "forgetme", deleted=None if deleted == FORGET_FAILED else deleted,
                         failed=deleted == FORGET_FAILED)


async def cmd_glossary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/glossary TERM: the term's answer; a near miss gets a suggestion; no term lists them all."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    loaded = runtime(context).live.current
    query = " ".join(context.args or []).strip()
    intent, suggestion = loaded.catalogue.term(query) if query else (None, None)
    if intent is None:
        await _send_template(update, context, "glossary", query=query, suggestion=suggestion,
                             terms=sorted(loaded.catalogue.term_names, key=str.casefold))
        return
    reply = loaded.bot.answer(intent, f"/glossary {query}")
    await deliver(context, loaded, reply, chat_id=chat.id, chat_type=chat.type, user_id=_user_id(update),
                  reply_to=message.message_id, source="glossary")


async def cmd_unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other command (and staff commands from anyone else): in groups only if it names this bot."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0]
    target = command.partition("@")[2]
    if target and target.casefold() != (context.bot.username or "").casefold():
        return  # meant for another bot
    if not _private(update) and not target:
        return
    await _send_template(update, context, "unknown_command")
