"""Turn a chat id into a key that links one person's rows (for /forgetme) without saying who they are.

The key is HMAC-SHA256 of the id with a secret. The secret comes from SENDBOT_SECRET or, when that is
unset, from a random file made once beside the database, readable by its owner only. Without the
secret, chat ids (which are short numbers) could be recovered by trying them all, so the secret is
never stored in the database and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import time
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_ENV = "SENDBOT_SECRET"
SECRET_BYTES = 32


def secret_path(db_dir: Path) -> Path:
    """Where the generated secret lives: beside the database, never inside it."""
    return db_dir / "sendbot.secret"


def _read(path: Path) -> bytes:
    """Read an existing secret, waiting briefly if another process is still writing it."""
    for _ in range(50):
        data = path.read_bytes().strip()
        if data:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                os.chmod(path, 0o600)
                log.warning("the pseudonym secret file was readable by others; it is now owner-only")
            return data
        time.sleep(0.02)
    raise RuntimeError("the pseudonym secret file is empty; delete it to make a new one (existing keys will no longer match)")


def _create(path: Path) -> bytes:
    """Write a new random secret with 0600 permissions; if another process won the race, use theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(SECRET_BYTES).encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, value + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic: fails if the secret already exists
    except FileExistsError:
        return _read(path)
    finally:
        tmp.unlink(missing_ok=True)
    return value


def load_secret(db_dir: Path) -> bytes:
    """The HMAC secret: SENDBOT_SECRET, else the file beside the database (made on first use)."""
    env = os.environ.get(SECRET_ENV, "").strip()
    if env:
        return env.encode("utf-8")
    path = secret_path(db_dir)
    if path.exists():
        return _read(path)
    return _create(path)


class Pseudonymiser:
    """Keys users by HMAC; holds the secret in memory only."""

    def __init__(self, secret: bytes):
        if not secret:
            raise ValueError("an empty secret would make keys guessable")
        self._secret = secret

    def key(self, user: str | int | None) -> str | None:
        """The stable pseudonymous key of a chat id, or None for an anonymous source (the terminal)."""
        if user is None or str(user) == "":
            return None
        return hmac.new(self._secret, str(user).encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return "Pseudonymiser(<secret hidden>)"
