"""Two renderings of one Reply: plain text (terminal, `ask`) and Telegram HTML (escaped)."""

from __future__ import annotations

import html

from .reply import Reply

TELEGRAM_LIMIT = 4096


def to_text(reply: Reply) -> str:
    """What the terminal and `sendbot ask` print."""
    return reply.text


def to_html(reply: Reply) -> str:
    """Telegram HTML: everything escaped; the answer's title in bold."""
    body = reply.body
    if reply.title and body.startswith(reply.title):
        rest = body[len(reply.title):]
        out = f"<b>{html.escape(reply.title)}</b>{html.escape(rest)}"
    else:
        out = html.escape(body)
    if reply.footer:
        out += f"\n\n<i>{html.escape(reply.footer)}</i>"
    if reply.safety_line:
        out = f"<b>{html.escape(reply.safety_line)}</b>\n\n{out}"
    return out


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a long message at paragraph breaks (then lines, then spaces) so each part fits the limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n\n")
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return parts
