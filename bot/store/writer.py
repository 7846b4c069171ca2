"""A background thread that does every write, so a slow, locked or broken database never delays a reply.

Channels hand over small jobs and return at once. The thread runs them in batches, one transaction per
batch; when the database is locked, full or unwritable it logs the kind of error (never message text),
waits and tries the same batch again. If the queue ever fills up, new jobs are dropped and counted
rather than making a parent wait.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

from .backend import Backend
from .migrations import migrate

log = logging.getLogger(__name__)

Job = Callable[[Backend, Any], Any]  # runs inside a write transaction; its return value resolves the future

MAX_QUEUE = 10_000
MAX_BATCH = 200
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 30.0
EXIT_WAIT = 8.0  # seconds at close for queued rows, and for a redaction model still loading (4 s cold)


class Writer:
    """One thread, one connection, a bounded queue of jobs."""

    def __init__(self, backend: Backend, periodic: Job | None = None, every: float = 86_400.0,
                 first_after: float = 60.0, maxsize: int = MAX_QUEUE):
        self.backend = backend
        self.periodic = periodic
        self.every = every
        self._queue: queue.Queue[tuple[Job, Future[Any]] | None] = queue.Queue(maxsize=maxsize)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._conn: Any = None
        self._conn_thread = 0
        self.dropped = 0
        self.lost = 0  # jobs that were queued and then failed for good (dropped ones included)
        self.used = False
        self.failures = 0
        self.first_after = first_after  # the first periodic run waits, so short commands do not race it
        self._next_periodic = 0.0

    # -- the caller's side ------------------------------------------------
    def submit(self, job: Job) -> Future[Any]:
        """Queue a job without ever blocking; the future fails at once if the queue is full."""
        future: Future[Any] = Future()
        self.used = True
        self.start()
        try:
            self._queue.put_nowait((job, future))
        except queue.Full:
            self.dropped += 1
            self.lost += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("store queue full (the database has been failing); %d record(s) dropped so far", self.dropped)
            future.set_exception(RuntimeError("store queue full"))
        return future

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; False if that took longer than timeout."""
        if self._thread is None or not self.used:
            return True  # nothing was ever queued
        try:
            self.submit(lambda backend, conn: None).result(timeout)
            return True
        except Exception:
            return False

    def close(self, timeout: float | None = None) -> bool:
        """Write what is queued (up to timeout), then stop the thread and wait for it; True when nothing
        queued was lost.

        The thread is never abandoned mid-job while the time allows: a thread still loading the redaction
        model when the interpreter shuts down can crash the process on exit."""
        timeout = EXIT_WAIT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        thread = self._thread
        done = self.flush(timeout)
        if thread is not None:
            try:
                self._queue.put(None, timeout=0.5)
            except queue.Full:
                pass
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.error("the store writer was still busy at shutdown; %d queued record(s) not written",
                          self._queue.qsize())
        self._thread = None
        return done and not self.lost

    def start(self) -> None:
        """Start the thread (once): on first write, or at once for a long-running bot so the daily purge runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._next_periodic = time.monotonic() + self.first_after
                self._thread = threading.Thread(target=self._run, name="sendbot-store-writer", daemon=True)
                self._thread.start()

    # -- the thread's side -----------------------------------------------
    def _connection(self) -> Any:
        """This thread's connection, migrated on first use."""
        if self._conn is not None and self._conn_thread != threading.get_ident():
            self._conn = None  # a previous writer thread's connection; SQLite allows one thread per connection
        if self._conn is None:
            conn = self.backend.connect()
            try:
                migrate(self.backend, conn)
            except BaseException:
                self.backend.close(conn)
                raise
            self._conn = conn
            self._conn_thread = threading.get_ident()
        return self._conn

    def _drop_connection(self) -> None:
        """Forget a connection after an error, so the next attempt reconnects."""
        if self._conn is not None:
            self.backend.close(self._conn)
            self._conn = None

    def _run(self) -> None:
        """The loop: take a batch, write it, run the daily job when due, stop on None."""
        stop = False
        while not stop:
            batch: list[tuple[Job, Future[Any]]] = []
            wait = max(0.0, self._next_periodic - time.monotonic()) if self.periodic else None
            try:
                item = self._queue.get(timeout=wait) if wait is None or wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                item = None
                if not self.periodic:
                    continue
            else:
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            while len(batch) < MAX_BATCH and not stop:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                else:
                    batch.append(more)
            if self.periodic and time.monotonic() >= self._next_periodic:
                self._next_periodic = time.monotonic() + self.every
                self._write([(self.periodic, Future())], give_up_after=3)
            if batch:
                self._write(batch)
        self._drop_connection()

    def _write(self, batch: list[tuple[Job, Future[Any]]], give_up_after: int | None = None) -> None:
        """Run a batch in one transaction, retrying with backoff while the trouble is transient."""
        for job, _ in batch:  # slow, lock-free work (redaction) happens before the write lock is taken
            prepare = getattr(job, "prepare", None)
            if prepare is not None:
                try:
                    prepare()
                except Exception as exc:  # noqa: BLE001
                    log.error("store job could not be prepared: %s", type(exc).__name__)
        backoff = FIRST_BACKOFF
        attempts = 0
        while True:
            attempts += 1
            try:
                conn = self._connection()
                results = []
                with self.backend.write(conn):
                    for job, _ in batch:
                        results.append(job(self.backend, conn))
            except Exception as exc:  # noqa: BLE001 - the writer must survive anything
                self.failures += 1
                if not self.backend.is_transient(exc):
                    log.error("store write failed and will not be retried: %s", self.backend.describe(exc))
                    self._one_by_one(batch)
                    return
                if attempts == 1 or attempts % 20 == 0:
                    log.error("store write failed (%s); retrying, attempt %d, %d job(s) waiting",
                              self.backend.describe(exc), attempts, len(batch) + self._queue.qsize())
                self._drop_connection()
                if give_up_after is not None and attempts >= give_up_after:
                    for _, future in batch:
                        if not future.done():
                            self.lost += 1
                            future.set_exception(RuntimeError("database unavailable"))
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if any(getattr(job, "scrub", False) for job, _ in batch):
                try:  # words were just removed: let no copy of them stay in the database's files
                    self.backend.scrub(conn)
                except Exception as exc:  # noqa: BLE001 - the write itself succeeded
                    log.warning("store scrub failed: %s", self.backend.describe(exc))
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
            if attempts > 1:
                log.warning("store write succeeded after %d attempts", attempts)
            return

    def _one_by_one(self, batch: list[tuple[Job, Future[Any]]]) -> None:
        """After a non-transient error, keep the good jobs of a batch and drop only the bad one."""
        for job, future in batch:
            try:
                conn = self._connection()
                with self.backend.write(conn):
                    result = job(self.backend, conn)
            except Exception as exc:  # noqa: BLE001
                log.error("store job dropped: %s", self.backend.describe(exc))
                if not future.done():
                    self.lost += 1
                    future.set_exception(RuntimeError("store job failed"))
                if self.backend.is_transient(exc):
                    self._drop_connection()
            else:
                if not future.done():
                    future.set_result(result)
