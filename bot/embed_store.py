"""Example embeddings kept on disk, keyed by each text, so a staff edit re-embeds only what changed.

Embedding every example takes seconds; reading them back takes milliseconds. The store is one
file per model (SENDBOT_EMBEDDINGS, default ~/.cache/sendbot), written atomically; an unreadable
or unwritable store only means the texts are embedded again, never that the bot stops.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from .embed import Encoder

ENV = "SENDBOT_EMBEDDINGS"
NOTICE_ABOVE = 300  # texts to embed before a load says why it is slow
_MEMO: dict[str, dict[bytes, np.ndarray]] = {}  # model digest -> text key -> vector, for this process


def folder() -> Path | None:
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        return Path(base or Path.home() / ".cache") / "sendbot"
    except RuntimeError:  # no home folder to be found: embed every start instead
        return None


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _path(where: Path, digest: str) -> Path:
    return where / f"embeddings-{digest}.npz"


def _read(where: Path | None, digest: str) -> dict[bytes, np.ndarray]:
    if where is None:
        return {}
    try:
        with np.load(_path(where, digest), allow_pickle=False) as saved:
            keys, vectors = saved["keys"], saved["vectors"]
        return {bytes(k): v for k, v in zip(keys, vectors.astype(np.float32))}
    except Exception:  # noqa: BLE001 - a missing or damaged store means embedding again, nothing worse
        return {}


def _write(where: Path | None, digest: str, known: dict[bytes, np.ndarray]) -> bool:
    if where is None or not known:
        return False
    temporary: str | None = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(known), dtype="S20")
        vectors = np.stack(list(known.values())).astype(np.float32)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".embeddings-", suffix=".npz", delete=False) as handle:
            temporary = handle.name
            np.savez(handle, keys=keys, vectors=vectors)
        os.replace(temporary, _path(where, digest))
        return True
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False


def embeddings(encoder: Encoder, texts: Sequence[str], where: Path | None = None, use_disk: bool = True) -> np.ndarray:
    """Every text's embedding, from this process's memo, then the disk store, then the model."""
    memo = _MEMO.setdefault(encoder.digest, {})
    keys = [_key(t) for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in memo]
    store = (where or folder()) if use_disk else None
    if missing and store is not None:
        memo.update(_read(store, encoder.digest))
        missing = [i for i in missing if keys[i] not in memo]
    if missing:
        if len(missing) >= NOTICE_ABOVE:  # the first start on a new machine: say why it takes a moment
            print(f"sendbot: learning what {len(missing)} example questions mean (once; about {len(missing) // 150 + 1} s)...",
                  file=sys.stderr, flush=True)
        fresh = encoder.encode([texts[i] for i in missing])
        for i, vector in zip(missing, fresh):
            memo[keys[i]] = vector
        _write(store, encoder.digest, memo)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([memo[k] for k in keys])
