"""One JSON line per event, with secrets scrubbed from every line, so logs are useful and safe to ship anywhere.

Events carry counts and kinds, never what a parent wrote. httpx logs each request URL at INFO, and the
URL holds the bot token, so httpx and httpcore are held at WARNING; the formatter also replaces the token
and the webhook secret wherever they appear (messages, arguments, tracebacks) as a second line of defence.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, Iterable

LOGGER = logging.getLogger("sendbot.telegram")
REDACTED = "[redacted]"
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "tornado.access": logging.WARNING,
         "aiohttp.access": logging.WARNING}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object; scrub every secret from the finished line."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = str(record.msg)
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": message,
        }
        payload.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            payload["error"] = self.formatException(record.exc_info)
        return self.scrub(json.dumps(payload, ensure_ascii=False, default=str))


def configure(level: str = "INFO", secrets: Iterable[str] = (), stream: Any = None) -> logging.Handler:
    """Send every log record to stderr as JSON lines; returns the handler (tests remove it again)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    # python-telegram-bot logs request parameters (message text) at DEBUG; never below INFO here.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.captureWarnings(True)
    return handler


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with structured fields (kinds, counts, timings; never message text)."""
    LOGGER.log(level, name, extra={"fields": fields})
