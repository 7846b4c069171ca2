"""Test helpers for the store: a throwaway PostgreSQL server and headless Chromium, found or skipped clearly.

With CI set, a missing server or browser is a failure, not a skip: CI must exercise both.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

IN_CI = bool(os.environ.get("CI"))
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")


def unavailable(reason: str) -> None:
    """Skip with a reason, or fail under CI where every backend must be tested."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this must run; .ci/run installs it)")
    pytest.skip(reason)


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server program from Debian's package, newest version first."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return found[-1] if found else shutil.which(name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl on a temp dir and a free 127.0.0.1 port; stopped and deleted at exit."""

    def __init__(self) -> None:
        initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL server programs not found (Debian package 'postgresql')")
        self.pg_ctl = pg_ctl
        self.root = Path(tempfile.mkdtemp(prefix="sendbot-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root; use the package's postgres user
            runuser = shutil.which("runuser")
            if not runuser:
                raise RuntimeError("running as root without runuser; cannot start PostgreSQL as another user")
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o700)
            self.as_user = [runuser, "-u", "postgres", "--"]
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "-t", "60", "start"])
        self.started = True
        atexit.register(self.stop)

    def _run(self, cmd: list[str]) -> None:
        result = subprocess.run(self.as_user + cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {(result.stderr or result.stdout).strip()[-800:]}")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if getattr(self, "started", False):
            self.started = False
            try:
                self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.root, ignore_errors=True)


_SERVER: PostgresServer | None = None
_SERVER_ERROR: str | None = None


def postgres() -> PostgresServer:
    """The one server for this test run, started on first use; skips (or fails under CI) if it cannot start."""
    global _SERVER, _SERVER_ERROR
    if _SERVER is None and _SERVER_ERROR is None:
        try:
            _SERVER = PostgresServer()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            _SERVER_ERROR = str(exc)
    if _SERVER is None:
        unavailable(f"no PostgreSQL server for the store tests: {_SERVER_ERROR}")
    assert _SERVER is not None
    return _SERVER


def chromium() -> str:
    """Path of Debian's chromium; skips (or fails under CI) if missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        unavailable("headless Chromium not installed (Debian package 'chromium')")
    assert path is not None
    return path


def use_backend(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point open_store() at a fresh SQLite file or a fresh PostgreSQL database; returns its location."""
    monkeypatch.setenv("SENDBOT_SECRET", "test-secret")
    monkeypatch.delenv("SENDBOT_RETENTION_DAYS", raising=False)
    if kind == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
        path = tmp_path / "db" / "sendbot.db"
        monkeypatch.setenv("SENDBOT_DB", str(path))
        return str(path)
    url = postgres().new_database()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENDBOT_DB", str(tmp_path / "db" / "unused.db"))
    return url
