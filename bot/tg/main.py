"""`sendbot run` with a token: check everything, then serve Telegram by long polling or by webhook until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from telegram.error import InvalidToken, NetworkError

from ..core import DataError
from ..events import Recorder
from . import logs
from .app import ALLOWED_UPDATES, build_application
from .recorder import open_recorder
from .settings import ConfigError, Settings, from_env
from .state import Loaded
from .webhook import serve

BOOTSTRAP_RETRIES = 5
POLL_TIMEOUT = 10


def _say(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)


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
        getattr(recorder, "close", lambda: None)()


def _serve(settings: Settings, loaded: Loaded, recorder: Recorder) -> int:
    hook = settings.webhook
    app = build_application(settings, loaded, recorder, updater=hook is None)
    try:
        if hook:
            asyncio.run(serve(app, hook, ALLOWED_UPDATES, BOOTSTRAP_RETRIES))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, timeout=POLL_TIMEOUT,
                            bootstrap_retries=BOOTSTRAP_RETRIES)
    except InvalidToken:
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
    return 0


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
