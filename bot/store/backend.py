"""One small interface over SQLite and PostgreSQL, so the store, migrations and tests are written once."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any, Sequence


class Backend(ABC):
    """A database the store can use. SQL is written with `?` placeholders and `{id}` for the key column."""

    name: str = "backend"
    id_column: str = "INTEGER PRIMARY KEY"

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, safe to print (never a password)."""

    @abstractmethod
    def connect(self) -> Any:
        """A new DB-API connection in autocommit mode; callers open transactions with `write`."""

    @abstractmethod
    def write(self, conn: Any) -> contextlib.AbstractContextManager[None]:
        """A transaction that holds the write lock from its start, so racing writers queue, not fail."""

    @abstractmethod
    def migration_lock(self, conn: Any) -> None:
        """Inside `write`: make concurrent migrations wait for each other."""

    @abstractmethod
    def is_transient(self, exc: BaseException) -> bool:
        """True for trouble worth retrying: locked, full, unwritable, connection lost."""

    @abstractmethod
    def describe(self, exc: BaseException) -> str:
        """An error for the log: its kind, never the values of the row being written."""

    @property
    @abstractmethod
    def errors(self) -> tuple[type[BaseException], ...]:
        """Exception classes that mean 'the database said no'."""

    def sql(self, text: str) -> str:
        """Adapt portable SQL to this backend (placeholders, key column)."""
        return text.replace("{id}", self.id_column)

    def execute(self, conn: Any, text: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement on this backend, translating placeholders."""
        cur = conn.cursor()
        cur.execute(self.sql(text), tuple(params))
        return cur

    def executemany(self, conn: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many rows in a single round of calls."""
        if rows:
            conn.cursor().executemany(self.sql(text), [tuple(r) for r in rows])

    def rows(self, conn: Any, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query and return plain dicts, the same on both backends."""
        cur = self.execute(conn, text, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def scrub(self, conn: Any) -> None:
        """After words were deleted: clear any copy the database keeps of them outside its tables."""
        return None

    def close(self, conn: Any) -> None:
        """Close quietly: a connection that is already broken must not raise again."""
        with contextlib.suppress(Exception):
            conn.close()
