"""Build the python-telegram-bot Application: limits, defaults, ordered concurrency, and every handler in its place."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, Defaults,
                          MessageHandler, TypeHandler, filters)

from ..events import NullRecorder, Recorder
from . import buttons, handlers, staff
from .flood import FloodGuard
from .inbox import DurableQueue, inbox_of
from .logs import event
from .ratelimit import RetryingRateLimiter
from .rejected import REJECTED, STOP, WatchedRequest
from .runtime import KEY, Runtime
from .settings import Settings
from .state import Live, Loaded
from .updates import ChatOrderedProcessor

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MAX_CONCURRENT = 32  # httpx's connection pool slows down past this; 32 served best in the load benchmark
PUBLIC_COMMANDS = ("start", "help", "topics", "young", "contact", "glossary", "privacy", "forgetme")
NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.Document.ALL | filters.LOCATION
            | filters.VENUE | filters.VIDEO | filters.VIDEO_NOTE | filters.ANIMATION | filters.CONTACT | filters.POLL
            | filters.Dice.ALL)


async def _post_init(app: Application) -> None:
    """Queue again what a crash left unanswered; publish the command menu (a failure is logged, not fatal)."""
    rt: Runtime = app.bot_data[KEY]
    if isinstance(app.update_queue, DurableQueue):
        replayed = await asyncio.to_thread(app.update_queue.replay, app.bot)
        if replayed:
            event("replayed", logging.WARNING, updates=replayed)
    texts = rt.live.current.texts
    try:
        await app.bot.set_my_commands([BotCommand(name, texts.label(f"cmd_{name}")) for name in PUBLIC_COMMANDS])
    except TelegramError as exc:
        event("set_commands_failed", logging.WARNING, error=type(exc).__name__)
    event("started", bot=app.bot.username, staff=len(rt.settings.staff_ids),
          mode="webhook" if rt.settings.webhook else "polling", recorder=type(rt.recorder).__name__)


async def _post_stop(app: Application) -> None:
    event("stopped")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything a handler or the network raised: one log line, never fatal (a traceback only for our own bugs)."""
    error = context.error
    kind = None
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else "message" if update.effective_message else "other"
    if isinstance(error, TelegramError):
        event("telegram_error", logging.WARNING, error=type(error).__name__, update=kind)
    else:
        logging.getLogger("sendbot.telegram").error(
            "handler_failed", exc_info=error, extra={"fields": {"error": type(error).__name__, "update": kind}})


def register(app: Application, settings: Settings) -> None:
    """Every handler, in order: flood guard first, staff before the unknown-command catch-all."""
    app.add_handler(TypeHandler(Update, handlers.guard), group=-1)
    new = filters.UpdateType.MESSAGE
    commands: dict[str, Any] = {"start": handlers.cmd_start, "help": handlers.cmd_help, "topics": handlers.cmd_topics,
                                "young": handlers.cmd_young,
                                "contact": handlers.cmd_contact, "glossary": handlers.cmd_glossary,
                                "privacy": handlers.cmd_privacy, "forgetme": handlers.cmd_forgetme}
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=new))
    staff_only = filters.User(user_id=settings.staff_ids) & filters.ChatType.PRIVATE & new
    app.add_handler(CommandHandler("reload", staff.cmd_reload, filters=staff_only))
    app.add_handler(CommandHandler("stats", staff.cmd_stats, filters=staff_only))
    app.add_handler(MessageHandler(filters.COMMAND & new, handlers.cmd_unknown))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGES, handlers.on_text))
    app.add_handler(MessageHandler(NON_TEXT & filters.ChatType.PRIVATE & new, handlers.on_non_text))
    app.add_handler(CallbackQueryHandler(buttons.on_button))
    app.add_error_handler(on_error)


def build_application(settings: Settings, loaded: Loaded, recorder: Recorder | None = None, *,
                      updater: bool = True) -> Application:
    """The Application for these settings and this knowledge; `updater=False` for tests that feed updates directly."""
    inbox = inbox_of(recorder)
    queue = DurableQueue()
    queue.inbox = inbox
    rejected: dict[str, Any] = {}

    def on_rejected(status: int, method: str) -> None:
        if not rejected and app.running:  # before start, PTB's own start-up check reports a bad token
            rejected.update(status=status, method=method)
            event("token_rejected", logging.CRITICAL, status=status, method=method)
            stop = app.bot_data.get(STOP)  # the webhook server's own stop (bot/tg/webhook.py); else PTB's polling
            stop() if stop else app.stop_running()

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .update_queue(queue)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT, on_done=inbox.inbox_done if inbox else None))
        .request(WatchedRequest(on_rejected, connection_pool_size=MAX_CONCURRENT + 8, connect_timeout=5,
                                read_timeout=15, write_timeout=15, pool_timeout=10))
        .get_updates_request(WatchedRequest(on_rejected, connection_pool_size=1, connect_timeout=5, pool_timeout=10))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.max_rate > 0:
        builder = builder.rate_limiter(RetryingRateLimiter(overall_max_rate=settings.max_rate, overall_time_period=1,
                                                           max_retries=10))
    if not updater:
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data[REJECTED] = rejected
    app.bot_data[KEY] = Runtime(settings=settings, live=Live(loaded), recorder=recorder or NullRecorder(),
                                flood=FloodGuard(settings.flood_limit, settings.flood_window))
    register(app, settings)
    return app
