"""The one schema both backends share, as numbered steps applied once, in order, under a lock.

Add a change as a new step at the end; never edit a step that has shipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .backend import Backend

# (version, what it does, statements). Portable SQL: `{id}` becomes each backend's auto-numbered key.
MIGRATIONS: list[tuple[int, str, tuple[str, ...]]] = [
    (1, "questions the bot could not answer, and daily counters", (
        """CREATE TABLE questions (
            id {id},
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            candidates TEXT NOT NULL,
            language TEXT NOT NULL,
            user_key TEXT,
            channel TEXT NOT NULL,
            resolved_intent TEXT,
            resolved_at TEXT
        )""",
        "CREATE INDEX questions_at ON questions (at)",
        "CREATE INDEX questions_user_key ON questions (user_key)",
        """CREATE TABLE daily_counts (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            intent TEXT NOT NULL,
            channel TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, kind, intent, channel)
        )""",
    )),
    (2, "the Telegram inbox: each update kept until it is answered, so none is lost to a crash", (
        """CREATE TABLE inbox (
            update_id BIGINT PRIMARY KEY,
            chat_id BIGINT,
            body TEXT,
            received_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX inbox_done_at ON inbox (done_at)",
    )),
]

LATEST = MIGRATIONS[-1][0]


def current_version(backend: Backend, conn: Any) -> int:
    """The highest migration applied so far (0 for a new database)."""
    rows = backend.rows(conn, "SELECT MAX(version) AS v FROM schema_version")
    return int(rows[0]["v"] or 0) if rows else 0


def migrate(backend: Backend, conn: Any) -> int:
    """Bring the database up to date; safe when several processes start at once. Returns the version."""
    with backend.write(conn):
        backend.migration_lock(conn)
        backend.execute(conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        version = current_version(backend, conn)
        if version > LATEST:
            raise RuntimeError(f"the database is at schema version {version}, newer than this code ({LATEST}); update sendbot")
        for number, _, statements in MIGRATIONS:
            if number <= version:
                continue
            for statement in statements:
                backend.execute(conn, statement)
            now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            backend.execute(conn, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (number, now))
            version = number
    return version
