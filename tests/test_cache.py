"""The load cache (SENDBOT_CACHE): reused only while nothing has changed, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.core
from bot import cache
from bot.core import Bot, DataError

QUESTION = "how do i apply for an ehcp"


@pytest.fixture()
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_copy: Path) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("SENDBOT_CACHE", str(where))
    return where


def forbid_file_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the files were read again")

    monkeypatch.setattr(bot.core, "load", refuse)


def test_an_unchanged_load_comes_back_from_the_cache(cached: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Bot.load(data_copy)
    assert len(list(cached.glob("sendbot-*.pickle"))) == 1
    forbid_file_loading(monkeypatch)
    second = Bot.load(data_copy)
    assert second.handle(QUESTION).text == first.handle(QUESTION).text
    assert second.index.match(QUESTION) == first.index.match(QUESTION)
    assert [p.message for p in second.problems] == [p.message for p in first.problems]


def test_an_edited_file_is_loaded_afresh(cached: Path, data_copy: Path) -> None:
    before = Bot.load(data_copy).handle(QUESTION)
    assert before.intent
    entry_file = next(p for p in (data_copy / "knowledge").glob("*.yaml") if f"id: {before.intent}\n" in p.read_text(encoding="utf-8"))
    text = entry_file.read_text(encoding="utf-8")
    entry_file.write_text(text.replace("    answer: |\n", "    answer: |\n      Edited today.\n", 1), encoding="utf-8")
    after = Bot.load(data_copy)
    assert any("Edited today." in page.answer for page in after.pages.values())
    assert len(list(cached.glob("sendbot-*.pickle"))) == 1  # the old one is dropped


def test_a_damaged_cache_file_means_a_full_load(cached: Path, data_copy: Path) -> None:
    expected = Bot.load(data_copy).handle(QUESTION).text
    for path in cached.glob("sendbot-*.pickle"):
        path.write_bytes(b"not a pickle")
    assert Bot.load(data_copy).handle(QUESTION).text == expected


def test_data_with_errors_is_never_cached(cached: Path, data_copy: Path) -> None:
    (data_copy / "intents" / "broken.yaml").write_text("intents:\n  - id: x\n    answer: no-such-entry\n    examples: [a, b]\n", encoding="utf-8")
    with pytest.raises(DataError):
        Bot.load(data_copy)
    assert not list(cached.glob("sendbot-*.pickle"))
    with pytest.raises(DataError):  # and the second time the error is found again
        Bot.load(data_copy)


def test_an_unwritable_cache_folder_does_not_stop_the_bot(tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SENDBOT_CACHE", str(blocker / "cache"))  # a folder inside a file cannot exist
    assert Bot.load(data_copy).handle(QUESTION).intent


def test_the_key_follows_the_date_and_the_files(data_copy: Path) -> None:
    import datetime as dt

    today = dt.date(2026, 11, 22)
    first = cache.key(data_copy, today)
    assert cache.key(data_copy, today) == first
    assert cache.key(data_copy, today + dt.timedelta(days=1)) != first  # review dates are checked against today
    (data_copy / "intents" / "extra.yaml").write_text("intents: []\n", encoding="utf-8")
    assert cache.key(data_copy, today) != first


def test_caching_is_off_unless_asked_for(data_copy: Path, tmp_path: Path) -> None:
    assert cache.folder() is None
    Bot.load(data_copy)
    assert not list(tmp_path.rglob("sendbot-*.pickle"))


def test_a_full_disk_leaves_no_half_written_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import pickle

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pickle, "dump", full)
    assert cache.write(tmp_path, "abc", {"any": "thing"}) is False
    assert not list(tmp_path.iterdir())
