"""PostgreSQL through DATABASE_URL: for ephemeral disks and several bot instances behind a webhook."""

from __future__ import annotations

import contextlib
import re
from typing import Any, Iterator

from .backend import Backend

MIGRATION_LOCK_ID = 7_242_001  # any fixed number; all sendbot processes agree on it
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class PostgresBackend(Backend):
    """PostgreSQL via psycopg 3; each thread opens its own connection."""

    name = "postgresql"
    id_column = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, connect_timeout: int = 5):
        import psycopg  # imported here so SQLite users never need the driver loaded

        self._psycopg = psycopg
        self.url = url
        self.connect_timeout = connect_timeout

    @property
    def location(self) -> str:
        return _PASSWORD.sub(r"\1***@", self.url)

    def connect(self) -> Any:
        return self._psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)

    def sql(self, text: str) -> str:
        return super().sql(text).replace("?", "%s")

    @contextlib.contextmanager
    def write(self, conn: Any) -> Iterator[None]:
        with conn.transaction():
            yield

    def migration_lock(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_ID,))

    def is_transient(self, exc: BaseException) -> bool:
        errors = self._psycopg.errors
        if isinstance(exc, (errors.UniqueViolation, errors.SyntaxError, errors.UndefinedColumn, errors.UndefinedTable)):
            return False
        return isinstance(exc, (self._psycopg.OperationalError, self._psycopg.InterfaceError, errors.DiskFull,
                                errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable,
                                errors.AdminShutdown, errors.ReadOnlySqlTransaction, OSError))

    def describe(self, exc: BaseException) -> str:
        # PostgreSQL's DETAIL lines can quote values, so log only the kind of error and its SQLSTATE.
        state = getattr(exc, "sqlstate", None)
        return f"{type(exc).__name__}" + (f" (SQLSTATE {state})" if state else "")

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return (self._psycopg.Error, OSError)
