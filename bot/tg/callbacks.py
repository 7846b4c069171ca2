"""Button data: versioned, tiny and strictly parsed, because any client can send any callback data it likes."""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
ANSWER, MORE, YES, NO, TOPIC, TOPICS = "a", "m", "y", "n", "t", "T"
_PATTERN = re.compile(r"^(?P<version>[0-9]{1,3}):(?:(?P<action>[amynt]):(?P<key>[0-9a-f]{10})|(?P<root>T))$")


@dataclass(frozen=True)
class Press:
    """A parsed button press: what to do, and the key of the intent or topic it is about."""

    action: str
    key: str = ""


def encode(action: str, key: str = "") -> str:
    """The callback data for a button (at most 17 bytes, well under Telegram's 64)."""
    return f"{VERSION}:{action}" if action == TOPICS else f"{VERSION}:{action}:{key}"


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
    return Press(m.group("action"), m.group("key")), ""
