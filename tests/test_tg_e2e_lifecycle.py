"""End to end, the bot's life: staff /reload with broken files, SIGTERM in a burst, and start-up that fails fast."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from fake_bot_api import FakeBotAPI
from tg_data import ANSWERED, build_data
from tg_support import OTHER_TOKEN, STAFF_ID, TOKEN, BotProcess, new_chat


def test_staff_reload_with_broken_knowledge_keeps_serving(tmp_path: Path) -> None:
    data = build_data(tmp_path / "data")
    with FakeBotAPI(TOKEN) as fake, BotProcess(fake, data, tmp_path) as bot:
        bot.wait_ready()
        transport = data / "knowledge" / "transport.yaml"
        good = transport.read_text()
        transport.write_text(good.replace("  - id: transport-cancel", "  - id: transport-cancel\n    colour: blue", 1))
        (data / "intents" / "therapy.yaml").write_text("intents:\n  - id: broken\n    answer: [unclosed\n")
        fake.send_text(STAFF_ID, "/reload")
        [failed] = fake.wait_replies(STAFF_ID, 1, timeout=15)
        assert "kept using the old knowledge" in failed.text
        assert "knowledge/transport.yaml:" in failed.text and "'colour' is not a known key" in failed.text
        assert "intents/therapy.yaml:" in failed.text and "YAML syntax" in failed.text
        parent = new_chat()
        fake.send_text(parent, "hydrotherapy")  # the old knowledge still answers
        assert fake.wait_replies(parent, 1)[0].text.startswith("Can my child get hydrotherapy")
        fake.send_text(parent, "/reload")  # not staff: just an unknown command
        assert "don't know that command" in fake.wait_replies(parent, 2)[1].text
        transport.write_text(good.replace("How do I cancel or change", "How can I cancel or change"))
        build_therapy = build_data(tmp_path / "fresh")
        (data / "intents" / "therapy.yaml").write_text((build_therapy / "intents" / "therapy.yaml").read_text())
        fake.send_text(STAFF_ID, "/reload")
        ok = fake.wait_replies(STAFF_ID, 2, timeout=15)[1]
        assert ok.text.startswith("Reloaded in") and "4 entries" in ok.text
        fake.send_text(parent, "cancel taxi")
        assert fake.wait_replies(parent, 3)[2].text.startswith("How can I cancel or change")
        assert bot.stop() == 0


@pytest.mark.parametrize("signals", [1, 2], ids=["sigterm", "double-sigterm"])
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_sigterm_mid_burst_loses_nothing_and_answers_nothing_twice(tmp_path: Path, webhook: bool, signals: int) -> None:
    """A second SIGTERM 0.3 s into shutdown (a supervisor in a hurry) must not cut the shutdown short either."""
    data = build_data(tmp_path / "data")
    chats = [new_chat() for _ in range(30)]
    asked: list[tuple[int, int]] = []
    with FakeBotAPI(TOKEN) as fake:
        store = {"SENDBOT_DB": str(tmp_path / "sendbot.db")}  # one bot, restarted: the same store both times
        first = BotProcess(fake, data, tmp_path, webhook=webhook, name="first", env=store).start().wait_ready()
        fake.delay("sendMessage", 0.1)  # replies take a while, so SIGTERM lands with work in flight
        for _ in range(3):
            for chat in chats:
                asked.append((chat, fake.send_text(chat, ANSWERED)["message"]["message_id"]))
        fake.wait(lambda: len(fake.sent) >= 10, 15, "the burst to be under way")
        began = time.monotonic()
        code = first.stop(signals=signals)
        stopped_in = time.monotonic() - began
        answered_by_first = len(fake.sent)
        for chat in chats:  # more arrive while the bot is down
            asked.append((chat, fake.send_text(chat, "cancel taxi")["message"]["message_id"]))
        assert code == 0, first.log()[-2000:]
        assert stopped_in < 15, f"took {stopped_in:.1f}s to stop"
        assert answered_by_first < len(asked)
        second = BotProcess(fake, data, tmp_path, webhook=webhook, name="second", env=store).start()
        try:
            fake.wait(lambda: len(fake.sent) >= len(asked), 25, "every message to be answered")
            time.sleep(0.5)  # anything answered twice would show up now
        finally:
            assert second.stop() == 0, second.log()[-2000:]
        answers = Counter((s.chat_id, s.reply_to) for s in fake.sent)
        why = f"first bot:\n{first.log()[-1500:]}\nsecond bot:\n{second.log()[-1500:]}"
        assert sorted(answers) == sorted(asked), f"unanswered {set(asked) - set(answers)}\n{why}"
        twice = {k: n for k, n in answers.items() if n > 1}
        assert not twice, f"answered twice: {twice}; webhook posts {fake.webhook_posts[-40:]}\n{why}"
        for chat in chats:  # and each chat's answers came in the order it asked
            replies = [s.reply_to for s in fake.replies(chat)]
            assert replies == sorted(replies), f"chat {chat} out of order: {replies}"
        for process in (first, second):
            assert TOKEN not in process.log()


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_sigkill_mid_burst_then_restart_answers_every_message(tmp_path: Path, webhook: bool) -> None:
    """What was received is kept in the store's inbox before Telegram is told, so after a SIGKILL the
    restarted bot answers everything; only replies in flight at the kill may go out twice."""
    data = build_data(tmp_path / "data")
    chats = [new_chat() for _ in range(40)]
    asked: list[tuple[int, int]] = []
    store = {"SENDBOT_DB": str(tmp_path / "sendbot.db")}
    with FakeBotAPI(TOKEN) as fake:
        first = BotProcess(fake, data, tmp_path, webhook=webhook, name="first", env=store).start().wait_ready()
        fake.delay("sendMessage", 0.1)
        for _ in range(4):
            for chat in chats:
                asked.append((chat, fake.send_text(chat, ANSWERED)["message"]["message_id"]))
        fake.wait(lambda: len(fake.sent) >= 20, 20, "the burst to be under way")
        assert first.proc is not None
        first.proc.kill()
        first.proc.wait(5)
        answered_by_first = len({(s.chat_id, s.reply_to) for s in fake.sent})
        assert answered_by_first < len(asked)
        second = BotProcess(fake, data, tmp_path, webhook=webhook, name="second", env=store).start()
        try:
            fake.wait(lambda: len({(s.chat_id, s.reply_to) for s in fake.sent}) >= len(asked), 40, "every message answered")
            time.sleep(0.5)
        finally:
            assert second.stop() == 0, second.log()[-2000:]
        answers = Counter((s.chat_id, s.reply_to) for s in fake.sent)
        assert sorted(answers) == sorted(asked), f"unanswered {set(asked) - set(answers)}\n{second.log()[-1500:]}"
        twice = sum(n - 1 for n in answers.values() if n > 1)
        print(f"SIGKILL after {answered_by_first} of {len(asked)} answered ({'webhook' if webhook else 'polling'}): "
              f"every message answered after the restart, {twice} answered twice (in flight at the kill)")
        assert twice <= 40  # at most one reply in flight per chat


def test_malformed_token_fails_fast(tmp_path: Path) -> None:
    with FakeBotAPI(TOKEN) as fake:
        bad = "12345:not-a-token"
        code, output = BotProcess(fake, tmp_path, tmp_path, token=bad).run_to_exit()
        assert code == 2 and "does not look like a bot token" in output and bad not in output
        assert fake.calls == []  # nothing was sent anywhere


def test_rejected_token_fails_fast_without_logging_it(tmp_path: Path) -> None:
    data = build_data(tmp_path / "data")
    with FakeBotAPI(TOKEN) as fake:
        code, output = BotProcess(fake, data, tmp_path, token=OTHER_TOKEN).run_to_exit()
    assert code == 1 and "Telegram rejected TELEGRAM_BOT_TOKEN" in output
    assert OTHER_TOKEN not in output and OTHER_TOKEN.split(":")[1] not in output


def test_missing_webhook_settings_fail_fast(tmp_path: Path) -> None:
    with FakeBotAPI(TOKEN) as fake:
        process = BotProcess(fake, tmp_path, tmp_path, webhook=True, env={"WEBHOOK_URL": "", "WEBHOOK_SECRET": ""})
        code, output = process.run_to_exit()
    assert code == 2 and "WEBHOOK_URL is not set" in output and "WEBHOOK_SECRET is not set" in output


def test_broken_knowledge_fails_fast(tmp_path: Path) -> None:
    data = build_data(tmp_path / "data")
    (data / "knowledge" / "therapy.yaml").write_text("topic: Therapies\nentries:\n  - id: x\n")
    with FakeBotAPI(TOKEN) as fake:
        code, output = BotProcess(fake, data, tmp_path).run_to_exit()
        assert fake.calls == []
    assert code == 1 and "knowledge/therapy.yaml:3: 'title' is missing; add it" in output


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_token_revoked_while_running_exits_non_zero_with_a_clear_line(tmp_path: Path, webhook: bool) -> None:
    """A 401 mid-run used to end polling while the process idled on, answering nobody, unseen by any supervisor."""
    data = build_data(tmp_path / "data")
    parent = new_chat()
    with FakeBotAPI(TOKEN) as fake:
        bot = BotProcess(fake, data, tmp_path, webhook=webhook).start().wait_ready()
        fake.send_text(parent, ANSWERED)
        fake.wait_replies(parent, 1)
        fake.token = OTHER_TOKEN  # from now on every call with the old token gets 401 Unauthorized
        if webhook:
            fake.send_text(parent, ANSWERED)  # the webhook bot meets the 401 when it replies
        assert bot.proc is not None
        code = bot.proc.wait(30)
    output = bot.log()
    assert code == 1, output[-2000:]
    assert "Telegram stopped accepting TELEGRAM_BOT_TOKEN" in output and "token_rejected" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
