"""AIORateLimiter (Telegram's ~30 messages a second, 429 RetryAfter) plus retries of 5xx and connection errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Coroutine

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from .logs import event

# Polling has its own retry loop; a send that timed out may have been delivered, so it is not repeated.
NO_RETRY = {"getUpdates"}


class RetryingRateLimiter(AIORateLimiter):
    """Rate-limit every call; on a 5xx or a failed connection, wait and try again a few times."""

    def __init__(self, *args: Any, network_retries: int = 3, backoff: float = 0.5, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.network_retries = network_retries
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
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except RetryAfter:
                raise
            except TimedOut:
                raise
            except NetworkError as exc:
                if endpoint in NO_RETRY or attempt >= self.network_retries:
                    raise
                attempt += 1
                event("api_retry", logging.WARNING, method=endpoint, attempt=attempt, error=type(exc).__name__)
                await asyncio.sleep(self.backoff * attempt)
