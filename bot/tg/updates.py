"""Concurrent update processing that keeps each chat's updates in order, so many parents are served at once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_of(update: object) -> int | None:
    """The chat an update belongs to (None for updates without one)."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to N updates at once across chats; within one chat, strictly one after another in arrival order."""

    def __init__(self, max_concurrent_updates: int = 64, on_done: Callable[[int], None] | None = None):
        """`on_done(update_id)` runs once an update has been handled (the inbox forgets it then)."""
        super().__init__(max_concurrent_updates)
        self._tails: dict[int, asyncio.Future[None]] = {}
        self.on_done = on_done

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            if self.on_done is not None and isinstance(update, Update):
                try:
                    self.on_done(update.update_id)
                except Exception as exc:  # noqa: BLE001 - the reply is out; a lost mark only means a replay
                    logging.getLogger("sendbot.telegram").error("inbox_done_failed", extra={"fields": {"error": type(exc).__name__}})

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = chat_of(update)
        if chat is None:
            await super().process_update(update, coroutine)
            return
        # Taken before the first await: tasks start in arrival order, so the chain keeps that order.
        previous = self._tails.get(chat)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[chat] = mine
        try:
            if previous is not None:
                try:
                    await asyncio.shield(previous)
                except BaseException:
                    if asyncio.iscoroutine(coroutine):
                        coroutine.close()
                    raise
            await super().process_update(update, coroutine)
        finally:
            mine.set_result(None)
            if self._tails.get(chat) is mine:
                del self._tails[chat]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
