"""The services every handler shares (knowledge, recorder, flood guard, memory), kept in application.bot_data."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ContextTypes

from ..core import Bot
from ..events import Recorder
from ..reply import Reply, Who
from . import callbacks
from .flood import FloodGuard
from .logs import event
from .settings import Settings
from .state import Live, Recent

KEY = "sendbot"
WORKERS = 2  # threads that read ordinary messages
HEAVY_CHARS = 600  # a message this long, or with a "word" longer than HEAVY_WORD, is read in its own lane
HEAVY_WORD = 40
REPLY_BUDGET = 10.0  # seconds a message may take to read before the parent is asked to send it shorter


FORGET_FAILED = -1  # Runtime.forget: the recorder refused the deletion outright


@dataclass
class Runtime:
    """Shared state; the recorder is wrapped so a failing store never breaks a reply."""

    settings: Settings
    live: Live
    recorder: Recorder
    flood: FloodGuard
    recent: Recent = field(default_factory=Recent)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    workers: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(WORKERS, "sendbot-reader"))
    heavy: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "sendbot-long-reader"))
    budget: float = REPLY_BUDGET

    async def answer(self, bot: Bot, text: str | None, who: Who) -> Reply:
        """Bot.handle off the event loop, in worker threads, within a time budget.

        Long messages (the costly ones to read) queue in a lane of their own, so a flood of 4,000-character
        rants never holds up an ordinary question from another chat. A message that overruns the budget
        gets a short reply with 999 and SENDIASS instead of leaving the parent waiting."""
        lane = self.heavy if is_heavy(text or "") else self.workers
        future = asyncio.get_running_loop().run_in_executor(lane, bot.handle, text, who)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.budget)
        except asyncio.TimeoutError:
            event("slow_message", logging.WARNING, budget_s=self.budget, chars=len(text or ""))
            return bot.fallback(text or "", reason="slow")

    def sign(self, chat_id: int, action: str, key: str) -> str:
        """A feedback button's signature for one chat, keyed by the bot token (so it survives restarts)."""
        return callbacks.tag(self.button_secret, chat_id, action, key)

    @functools.cached_property
    def button_secret(self) -> bytes:
        """Derived from the token once; the token itself never goes into a button."""
        return hashlib.sha256(b"sendbot feedback buttons|" + self.settings.token.encode()).digest()

    def is_staff(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.staff_ids

    def record(self, reply: Reply, user: int | None) -> None:
        try:
            self.recorder.record(reply, user, "telegram")
        except Exception as exc:  # noqa: BLE001 - the parent still gets the answer
            event("recorder_failed", logging.ERROR, call="record", error=type(exc).__name__)

    def feedback(self, intent: str | None, helpful: bool, question: str | None, user: int | None) -> None:
        try:
            self.recorder.feedback(intent, helpful, question, user)
        except Exception as exc:  # noqa: BLE001
            event("recorder_failed", logging.ERROR, call="feedback", error=type(exc).__name__)

    async def forget(self, user: int) -> int | None:
        """Recorder.forget may wait for the database, so it runs off the event loop. None: queued, not done
        yet (the parent is told their questions will be deleted); FORGET_FAILED: not even queued (they are
        asked to send /forgetme again). Never "nothing was kept" unless the store said so."""
        try:
            deleted = await asyncio.to_thread(self.recorder.forget, user)
        except Exception as exc:  # noqa: BLE001
            event("recorder_failed", logging.ERROR, call="forget", error=type(exc).__name__)
            return FORGET_FAILED
        return None if deleted is None else int(deleted)

    async def stats(self, days: int) -> list[dict[str, Any]]:
        try:
            return list(await asyncio.to_thread(self.recorder.stats, days) or [])
        except Exception as exc:  # noqa: BLE001
            event("recorder_failed", logging.ERROR, call="stats", error=type(exc).__name__)
            return []


def is_heavy(text: str) -> bool:
    """Costly to read: long, or holding one enormous "word"."""
    return len(text) > HEAVY_CHARS or any(len(w) > HEAVY_WORD for w in text.split())


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    """The Runtime of the application a handler runs in."""
    return context.application.bot_data[KEY]
