"""Which Recorder the bot uses: the store's open_store() when bot.store provides one, else NullRecorder."""

from __future__ import annotations

import importlib

from ..events import NullRecorder, Recorder


def open_recorder() -> Recorder:
    """The store if it exists (it reads its own settings: SENDBOT_DB, DATABASE_URL...); its absence is fine."""
    try:
        store = importlib.import_module("bot.store")
    except ModuleNotFoundError as exc:
        if exc.name == "bot.store":
            return NullRecorder()
        raise
    opener = getattr(store, "open_store", None)
    return opener(warm=True) if callable(opener) else NullRecorder()
