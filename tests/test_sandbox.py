"""Knowledge files cannot run code: a template that reaches for Python is refused by `check` and never rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Bot

ATTACKS = [
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "{{ lipsum.__globals__.os.environ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for i in range(100000000) %}x{% endfor %}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_answer_cannot_reach_python(data_copy: Path, attack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET-TOKEN")
    monkeypatch.chdir(data_copy)
    path = data_copy / "knowledge" / "transport.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "email Passenger Transport Services"
    assert marker in text
    path.write_text(text.replace(marker, attack + " " + marker, 1), encoding="utf-8")
    bot = Bot.load(data_copy, strict=False)
    errors = [str(p) for p in bot.problems if p.level == "error"]
    assert any("knowledge/transport.yaml" in e for e in errors), errors
    assert not (data_copy / "PWNED").exists()
    assert "SECRET-TOKEN" not in bot.handle("how do i cancel school transport").text
