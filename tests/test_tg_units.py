"""Unit tests of the Telegram channel's small parts: settings, logs, callback data, flood guard, splitting, ordering."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import pytest
from telegram import Bot as TelegramBot
from telegram import Update

from bot.core import DataError
from bot.events import NullRecorder
from bot.tg import logs
from bot.tg.callbacks import ANSWER, MORE, TOPICS, Press, decode, encode
from bot.tg.flood import DROP, NOTICE, OK, FloodGuard
from bot.tg.keyboards import short
from bot.tg.send import split_html
from bot.tg.settings import ConfigError, from_env
from bot.tg.state import Loaded, Recent
from bot.tg.updates import ChatOrderedProcessor
from fake_bot_api import ApiError, check_html
from tg_data import build_data
from tg_support import TOKEN

HOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "abc_DEF-123", "PORT": "5000"}


# -- settings -------------------------------------------------------------
def test_settings_read_everything() -> None:
    s = from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SENDBOT_STAFF_IDS": "12, 34;56", "SENDBOT_FLOOD_LIMIT": "4",
                  "SENDBOT_FLOOD_WINDOW": "2.5", "SENDBOT_MAX_RATE": "0", **HOOK}, webhook=True)
    assert s.staff_ids == {12, 34, 56} and s.flood_limit == 4 and s.flood_window == 2.5 and s.max_rate == 0
    assert s.webhook and (s.webhook.port, s.webhook.path, s.webhook.listen) == (5000, "telegram", "0.0.0.0")
    assert TOKEN not in repr(s) and "abc_DEF-123" not in repr(s)
    assert s.secrets == (TOKEN, "abc_DEF-123")


@pytest.mark.parametrize("token, reason", [
    ("", "TELEGRAM_BOT_TOKEN is not set"),
    ("   ", "TELEGRAM_BOT_TOKEN is not set"),
    ("12345:short", "does not look like a bot token"),
    (f'"{TOKEN}"', "does not look like a bot token"),
    (TOKEN.replace(":", ""), "does not look like a bot token"),
    (TOKEN + " extra", "does not look like a bot token"),
])
def test_bad_tokens_fail_fast_without_echoing_the_token(token: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_env({"TELEGRAM_BOT_TOKEN": token})
    assert reason in str(err.value)
    if token.strip():
        assert token.strip() not in str(err.value)


def test_webhook_settings_are_required_and_checked() -> None:
    with pytest.raises(ConfigError) as err:
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, webhook=True)
    assert any("WEBHOOK_URL is not set" in r for r in err.value.reasons)
    assert any("WEBHOOK_SECRET is not set" in r for r in err.value.reasons)
    with pytest.raises(ConfigError) as err:
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **HOOK, "WEBHOOK_URL": "http://plain.example.org/x",
                  "WEBHOOK_SECRET": "has spaces!", "PORT": "http"}, webhook=True)
    reasons = " | ".join(err.value.reasons)
    assert "must start with https://" in reasons and "WEBHOOK_SECRET may only use" in reasons and "PORT must be" in reasons
    # a local Bot API server (or the test server) may deliver over plain http
    s = from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **HOOK, "WEBHOOK_URL": "http://127.0.0.1:9/x",
                  "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"}, webhook=True)
    assert s.base_url == "http://127.0.0.1:8081/bot"


def test_other_settings_are_checked() -> None:
    with pytest.raises(ConfigError) as err:
        from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "SENDBOT_STAFF_IDS": "12,bob", "SENDBOT_FLOOD_LIMIT": "0",
                  "TELEGRAM_API_BASE_URL": "api.telegram.org", "SENDBOT_LOG_LEVEL": "chatty"})
    assert len(err.value.reasons) == 4


# -- logs -----------------------------------------------------------------
def test_logs_are_json_lines_with_the_token_scrubbed_everywhere() -> None:
    stream = io.StringIO()
    handler = logs.configure("INFO", [TOKEN], stream=stream)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST http://x/bot%s/getUpdates", TOKEN)
        logging.getLogger("telegram.ext.Updater").error("url was http://x/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logging.getLogger("telegram.ext.Updater").exception("Invalid token")
        logs.event("reply", kind="answer", ms=3.2)
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert TOKEN not in text and "[redacted]" in text
    assert [line["event"] for line in lines][-1] == "reply" and lines[-1]["kind"] == "answer"
    assert not any("HTTP Request" in line["event"] for line in lines)  # httpx INFO is silenced
    assert "rejected by the server" in lines[1]["error"]


# -- callback data ----------------------------------------------------------
def test_callback_data_round_trips_and_is_small() -> None:
    for action in (ANSWER, MORE, "y", "n", "t"):
        data = encode(action, "0123456789")
        assert decode(data) == (Press(action, "0123456789"), "") and len(data.encode()) <= 64
    assert decode(encode(TOPICS)) == (Press(TOPICS), "")


@pytest.mark.parametrize("data, why", [
    (None, "forged"), (123, "forged"), ("", "forged"), ("1:a:ABCDEF0123", "forged"), ("1:a:0123", "forged"),
    ("1:z:0123456789", "forged"), ("x" * 65, "forged"), ("1:a:0123456789\n", "forged"),
    ("0:a:0123456789", "old-version"), ("2:T", "old-version"),
])
def test_bad_callback_data_is_refused(data: object, why: str) -> None:
    assert decode(data) == (None, why)


def test_labels_are_cut_at_a_word() -> None:
    assert short("a " * 10) == "a a a a a a a a a a"
    cut = short("word " * 40)
    assert len(cut) <= 60 and cut.endswith("…") and not cut.endswith(" …")


# -- flood guard ------------------------------------------------------------
def test_flood_guard_notices_once_then_drops_until_calm() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=10, clock=lambda: now[0])
    assert [guard.check(1) for _ in range(3)] == [OK, OK, OK]
    assert [guard.check(1) for _ in range(3)] == [NOTICE, DROP, DROP]
    assert guard.check(2) == OK  # other chats are untouched
    now[0] = 5.0
    assert guard.check(1) == DROP  # still flooding within the window
    now[0] = 10.5
    assert guard.check(1) == OK  # calmed down: the first burst left the window
    assert [guard.check(1) for _ in range(3)] == [OK, NOTICE, DROP]  # a new flood gets a new notice


def test_flood_guard_memory_is_bounded() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=1, clock=lambda: now[0], max_chats=100)
    for chat in range(100):
        guard.check(chat)
    now[0] = 5.0
    guard.check(1000)
    assert len(guard.chats) == 1


# -- splitting ----------------------------------------------------------------
def test_split_html_keeps_tags_balanced_and_parts_short() -> None:
    body = "<b>Title</b>\n\n" + "\n\n".join(f"Paragraph {n} &amp; more words here." for n in range(400))
    text = body + "\n\n<i>" + "footer words " * 400 + "</i>"
    parts = split_html(text)
    assert len(parts) > 2
    for part in parts:
        assert len(part) <= 4096
        check_html(part)  # raises on unbalanced tags or broken entities
    assert "".join(parts).count("Paragraph") == 400


def test_the_fake_server_parses_html_like_telegram() -> None:
    assert check_html("<b>a &amp; b</b> &lt;x&gt;") == "a & b <x>"
    for bad in ("<b>open", "a < b", "a & b", "<script>x</script>", "</b>", "<b><i>x</b></i>"):
        with pytest.raises(ApiError):
            check_html(bad)


# -- memory -------------------------------------------------------------------
def test_recent_memory_is_bounded_and_forgettable() -> None:
    recent = Recent(size=3)
    for n in range(5):
        recent.remember(1, n, "x", f"q{n}")
    assert recent.get(1, 0) is None and recent.get(1, 4).question == "q4"
    recent.remember(2, 1, None, "other")
    recent.forget_chat(1)
    assert list(recent.items) == [(2, 1)]


# -- ordering -----------------------------------------------------------------
async def test_updates_of_one_chat_run_in_order_while_chats_run_together() -> None:
    processor = ChatOrderedProcessor(8)
    bot = TelegramBot(TOKEN)
    done: list[tuple[int, int]] = []
    running = {"now": 0, "peak": 0}

    async def work(chat: int, n: int) -> None:
        running["now"] += 1
        running["peak"] = max(running["peak"], running["now"])
        await asyncio.sleep(0.02 if n == 0 else 0.001)  # the first of each chat is slow
        done.append((chat, n))
        running["now"] -= 1

    tasks = []
    for n in range(4):
        for chat in (1, 2, 3):
            update = Update.de_json({"update_id": n * 10 + chat, "message": {
                "message_id": n, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "x"}}, bot)
            tasks.append(asyncio.create_task(processor.process_update(update, work(chat, n))))
    await asyncio.gather(*tasks)
    for chat in (1, 2, 3):
        assert [n for c, n in done if c == chat] == [0, 1, 2, 3]
    assert running["peak"] >= 3


# -- loading --------------------------------------------------------------------
def test_broken_telegram_template_is_a_data_error(tmp_path: Path) -> None:
    data = build_data(tmp_path)
    (data / "knowledge" / "templates" / "telegram" / "start.txt.j2").write_text("{% for %}")
    (data / "knowledge" / "templates" / "telegram" / "labels.txt.j2").write_text('{% set tell_me_more = "More" %}')
    with pytest.raises(DataError) as err:
        Loaded.load(str(data))
    messages = [str(p) for p in err.value.problems]
    assert any("telegram/start.txt.j2" in m for m in messages)
    assert any("'helpful_yes' is not set" in m for m in messages)


def test_templates_are_frozen_at_load(tmp_path: Path) -> None:
    data = build_data(tmp_path)
    loaded = Loaded.load(str(data))
    (data / "knowledge" / "templates" / "telegram" / "flood.txt.j2").write_text("{% broken")
    (data / "knowledge" / "templates" / "answer.txt.j2").unlink()
    assert "faster than I can answer" in loaded.texts.text("flood", window_seconds=5)
    assert loaded.bot.handle("how do I apply for school transport").kind == "answer"


# -- reading messages off the event loop ----------------------------------------
def test_a_message_over_the_time_budget_gets_a_short_reply_with_999(tmp_path: Path) -> None:
    import threading

    from bot.reply import Who
    from bot.tg.runtime import Runtime, is_heavy
    from bot.tg.state import Live

    loaded = Loaded.load(build_data(tmp_path / "data"))
    release = threading.Event()

    class Slow:
        def handle(self, text: str | None, who: Who) -> object:
            release.wait(5)
            return loaded.bot.handle(text, who)

        def fallback(self, text: str, reason: str) -> object:
            return loaded.bot.fallback(text, reason=reason)

    rt = Runtime(from_env({"TELEGRAM_BOT_TOKEN": TOKEN}), Live(loaded), NullRecorder(), FloodGuard(5, 4))
    rt.budget = 0.2
    reply = asyncio.run(rt.answer(Slow(), "how do i apply for school transport", Who()))  # type: ignore[arg-type]
    release.set()
    assert reply.kind == "fallback" and "999" in reply.body and "too long to read" in reply.body
    assert is_heavy("x" * 601) and is_heavy("a " + "b" * 41) and not is_heavy("how do i apply for transport")
    fast = asyncio.run(rt.answer(loaded.bot, "how do i apply for school transport", Who()))
    assert fast.kind == "answer"
    rt.workers.shutdown()
    rt.heavy.shutdown()
