"""Telegram settings from the environment, checked all at once so a bad deployment fails fast with every reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

TOKEN_PATTERN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,100}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_FLOOD_LIMIT = 8
DEFAULT_FLOOD_WINDOW = 10.0
DEFAULT_MAX_RATE = 30.0
DEFAULT_RETENTION_DAYS = 90


class ConfigError(Exception):
    """The environment cannot run the bot; `reasons` says what to fix, never echoing the token."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class Webhook:
    """Where Telegram delivers updates, and the secret it must send with each one."""

    url: str
    secret: str = field(repr=False)
    port: int
    listen: str
    path: str


@dataclass(frozen=True)
class Settings:
    """Everything the Telegram channel needs; repr never shows the token or the webhook secret."""

    token: str = field(repr=False)
    base_url: str | None = None
    webhook: Webhook | None = None
    staff_ids: frozenset[int] = frozenset()
    flood_limit: int = DEFAULT_FLOOD_LIMIT
    flood_window: float = DEFAULT_FLOOD_WINDOW
    max_rate: float = DEFAULT_MAX_RATE
    retention_days: int = DEFAULT_RETENTION_DAYS
    log_level: str = "INFO"
    data: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a log line."""
        return tuple(s for s in (self.token, self.webhook.secret if self.webhook else "") if s)


def _number(env: Mapping[str, str], name: str, default: float, reasons: list[str], *, minimum: float, integer: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        reasons.append(f"{name} must be a {'whole ' if integer else ''}number, not {raw!r}")
        return default
    if value < minimum:
        reasons.append(f"{name} must be at least {minimum:g}, not {raw}")
        return default
    return value


def _token(env: Mapping[str, str], reasons: list[str]) -> str:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        reasons.append("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather and set the token it gives you")
    elif not TOKEN_PATTERN.match(token):
        reasons.append("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 30 or more letters, "
                       "digits, - or _); copy it again from @BotFather, without quotes or spaces")
    return token


def _base_url(env: Mapping[str, str], reasons: list[str]) -> str | None:
    raw = env.get("TELEGRAM_API_BASE_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        reasons.append("TELEGRAM_API_BASE_URL must be a web address such as http://127.0.0.1:8081/bot (the token is added after it)")
    return raw


def _staff(env: Mapping[str, str], reasons: list[str]) -> frozenset[int]:
    raw = env.get("SENDBOT_STAFF_IDS", "").strip()
    ids: set[int] = set()
    for part in re.split(r"[\s,;]+", raw) if raw else []:
        if re.fullmatch(r"-?[0-9]{1,20}", part):
            ids.add(int(part))
        else:
            reasons.append(f"SENDBOT_STAFF_IDS must be Telegram user ids (numbers) separated by commas; {part!r} is not one")
    return frozenset(ids)


def _webhook(env: Mapping[str, str], custom_server: bool, reasons: list[str]) -> Webhook | None:
    url = env.get("WEBHOOK_URL", "").strip()
    secret = env.get("WEBHOOK_SECRET", "").strip()
    before = len(reasons)
    if not url:
        reasons.append("WEBHOOK_URL is not set; give the public https address Telegram should post updates to")
    else:
        parts = urlsplit(url)
        allowed = ("https", "http") if custom_server else ("https",)
        if parts.scheme not in allowed or not parts.netloc:
            reasons.append("WEBHOOK_URL must start with https:// (Telegram only delivers to https addresses)")
    if not secret:
        reasons.append("WEBHOOK_SECRET is not set; choose a random string of letters, digits, - and _ (up to 256)")
    elif not SECRET_PATTERN.match(secret):
        reasons.append("WEBHOOK_SECRET may only use letters, digits, - and _ (1 to 256 characters)")
    port = int(_number(env, "PORT", 8080, reasons, minimum=1, integer=True))
    if port > 65535:
        reasons.append(f"PORT must be between 1 and 65535, not {port}")
    listen = env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0"
    if len(reasons) > before:
        return None
    return Webhook(url=url, secret=secret, port=port, listen=listen, path=urlsplit(url).path.strip("/"))


def from_env(env: Mapping[str, str], *, webhook: bool = False, data: str | None = None) -> Settings:
    """Read and check every setting; raise ConfigError listing all problems at once."""
    reasons: list[str] = []
    token = _token(env, reasons)
    base_url = _base_url(env, reasons)
    hook = _webhook(env, base_url is not None, reasons) if webhook else None
    staff = _staff(env, reasons)
    flood_limit = int(_number(env, "SENDBOT_FLOOD_LIMIT", DEFAULT_FLOOD_LIMIT, reasons, minimum=1, integer=True))
    flood_window = _number(env, "SENDBOT_FLOOD_WINDOW", DEFAULT_FLOOD_WINDOW, reasons, minimum=0.1, integer=False)
    max_rate = _number(env, "SENDBOT_MAX_RATE", DEFAULT_MAX_RATE, reasons, minimum=0, integer=False)
    retention = int(_number(env, "SENDBOT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, reasons, minimum=1, integer=True))
    level = (env.get("SENDBOT_LOG_LEVEL", "").strip() or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        reasons.append(f"SENDBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    if reasons:
        raise ConfigError(reasons)
    return Settings(token=token, base_url=base_url, webhook=hook, staff_ids=staff, flood_limit=flood_limit,
                    flood_window=flood_window, max_rate=max_rate, retention_days=retention, log_level=level,
                    data=data)
