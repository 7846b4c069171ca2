"""/forgetme requests that the database has not carried out yet, kept on local disk until it has.

A parent who sends /forgetme while the database is locked or down is told their questions *will*
be deleted; this file is what makes that true across a restart. It holds only pseudonymous keys
(bot/store/pseudonym.py), one per line, owner-only; each line goes when its deletion is done.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class ForgetSpool:
    """Append a key before the deletion is queued; remove it once the deletion is written."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def pending(self) -> list[str]:
        """Keys still waiting, oldest first, each once."""
        try:
            lines = self.path.read_text(encoding="ascii").splitlines()
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            log.error("cannot read the pending /forgetme list (%s)", type(exc).__name__)
            return []
        return list(dict.fromkeys(line.strip() for line in lines if line.strip()))

    def add(self, key: str) -> bool:
        """Written and synced to disk before the parent is answered; False if the disk refused."""
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, (key + "\n").encode("ascii"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                return True
            except OSError as exc:
                log.error("cannot keep the /forgetme request on disk (%s); it is queued in memory only", type(exc).__name__)
                return False

    def done(self, key: str) -> None:
        """Drop a key whose rows are gone (rewritten atomically, so a crash leaves the old list or the new)."""
        with self._lock:
            rest = [k for k in self.pending() if k != key]
            try:
                if not rest:
                    self.path.unlink(missing_ok=True)
                    return
                temporary = self.path.with_suffix(".tmp")
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(fd, "".join(k + "\n" for k in rest).encode("ascii"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temporary, self.path)
            except OSError as exc:  # the deletion is done; a key left behind is deleted again, harmlessly
                log.error("cannot update the pending /forgetme list (%s)", type(exc).__name__)
