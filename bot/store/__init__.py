"""Where unanswered questions and counters are kept: redacted, pseudonymous, and purged on schedule.

`open_store()` picks the backend from the environment:
- DATABASE_URL set: PostgreSQL (psycopg 3);
- otherwise SQLite at SENDBOT_DB (default data/sendbot.db in the repository).
SENDBOT_RETENTION_DAYS (default 90) sets how long rows are kept; SENDBOT_SECRET keys the pseudonyms.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
from pathlib import Path

from ..loader import REPO_ROOT
from .backend import Backend
from .forget_spool import ForgetSpool
from .pseudonym import Pseudonymiser, load_secret
from .recorder import Question, Store
from .redact import warm_up

__all__ = ["Backend", "Question", "Store", "open_store", "make_backend", "db_path", "retention_days", "privacy_notice"]

log = logging.getLogger(__name__)

DEFAULT_DB = Path("data") / "sendbot.db"
DEFAULT_RETENTION_DAYS = 90
FORGET_SPOOL = "sendbot.forget-pending"  # beside the database and its secret: /forgetme requests not yet done


def db_path() -> Path:
    """SENDBOT_DB (relative to the current folder), else data/sendbot.db in the repository."""
    chosen = os.environ.get("SENDBOT_DB", "").strip()
    return Path(chosen).resolve() if chosen else REPO_ROOT / DEFAULT_DB


def retention_days() -> int:
    """SENDBOT_RETENTION_DAYS, default 90; a bad value falls back to the default with a warning."""
    raw = os.environ.get("SENDBOT_RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
        if days < 1:
            raise ValueError
        return days
    except ValueError:
        log.warning("SENDBOT_RETENTION_DAYS=%r is not a whole number of days; using %d", raw, DEFAULT_RETENTION_DAYS)
        return DEFAULT_RETENTION_DAYS


def make_backend() -> Backend:
    """PostgreSQL when DATABASE_URL is set, else SQLite at db_path()."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        from .postgres_backend import PostgresBackend

        return PostgresBackend(url)
    from .sqlite_backend import SQLiteBackend

    return SQLiteBackend(db_path())


def _secret(backend: Backend) -> bytes:
    """The pseudonym secret; if it cannot be read or made, a per-run one so replies still go out."""
    try:
        if os.environ.get("DATABASE_URL") and not os.environ.get("SENDBOT_SECRET"):
            log.warning("DATABASE_URL is set but SENDBOT_SECRET is not; the generated secret lives on local disk "
                        "and, if that disk is ephemeral, /forgetme will not find rows from before a restart")
        return load_secret(db_path().parent)
    except (OSError, RuntimeError) as exc:
        log.error("cannot read or create the pseudonym secret (%s); using a temporary one for this run", type(exc).__name__)
        return secrets.token_hex(32).encode()


def open_store(close_at_exit: bool = True, warm: bool = False) -> Store:
    """The store configured by the environment. Never touches the database until first use.

    warm: a long-running bot loads the redaction model at once, beside the writer thread (so no write
    waits for it), and the first unanswered question is not the one that waits for it."""
    backend = make_backend()
    spool = ForgetSpool(db_path().parent / FORGET_SPOOL)
    store = Store(backend, Pseudonymiser(_secret(backend)), retention_days(), spool=spool)
    if warm:
        store.warm_up(warm_up)
    store.writer.start()  # the daily purge runs even on a quiet day
    store.resume_forgets()
    if close_at_exit:
        atexit.register(store.close)
    return store


def privacy_notice(days: int | None = None) -> str:
    """What is kept and for how long, in plain words, for /privacy and the README."""
    days = days or retention_days()
    return (
        "What this bot keeps:\n"
        "- When it cannot answer, or you say an answer did not help, it keeps your question with names, "
        "phone numbers, emails, postcodes, dates and NHS numbers taken out, so staff can add the answer.\n"
        "- For questions it does answer, it keeps only a count of how many times each answer was given.\n"
        "- It never keeps your name, username or chat id. A coded key links your questions so /forgetme can delete them.\n"
        "- While a message is being answered it is held, so a restart cannot lose it; its words are deleted "
        "as soon as the reply is sent.\n"
        f"- Everything is deleted after {days} days. Send /forgetme to delete your questions now."
    )
