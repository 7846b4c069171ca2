"""A loaded knowledge base kept on disk, keyed by its files, so a national one starts in seconds.

Loading checks every file, renders every answer and builds the matcher's index: under a second
for Leeds, but about 20 seconds at 100 times the size. With SENDBOT_CACHE set to a folder, the
result is saved there and reused while nothing it depends on has changed: the bytes of every
file under knowledge/ and intents/, the bot's own code, the Python version and today's date
(review dates are checked against today). Any change, or an unreadable cache file, means a full
load. Only data that loaded without errors is saved, so a cache never hides a problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

ENV = "SENDBOT_CACHE"
_CODE = Path(__file__).resolve().parent
_DATA_FOLDERS = ("knowledge", "intents")


def folder() -> Path | None:
    """The cache folder from SENDBOT_CACHE, or None when caching is off (the default)."""
    chosen = os.environ.get(ENV, "").strip()
    return Path(chosen) if chosen else None


def key(root: Path, today: dt.date | None = None) -> str:
    """A digest of everything a load depends on."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version_info[:3]}|{(today or dt.date.today()).isoformat()}|{root.resolve()}".encode())
    for base, pattern in [(_CODE, "*.py"), *[(root / name, "*") for name in _DATA_FOLDERS]]:
        for path in sorted(p for p in base.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(base)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def read(where: Path, digest: str) -> Any | None:
    """What was saved under this digest, or None (missing, unreadable or from another version)."""
    path = where / f"sendbot-{digest}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own file, written by write() below into a folder staff chose
    except Exception:  # noqa: BLE001 - a missing or damaged cache must never stop the bot; load from the files
        return None


def write(where: Path, digest: str, value: Any) -> bool:
    """Save atomically (a temporary file, then rename), dropping older caches; False if it cannot."""
    temporary: str | None = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".sendbot-", suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        target = where / f"sendbot-{digest}.pickle"
        os.replace(temporary, target)
        for old in where.glob("sendbot-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
        return True
    except OSError:  # a full disk or a read-only folder: the bot works on without a cache
        if temporary is not None:
            try:
                Path(temporary).unlink(missing_ok=True)
            except OSError:
                pass
        return False
