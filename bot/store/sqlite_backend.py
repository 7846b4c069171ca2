"""The embedded default: one SQLite file in WAL mode, safe for a bot process and staff commands at once."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

from .backend import Backend

BUSY_TIMEOUT_MS = 5000


class SQLiteBackend(Backend):
    """SQLite at a path; each thread opens its own connection."""

    name = "sqlite"
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms

    @property
    def location(self) -> str:
        return str(self.path)

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            mode = self._wal(conn)
            if mode and str(mode[0]).lower() != "wal":
                raise sqlite3.OperationalError(f"could not switch to WAL mode (got {mode[0]})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")  # a deleted or replaced value is overwritten, not left in the file
        except BaseException:
            conn.close()
            raise
        self._owner_only()
        return conn

    def _wal(self, conn: sqlite3.Connection) -> Any:
        """Switch to WAL. Two processes opening a new file at once can get 'database is locked' here
        without SQLite waiting on its busy timeout, so wait and try again, within the same timeout."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                return conn.execute("PRAGMA journal_mode = WAL").fetchone()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def scrub(self, conn: sqlite3.Connection) -> None:
        """Copy the log into the file and empty it: the log still holds the pages as they were before."""
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _owner_only(self) -> None:
        """The file holds redacted questions; still, only its owner needs to read it."""
        for suffix in ("", "-wal", "-shm"):
            path = self.path.with_name(self.path.name + suffix)
            with contextlib.suppress(OSError):
                if path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)

    @contextlib.contextmanager
    def write(self, conn: Any) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now, waiting up to busy_timeout
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def migration_lock(self, conn: Any) -> None:
        return None  # BEGIN IMMEDIATE already serialises writers

    def is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError, OSError)) and not isinstance(
            exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.DataError))

    def describe(self, exc: BaseException) -> str:
        # SQLite's messages ("database is locked", "disk I/O error") never quote the row's values.
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"{type(exc).__name__}: {first[:200]}"

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error, OSError)
