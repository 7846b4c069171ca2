"""End to end, webhook: `sendbot run --webhook` receives updates the fake server posts to it, with the secret."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Iterator

import pytest

from bot.tg.callbacks import encode
from bot.tg.catalogue import key_of
from fake_bot_api import FakeBotAPI
from tg_data import ANSWERED, build_data
from tg_support import TOKEN, BotProcess, new_chat


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def bot(fake: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("e2e-webhook")
    process = BotProcess(fake, build_data(tmp / "data"), tmp, webhook=True)
    process.start().wait_ready()
    yield process
    began = time.monotonic()
    assert process.stop() == 0, process.log()[-2000:]
    assert time.monotonic() - began < 10


def test_webhook_is_set_with_the_secret(fake: FakeBotAPI, bot: BotProcess) -> None:
    assert fake.webhook is not None
    assert fake.webhook["url"] == f"http://127.0.0.1:{bot.port}/tg-hook"
    assert fake.webhook["secret_token"] == "s3cret-Value_1"
    assert set(fake.webhook["allowed_updates"]) == {"message", "edited_message", "callback_query"}


def test_start_question_and_button_by_webhook(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, "/start")
    fake.send_text(chat, ANSWERED)
    start, answer = fake.wait_replies(chat, 2)
    assert "computer program" in start.text and answer.text.startswith("How do I apply")
    fake.press(chat, answer.message_id, encode("m", key_of("transport-apply")))
    assert "You will not get a receipt" in fake.wait_replies(chat, 3)[2].text
    fake.send_media(chat, "sticker")
    assert "only read typed messages" in fake.wait_replies(chat, 4)[3].text


def test_requests_without_the_secret_are_refused(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    forged = fake.send_text(chat, ANSWERED, enqueue=False)
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        request = urllib.request.Request(f"http://127.0.0.1:{bot.port}/tg-hook", data=json.dumps(forged).encode(),
                                         headers={"Content-Type": "application/json", **headers}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=5)
        assert err.value.code == 403
    time.sleep(0.5)
    assert fake.replies(chat) == []


def _post(bot: BotProcess, body: bytes, secret: str | None = "s3cret-Value_1") -> int:
    headers = {"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{bot.port}/tg-hook", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except (ConnectionError, urllib.error.URLError):
        return -1  # the server closed the connection before reading the rest


def test_the_same_update_delivered_three_times_is_answered_once(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    update = json.dumps(fake.send_text(chat, ANSWERED, enqueue=False)).encode()
    assert [_post(bot, update) for _ in range(3)] == [200, 200, 200]
    fake.wait_replies(chat, 1)
    time.sleep(1.0)
    assert len(fake.replies(chat)) == 1


def test_big_bodies_are_refused_and_unauthenticated_ones_are_not_read(fake: FakeBotAPI, bot: BotProcess) -> None:
    big = b'{"update_id": 1, "padding": "' + b"x" * 3_000_000 + b'"}'
    assert _post(bot, big, secret=None) in (403, -1)
    assert _post(bot, big) in (413, -1)
    chat = new_chat()
    fake.send_text(chat, ANSWERED)  # still serving
    assert fake.wait_replies(chat, 1)[0].text.startswith("How do I apply")
    events = [e for e in bot.events() if e.get("event") == "webhook_refused"]
    assert {"secret", "too-large"} <= {e.get("reason") for e in events}


def test_health_check(bot: BotProcess) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok"
