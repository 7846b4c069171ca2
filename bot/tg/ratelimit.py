"""AIORateLimiter (Telegram's ~30 messages a second, 429 RetryAfter) plus patient retries of 5xx and connection errors.

A Bot API outage of a minute or two must not cost parents their replies, so a failed send is retried
with growing pauses for up to SEND_PATIENCE seconds. A 400 (Bad Request) is never retried: the same
request would fail the same way."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Coroutine

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from .logs import event

# Polling has its own retry loop; a send that timed out may have been delivered, so it is not repeated.
NO_RETRY = {"getUpdates"}
SEND_PATIENCE = 180.0  # seconds of retrying before a reply is given up (and logged)
MAX_BACKOFF = 15.0


class RetryingRateLimiter(AIORateLimiter):
    """Rate-limit every call; on a 5xx or a failed connection, wait (0.5 s, doubling to 15 s) and try again
    until `patience` seconds have passed."""

    def __init__(self, *args: Any, patience: float = SEND_PATIENCE, backoff: float = 0.5, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.patience = patience
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.patience
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (RetryAfter, TimedOut, BadRequest):  # RetryAfter is waited out by AIORateLimiter itself
                raise
            except NetworkError as exc:
                pause = min(self.backoff * 2 ** attempt, MAX_BACKOFF)
                if endpoint in NO_RETRY or loop.time() + pause > give_up:
                    raise
                attempt += 1
                event("api_retry", logging.WARNING, method=endpoint, attempt=attempt, error=type(exc).__name__)
                await asyncio.sleep(pause)
