"""Shared fixtures: the real shipped bot, and throwaway copies of the data for breaking."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import Bot

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def bot() -> Bot:
    """The bot exactly as shipped (loaded once: building the index is the slow part)."""
    return Bot.load(REPO)


@pytest.fixture()
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of knowledge/ and intents/, selected through SENDBOT_DATA."""
    for folder in ("knowledge", "intents"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setenv("SENDBOT_DATA", str(tmp_path))
    return tmp_path
