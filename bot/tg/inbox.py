"""Every update answered at least once across crashes: kept in the store before Telegram is told it arrived.

python-telegram-bot's Updater confirms an update (by asking for the next offset) only after it has put
every update of a batch on the application's queue, and the webhook answers 200 only after its put.
So a queue whose put first writes the update to the store's inbox, and awaits that write, records each
update before Telegram lets go of it. The chat-ordered processor marks it done once its reply is sent;
on start, whatever was received and never done (a SIGKILL, a power cut) is put back on the queue.
An update Telegram delivers again (after a crash, or a missed 200) is recognised by its id and dropped:
in memory for the last 10,000, and by the inbox across restarts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any, Protocol

from telegram import Update

from .logs import event

WRITE_WAIT = 5.0  # seconds to wait for the store; past that the update is answered without a durable record
REMEMBERED = 10_000  # update ids also remembered in memory, so a re-send is dropped even without a store


class Inbox(Protocol):
    """What the store offers (bot/store/recorder.Store)."""

    def inbox_add(self, update_id: int, chat_id: int | None, body: str) -> Any: ...
    def inbox_done(self, update_id: int) -> None: ...
    def inbox_pending(self) -> list[str]: ...


def inbox_of(recorder: object) -> Inbox | None:
    """The recorder's inbox, if it has one (the NullRecorder of a bot without a store has none)."""
    return recorder if callable(getattr(recorder, "inbox_add", None)) else None  # type: ignore[return-value]


def _chat(update: object) -> int | None:
    return update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None


class DurableQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The application's update queue; `put` returns once the update is in the inbox (or was seen before)."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: Inbox | None = None
        self.closed = False  # the application's stop signal has been queued: nothing after it is read
        self._seen: OrderedDict[int, None] = OrderedDict()

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        return True

    async def put(self, item: Any) -> None:
        if not isinstance(item, Update):  # the application's stop signal
            self.closed = True
            await super().put(item)
            return
        if not self._first_time(item.update_id):
            event("duplicate_update", logging.INFO)
            return
        if self.inbox is not None:
            try:
                body = json.dumps(item.to_dict(), ensure_ascii=False)
                future = self.inbox.inbox_add(item.update_id, _chat(item), body)
                new = await asyncio.wait_for(asyncio.wrap_future(future), WRITE_WAIT)
            except Exception as exc:  # noqa: BLE001 - a broken store must not stop replies
                event("inbox_unavailable", logging.ERROR, error=type(exc).__name__)
            else:
                if not new:
                    event("duplicate_update", logging.INFO)
                    return
                if self.closed:  # stopping: it is in the inbox, and the next start answers it
                    event("kept_for_next_start", logging.INFO)
                    return
        await super().put(item)

    def replay(self, bot: Any) -> int:
        """Queue again what was received and never answered; returns how many."""
        if self.inbox is None:
            return 0
        count = 0
        for body in self.inbox.inbox_pending():
            try:
                update = Update.de_json(json.loads(body), bot)
            except Exception as exc:  # noqa: BLE001
                event("inbox_unreadable", logging.ERROR, error=type(exc).__name__)
                continue
            if update is not None:
                self._first_time(update.update_id)
                self.put_nowait(update)
                count += 1
        return count
