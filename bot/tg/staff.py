"""Staff commands (/reload, /stats) for the Telegram ids in SENDBOT_STAFF_IDS; a failed reload keeps the old knowledge."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ..core import DataError
from .logs import event
from .runtime import runtime
from .send import send_html
from .state import Loaded

MAX_ERRORS_SHOWN = 15
STATS_DAYS = 7


async def cmd_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Load knowledge/ and intents/ again; swap only if everything validates, else reply with the errors."""
    rt = runtime(context)
    chat = update.effective_chat
    if chat is None:
        return
    async with rt.reload_lock:
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        except TelegramError:
            pass
        started = time.perf_counter()
        try:
            loaded = await asyncio.to_thread(Loaded.load, rt.settings.data)
        except DataError as exc:
            errors = [str(p) for p in exc.problems]
            texts = rt.live.current.texts
            await send_html(context.bot, chat.id, texts.html("reload_failed", errors=errors[:MAX_ERRORS_SHOWN],
                                                             more=max(0, len(errors) - MAX_ERRORS_SHOWN)))
            event("reload_failed", logging.WARNING, errors=len(errors))
            return
        except Exception as exc:  # noqa: BLE001 - an unexpected failure must not take the bot down
            texts = rt.live.current.texts
            await send_html(context.bot, chat.id, texts.html("reload_failed", errors=[f"{type(exc).__name__}: {exc}"], more=0))
            event("reload_failed", logging.ERROR, error=type(exc).__name__)
            return
        rt.live.swap(loaded)
        bundle = loaded.bot.bundle
        warnings = sum(1 for p in loaded.bot.problems if p.level != "error")
        seconds = round(time.perf_counter() - started, 1)
        await send_html(context.bot, chat.id, loaded.texts.html(
            "reload_ok", entries=len(bundle.entries), intents=len(bundle.intents), terms=len(bundle.terms),
            warnings=warnings, seconds=seconds))
        event("reloaded", entries=len(bundle.entries), intents=len(bundle.intents), seconds=seconds)


async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers, clarifies and fallbacks per day, from the recorder."""
    rt = runtime(context)
    if update.effective_chat is None:
        return
    rows = await rt.stats(STATS_DAYS)
    await send_html(context.bot, update.effective_chat.id, rt.live.current.texts.html("stats", rows=rows, days=STATS_DAYS))
    event("stats", days=len(rows))
