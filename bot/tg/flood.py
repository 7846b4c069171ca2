"""Per-chat flood guard: one chat sending too fast gets one polite notice, then is ignored until it calms down."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Hashable

OK, NOTICE, DROP = "ok", "notice", "drop"


@dataclass
class _Chat:
    times: deque[float] = field(default_factory=deque)
    noticed: bool = False


class FloodGuard:
    """A sliding window per chat; ignored messages still count, so a steady flood stays ignored."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic, max_chats: int = 50_000):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_chats = max_chats
        self.chats: dict[Hashable, _Chat] = {}

    def check(self, chat: Hashable) -> str:
        """OK to handle, NOTICE (send the notice, handle nothing), or DROP (say nothing)."""
        now = self.clock()
        state = self.chats.get(chat)
        if state is None:
            if len(self.chats) >= self.max_chats:
                self._prune(now)
            state = self.chats[chat] = _Chat()
        times = state.times
        while times and now - times[0] >= self.window:
            times.popleft()
        times.append(now)
        if len(times) <= self.limit:
            state.noticed = False
            return OK
        if state.noticed:
            return DROP
        state.noticed = True
        return NOTICE

    def _prune(self, now: float) -> None:
        """Forget chats that have been quiet for a whole window (keeps memory bounded)."""
        for chat in [c for c, s in self.chats.items() if not s.times or now - s.times[-1] >= self.window]:
            del self.chats[chat]
