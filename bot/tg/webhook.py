"""The webhook server (tornado, as python-telegram-bot's own), with a shutdown that drains instead of cutting.

PTB's built-in server closes open connections on SIGTERM; a delivery it had already queued can then lose
its HTTP response, so Telegram sends it again and the parent is answered twice. Here, on SIGTERM, new
deliveries get 503 without being queued (Telegram retries them, to the next instance), accepted ones finish
their 200 responses, and only then are connections closed and the queued updates processed.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from .logs import event
from .rejected import STOP
from .settings import Webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN_SECONDS = 5.0
MAX_BODY = 1_048_576  # an update is a few kilobytes; anything over a megabyte is refused with 413


class Gate:
    """Counts deliveries in progress and closes to new ones at shutdown."""

    def __init__(self) -> None:
        self.closing = False
        self.inflight = 0

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait (a little, at least) until every accepted delivery has had its response written."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await asyncio.sleep(0.05)  # let requests already read reach their handler and see `closing`
        while self.inflight and loop.time() < deadline:
            await asyncio.sleep(0.02)


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POSTs from Telegram: check the secret before reading the body, cap its size, queue the update once."""

    def initialize(self, app: Application, secret: str, gate: Gate) -> None:
        self.app, self.secret, self.gate = app, secret, gate
        self.counted = False
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        self.gate.inflight += 1
        self.counted = True
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            event("webhook_refused", logging.WARNING, reason="secret")
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)  # before a byte of the body is read
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            event("webhook_refused", logging.WARNING, reason="too-large")
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.request.connection.set_max_body_size(MAX_BODY)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY:
            event("webhook_refused", logging.WARNING, reason="too-large")
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.chunks.append(chunk)

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            self.gate.inflight -= 1

    def on_finish(self) -> None:
        self._uncount()

    def on_connection_close(self) -> None:
        self._uncount()

    async def post(self) -> None:
        if self.gate.closing:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)  # not queued: Telegram delivers it again later
            return
        try:
            update = Update.de_json(json.loads(b"".join(self.chunks)), self.app.bot)
        except Exception:  # noqa: BLE001 - malformed input is the sender's problem, not a crash
            event("webhook_refused", logging.WARNING, reason="malformed")
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await self.app.update_queue.put(update)  # a re-sent update is recognised there (bot/tg/inbox.py)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz for the platform's health check."""

    def get(self) -> None:
        self.write("ok")


async def _with_retries(what: str, action: Any, retries: int) -> None:
    """Start-up calls: a rejected token fails at once; network trouble is retried a few times."""
    for attempt in range(retries + 1):
        try:
            await action()
            return
        except InvalidToken:
            raise
        except NetworkError as exc:
            if attempt == retries:
                raise
            event("startup_retry", logging.WARNING, step=what, attempt=attempt + 1, error=type(exc).__name__)
            await asyncio.sleep(min(2 ** attempt, 10))


async def serve(app: Application, hook: Webhook, allowed_updates: list[str], retries: int) -> None:
    """Initialise, listen, set the webhook, serve until SIGTERM/SIGINT, then drain and stop cleanly."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    def first_stop() -> None:  # any later SIGTERM is logged and ignored: the drain below must finish
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda s=sig: event("stop_signal_ignored", logging.WARNING,
                                                              signal=signal.Signals(s).name, why="already stopping"))
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, first_stop)
    app.bot_data[STOP] = stop.set  # a rejected token stops the server too (bot/tg/rejected.py)
    await _with_retries("initialize", app.initialize, retries)
    try:
        if app.post_init:
            await app.post_init(app)
        gate = Gate()
        routes = [(r"/healthz", HealthHandler),
                  (rf"/{hook.path}/?" if hook.path else r"/", UpdateHandler, {"app": app, "secret": hook.secret, "gate": gate})]
        server = HTTPServer(tornado.web.Application(routes), xheaders=True, max_body_size=MAX_BODY)
        server.listen(hook.port, address=hook.listen)
        await app.start()

        async def set_webhook() -> None:
            await app.bot.set_webhook(hook.url, secret_token=hook.secret, allowed_updates=allowed_updates,
                                      drop_pending_updates=False, max_connections=40)

        try:
            await _with_retries("set_webhook", set_webhook, retries)
            event("webhook_listening", port=hook.port, path="/" + hook.path)
            await stop.wait()
        finally:
            event("stopping")
            gate.closing = True
            server.stop()
            await gate.drain()
            await server.close_all_connections()
            await app.stop()  # every queued update is processed before this returns
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
