"""The pieces of the fake Bot API server: Telegram's HTML and keyboard rules, update builders, and records."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

BOT_ID = 7000000001
BOT_USERNAME = "leeds_send_test_bot"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
                "tg-spoiler", "tg-emoji", "blockquote"}
STRING_FIELDS = {"text", "url", "secret_token", "callback_query_id", "parse_mode", "action", "caption",
                 "ip_address", "language_code", "data", "description", "short_description"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


class ApiError(Exception):
    """An error answer in the Bot API's own shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def check_html(text: str) -> str:
    """Parse Telegram HTML like the real server does; return the plain text or raise ApiError 400."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if not m or m.group(2).lower() not in ALLOWED_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag at byte offset {i}")
            name = m.group(2).lower()
            if m.group(1):
                if not stack or stack[-1] != name:
                    raise ApiError(400, f"Bad Request: can't parse entities: unmatched end tag at byte offset {i}")
                stack.pop()
            else:
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise ApiError(400, f"Bad Request: can't parse entities: unexpected '&' at byte offset {i}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected '>' at byte offset {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


def check_markup(markup: Any) -> None:
    """Refuse keyboards the real server refuses: callback data must be 1-64 bytes."""
    if markup is None:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def user_dict(user_id: int, first_name: str = "Parent", language_code: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}


def chat_dict(chat_id: int, chat_type: str = "private") -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Parent"}
    return {"id": chat_id, "type": chat_type, "title": "Parents group"}


def text_entities(text: str) -> list[dict[str, Any]]:
    """Entities the real server adds: a leading /command and @mentions."""
    entities: list[dict[str, Any]] = []
    m = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if m:
        entities.append({"type": "bot_command", "offset": 0, "length": m.end()})
    for m in re.finditer(r"@[A-Za-z0-9_]{5,32}", text):
        if not entities or m.start() >= entities[0]["length"] or entities[0]["type"] != "bot_command":
            entities.append({"type": "mention", "offset": m.start(), "length": m.end() - m.start()})
    return entities


MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "stk1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False}},
    "photo": {"photo": [{"file_id": "ph1", "file_unique_id": "u2", "width": 90, "height": 90}]},
    "voice": {"voice": {"file_id": "vo1", "file_unique_id": "u3", "duration": 3}},
    "document": {"document": {"file_id": "doc1", "file_unique_id": "u4", "file_name": "letter.pdf"}},
    "location": {"location": {"latitude": 53.8, "longitude": -1.55}},
}


@dataclass
class Sent:
    """One message the bot sent, as the fake server stored it."""

    chat_id: int
    message_id: int
    text: str  # plain text after HTML parsing
    raw: str  # exactly what the bot sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to: int | None
    previews_off: bool
    t: float

    def buttons(self) -> list[tuple[str, str | None]]:
        """(label, callback_data or url) for every button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data") or b.get("url")) for row in rows for b in row]


@dataclass
class Call:
    """One API request the bot made and how the fake server answered it."""

    method: str
    params: dict[str, Any]
    status: int
    t: float


@dataclass
class Fault:
    method: str
    status: int
    times: int
    retry_after: int | None = None
    description: str | None = None


@dataclass
class _Chat:
    next_id: int = 1


_STATUS_TEXT = {429: "Too Many Requests: retry later", 500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Unavailable", 504: "Gateway Timeout", 400: "Bad Request", 403: "Forbidden: bot was blocked by the user"}
