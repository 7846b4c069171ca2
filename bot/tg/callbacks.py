"""Button data: versioned, tiny and strictly parsed, because any client can send any callback data it likes."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

VERSION = "1"
ANSWER, MORE, YES, NO, TOPIC, TOPICS = "a", "m", "y", "n", "t", "T"
_PATTERN = re.compile(r"^(?P<version>[0-9]{1,3}):(?:(?P<action>[amynt]):(?P<key>[0-9a-f]{10})(?::(?P<tag>[0-9a-f]{12}))?"
                      r"|(?P<root>T))$")
TAG_LENGTH = 12


@dataclass(frozen=True)
class Press:
    """A parsed button press: what to do, and the key of the intent or topic it is about."""

    action: str
    key: str = ""
    tag: str = ""  # feedback buttons are signed for the chat they were sent to


def tag(secret: bytes, chat_id: int, action: str, key: str) -> str:
    """The signature of a feedback button: only a reply this bot sent to this chat carries the right one."""
    return hmac.new(secret, f"{chat_id}:{action}:{key}".encode(), hashlib.sha256).hexdigest()[:TAG_LENGTH]


def signed(secret: bytes, chat_id: int, press: Press) -> bool:
    return bool(press.tag) and hmac.compare_digest(press.tag, tag(secret, chat_id, press.action, press.key))


def encode(action: str, key: str = "", signature: str = "") -> str:
    """The callback data for a button (at most 30 bytes, well under Telegram's 64)."""
    if action == TOPICS:
        return f"{VERSION}:{action}"
    return f"{VERSION}:{action}:{key}" + (f":{signature}" if signature else "")


def decode(data: object) -> tuple[Press | None, str]:
    """Parse callback data; returns (press, '') or (None, why) with why 'forged' or 'old-version'."""
    if not isinstance(data, str) or len(data) > 64:
        return None, "forged"
    m = _PATTERN.fullmatch(data)
    if not m:
        return None, "forged"
    if m.group("version") != VERSION:
        return None, "old-version"
    if m.group("root"):
        return Press(TOPICS), ""
    return Press(m.group("action"), m.group("key"), m.group("tag") or ""), ""
