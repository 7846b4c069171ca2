"""Small pieces of the store: the language hook, the privacy wording, safe locations and backend choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reply import Reply
from bot.store import make_backend, open_store, privacy_notice
from bot.store.postgres_backend import PostgresBackend
from bot.store.sqlite_backend import SQLiteBackend


def test_the_language_kept_is_the_one_the_pipeline_decided(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bot) -> None:
    """Detected once, in the language stage, and carried on the reply: the store never guesses again."""
    monkeypatch.setenv("SENDBOT_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("SENDBOT_SECRET", "s")
    store = open_store(close_at_exit=False)
    polish = bot.handle("Gdzie mogę znaleźć pomoc dla mojego syna")
    assert polish.message_language == "pl" and polish.kind == "fallback"
    english = bot.handle("can i bring my dog to the meeting")
    assert english.message_language == "en"
    store.record(polish, 1, "telegram")
    store.record(english, 1, "telegram")
    store.record(Reply("built by hand, not by the pipeline", "fallback", "?"), 1, "telegram")
    assert store.flush()
    kept = {q.text.split()[0]: q.language for q in store.questions()}
    store.close()
    assert sorted(kept.values()) == ["en", "pl", "und"], kept


def test_privacy_notice_says_what_and_how_long() -> None:
    text = privacy_notice(45)
    assert "45 days" in text and "/forgetme" in text and "never keeps your name" in text


def test_backend_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SENDBOT_DB", str(tmp_path / "x.db"))
    backend = make_backend()
    assert isinstance(backend, SQLiteBackend) and backend.path == tmp_path / "x.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@db.example:5432/sendbot")
    backend = make_backend()
    assert isinstance(backend, PostgresBackend)
    assert "hunter2" not in backend.location and "***" in backend.location
    assert backend.sql("SELECT ? FROM t WHERE id = {id}") == "SELECT %s FROM t WHERE id = BIGSERIAL PRIMARY KEY"


def test_sqlite_file_is_owner_only(tmp_path: Path) -> None:
    backend = SQLiteBackend(tmp_path / "s.db")
    conn = backend.connect()
    assert (tmp_path / "s.db").stat().st_mode & 0o077 == 0
    conn.close()


def test_store_satisfies_the_recorder_protocol() -> None:
    from bot.events import Recorder
    from bot.store import Store

    for name in ("record", "feedback", "forget", "stats"):
        assert callable(getattr(Store, name)) and hasattr(Recorder, name)


def test_unreachable_postgres_never_breaks_a_reply(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from store_support import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres:pw@127.0.0.1:{free_port()}/nothing")
    monkeypatch.setenv("SENDBOT_SECRET", "s")
    store = open_store(close_at_exit=False)
    store.record(Reply("my son Jack needs help", "fallback", "?"), 1, "telegram")
    assert not store.flush(timeout=0.5)
    assert store.stats() == []
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "OperationalError" in messages and "Jack" not in messages and "pw@" not in messages
    store.writer.close(timeout=0.1)


def test_a_failing_or_slow_redaction_keeps_no_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.store import recorder

    def broken(text: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(recorder, "redact", broken)
    assert recorder.safely_redacted("Jack Smith, 07700 900123") == ""
    ticks = iter([0.0, recorder.REDACT_LIMIT + 1])
    monkeypatch.setattr(recorder, "redact", lambda text: text.upper())
    monkeypatch.setattr(recorder.time, "monotonic", lambda: next(ticks))
    assert recorder.safely_redacted("jack smith") == ""
    ticks = iter([0.0, 0.01])
    assert recorder.safely_redacted("jack smith") == "JACK SMITH"

    def no_model() -> None:
        raise OSError("model missing")

    monkeypatch.setattr(recorder, "warm_up", no_model)
    assert recorder.safely_redacted("jack smith") == ""  # without the recogniser, no words are kept


def test_a_message_with_a_safety_line_is_counted_not_kept(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.reply import Reply
    from store_support import use_backend

    use_backend("sqlite", tmp_path, monkeypatch)
    from bot.store import open_store

    store = open_store(close_at_exit=False)
    store.record(Reply("my son is in a bad way, what is a SILC", "fallback", "x", safety="possible"), 1, "cli")
    store.record(Reply("what is a widget", "fallback", "x", message_language="en"), 1, "cli")
    # another language: the 999 line goes on unread, so it is no sign of danger and the question is kept
    store.record(Reply("Gdzie mogę znaleźć pomoc", "fallback", "x", language="pl", safety="possible",
                       extra={"reason": "language"}, message_language="pl"), 1, "cli")
    assert store.flush()
    assert sorted(q.language for q in store.questions()) == ["en", "pl"]
    assert store.close()
