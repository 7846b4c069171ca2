"""`sendbot run` with a token: check everything, then serve Telegram by long polling or by webhook until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from types import FrameType

from telegram.error import InvalidToken, NetworkError

from ..core import DataError
from ..events import Recorder
from . import logs
from .app import ALLOWED_UPDATES, build_application
from .rejected import REJECTED
from .recorder import open_recorder
from .settings import ConfigError, Settings, from_env
from .state import Loaded
from .webhook import serve

BOOTSTRAP_RETRIES = 5
POLL_TIMEOUT = 10


def _say(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _already_stopping(signum: int, frame: FrameType | None) -> None:
    logs.event("stop_signal_ignored", logging.WARNING, signal=signal.Signals(signum).name, why="already stopping")


def _stop_once(app) -> None:  # type: ignore[no-untyped-def]
    """The first SIGTERM or SIGINT stops polling gracefully; any later one is logged and ignored, so a
    supervisor sending two in a row cannot cut short the replies and the store's last writes."""
    loop = asyncio.get_running_loop()

    def first() -> None:
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, _already_stopping, sig, None)
        app.stop_running()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, first)


def run(settings: Settings, loaded: Loaded) -> int:
    """Serve until a stop signal; pending updates are finished and confirmed before returning."""
    try:
        recorder = open_recorder()
    except Exception as exc:  # noqa: BLE001 - a misconfigured store must stop start-up with a clear reason
        _say(f"sendbot: cannot open the store for questions and feedback ({type(exc).__name__}); "
             "check SENDBOT_DB or DATABASE_URL.")
        return 1
    try:
        return _serve(settings, loaded, recorder)
    finally:  # while the interpreter is whole: the writer may still be redacting a queued question
        for sig in STOP_SIGNALS:  # the event loop is gone, and with it its signal handlers: stay deaf to repeats
            signal.signal(sig, _already_stopping)
        getattr(recorder, "close", lambda: None)()


def _serve(settings: Settings, loaded: Loaded, recorder: Recorder) -> int:
    hook = settings.webhook
    app = build_application(settings, loaded, recorder, updater=hook is None)
    try:
        if hook:
            asyncio.run(serve(app, hook, ALLOWED_UPDATES, BOOTSTRAP_RETRIES))
        else:
            app.post_init = _also(app.post_init, _stop_once)
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, timeout=POLL_TIMEOUT,
                            bootstrap_retries=BOOTSTRAP_RETRIES, stop_signals=None)
    except InvalidToken:
        if app.bot_data.get(REJECTED):
            return _revoked()
        _say("sendbot: Telegram rejected TELEGRAM_BOT_TOKEN. Check it with @BotFather (/mybots, API Token), "
             "or revoke it there and set the new one.")
        return 1
    except NetworkError as exc:
        _say(f"sendbot: could not reach the Telegram Bot API ({type(exc).__name__}); "
             "check the network, or TELEGRAM_API_BASE_URL if you set it.")
        return 1
    except OSError as exc:
        if hook is None:
            raise
        _say(f"sendbot: cannot listen for the webhook on {hook.listen}:{hook.port} ({exc.strerror or exc}); "
             "check PORT and WEBHOOK_LISTEN.")
        return 1
    return _revoked() if app.bot_data.get(REJECTED) else 0


def _also(post_init, extra):  # type: ignore[no-untyped-def]
    async def both(app) -> None:  # type: ignore[no-untyped-def]
        if post_init:
            await post_init(app)
        extra(app)
    return both


def _revoked() -> int:
    _say("sendbot: Telegram stopped accepting TELEGRAM_BOT_TOKEN while the bot was running (revoked or changed?). "
         "Unanswered messages are kept and answered after a restart. Check the token with @BotFather "
         "(/mybots, API Token) and restart.")
    return 1


def main(args: argparse.Namespace) -> int:
    """Entry point for `sendbot run` (polling) and `sendbot run --webhook`; returns the exit code."""
    webhook = bool(getattr(args, "webhook", False))
    data = getattr(args, "data", None)
    try:
        settings = from_env(os.environ, webhook=webhook, data=data)
    except ConfigError as exc:
        _say("sendbot: cannot start the Telegram bot:", *(f"  - {reason}" for reason in exc.reasons))
        return 2
    logs.configure(settings.log_level, settings.secrets)
    try:
        loaded = Loaded.load(data)
    except DataError as exc:
        _say("The knowledge or intent files have errors, so the bot cannot start:",
             *(f"  {problem}" for problem in exc.problems),
             "Fix them (run `sendbot check` to see everything), then try again.")
        return 1
    logs.event("loaded", entries=len(loaded.bot.bundle.entries), intents=len(loaded.bot.bundle.intents))
    return run(settings, loaded)
