"""A locked, full or unwritable database never delays or breaks a reply, never logs message text, and is retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.reply import Reply
from bot.store import Store
from bot.store.pseudonym import Pseudonymiser
from bot.store.redact import warm_up
from bot.store.sqlite_backend import SQLiteBackend
from bot.store.writer import Writer

SECRET_QUESTION = "my son Jack needs a blue badge, 07912 345678"


def make_store(path: Path, busy_ms: int = 50) -> Store:
    return Store(SQLiteBackend(path, busy_timeout_ms=busy_ms), Pseudonymiser(b"k"))


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process-like connection holding the write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def no_text_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        message = record.getMessage()
        for fragment in ("Jack", "blue badge", "345678", "[NAME]", "[PHONE]"):
            assert fragment not in message, message


def test_locked_database_still_answers_and_catches_up(tmp_path: Path, bot: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    path = tmp_path / "s.db"
    store = make_store(path)
    store.reader()  # create the schema first
    warm_up()  # the redaction model loads before the lock, so the writer meets the lock while it is held
    with locked(path):
        started = time.perf_counter()
        reply = bot.handle(SECRET_QUESTION)
        store.record(reply, 42, "telegram")
        store.feedback("transport-cancel", False, SECRET_QUESTION, 42)
        elapsed = time.perf_counter() - started
        assert reply.kind in ("fallback", "clarify", "answer") and reply.text
        assert elapsed < 1.0  # the reply did not wait for the database
        assert not store.flush(timeout=0.5)  # still locked, still queued
    assert store.flush(timeout=15)  # retried once the lock went
    assert any(q.kind == "unhelpful" for q in store.questions())
    assert any("database is locked" in r.getMessage() for r in caplog.records)
    no_text_in_logs(caplog)
    store.close()


def test_unwritable_location_never_raises(tmp_path: Path, bot: Any, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    store = make_store(blocker / "s.db")  # cannot be created: even root cannot make a folder inside a file
    reply = bot.handle(SECRET_QUESTION)
    store.record(reply, 42, "telegram")
    store.feedback(None, False, SECRET_QUESTION, 42)
    assert reply.text
    assert not store.flush(timeout=0.5)
    store.forget_timeout = 0.2
    assert store.forget(42) is None  # not done, and said so; stays queued, never raises
    assert store.stats() == []
    assert any(r.levelno >= logging.ERROR for r in caplog.records)
    no_text_in_logs(caplog)
    store.writer.close(timeout=0.1)


def test_forgetme_while_locked_is_honest_and_survives_a_restart(tmp_path: Path, bot: Any) -> None:
    """A /forgetme the database cannot carry out now is kept on disk and finished by the next start."""
    from bot.store.forget_spool import ForgetSpool

    path, spool_path = tmp_path / "s.db", tmp_path / "forget-pending"
    store = Store(SQLiteBackend(path, busy_timeout_ms=50), Pseudonymiser(b"k"), spool=ForgetSpool(spool_path))
    store.writer.start()
    store.record(bot.handle("can i bring my dog to the meeting"), 42, "telegram")
    store.record(bot.handle("can i bring my dog to the meeting"), 7, "telegram")
    assert store.flush(timeout=15)
    before = len(store.questions())
    assert before == 2
    with locked(path):
        store.forget_timeout = 0.3
        assert store.forget(42) is None  # the parent hears "will be deleted", not "nothing was kept"
        assert spool_path.read_text().strip()  # on disk before the reply went out
        store.writer.close(timeout=0.2)  # the bot stops while the lock is still held
    if store._local.__dict__.get("conn") is not None:
        store.backend.close(store._local.conn)
    assert len(make_store(path).questions()) == 2  # not deleted yet

    again = Store(SQLiteBackend(path, busy_timeout_ms=50), Pseudonymiser(b"k"), spool=ForgetSpool(spool_path))
    again.writer.start()
    assert again.resume_forgets() == 1
    assert again.flush(timeout=15)
    assert len(again.questions()) == 1  # user 42's row went; user 7's stayed
    assert not spool_path.exists()
    assert again.forget(42) == 0  # and now it says, truly, that nothing is kept
    again.close()


class FullDisk(SQLiteBackend):
    """SQLite that reports a full disk for the first few writes."""

    def __init__(self, path: Path, failures: int):
        super().__init__(path, busy_timeout_ms=50)
        self.failures = failures

    @contextlib.contextmanager
    def write(self, conn: Any) -> Iterator[None]:
        if self.failures > 0:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        with super().write(conn):
            yield


def test_full_disk_is_retried_until_it_works(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(FullDisk(tmp_path / "s.db", failures=4), Pseudonymiser(b"k"))
    store.record(Reply(SECRET_QUESTION, "fallback", "?"), 1, "telegram")
    assert store.flush(timeout=15)
    assert len(store.questions()) == 1
    assert any("disk is full" in r.getMessage() for r in caplog.records)
    no_text_in_logs(caplog)
    store.close()


async def test_recording_never_blocks_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = make_store(path, busy_ms=2000)  # each write attempt waits 2 s for the lock
    store.reader()
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    with locked(path):
        started = time.perf_counter()
        for i in range(200):
            store.record(Reply(f"question {i}", "fallback", "?"), i, "telegram")
            await asyncio.sleep(0)
        assert time.perf_counter() - started < 0.5
        await asyncio.sleep(0.3)
    beat.cancel()
    assert ticks >= 10  # the loop kept running while the writer waited on the lock
    assert await asyncio.to_thread(store.flush, 20)
    assert len(store.questions()) == 200
    store.close()


def test_full_queue_drops_instead_of_blocking(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "s.db"
    backend = SQLiteBackend(path, busy_timeout_ms=50)
    store = Store(backend, Pseudonymiser(b"k"))
    store.reader()
    store.writer = Writer(backend, maxsize=5)
    with locked(path):
        started = time.perf_counter()
        for i in range(50):
            store.record(Reply(f"q{i}", "fallback", "?"), 1, "telegram")
        assert time.perf_counter() - started < 0.5
        assert store.writer.dropped > 0
    assert any("queue full" in r.getMessage() for r in caplog.records)
    store.writer.close(timeout=5)
    store.close()


def test_secret_file_is_owner_only_and_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from bot.store import open_store
    from bot.store.pseudonym import secret_path

    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("SENDBOT_SECRET", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SENDBOT_DB", str(tmp_path / "data" / "sendbot.db"))
    first = open_store(close_at_exit=False).pseudonyms.key(123)
    path = secret_path(tmp_path / "data")
    assert path.stat().st_mode & 0o777 == 0o600
    assert open_store(close_at_exit=False).pseudonyms.key(123) == first  # generated once, then reused
    secret = path.read_text().strip()
    assert secret not in caplog.text and secret not in repr(open_store(close_at_exit=False).pseudonyms)
    monkeypatch.setenv("SENDBOT_SECRET", "another")
    assert open_store(close_at_exit=False).pseudonyms.key(123) != first
    assert Pseudonymiser(b"another").key(None) is None


def test_secret_created_once_under_a_race(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bot.store.pseudonym import load_secret

    with ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: load_secret(tmp_path), range(16)))
    assert len(secrets) == 1


def test_close_waits_for_a_slow_warm_up_then_writes_what_was_queued(tmp_path: Path) -> None:
    """A writer still loading the redaction model at shutdown is waited for, not abandoned to the
    interpreter's exit (a thread inside a model load at exit crashed the bot with SIGSEGV)."""
    store = make_store(tmp_path / "db.sqlite")
    finished: list[float] = []
    store.warm_up(lambda: (time.sleep(1.5), finished.append(time.monotonic())))
    store.record(Reply("how do i cancel the taxi", "answer", "?", intent="transport-cancel"), 1, "cli")
    assert store.flush(timeout=1.0) and not finished  # writes do not wait for the warm-up
    store.record(Reply("a question nobody answered", "fallback", "?"), 1, "cli")
    thread = store.writer._thread
    assert store.close(timeout=6.0)
    assert finished and thread is not None and not thread.is_alive()
    assert [q.kind for q in make_store(tmp_path / "db.sqlite").questions()] == ["fallback"]
