"""Each kind of broken data file gives a message naming the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Bot
from bot.loader import load

GOOD_ENTRY = """topic: Test topic
entries:
  - id: test-entry
    title: Is this a test?
    answer: Yes, this is a short test answer.
    sources: [https://example.org/test]
    last_reviewed: 2026-11-01
"""


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


def problems_for(root: Path) -> list[str]:
    bot = Bot.load(root, strict=False)
    return [str(p) for p in bot.problems if p.level == "error"]


CASES = [
    # (file, content, expected fragment of the message)
    ("knowledge/broken.yaml", "topic: x\nentries:\n  - id: a\n    title: [unclosed\n", "knowledge/broken.yaml:5: YAML syntax"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("    answer: Yes, this is a short test answer.\n", ""), "knowledge/broken.yaml:3: 'answer' is missing; add it"),
    ("knowledge/broken.yaml", GOOD_ENTRY + "    colour: blue\n", "knowledge/broken.yaml:8: 'colour' is not a known key"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("2026-11-01", "last tuesday"), "knowledge/broken.yaml:7: 'last_reviewed' must be a date written as YYYY-MM-DD"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("id: test-entry", "id: Test Entry"), "'id' must use lower-case letters, digits and dashes only"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("id: test-entry", "id: transport-cancel"), "entry id 'transport-cancel' is already used at"),
    ("knowledge/broken.yaml", GOOD_ENTRY + "    related: [no-such-entry]\n", "lists related 'no-such-entry', which does not exist"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("short test answer.", "answer for {{ contacts.nobody.phone }}."), "unknown placeholder"),
    ("knowledge/broken.yaml", GOOD_ENTRY.replace("Yes, this is a short test answer.", " ".join(["word"] * 30) + "."), "a sentence has 30 words (most 25); split it"),
    ("knowledge/broken.yaml", GOOD_ENTRY + "    title: Twice?\n", "knowledge/broken.yaml:8: the key 'title' appears twice here"),
    ("knowledge/broken.yaml", "", "knowledge/broken.yaml:1: the file is empty"),
    ("intents/broken.yaml", "intents:\n  - id: lost\n    answer: no-such-entry\n    examples: [hello there]\n", "intents/broken.yaml:2: intent 'lost' points to entry 'no-such-entry', which does not exist"),
    ("intents/broken.yaml", "intents:\n  - id: lost\n    glossary: NOPE\n    examples: [what is nope]\n", "points to glossary term 'NOPE', which is not in knowledge/glossary.yaml"),
    ("intents/broken.yaml", "intents:\n  - id: yesno\n    answer: transport-cancel\n    examples: [yes, no]\n", "intents/broken.yaml:4: 'examples' must be text; put the value in quotes"),
    ("intents/broken.yaml", "intents:\n  - id: transport-cancel\n    answer: transport-cancel\n    examples: [x]\n", "intent id 'transport-cancel' is already used"),
    ("intents/broken.yaml", "intents:\n  - id: nowhere\n    examples: [x]\n", "needs 'answer: <entry id>' or 'glossary: <term>'"),
]


@pytest.mark.parametrize("rel, content, expected", CASES, ids=[c[2][:40] for c in CASES])
def test_bad_file_is_reported_with_file_line_and_fix(data_copy: Path, rel: str, content: str, expected: str) -> None:
    write(data_copy, rel, content)
    messages = problems_for(data_copy)
    assert any(expected in m for m in messages), messages


def test_bad_file_fails_strict_load(data_copy: Path) -> None:
    write(data_copy, "knowledge/broken.yaml", "entries: [")
    from bot.core import DataError

    with pytest.raises(DataError) as info:
        Bot.load(data_copy)
    assert any("knowledge/broken.yaml" in str(p) for p in info.value.problems)


def test_missing_crisis_rules_is_an_error(data_copy: Path) -> None:
    (data_copy / "intents/crisis.yaml").unlink()
    assert any("crisis rules are missing" in m for m in problems_for(data_copy))


def test_stale_entry_is_a_warning_not_an_error(data_copy: Path) -> None:
    write(data_copy, "knowledge/old.yaml", GOOD_ENTRY.replace("2026-11-01", "2020-01-01").replace("test-entry", "old-entry"))
    bot = Bot.load(data_copy, strict=False)
    warnings = [str(p) for p in bot.problems if p.level == "warning"]
    assert any("old-entry' was last reviewed 2020-01-01" in w for w in warnings)
    assert not any("old-entry" in str(p) for p in bot.problems if p.level == "error")


def test_yaml_is_loaded_safely(data_copy: Path) -> None:
    write(data_copy, "knowledge/evil.yaml", "topic: !!python/object/apply:os.system ['echo hacked']\nentries: []\n")
    messages = [str(p) for p in load(data_copy).problems]
    assert any("knowledge/evil.yaml" in m and "YAML syntax" in m for m in messages)


def test_shipped_files_have_no_errors(bot: Bot) -> None:
    assert [str(p) for p in bot.problems if p.level == "error"] == []
