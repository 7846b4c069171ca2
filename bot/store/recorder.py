"""The store behind `events.Recorder`: what is kept about each reply, and the staff-side reads.

Kept, and nothing more:
- fallback, clarify and each "No" to "Was this helpful?": time, kind, redacted message, top candidate
  intents with scores, detected language, pseudonymous user key, channel;
- every reply (answers, smalltalk, crisis included): one counter per kind, intent, channel and day; no text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..reply import Reply
from .backend import Backend
from .forget_spool import ForgetSpool
from .migrations import migrate
from .pseudonym import Pseudonymiser
from .redact import redact, warm_up
from .writer import Writer

log = logging.getLogger(__name__)

KEPT_KINDS = ("fallback", "clarify")  # replies whose (redacted) words are kept
UNHELPFUL = "unhelpful"
TOP_CANDIDATES = 3
FORGET_TIMEOUT = 10.0
INBOX_DAYS = 2  # ids of answered updates kept this long (Telegram re-sends for up to a day)
REPLAY_HOURS = 24  # an update not answered within this long is not answered after a restart either
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def utcnow() -> dt.datetime:
    """Now, in UTC: every stored time is UTC so both backends sort alike."""
    return dt.datetime.now(dt.timezone.utc)


def stamp(moment: dt.datetime) -> str:
    """A sortable UTC timestamp, identical text on both backends."""
    return moment.astimezone(dt.timezone.utc).strftime(STAMP)


def parse_stamp(text: str) -> dt.datetime:
    """Read back a stored timestamp."""
    return dt.datetime.strptime(text, STAMP).replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Question:
    """One kept row, as staff tools see it."""

    id: int
    at: dt.datetime
    kind: str
    text: str
    candidates: tuple[tuple[str, float | None], ...]
    language: str
    channel: str
    resolved_intent: str | None

    @property
    def nearest(self) -> tuple[str, float | None] | None:
        """The top candidate intent and its score, if any."""
        return self.candidates[0] if self.candidates else None


REDACT_LIMIT = 2.0  # seconds; a redaction slower than this is not trusted, and the words are not kept


def safely_redacted(question: str) -> str:
    """The redacted words, or none at all if redaction fails or runs too long (fail closed):
    the row still keeps its kind, candidates and language, so staff see that something was missed."""
    if not threading.main_thread().is_alive():
        # The interpreter is shutting down (a store closed only by atexit): spaCy can crash the process
        # now, so keep no words rather than risk it.
        log.error("the question arrived as the bot was stopping; its words were not kept")
        return ""
    try:
        warm_up()  # loading spaCy (once, seconds) is not the redaction being slow
    except Exception as exc:  # noqa: BLE001 - without the recogniser, keep no words
        log.error("the redaction model cannot load (%s); the question's words were not kept", type(exc).__name__)
        return ""
    start = time.monotonic()
    try:
        text = redact(question)
    except Exception as exc:  # noqa: BLE001 - never keep unredacted words, never lose the row
        log.error("redaction failed (%s); the question's words were not kept", type(exc).__name__)
        return ""
    if time.monotonic() - start > REDACT_LIMIT:
        log.error("redaction took over %.0f s; the question's words were not kept", REDACT_LIMIT)
        return ""
    return text


class QuestionJob:
    """One question to store, redacted by the writer thread before it takes the write lock; its language is
    the one the pipeline decided (Reply.message_language), never detected a second time."""

    def __init__(self, when: str, kind: str, question: str, candidates: str, key: str | None, channel: str,
                 language: str):
        self.row: tuple[Any, ...] | None = None
        self._raw: tuple[Any, ...] | None = (when, kind, question, candidates, key, channel, language)

    def prepare(self) -> None:
        """Redact once; afterwards only the redacted text is held."""
        if self._raw is None:
            return
        when, kind, question, candidates, key, channel, language = self._raw
        self.row = (when, kind, safely_redacted(question), candidates, (language or "und")[:16], key, channel)
        self._raw = None

    def __call__(self, backend: Backend, conn: Any) -> None:
        """Insert the prepared row (inside the writer's transaction)."""
        self.prepare()
        backend.execute(conn, "INSERT INTO questions (at, kind, text, candidates, language, user_key, channel) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", self.row or ())


class Store:
    """Implements `events.Recorder`; every write goes through the background writer and never raises."""

    def __init__(self, backend: Backend, pseudonyms: Pseudonymiser, retention_days: int = 90,
                 clock: Callable[[], dt.datetime] = utcnow, spool: ForgetSpool | None = None):
        """`spool`: where /forgetme requests wait on disk until done (None: in memory only, for tests and tools)."""
        self.backend = backend
        self.spool = spool
        self.pseudonyms = pseudonyms
        self.retention_days = retention_days
        self.clock = clock
        self.writer = Writer(backend, periodic=self._purge_job)
        self.forget_timeout = FORGET_TIMEOUT
        self._local = threading.local()

    # -- events.Recorder ----------------------------------------------------
    def record(self, reply: Reply, user: str | int | None, channel: str) -> None:
        """Count every reply; keep a redacted copy of fallbacks and clarifies that had words."""
        try:
            now = self.clock()
            intent = reply.intent or ""
            kind = reply.kind
            if kind == "crisis":  # a daily count by kind of danger, never the words
                intent = f"crisis:{reply.extra.get('danger') or 'general'}"
            jobs = [self._count_job(now, kind, intent if kind in ("answer", "smalltalk", "crisis") else "", channel)]
            # A message that showed possible danger is counted, never kept: its words may say what happened.
            # (Every message in another language carries the 999 line unread; it is kept, redacted, as before.)
            read_as_danger = reply.safety is not None and reply.extra.get("reason") != "language"
            if kind in KEPT_KINDS and not read_as_danger and any(ch.isalnum() for ch in reply.question):
                jobs.append(self._question_job(now, kind, reply.question, reply.candidates, user, channel,
                                               reply.message_language))
            for job in jobs:
                self.writer.submit(job)
        except Exception as exc:  # noqa: BLE001 - a channel must never see the store fail
            log.error("could not queue a record: %s", type(exc).__name__)

    def feedback(self, reply_intent: str | None, helpful: bool, question: str | None, user: str | int | None,
                 channel: str = "telegram") -> None:
        """Keep a 'No' like an unanswered question, naming the answer that did not help; a 'Yes' keeps nothing."""
        if helpful:
            return
        try:
            candidates = ((reply_intent, None),) if reply_intent else ()
            # a "No" is pressed under an answer, and only a message read as English is answered
            self.writer.submit(self._question_job(self.clock(), UNHELPFUL, question or "", candidates, user, channel, "en"))
        except Exception as exc:  # noqa: BLE001
            log.error("could not queue feedback: %s", type(exc).__name__)

    def forget(self, user: str | int) -> int | None:
        """Delete every row of this user's key, after anything of theirs still queued; returns rows deleted,
        or None when the deletion is not done yet (the database is locked or down).

        Blocks for up to 10 seconds: channels call it off the event loop (asyncio.to_thread). A deletion
        that cannot finish now stays queued and retried, and waits in the spool on disk, so a restart
        carries it out too (`resume_forgets`)."""
        key = self.pseudonyms.key(user)
        if key is None:
            return 0
        if self.spool is not None:
            self.spool.add(key)
        try:
            return int(self.writer.submit(self._forget_job(key)).result(self.forget_timeout))
        except Exception as exc:  # noqa: BLE001
            log.error("forget did not finish yet (%s); it stays queued", type(exc).__name__)
            return None

    def _forget_job(self, key: str) -> Callable[[Backend, Any], int]:
        def job(backend: Backend, conn: Any) -> int:
            """Delete the key's rows (runs in the writer thread, after earlier jobs), then strike it off the spool."""
            deleted = int(backend.execute(conn, "DELETE FROM questions WHERE user_key = ?", (key,)).rowcount or 0)
            if self.spool is not None:
                self.spool.done(key)
            return deleted
        return job

    def resume_forgets(self) -> int:
        """Queue again every /forgetme that a stop or crash left undone; returns how many."""
        keys = self.spool.pending() if self.spool is not None else []
        for key in keys:
            self.writer.submit(self._forget_job(key))
        if keys:
            log.warning("finishing %d /forgetme request(s) left from before the restart", len(keys))
        return len(keys)

    # -- the Telegram inbox (bot/tg/inbox.py) -------------------------------------
    def inbox_add(self, update_id: int, chat_id: int | None, body: str) -> Future[bool]:
        """Keep an update until it is answered; the future says whether it is new (False: seen before)."""
        now = stamp(self.clock())

        def job(backend: Backend, conn: Any) -> bool:
            cur = backend.execute(conn, "INSERT INTO inbox (update_id, chat_id, body, received_at) VALUES (?, ?, ?, ?) "
                                        "ON CONFLICT (update_id) DO NOTHING", (update_id, chat_id, body, now))
            return bool(cur.rowcount)

        return self.writer.submit(job)

    def inbox_done(self, update_id: int) -> None:
        """The update was answered: forget its body at once, keep its id a while to recognise a re-send."""
        now = stamp(self.clock())

        def job(backend: Backend, conn: Any) -> None:
            backend.execute(conn, "UPDATE inbox SET body = NULL, done_at = ? WHERE update_id = ?", (now, update_id))

        job.scrub = True  # type: ignore[attr-defined]
        self.writer.submit(job)

    def inbox_pending(self) -> list[str]:
        """Bodies of updates received but never answered (the process stopped or crashed), oldest first."""
        try:
            since = stamp(self.clock() - dt.timedelta(hours=REPLAY_HOURS))
            rows = self.backend.rows(self.reader(), "SELECT body FROM inbox WHERE done_at IS NULL AND body IS NOT NULL "
                                                    "AND received_at >= ? ORDER BY update_id", (since,))
        except Exception as exc:  # noqa: BLE001 - start anyway; Telegram still holds what it has not confirmed
            log.error("the inbox could not be read: %s", self.backend.describe(exc))
            return []
        return [str(r["body"]) for r in rows]

    def stats(self, days: int = 7) -> list[dict[str, Any]]:
        """Replies per kind per day for the last `days` days, newest first; [] if the database is unavailable."""
        since = (self.clock() - dt.timedelta(days=max(days, 1) - 1)).date().isoformat()
        try:
            conn = self.reader()
            counts = self.backend.rows(conn, "SELECT day, kind, SUM(n) AS n FROM daily_counts WHERE day >= ? GROUP BY day, kind", (since,))
            unhelpful = self.backend.rows(conn, "SELECT SUBSTR(at, 1, 10) AS day, COUNT(*) AS n FROM questions WHERE kind = ? AND at >= ? GROUP BY SUBSTR(at, 1, 10)", (UNHELPFUL, since))
        except Exception as exc:  # noqa: BLE001
            log.error("stats unavailable: %s", self.backend.describe(exc))
            return []
        table: dict[str, dict[str, Any]] = {}
        for row in counts + [{**r, "kind": UNHELPFUL} for r in unhelpful]:
            day = table.setdefault(row["day"], {"day": row["day"], "answer": 0, "clarify": 0, "fallback": 0,
                                                  "smalltalk": 0, "crisis": 0, UNHELPFUL: 0})
            day[row["kind"]] = day.get(row["kind"], 0) + int(row["n"])
        return sorted(table.values(), key=lambda d: d["day"], reverse=True)

    # -- jobs run by the writer thread ----------------------------------------
    def _count_job(self, now: dt.datetime, kind: str, intent: str, channel: str) -> Callable[[Backend, Any], None]:
        """A job adding one to the day counter of a reply kind and intent."""
        day = now.astimezone(dt.timezone.utc).date().isoformat()

        def job(backend: Backend, conn: Any) -> None:
            """Upsert the counter (runs in the writer thread)."""
            backend.execute(conn, "INSERT INTO daily_counts (day, kind, intent, channel, n) VALUES (?, ?, ?, ?, 1) "
                                  "ON CONFLICT (day, kind, intent, channel) DO UPDATE SET n = daily_counts.n + 1",
                            (day, kind, intent, channel))
        return job

    def _question_job(self, now: dt.datetime, kind: str, question: str, candidates: Sequence[tuple[str, float | None]],
                      user: str | int | None, channel: str, language: str) -> "QuestionJob":
        """A job storing one redacted question; the chat id is turned into its key here."""
        top = [[intent, None if score is None else round(float(score), 4)] for intent, score in list(candidates)[:TOP_CANDIDATES]]
        return QuestionJob(stamp(now), kind, question, json.dumps(top), self.pseudonyms.key(user), channel, language)

    def _purge_job(self, backend: Backend, conn: Any) -> int:
        """Delete rows and counters older than the retention period; returns how many."""
        cutoff = self.clock() - dt.timedelta(days=self.retention_days)
        gone = backend.execute(conn, "DELETE FROM questions WHERE at < ?", (stamp(cutoff),)).rowcount or 0
        gone += backend.execute(conn, "DELETE FROM daily_counts WHERE day < ?", (cutoff.date().isoformat(),)).rowcount or 0
        # The inbox keeps ids for INBOX_DAYS to recognise re-sends; a body never answered goes then too.
        inbox_cutoff = stamp(self.clock() - dt.timedelta(days=INBOX_DAYS))
        gone += backend.execute(conn, "DELETE FROM inbox WHERE received_at < ?", (inbox_cutoff,)).rowcount or 0
        if gone:
            log.info("retention: purged %d row(s) older than %d days", gone, self.retention_days)
        return int(gone)

    # -- housekeeping -------------------------------------------------------
    def purge(self, days: int | None = None, timeout: float = 30.0) -> int:
        """Delete rows older than the retention period now; returns how many went (raises if the database is down)."""
        if days is not None:
            self.retention_days = days
        return int(self.writer.submit(self._purge_job).result(timeout))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait for queued writes; True when all were written."""
        return self.writer.flush(timeout)

    def warm_up(self, load: Callable[[], None]) -> None:
        """Load the redaction model in a thread of its own now; close() waits for it."""
        def run() -> None:
            try:
                load()
            except Exception as exc:  # noqa: BLE001 - each question handles a missing model by itself
                log.error("the redaction model could not be loaded ahead: %s", type(exc).__name__)

        self._warming = threading.Thread(target=run, name="sendbot-redaction-warm-up", daemon=True)
        self._warming.start()

    def close(self, timeout: float | None = None) -> bool:
        """Write what is queued, stop the writer and close connections (after a model load under way:
        a thread inside spaCy when the interpreter shuts down can crash the process)."""
        warming = getattr(self, "_warming", None)
        if warming is not None:
            warming.join(timeout=30.0)
        done = self.writer.close(timeout)
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self.backend.close(conn)
            self._local.conn = None
        return done

    # -- staff reads ----------------------------------------------------------
    def reader(self) -> Any:
        """This thread's connection for reads (and staff edits), migrated on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.backend.connect()
            migrate(self.backend, conn)
            self._local.conn = conn
        return conn

    def questions(self, since: dt.datetime | None = None, kinds: Sequence[str] = (*KEPT_KINDS, UNHELPFUL),
                  include_resolved: bool = False, ids: Sequence[int] | None = None) -> list[Question]:
        """Kept rows, oldest first."""
        sql = f"SELECT * FROM questions WHERE kind IN ({', '.join('?' for _ in kinds)})"
        params: list[Any] = list(kinds)
        if since is not None:
            sql += " AND at >= ?"
            params.append(stamp(since))
        if not include_resolved:
            sql += " AND resolved_intent IS NULL"
        if ids is not None:
            if not ids:
                return []
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            params += [int(i) for i in ids]
        rows = self.backend.rows(self.reader(), sql + " ORDER BY at, id", params)
        return [Question(int(r["id"]), parse_stamp(r["at"]), r["kind"], r["text"],
                         tuple((c[0], c[1]) for c in json.loads(r["candidates"] or "[]")),
                         r["language"], r["channel"], r["resolved_intent"]) for r in rows]

    def resolve(self, ids: Sequence[int], intent: str) -> int:
        """Mark rows as taught to an intent, so they leave the unanswered list."""
        if not ids:
            return 0
        conn = self.reader()
        with self.backend.write(conn):
            cur = self.backend.execute(conn, f"UPDATE questions SET resolved_intent = ?, resolved_at = ? WHERE id IN ({', '.join('?' for _ in ids)})",
                                       [intent, stamp(self.clock()), *[int(i) for i in ids]])
        return int(cur.rowcount or 0)

    def counts(self, since: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Daily counters: day, kind, intent, channel, n."""
        day = since.date().isoformat() if since else "0000-00-00"
        return self.backend.rows(self.reader(), "SELECT day, kind, intent, channel, n FROM daily_counts WHERE day >= ? ORDER BY day", (day,))
