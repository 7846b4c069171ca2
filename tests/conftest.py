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


# -- figures worth reading in every test run (crisis recall, language accuracy...) -------------
_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures() -> list[str]:
    """Append a line here and it is printed at the end of the run, under 'sendbot figures'."""
    return _FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _FIGURES:
        terminalreporter.section("sendbot figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _private_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the real unanswered-question log: `chat` records, so every test gets a throwaway one."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SENDBOT_CACHE", raising=False)  # every load reads the files unless a test says otherwise
    monkeypatch.setenv("SENDBOT_DB", str(tmp_path_factory.getbasetemp() / "sendbot-log" / "sendbot.db"))
    # example embeddings depend only on each text, so one store serves the whole run (and its subprocesses)
    monkeypatch.setenv("SENDBOT_EMBEDDINGS", str(tmp_path_factory.getbasetemp() / "embeddings"))
