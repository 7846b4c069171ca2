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


# -- files that would hang, stall or flood the loader (hardening) -------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    """'Billion laughs': each list holds nine aliases of the one before; 9**9 values when expanded."""
    names = "abcdefghij"
    rows = [f'{names[0]}: &{names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"{y}: &{y} [" + ",".join([f"*{x}"] * 9) + "]" for x, y in zip(names, names[1 : levels + 1])]
    return "\n".join(rows) + "\n"


def bundle_errors(root: Path) -> list[str]:
    return [str(p) for p in load(root).problems if p.level == "error"]


@pytest.mark.parametrize("rel", ["intents/bomb.yaml", "knowledge/bomb.yaml"])
def test_alias_bomb_is_refused_with_its_file(data_copy: Path, rel: str) -> None:
    write(data_copy, rel, alias_bomb())
    messages = bundle_errors(data_copy)
    assert any(m.startswith(f"{rel}:") and "anchors (&name) and aliases" in m for m in messages), messages


def test_a_few_aliases_are_still_fine(data_copy: Path) -> None:
    text = GOOD_ENTRY.replace("    sources: [https://example.org/test]", "    sources: &src [https://example.org/test]")
    text += "  - id: test-entry-two\n    title: Is this another test?\n    answer: Yes, another short test answer.\n"
    text += "    sources: *src\n    last_reviewed: 2026-11-01\n"
    write(data_copy, "knowledge/aliases.yaml", text)
    assert not [m for m in bundle_errors(data_copy) if "aliases.yaml" in m]
    assert "test-entry-two" in load(data_copy).entries


def test_a_pipe_named_like_a_knowledge_file_is_refused_not_read(data_copy: Path) -> None:
    import os

    os.mkfifo(data_copy / "knowledge" / "pipe.yaml")  # reading it would wait for a writer for ever
    messages = bundle_errors(data_copy)
    assert any(m.startswith("knowledge/pipe.yaml:") and "not an ordinary file" in m for m in messages), messages


def test_a_huge_file_is_refused(data_copy: Path) -> None:
    from bot.loader import MAX_FILE_BYTES

    write(data_copy, "knowledge/huge.yaml", "# " + "x" * MAX_FILE_BYTES + "\n")
    assert any(m.startswith("knowledge/huge.yaml:") and "larger than" in m for m in bundle_errors(data_copy))


def crisis_with(data_copy: Path, *patterns: str) -> None:
    path = data_copy / "intents" / "crisis.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    patterns:\n"
    assert marker in text
    added = "".join(f"      - '{p}'\n" for p in patterns)
    path.write_text(text.replace(marker, marker + added, 1), encoding="utf-8")


def test_broken_and_slow_crisis_patterns_are_reported_at_their_line_and_the_rest_still_protect(data_copy: Path) -> None:
    crisis_with(data_copy, "(a+)+b", "(unclosed")
    bot = Bot.load(data_copy, strict=False)  # no traceback
    messages = [str(p) for p in bot.problems if p.level == "error"]
    lines = (data_copy / "intents" / "crisis.yaml").read_text(encoding="utf-8").splitlines()
    slow = next(m for m in messages if "'(a+)+b'" in m)
    broken = next(m for m in messages if "'(unclosed'" in m)
    assert "a repeat inside a repeat" in slow and "unterminated subpattern" in broken
    for message, text in ((slow, "(a+)+b"), (broken, "(unclosed")):
        line = int(message.split(":")[1])
        assert text in lines[line - 1]
    assert bot.handle("i want to kill myself").kind == "crisis"
    from bot.core import DataError

    with pytest.raises(DataError) as refused:
        Bot.load(data_copy)  # `run` refuses to start on them
    assert {p.path for p in refused.value.problems} == {"intents/crisis.yaml"}


@pytest.mark.parametrize("pattern, slow", [
    ("(a+)+b", True), ("(?:\\w+\\s?)*$", True), ("(x*)*", True), ("(?=.*(a+)+)", True),
    ("\\bk+m+s+\\b", False), ("(?:\\s+\\S+){0,4}", False), ("^(?=.*\\b(?:vodka|gin)\\b)(?=.*\\btook\\b)", False),
])
def test_slow_shape_spots_a_repeat_inside_a_repeat(pattern: str, slow: bool) -> None:
    from bot.safety import slow_shape

    assert (slow_shape(pattern) is not None) == slow


def test_a_pipe_in_place_of_a_template_is_reported_not_waited_on(data_copy: Path) -> None:
    import os

    template = data_copy / "knowledge" / "templates" / "crisis.txt.j2"
    template.unlink()
    os.mkfifo(template)
    messages = problems_for(data_copy)
    assert any("crisis.txt.j2" in m and "not an ordinary file" in m for m in messages), messages


def test_threshold_defaults_are_the_shipped_thresholds() -> None:
    """One source of truth: code that builds Thresholds() (benchmarks, tools) decides as the running bot."""
    from bot.schema import Thresholds

    shipped = load(Path(__file__).resolve().parent.parent).thresholds
    assert shipped == Thresholds()
