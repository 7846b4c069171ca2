"""Handler tests: Update objects fed to the real Application, whose Bot API calls go to the fake server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application

from bot.tg.app import build_application
from bot.tg.callbacks import encode
from bot.tg.catalogue import key_of
from bot.tg.settings import Settings
from bot.tg.state import Loaded
from fake_bot_api import BOT_USERNAME, FakeBotAPI, Sent
from tg_data import ANSWERED, FALLBACK, build_data
from tg_support import STAFF_ID, TOKEN, MemoryRecorder, new_chat

CLARIFY = "transport"
FLOOD_LIMIT = 5


@pytest.fixture(scope="module")
def fake() -> Any:
    with FakeBotAPI(TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data(tmp_path_factory.mktemp("tgdata"))


@pytest.fixture(scope="module")
def loaded(data: Path) -> Loaded:
    return Loaded.load(str(data))


@pytest.fixture()
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def make_app(fake: FakeBotAPI, loaded: Loaded, recorder: MemoryRecorder, data: Path) -> Application:
    settings = Settings(token=TOKEN, base_url=fake.base_url, staff_ids=frozenset({STAFF_ID}), flood_limit=FLOOD_LIMIT,
                        flood_window=60, max_rate=0, data=str(data))
    return build_application(settings, loaded, recorder, updater=False)


@pytest.fixture()
async def app(fake: FakeBotAPI, loaded: Loaded, recorder: MemoryRecorder, data: Path) -> AsyncIterator[Application]:
    application = make_app(fake, loaded, recorder, data)
    async with application:
        yield application


async def feed(app: Application, update: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(update, app.bot))


async def ask(app: Application, fake: FakeBotAPI, chat: int, text: str, **kw: Any) -> list[Sent]:
    """Send a message and return what the bot sent in reply (handlers are awaited, so it is all there)."""
    before = len(fake.replies(chat))
    await feed(app, fake.send_text(chat, text, enqueue=False, **kw))
    return fake.replies(chat)[before:]


async def press(app: Application, fake: FakeBotAPI, chat: int, message_id: int, data: str, **kw: Any) -> tuple[list[Sent], dict[str, Any]]:
    before = len(fake.replies(chat))
    update = fake.press(chat, message_id, data, enqueue=False, **kw)
    await feed(app, update)
    return fake.replies(chat)[before:], fake.callback_answers.get(update["callback_query"]["id"], {})


def callbacks(sent: Sent) -> list[str]:
    return [data for _, data in sent.buttons() if data and not data.startswith("https://")]


async def test_start_says_who_and_what_with_topic_buttons(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, "/start")
    assert "computer program, not a person" in reply.text
    assert "personal details" in reply.text
    assert "School transport" in reply.text and "Therapies" in reply.text
    assert reply.parse_mode == "HTML" and reply.previews_off
    assert callbacks(reply) == [encode("t", key_of("Therapies")), encode("t", key_of("School transport"))]


async def test_question_is_answered_with_buttons_and_recorded(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, ANSWERED)
    assert reply.raw.startswith("<b>How do I apply for SEND school transport?</b>")
    assert "Applications are usually assessed" in reply.text
    assert reply.text.endswith("Was this helpful?")
    assert reply.reply_to == fake.replies(chat)[0].message_id - 1  # quotes the question just before it
    labels = [label for label, _ in reply.buttons()]
    assert labels == ["Tell me more", "How do I cancel or change my child's school transport?", "Yes", "No"]
    assert callbacks(reply)[0] == encode("m", key_of("transport-apply"))
    [(recorded, user, channel)] = recorder.records
    assert (recorded.kind, recorded.intent, user, channel) == ("answer", "transport-apply", chat, "telegram")


async def test_clarify_options_are_buttons_and_a_tap_answers(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    chat = new_chat()
    [clarify] = await ask(app, fake, chat, CLARIFY)
    assert "Pick one" in clarify.text
    labels = [label for label, _ in clarify.buttons()]
    assert labels[0].startswith("1. ") and labels[1].startswith("2. ")
    first = callbacks(clarify)[0]
    sent, answer = await press(app, fake, chat, clarify.message_id, first)
    assert answer == {"callback_query_id": answer["callback_query_id"]}  # spinner stopped, no toast
    [reply] = sent
    assert reply.raw.startswith("<b>") and "Was this helpful?" in reply.text
    assert recorder.records[-1][0].question == CLARIFY  # the tap is recorded against the original question


async def test_tell_me_more_sends_details_and_removes_its_button(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, ANSWERED)
    sent, _ = await press(app, fake, chat, reply.message_id, encode("m", key_of("transport-apply")))
    [details] = sent
    assert "You will not get a receipt" in details.text and details.reply_to == reply.message_id
    edited = fake.messages[(chat, reply.message_id)]
    labels = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert "Tell me more" not in labels and labels[-2:] == ["Yes", "No"]


async def test_long_details_are_split_under_the_limit(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, "annual review")
    sent, _ = await press(app, fake, chat, reply.message_id, encode("m", key_of("annual-review")))
    assert len(sent) >= 2
    assert all(len(s.text) <= 4096 for s in sent)
    assert sent[0].raw.startswith("<b>What happens at an annual review?</b>")
    assert "Part 1 of the review" in sent[0].text and "Part 60 of the review" in sent[-1].text


async def test_feedback_no_is_recorded_once_with_the_question(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, ANSWERED)
    no = dict(reply.buttons())["No"]
    sent, answer = await press(app, fake, chat, reply.message_id, no)
    assert answer["text"] == "Thank you for telling us."
    assert recorder.feedbacks == [("transport-apply", False, ANSWERED, chat)]
    assert "Sorry that didn't help" in sent[0].text and "0113" in sent[0].text
    markup = fake.messages[(chat, reply.message_id)]["reply_markup"]
    assert all(b["text"] not in ("Yes", "No") for row in markup["inline_keyboard"] for b in row)
    _, again = await press(app, fake, chat, reply.message_id, no)  # a second tap (old client, quick fingers)
    assert again["text"] == "You have already told us, thank you."
    assert len(recorder.feedbacks) == 1


async def test_feedback_yes_is_recorded(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, "cancel taxi")
    sent, answer = await press(app, fake, chat, reply.message_id, dict(reply.buttons())["Yes"])
    assert sent == [] and answer["text"] == "Thank you for telling us."
    assert recorder.feedbacks == [("transport-cancel", True, "cancel taxi", chat)]


async def test_feedback_forged_for_another_chat_or_unsigned_is_refused(app: Application, fake: FakeBotAPI,
                                                                      recorder: MemoryRecorder) -> None:
    """A vote counts only on a button this bot sent to this chat: unsigned, copied from another chat, or
    with a made-up signature, it gets the polite 'no longer works' and is not recorded."""
    chat, elsewhere = new_chat(), new_chat()
    [reply] = await ask(app, fake, chat, ANSWERED)
    [theirs] = await ask(app, fake, elsewhere, ANSWERED)
    key = key_of("transport-apply")
    for data in (encode("n", key), dict(theirs.buttons())["No"], encode("n", key, "0" * 12)):
        sent, answer = await press(app, fake, chat, reply.message_id, data)
        assert answer and [s.text for s in sent] and "that button no longer works" in sent[0].text
    assert recorder.feedbacks == []
    sent, _ = await press(app, fake, chat, reply.message_id, dict(reply.buttons())["No"])
    assert recorder.feedbacks == [("transport-apply", False, ANSWERED, chat)]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
async def test_non_text_gets_a_kind_reply_with_the_sendiass_number(app: Application, fake: FakeBotAPI, kind: str) -> None:
    chat = new_chat()
    update = fake.send_media(chat, kind, enqueue=False)
    await feed(app, update)
    [reply] = fake.replies(chat)
    assert "only read typed messages" in reply.text and "0113 378 5020" in reply.text


async def test_edited_message_is_answered_again(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [first] = await ask(app, fake, chat, FALLBACK)
    question_id = first.reply_to
    await feed(app, fake.edit_text(chat, question_id, ANSWERED, enqueue=False))
    second = fake.replies(chat)[-1]
    assert second.reply_to == question_id and second.text.startswith("How do I apply")


async def test_fallback_offers_topics_and_crisis_has_no_buttons(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [fallback] = await ask(app, fake, chat, FALLBACK)
    assert "don't know" in fallback.text and [label for label, _ in fallback.buttons()] == ["Browse topics"]
    [crisis] = await ask(app, fake, chat, "i want to kill myself")
    assert "999" in crisis.text and crisis.reply_markup is None


async def test_html_in_questions_is_escaped(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, "<b>what & why</b> <script>")
    assert reply.parse_mode == "HTML"  # the fake refuses bad HTML, so arriving at all means it was escaped


async def test_group_chats_answer_only_mentions_and_suggest_a_private_chat(app: Application, fake: FakeBotAPI) -> None:
    group = -new_chat()
    assert await ask(app, fake, group, ANSWERED, chat_type="supergroup", user_id=77) == []
    update = fake.send_media(group, "sticker", chat_type="supergroup", enqueue=False)
    await feed(app, update)
    assert fake.replies(group) == []
    [reply] = await ask(app, fake, group, f"@{BOT_USERNAME} {ANSWERED}", chat_type="supergroup", user_id=77)
    assert reply.text.startswith("How do I apply") and f"@{BOT_USERNAME}" in reply.text
    assert ("Chat with me privately", f"https://t.me/{BOT_USERNAME}") in reply.buttons()
    [reply_to_bot] = await ask(app, fake, group, "cancel taxi", chat_type="supergroup", user_id=77, reply_to_bot=reply.message_id)
    assert reply_to_bot.text.startswith("How do I cancel")
    [start] = await ask(app, fake, group, f"/start@{BOT_USERNAME}", chat_type="supergroup", user_id=77)
    assert "computer program" in start.text and "private chat" in start.text
    assert await ask(app, fake, group, "/start@some_other_bot", chat_type="supergroup", user_id=77) == []
    assert await ask(app, fake, group, "/nonsense", chat_type="supergroup", user_id=77) == []


@pytest.mark.parametrize("forged", [
    "", "x", "1:a:", "1:a:zzzzzzzzzz", "1:a:0123456789", "1:q:0123456789", "0:a:0123456789", "2:T",
    "1:a:0123456789:extra", "1:T ", "' OR 1=1; DROP TABLE users; --", "ä" * 30, "1:t:abcdefabcd",
])
async def test_forged_or_stale_buttons_get_a_polite_reply(app: Application, fake: FakeBotAPI, forged: str) -> None:
    chat = new_chat()
    [reply] = await ask(app, fake, chat, ANSWERED)
    sent, answer = await press(app, fake, chat, reply.message_id, forged)
    assert answer, "the button press must be answered"
    [polite] = sent
    assert "that button no longer works" in polite.text


async def test_button_without_data_or_message_is_handled(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    update = fake.press(chat, 999_999, "x", enqueue=False)
    del update["callback_query"]["data"]
    update["callback_query"]["game_short_name"] = "game"
    await feed(app, update)
    assert "no longer works" in fake.replies(chat)[-1].text


async def test_flood_gets_one_notice_then_silence_and_spares_other_chats(app: Application, fake: FakeBotAPI) -> None:
    chat, other = new_chat(), new_chat()
    for n in range(FLOOD_LIMIT + 4):
        await feed(app, fake.send_text(chat, f"{ANSWERED} {n}", enqueue=False))
    replies = fake.replies(chat)
    assert len(replies) == FLOOD_LIMIT + 1
    assert "faster than I can answer" in replies[-1].text
    assert len(await ask(app, fake, other, ANSWERED)) == 1


async def test_topics_browse_edits_the_menu_then_answers(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [menu] = await ask(app, fake, chat, "/topics")
    sent, _ = await press(app, fake, chat, menu.message_id, encode("t", key_of("School transport")))
    assert sent == []
    edited = fake.messages[(chat, menu.message_id)]
    assert edited["text"].startswith("School transport: pick a question")
    labels = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[-1] == "Back to topics" and labels[0] == "How do I apply for SEND school transport?"
    sent, _ = await press(app, fake, chat, menu.message_id, encode("a", key_of("transport-apply")))
    assert sent[0].text.startswith("How do I apply")
    await press(app, fake, chat, menu.message_id, encode("T"))
    assert fake.messages[(chat, menu.message_id)]["text"].startswith("Pick a topic")
    await press(app, fake, chat, menu.message_id, encode("T"))  # same menu again: "not modified" is fine
    assert "no longer works" not in fake.replies(chat)[-1].text


async def test_commands_contact_privacy_help_glossary(app: Application, fake: FakeBotAPI) -> None:
    [contact] = await ask(app, fake, new_chat(), "/contact")
    assert "0113 378 5020" in contact.text and "999" in contact.text
    [privacy] = await ask(app, fake, new_chat(), "/privacy")
    assert "90 days" in privacy.text and "/forgetme" in privacy.text
    [help_] = await ask(app, fake, new_chat(), "/help")
    assert "/topics" in help_.text and "/reload" not in help_.text
    [term] = await ask(app, fake, new_chat(), "/glossary ehc plan")
    assert term.text.startswith("What does EHCP") and "Education, Health and Care Plan" in term.text
    [near] = await ask(app, fake, new_chat(), "/glossary EOTS")
    assert "Did you mean EOTAS?" in near.text
    [bare] = await ask(app, fake, new_chat(), "/glossary")
    assert "EHCP, EOTAS" in bare.text
    [unknown] = await ask(app, fake, new_chat(), "/frobnicate")
    assert "don't know that command" in unknown.text


async def test_forgetme_deletes_through_the_recorder(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    chat = new_chat()
    await ask(app, fake, chat, FALLBACK)
    [done] = await ask(app, fake, chat, "/forgetme")
    assert recorder.forgotten == [chat]
    assert "deleted 1 kept question linked to you" in done.text


async def test_forgetme_not_yet_done_says_it_will_be(fake: FakeBotAPI, loaded: Loaded, data: Path) -> None:
    class Busy(MemoryRecorder):
        def forget(self, user: Any) -> int | None:
            self.forgotten.append(user)
            return None  # queued: the database is locked

    application = make_app(fake, loaded, Busy(), data)
    async with application:
        [pending] = await ask(application, fake, new_chat(), "/forgetme")
        assert pending.text.startswith("Your questions will be deleted") and "Nothing was kept" not in pending.text


async def test_staff_commands_are_unknown_to_everyone_else(app: Application, fake: FakeBotAPI) -> None:
    chat = new_chat()
    [unknown] = await ask(app, fake, chat, "/frobnicate")
    [reload_] = await ask(app, fake, chat, "/reload")
    [stats] = await ask(app, fake, chat, "/stats")
    assert reload_.text == stats.text == unknown.text


async def test_staff_stats_come_from_the_recorder(app: Application, fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    recorder.rows = [{"day": "2026-11-21", "answer": 12, "clarify": 3, "fallback": 2, "crisis": 1}]
    [stats] = await ask(app, fake, STAFF_ID, "/stats")
    assert "2026-11-21: 12 answered, 3 clarified, 2 not answered, 1 crisis" in stats.text
    [help_] = await ask(app, fake, STAFF_ID, "/help")
    assert "/reload" in help_.text


async def test_staff_reload_keeps_old_knowledge_when_new_is_broken(fake: FakeBotAPI, loaded: Loaded, recorder: MemoryRecorder,
                                                                   tmp_path: Path) -> None:
    data = build_data(tmp_path)
    application = make_app(fake, Loaded.load(str(data)), recorder, data)
    async with application:
        good = (data / "knowledge" / "therapy.yaml").read_text()
        (data / "knowledge" / "therapy.yaml").write_text(good.replace("title: Can my child", "titel: Can my child"))
        shutil.rmtree(data / "knowledge" / "templates" / "telegram")
        [failed] = await ask(application, fake, STAFF_ID, "/reload")
        assert "kept using the old knowledge" in failed.text
        assert "knowledge/therapy.yaml:4: 'titel' is not a known key" in failed.text
        assert "knowledge/templates/telegram/labels.txt.j2" in failed.text
        [still] = await ask(application, fake, STAFF_ID, "hydrotherapy")
        assert still.text.startswith("Can my child get hydrotherapy")
        (data / "knowledge" / "therapy.yaml").write_text(good.replace("Can my child get hydrotherapy in Leeds?", "Is hydrotherapy available?"))
        shutil.copytree(Path(__file__).resolve().parent.parent / "knowledge" / "templates" / "telegram",
                        data / "knowledge" / "templates" / "telegram")
        [ok] = await ask(application, fake, STAFF_ID, "/reload")
        assert ok.text.startswith("Reloaded in") and "4 entries" in ok.text
        [fresh] = await ask(application, fake, STAFF_ID, "hydrotherapy")
        assert fresh.text.startswith("Is hydrotherapy available?")


async def test_recorder_failures_never_reach_the_parent(fake: FakeBotAPI, loaded: Loaded, data: Path) -> None:
    class Broken(MemoryRecorder):
        def record(self, reply: Any, user: Any, channel: str) -> None:
            raise RuntimeError("database is down")

        def forget(self, user: Any) -> int:
            raise RuntimeError("database is down")

    application = make_app(fake, loaded, Broken(), data)
    async with application:
        chat = new_chat()
        [reply] = await ask(application, fake, chat, ANSWERED)
        assert reply.text.startswith("How do I apply")
        [done] = await ask(application, fake, chat, "/forgetme")
        assert "could not delete your questions just now" in done.text  # never "nothing was kept"


async def test_young_lists_the_answers_written_for_young_people(fake: FakeBotAPI, recorder: MemoryRecorder) -> None:
    """/young on the shipped knowledge: its questions are the young people's entries, and each answers."""
    repo = Path(__file__).resolve().parent.parent
    shipped = Loaded.load(str(repo))
    application = make_app(fake, shipped, recorder, repo)
    async with application:
        chat = new_chat()
        [menu] = await ask(application, fake, chat, "/young")
        assert menu.text.startswith("For young people: pick a question")
        wanted = {title for _, title in shipped.bot.entries_for("young-people")}
        labels = [label for label, _ in menu.buttons()][:-1]  # the last is "Back to topics"
        assert len(labels) == len(wanted) >= 10
        first_intent = shipped.bot.entries_for("young-people")[0][0]
        sent, _ = await press(application, fake, chat, menu.message_id, encode("a", key_of(first_intent)))
        assert sent and sent[0].text.startswith(shipped.bot.title_for(first_intent)[:20])
