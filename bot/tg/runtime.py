"""The services every handler shares (knowledge, recorder, flood guard, memory), kept in application.bot_data."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ContextTypes

from ..events import Recorder
from ..reply import Reply
from .flood import FloodGuard
from .logs import event
from .settings import Settings
from .state import Live, Recent

KEY = "sendbot"


@dataclass
class Runtime:
    """Shared state; the recorder is wrapped so a failing store never breaks a reply."""

    settings: Settings
    live: Live
    recorder: Recorder
    flood: FloodGuard
    recent: Recent = field(default_factory=Recent)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

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

    async def forget(self, user: int) -> int:
        """Recorder.forget may wait for the database, so it runs off the event loop."""
        try:
            return int(await asyncio.to_thread(self.recorder.forget, user) or 0)
        except Exception as exc:  # noqa: BLE001
            event("recorder_failed", logging.ERROR, call="forget", error=type(exc).__name__)
            return 0

    async def stats(self, days: int) -> list[dict[str, Any]]:
        try:
            return list(await asyncio.to_thread(self.recorder.stats, days) or [])
        except Exception as exc:  # noqa: BLE001
            event("recorder_failed", logging.ERROR, call="stats", error=type(exc).__name__)
            return []


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    """The Runtime of the application a handler runs in."""
    return context.application.bot_data[KEY]
