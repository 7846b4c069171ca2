"""Helpers for the Telegram tests: a recorder that remembers, the real bot as a subprocess, and update feeding."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fake_bot_api import FakeBotAPI

REPO = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAE-test_token_0123456789abcdefghijkl"
OTHER_TOKEN = "987654321:ZZE-wrong_token_0123456789abcdefghijk"
STAFF_ID = 4242
_chats = itertools.count(10_000)


def new_chat() -> int:
    """A chat id no other test uses, so tests sharing one bot never see each other's messages."""
    return next(_chats)


class MemoryRecorder:
    """Implements events.Recorder in memory, so tests can see what would be stored."""

    def __init__(self) -> None:
        self.records: list[tuple[Any, Any, str]] = []
        self.feedbacks: list[tuple[str | None, bool, str | None, Any]] = []
        self.forgotten: list[Any] = []
        self.rows: list[dict[str, Any]] = []

    def record(self, reply: Any, user: Any, channel: str) -> None:
        self.records.append((reply, user, channel))

    def feedback(self, reply_intent: str | None, helpful: bool, question: str | None, user: Any) -> None:
        self.feedbacks.append((reply_intent, helpful, question, user))

    def forget(self, user: Any) -> int:
        self.forgotten.append(user)
        return sum(1 for r in self.records if r[1] == user)

    def stats(self, days: int = 7) -> list[dict[str, Any]]:
        return self.rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    """`sendbot run` (or `run --webhook`) as a subprocess against the fake server; stderr goes to a file."""

    def __init__(self, fake: FakeBotAPI, data: Path, tmp: Path, *, webhook: bool = False, token: str = TOKEN,
                 env: dict[str, str] | None = None, name: str = "bot"):
        self.fake, self.data, self.tmp, self.webhook = fake, data, tmp, webhook
        self.log_path = tmp / f"{name}.log"
        self.port = free_port() if webhook else 0
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TELEGRAM_", "WEBHOOK_", "SENDBOT_")) and k not in ("DATABASE_URL", "PORT")}
        self.env.update({
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "SENDBOT_DATA": str(data),
            "SENDBOT_DB": str(tmp / f"{name}.db"),
            "SENDBOT_STAFF_IDS": str(STAFF_ID),
            "PYTHONUNBUFFERED": "1",
        })
        if webhook:
            self.env.update({"WEBHOOK_URL": f"http://127.0.0.1:{self.port}/tg-hook", "WEBHOOK_SECRET": "s3cret-Value_1",
                             "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(self.port)})
        self.env.update(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> "BotProcess":
        args = [sys.executable, "-m", "bot", "run"] + (["--webhook"] if self.webhook else [])
        self.started_at = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, cwd=REPO, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        return self

    def wait_ready(self, timeout: float = 25) -> "BotProcess":
        """Ready once it polls (polling) or the fake has delivered to its webhook (webhook)."""
        def ready() -> bool:
            self.check_alive()
            if self.webhook:
                hook = self.fake.webhook  # set only after the bot's server is listening
                return hook is not None and f":{self.port}/" in hook["url"]
            return any(m == "getUpdates" and t > self.started_at for m, t in list(self.fake.arrivals))
        self.fake.wait(ready, timeout, "the bot to start")
        return self

    def check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the bot exited with {self.proc.returncode}:\n{self.log()[-3000:]}")

    def stop(self, timeout: float = 20, signals: int = 1, gap: float = 0.3) -> int:
        """SIGTERM (`signals` times, `gap` seconds apart, as an impatient supervisor does), and wait for a clean
        exit (killed after the timeout, which fails the caller's check)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            for n in range(signals):
                if n:
                    time.sleep(gap)
                if self.proc.poll() is None:
                    self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                return -9
        return self.proc.returncode

    def run_to_exit(self, timeout: float = 25) -> tuple[int, str]:
        """Start, wait for it to exit by itself (start-up failures); return (code, everything it printed)."""
        self.start()
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"the bot did not exit:\n{self.log()[-3000:]}")
        return self.proc.returncode, self.log()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def events(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log().splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
        return out

    def events_named(self) -> list[str]:
        return [e.get("event", "") for e in self.events()]

    def __enter__(self) -> "BotProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
