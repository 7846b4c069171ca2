"""Teaching many intents at once: one checked step that leaves every file as staff wrote it, or as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.staff import learn
from bot.staff.learn import LearnError, teach


def test_teach_adds_to_several_files_and_skips_known_phrasings(data_copy: Path) -> None:
    transport = data_copy / "intents" / "transport.yaml"
    oos = data_copy / "intents" / "out_of_scope.yaml"
    before = {p: p.read_text(encoding="utf-8") for p in (transport, oos)}
    outcomes = teach({"transport-cancel": ["taxi not needed next week, who do i tell", "How do I cancel school transport?"]},
                     not_for_us=["what time does the tip open on sunday"], root=data_copy)
    by_intent = {o.intent: o for o in outcomes}
    assert by_intent["transport-cancel"].added == ["taxi not needed next week, who do i tell"]
    assert by_intent["transport-cancel"].skipped == ["How do I cancel school transport?"]  # already an example
    assert by_intent["out-of-scope"].added == ["what time does the tip open on sunday"]
    added = {transport: ["      - taxi not needed next week, who do i tell"], oos: ["  - what time does the tip open on sunday"]}
    for path, old in before.items():
        new = path.read_text(encoding="utf-8").splitlines()
        assert [line for line in new if line not in old.splitlines()] == added[path]
        assert [line for line in new if line in set(old.splitlines())] == old.splitlines()  # nothing else moved


def test_teach_refuses_unknown_intents_and_changes_nothing(data_copy: Path) -> None:
    transport = data_copy / "intents" / "transport.yaml"
    before = transport.read_text(encoding="utf-8")
    with pytest.raises(LearnError, match="no intent 'nope'"):
        teach({"transport-cancel": ["taxi not needed next week"], "nope": ["x"]}, root=data_copy)
    assert transport.read_text(encoding="utf-8") == before


def test_teach_undoes_every_file_when_check_fails(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A file error that appears only after the change (as a broken edit would give) must undo every file.
    calls: list[int] = []

    def errors(bot: object) -> set[str]:
        calls.append(1)
        return set() if len(calls) == 1 else {"intents/transport.yaml:3: broken"}

    monkeypatch.setattr(learn, "_errors", errors)
    transport = data_copy / "intents" / "transport.yaml"
    oos = data_copy / "intents" / "out_of_scope.yaml"
    before = {p: p.read_text(encoding="utf-8") for p in (transport, oos)}
    with pytest.raises(LearnError, match="undone"):
        teach({"transport-apply": ["taxi form for next term"]}, not_for_us=["the tip on sunday"], root=data_copy)
    assert len(calls) == 2
    assert {p: p.read_text(encoding="utf-8") for p in before} == before
