"""Stop, and say so, when Telegram rejects the bot's token while it runs.

python-telegram-bot ends its polling loop on a 401 but leaves the process idling, so no supervisor
notices that parents are no longer answered. Every Bot API response passes through this request
class; a 401 (token revoked) on any call, or a 403 on getUpdates, stops the application and marks the
run as failed, so `sendbot run` exits non-zero at once and the supervisor can restart or alert.
A 403 on sendMessage is one parent blocking the bot, and stays a per-chat matter (bot/tg/send.py).
"""

from __future__ import annotations

from typing import Any, Callable

from telegram.request import HTTPXRequest

REJECTED = "sendbot.rejected"  # bot_data key: set when Telegram rejected the token mid-run
STOP = "sendbot.stop"  # bot_data key: how to stop a server that is not PTB's run_polling (the webhook's)
FATAL_EVERYWHERE = {401}
FATAL_ON_POLL = {401, 403}


class WatchedRequest(HTTPXRequest):
    """HTTPXRequest that reports a rejected token to `on_rejected(status, method)` before PTB raises."""

    def __init__(self, on_rejected: Callable[[int, str], None], **kwargs: Any):
        super().__init__(**kwargs)
        self._on_rejected = on_rejected

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, *args, **kwargs)
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        if status in FATAL_EVERYWHERE or (status in FATAL_ON_POLL and api_method == "getUpdates"):
            self._on_rejected(status, api_method)
        return status, payload
