"""End to end, long polling: the real `sendbot run` as a subprocess against the fake Bot API server.

One bot process serves the whole module; every test uses its own chats, so tests cannot see each other.
"""

from __future__ import annotations

import random
import string
import time
from typing import Iterator

import pytest

from bot.tg.callbacks import encode
from bot.tg.catalogue import key_of
from fake_bot_api import FakeBotAPI
from tg_data import ANSWERED, build_data
from tg_support import TOKEN, BotProcess, new_chat

FLOOD_LIMIT, FLOOD_WINDOW = 5, 4


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def bot(fake: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("e2e-polling")
    data = build_data(tmp / "data")
    process = BotProcess(fake, data, tmp, env={"SENDBOT_FLOOD_LIMIT": str(FLOOD_LIMIT),
                                               "SENDBOT_FLOOD_WINDOW": str(FLOOD_WINDOW)})
    process.start().wait_ready()
    yield process
    began = time.monotonic()
    assert process.stop() == 0, process.log()[-2000:]
    assert time.monotonic() - began < 10, "SIGTERM should stop the bot promptly"


def test_start_and_command_menu(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, "/start")
    [reply] = fake.wait_replies(chat, 1)
    assert "computer program, not a person" in reply.text and reply.previews_off
    assert {c["command"] for c in fake.commands} == {"start", "help", "topics", "young", "contact", "glossary", "privacy", "forgetme"}


def test_question_answered(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    question = fake.send_text(chat, ANSWERED)["message"]["message_id"]
    [reply] = fake.wait_replies(chat, 1)
    assert reply.text.startswith("How do I apply for SEND school transport?")
    assert reply.reply_to == question and reply.raw.startswith("<b>")
    assert [label for label, _ in reply.buttons()][-2:] == ["Yes", "No"]


def test_clarify_tapped(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, "transport")
    [clarify] = fake.wait_replies(chat, 1)
    labels = [label for label, _ in clarify.buttons()]
    assert len(labels) >= 2 and labels[0].startswith("1. ")
    chosen = clarify.buttons()[1]
    callback = fake.press(chat, clarify.message_id, chosen[1])["callback_query"]["id"]
    replies = fake.wait_replies(chat, 2)
    fake.wait_answered(callback)
    assert replies[1].text.startswith(chosen[0][3:])  # the answer's title is the option's label


def test_tell_me_more(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, "hydrotherapy")
    [answer] = fake.wait_replies(chat, 1)
    fake.press(chat, answer.message_id, encode("m", key_of("hydrotherapy")))
    details = fake.wait_replies(chat, 2)[1]
    assert "Waiting times change" in details.text
    fake.wait(lambda: "Tell me more" not in str(fake.messages[(chat, answer.message_id)].get("reply_markup")), 5,
              "the button to go")


def test_feedback(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, ANSWERED)
    [answer] = fake.wait_replies(chat, 1)
    no = dict(answer.buttons())["No"]  # signed for this chat
    callback = fake.press(chat, answer.message_id, no)["callback_query"]["id"]
    assert fake.wait_answered(callback)["text"] == "Thank you for telling us."
    sorry = fake.wait_replies(chat, 2)[1]
    assert "Sorry that didn't help" in sorry.text
    fake.wait(lambda: "Yes" not in str(fake.messages[(chat, answer.message_id)].get("reply_markup")), 5, "the pair to go")
    fake.wait(lambda: any(e.get("event") == "feedback" and e.get("helpful") is False for e in bot.events()), 5, "a feedback log line")


def test_sticker(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_media(chat, "sticker")
    [reply] = fake.wait_replies(chat, 1)
    assert "only read typed messages" in reply.text and "0113 378 5020" in reply.text


def test_forged_callback(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, ANSWERED)
    [answer] = fake.wait_replies(chat, 1)
    ids = [fake.press(chat, answer.message_id, data)["callback_query"]["id"]
           for data in ("1:a:ffffffffff", "__import__('os').system('x')")]
    replies = fake.wait_replies(chat, 3)
    assert all("no longer works" in r.text for r in replies[1:])
    for callback in ids:
        fake.wait_answered(callback)
    fake.send_text(chat, "cancel taxi")  # and the bot is still fine
    assert fake.wait_replies(chat, 4)[3].text.startswith("How do I cancel")


def test_flood(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat, other = new_chat(), new_chat()
    for n in range(FLOOD_LIMIT + 5):
        fake.send_text(chat, f"{ANSWERED} {n}")
    fake.send_text(other, ANSWERED)
    replies = fake.wait_replies(chat, FLOOD_LIMIT + 1)
    assert "faster than I can answer" in replies[FLOOD_LIMIT].text
    assert fake.wait_replies(other, 1)[0].text.startswith("How do I apply")
    time.sleep(0.5)
    assert len(fake.replies(chat)) == FLOOD_LIMIT + 1  # the rest were ignored, silently
    time.sleep(FLOOD_WINDOW)  # calm down
    fake.send_text(chat, "cancel taxi")
    assert fake.wait_replies(chat, FLOOD_LIMIT + 2)[-1].text.startswith("How do I cancel")


def test_long_messages_do_not_hold_up_an_ordinary_question(fake: FakeBotAPI, bot: BotProcess) -> None:
    """Long messages are read in a lane of their own, off the event loop: while several chats send
    4,000-character messages, an ordinary question from another chat is answered straight away."""
    rng = random.Random(7)
    heavy, other = [new_chat() for _ in range(8)], new_chat()
    for chat in heavy:
        fake.send_text(chat, " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(7)) for _ in range(500)))
    fake.send_text(other, ANSWERED)
    [answer] = fake.wait_replies(other, 1, timeout=30)
    assert answer.text.startswith("How do I apply")
    last = max(fake.wait_replies(chat, 1, timeout=60)[0].t for chat in heavy)
    assert answer.t < last  # not queued behind the long ones
    # each got a kind reply: who can help, and 999 in case anyone is in danger
    assert all("SENDIASS" in fake.replies(chat)[0].text and "999" in fake.replies(chat)[0].text for chat in heavy)


def test_429_from_the_server_is_waited_out(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.fail("sendMessage", 429, retry_after=1)
    sent_at = time.monotonic()
    fake.send_text(chat, ANSWERED)
    [reply] = fake.wait_replies(chat, 1, timeout=15)
    assert reply.t - sent_at >= 1.0
    statuses = lambda: [c.status for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == chat]  # noqa: E731
    assert fake.wait(lambda: statuses() == [429, 200], 5, "a 429 then a 200")
    time.sleep(0.5)
    assert len(fake.replies(chat)) == 1


def test_5xx_and_polling_errors_are_retried(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.fail("sendMessage", 502, times=2)
    fake.fail("getUpdates", 500, times=1)
    fake.send_text(chat, ANSWERED)
    [reply] = fake.wait_replies(chat, 1, timeout=15)
    assert reply.text.startswith("How do I apply")
    fake.wait(lambda: sum(e.get("event") == "api_retry" for e in bot.events()) >= 2, 5, "retry log lines")


def test_a_bad_request_is_not_retried(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.fail("sendMessage", 400, times=1, description="Bad Request: can't parse entities")
    fake.send_text(chat, ANSWERED)
    fake.wait(lambda: any(e.get("event") == "send_failed" for e in bot.events()), 10, "the failed send logged")
    time.sleep(1.0)
    assert [c.status for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == chat] == [400]


def test_a_bot_api_outage_of_several_seconds_loses_no_reply(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.fail("sendMessage", 502, times=6)  # about 0.5 + 1 + 2 + 4 + 8 s of retries: more than three quick ones
    fake.send_text(chat, ANSWERED)
    [reply] = fake.wait_replies(chat, 1, timeout=40)
    assert reply.text.startswith("How do I apply")


def test_logs_hold_no_token_and_no_message_text(fake: FakeBotAPI, bot: BotProcess) -> None:
    chat = new_chat()
    fake.send_text(chat, "my daughter Zebediah needs hydrotherapy")
    fake.wait_replies(chat, 1)
    fake.wait(lambda: len([e for e in bot.events() if e.get("event") == "reply"]) >= 1, 5, "reply log lines")
    log = bot.log()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Zebediah" not in log and "school transport" not in log
    assert "HTTP Request" not in log
    assert all(line.startswith("{") for line in log.splitlines() if line.strip())
