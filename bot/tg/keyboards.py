"""Inline keyboards for answers, clarifies, topics and groups; every callback goes through callbacks.encode."""

from __future__ import annotations

from typing import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..reply import Reply
from .callbacks import ANSWER, MORE, NO, TOPIC, TOPICS, YES, decode, encode
from .catalogue import Catalogue, key_of
from .texts import Texts

MAX_LABEL = 60
MAX_RELATED = 3


def short(label: str, limit: int = MAX_LABEL) -> str:
    """Button labels are cut on phones; cut them ourselves, at a word."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _button(label: str, action: str, key: str = "", signature: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(short(label), callback_data=encode(action, key, signature))


def answer_keyboard(reply: Reply, catalogue: Catalogue, texts: Texts,
                    sign: Callable[[str, str], str] = lambda action, key: "") -> InlineKeyboardMarkup:
    """Tell me more (if there are details), related questions, then Was this helpful? Yes / No (signed
    with `sign(action, key)` for the chat, so a vote cannot be forged for a reply the bot never sent)."""
    intent = reply.intent or ""
    rows: list[list[InlineKeyboardButton]] = []
    if reply.details:
        rows.append([_button(texts.label("tell_me_more"), MORE, key_of(intent))])
    for entry_id, title in reply.related[:MAX_RELATED]:
        related_intent = catalogue.entry_intent.get(entry_id)
        if related_intent:
            rows.append([_button(title, ANSWER, key_of(related_intent))])
    key = key_of(intent)
    rows.append([_button(texts.label("helpful_yes"), YES, key, sign(YES, key)),
                 _button(texts.label("helpful_no"), NO, key, sign(NO, key))])
    return InlineKeyboardMarkup(rows)


def clarify_keyboard(reply: Reply) -> InlineKeyboardMarkup:
    """One numbered button per option, matching the numbers in the message."""
    return InlineKeyboardMarkup([[_button(f"{n}. {option.title}", ANSWER, key_of(option.intent))]
                                 for n, option in enumerate(reply.options, 1)])


def browse_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    """A single 'Browse topics' button, for when the bot did not know."""
    return InlineKeyboardMarkup([[_button(texts.label("browse_topics"), TOPICS)]])


def topics_keyboard(catalogue: Catalogue) -> InlineKeyboardMarkup:
    """Every topic, one per row."""
    return InlineKeyboardMarkup([[_button(topic.name, TOPIC, topic.key)] for topic in catalogue.topics])


def topic_keyboard(catalogue: Catalogue, topic_key: str, texts: Texts) -> InlineKeyboardMarkup | None:
    """The questions of one topic, then Back to topics; None if the topic no longer exists."""
    topic = catalogue.topic(topic_key)
    if topic is None:
        return None
    rows = [[_button(title, ANSWER, key_of(intent))] for intent, title in topic.questions]
    rows.append([_button(texts.label("back_to_topics"), TOPICS)])
    return InlineKeyboardMarkup(rows)


def private_chat_keyboard(username: str, texts: Texts) -> InlineKeyboardMarkup:
    """A link button that opens a private chat with the bot."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(short(texts.label("chat_privately")), url=f"https://t.me/{username}")]])


def _action(button: InlineKeyboardButton) -> str:
    press = decode(button.callback_data)[0] if isinstance(button.callback_data, str) else None
    return press.action if press else ""


def without(markup: InlineKeyboardMarkup | None, *actions: str) -> InlineKeyboardMarkup | None:
    """The same keyboard minus the buttons of the given actions (after they were used)."""
    if markup is None:
        return None
    rows = [kept for row in markup.inline_keyboard if (kept := [b for b in row if _action(b) not in actions])]
    return InlineKeyboardMarkup(rows) if rows else None
