"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp, in its own thread), so tests and the benchmark run the real bot offline.

It implements what sendbot uses: getMe, getUpdates (offset, limit, long-poll timeout), sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendChatAction, setMyCommands,
setWebhook/deleteWebhook (with delivery to the webhook, retried until it succeeds). Tests inject
user messages and button presses, read what the bot sent, and inject faults (429, 5xx) or delays.
Everything is recorded under one lock; the public methods are safe to call from any thread.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from typing import Any, Callable

from aiohttp import ClientSession, ClientTimeout, web

from fake_bot_api_parts import (BOT_ID, BOT_USERNAME, MEDIA, STRING_FIELDS, _STATUS_TEXT, ApiError, Call, Fault, Sent,
                                _Chat, chat_dict, check_html, check_markup, text_entities, user_dict)

__all__ = ["BOT_ID", "BOT_USERNAME", "ApiError", "Call", "FakeBotAPI", "Sent", "check_html"]

class FakeBotAPI:
    """The fake server. Use as a context manager, or call start() and stop()."""

    def __init__(self, token: str, username: str = BOT_USERNAME):
        self.token = token
        self.username = username
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.pending: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self.injected_at: dict[int, float] = {}  # update id -> time injected
        self.sent: list[Sent] = []
        self.calls: list[Call] = []  # recorded when answered
        self.arrivals: list[tuple[str, float]] = []  # (method, time) recorded when a request arrives
        self.edits: list[Call] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_posts: list[tuple[int, int]] = []  # (update id, HTTP status or 0 for no connection)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._faults: list[Fault] = []
        self._delays: dict[str, float] = {}
        self._chats: dict[int, _Chat] = {}
        self._update_ids = itertools.count(100)
        self._callback_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._event: asyncio.Event | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._closing = False
        self.port = 0

    # -- lifecycle --------------------------------------------------------
    @property
    def base_url(self) -> str:
        """TELEGRAM_API_BASE_URL for the bot: the token is appended by python-telegram-bot."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "FakeBotAPI":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Bot API did not start")
        return self

    def stop(self) -> None:
        """End open long polls at once, then the server and its thread."""
        if self._loop and self._thread:
            def close() -> None:
                self._closing = True
                self._wake()
                assert self._loop is not None
                self._loop.call_later(0.05, self._loop.stop)
            self._loop.call_soon_threadsafe(close)
            self._thread.join(10)

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._event = asyncio.Event()
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{prefix}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        try:
            loop.run_forever()
        finally:
            if self._deliverer:
                self._deliverer.cancel()
                loop.run_until_complete(asyncio.gather(self._deliverer, return_exceptions=True))
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    def _wake(self) -> None:
        """Wake every long poll and the webhook deliverer (runs on the server loop)."""
        assert self._event is not None
        self._event.set()
        self._event = asyncio.Event()

    def _notify(self) -> None:
        """Tell waiters in both worlds that something changed (call with the lock held)."""
        self.changed.notify_all()
        if self._loop and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._wake)
            except RuntimeError:
                pass

    # -- faults -----------------------------------------------------------
    def fail(self, method: str, status: int = 429, times: int = 1, retry_after: int | None = None,
             description: str | None = None) -> None:
        """Answer the next `times` calls of `method` with an error (429 gets retry_after)."""
        with self.lock:
            self._faults.append(Fault(method, status, times, retry_after, description))

    def delay(self, method: str, seconds: float) -> None:
        """Make every call of `method` take this long (0 to stop)."""
        with self.lock:
            self._delays[method] = seconds

    # -- what users do ----------------------------------------------------
    def _next_message_id(self, chat_id: int) -> int:
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.next_id += 1
        return chat.next_id

    def _enqueue(self, body: dict[str, Any], enqueue: bool) -> dict[str, Any]:
        with self.lock:
            update = {"update_id": next(self._update_ids), **body}
            if enqueue:
                self.pending.append(update)
                self.injected_at[update["update_id"]] = time.monotonic()
                self._notify()
            return update

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None, chat_type: str = "private",
                  reply_to_bot: int | None = None, enqueue: bool = True) -> dict[str, Any]:
        """A user types a message; returns the update (its message id is update['message']['message_id'])."""
        with self.lock:
            message = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
                       "chat": chat_dict(chat_id, chat_type), "from": user_dict(user_id or chat_id), "text": text}
            entities = text_entities(text)
            if entities:
                message["entities"] = entities
            if reply_to_bot is not None and (chat_id, reply_to_bot) in self.messages:
                message["reply_to_message"] = self.messages[(chat_id, reply_to_bot)]
            self.messages[(chat_id, message["message_id"])] = message
            return self._enqueue({"message": message}, enqueue)

    def edit_text(self, chat_id: int, message_id: int, text: str, *, enqueue: bool = True) -> dict[str, Any]:
        """A user edits one of their messages."""
        with self.lock:
            message = dict(self.messages[(chat_id, message_id)])
            message.update(text=text, edit_date=int(time.time()))
            message.pop("entities", None)
            if text_entities(text):
                message["entities"] = text_entities(text)
            self.messages[(chat_id, message_id)] = message
            return self._enqueue({"edited_message": message}, enqueue)

    def send_media(self, chat_id: int, kind: str, *, chat_type: str = "private", enqueue: bool = True) -> dict[str, Any]:
        """A user sends a sticker, photo, voice note, document or location."""
        with self.lock:
            message = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
                       "chat": chat_dict(chat_id, chat_type), "from": user_dict(chat_id), **MEDIA[kind]}
            self.messages[(chat_id, message["message_id"])] = message
            return self._enqueue({"message": message}, enqueue)

    def press(self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None,
              enqueue: bool = True) -> dict[str, Any]:
        """A user taps an inline button (or a client sends any callback data it likes)."""
        with self.lock:
            message = self.messages.get((chat_id, message_id)) or {
                "message_id": message_id, "date": 0, "chat": chat_dict(chat_id)}
            query = {"id": str(next(self._callback_ids)), "from": user_dict(user_id or chat_id),
                     "chat_instance": f"ci{chat_id}", "message": message, "data": data}
            return self._enqueue({"callback_query": query}, enqueue)

    # -- what tests read --------------------------------------------------
    def replies(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.chat_id == chat_id]

    def wait(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Block until predicate() is truthy (checked whenever the server records something)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
                self.changed.wait(min(left, 0.2))

    def wait_replies(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Sent]:
        """Block until the bot has sent at least `count` messages to the chat; return them all."""
        self.wait(lambda: len(self.replies(chat_id)) >= count, timeout, f"{count} replies in chat {chat_id}")
        return self.replies(chat_id)

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_answered(self, callback_id: str, timeout: float = 10.0) -> dict[str, Any]:
        return self.wait(lambda: self.callback_answers.get(callback_id), timeout, f"answer to callback {callback_id}")

    # -- the HTTP side ----------------------------------------------------
    @staticmethod
    def _decode(name: str, value: str) -> Any:
        if name in STRING_FIELDS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        return {k: self._decode(k, v) for k, v in form.items() if isinstance(v, str)}

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["prefix"] != f"bot{self.token}":
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        with self.lock:
            self.arrivals.append((method, time.monotonic()))
            self.changed.notify_all()
            delay = self._delays.get(method, 0.0)
            fault = next((f for f in self._faults if f.method == method and f.times > 0), None)
            if fault:
                fault.times -= 1
        if delay:
            await asyncio.sleep(delay)
        try:
            if fault:
                raise ApiError(fault.status, fault.description or _STATUS_TEXT.get(fault.status, "Error"), fault.retry_after)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.code
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
        with self.lock:
            self.calls.append(Call(method, params, status, time.monotonic()))
            self.changed.notify_all()
        return web.json_response(body, status=status)

    def _bot_message(self, chat_id: int, message_id: int, text: str, markup: Any) -> dict[str, Any]:
        chat = self.messages.get((chat_id, message_id), {}).get("chat") or chat_dict(chat_id, "private" if chat_id > 0 else "supergroup")
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "SEND helper", "username": self.username},
                                   "text": text}
        if markup:
            message["reply_markup"] = markup
        return message

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {"id": BOT_ID, "is_bot": True, "first_name": "SEND helper", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if self.webhook is not None:
                    raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
                if offset:
                    self.pending = [u for u in self.pending if u["update_id"] >= offset]
                batch = self.pending[:limit]
                self.changed.notify_all()
            left = deadline - time.monotonic()
            if batch or left <= 0 or self._closing:
                return batch
            event = self._event
            assert event is not None
            try:
                await asyncio.wait_for(event.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        raw = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        text = check_html(raw) if parse_mode == "HTML" else raw
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        check_markup(markup)
        reply = params.get("reply_parameters") or {}
        previews = params.get("link_preview_options") or {}
        with self.lock:
            message_id = self._next_message_id(chat_id)
            message = self._bot_message(chat_id, message_id, text, markup)
            self.messages[(chat_id, message_id)] = message
            self.sent.append(Sent(chat_id, message_id, text, raw, parse_mode, markup, reply.get("message_id"),
                                  bool(previews.get("is_disabled")), time.monotonic()))
            self._notify()
        return message

    async def _edit(self, params: dict[str, Any], text: str | None, markup: Any) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self.lock:
            old = self.messages.get((chat_id, message_id))
            if old is None or old["from"].get("id") != BOT_ID:
                raise ApiError(400, "Bad Request: message to edit not found")
            new_text = text if text is not None else old["text"]
            if new_text == old["text"] and (markup or None) == old.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
            message = self._bot_message(chat_id, message_id, new_text, markup)
            message["chat"] = old["chat"]
            self.messages[(chat_id, message_id)] = message
            self.edits.append(Call("edit", {"chat_id": chat_id, "message_id": message_id, "text": new_text,
                                            "reply_markup": markup}, 200, time.monotonic()))
            self._notify()
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        raw = str(params.get("text", ""))
        text = check_html(raw) if params.get("parse_mode") == "HTML" else raw
        check_markup(params.get("reply_markup"))
        return await self._edit(params, text, params.get("reply_markup"))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        check_markup(params.get("reply_markup"))
        return await self._edit(params, None, params.get("reply_markup"))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        with self.lock:
            if query_id in self.callback_answers:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self.callback_answers[query_id] = params
            self._notify()
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        with self.lock:
            self.commands = list(params.get("commands") or [])
        return True

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        with self.lock:
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self.pending)}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        with self.lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self.pending.clear()
            self._notify()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._api_deleteWebhook(params)
        with self.lock:
            self.webhook = {"url": url, "secret_token": params.get("secret_token"),
                            "allowed_updates": params.get("allowed_updates")}
            if params.get("drop_pending_updates"):
                self.pending.clear()
            self._notify()
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver())
        return True

    async def _deliver(self) -> None:
        """Post pending updates to the webhook in order, one at a time; retry until the bot says 200."""
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            while True:
                with self.lock:
                    hook = self.webhook
                    update = self.pending[0] if self.pending else None
                if hook is None:
                    return
                if update is None:
                    event = self._event
                    assert event is not None
                    try:
                        await asyncio.wait_for(event.wait(), 1.0)
                    except asyncio.TimeoutError:
                        pass
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]} if hook.get("secret_token") else {}
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as resp:
                        status = resp.status
                except (OSError, asyncio.TimeoutError, Exception):  # connection refused, reset, timeout
                    status = 0
                with self.lock:
                    self.webhook_posts.append((update["update_id"], status))
                    if status == 200 and self.pending and self.pending[0] is update:
                        self.pending.pop(0)
                    self.changed.notify_all()
                if status != 200:
                    await asyncio.sleep(0.2)
