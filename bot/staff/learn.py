"""Teach the bot a question it missed: add it as an example of an intent, keeping the YAML file as staff wrote it.

ruamel.yaml's round trip keeps comments, quotes and layout; as a belt and braces, the change is refused
unless the only difference from the original file is the added lines, and undone if `sendbot check`
finds a new error afterwards.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from ..core import OUT_OF_SCOPE, Bot
from ..loader import data_root
from ..normalise import plain
from ..store.redact import PLACEHOLDERS

OUT_OF_SCOPE_FILE = "intents/out_of_scope.yaml"

_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS)))


class LearnError(Exception):
    """Why an example could not be added, in words staff can act on."""


@dataclass
class Outcome:
    """What `learn` changed."""

    intent: str
    path: str
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already examples (or empty once redactions are removed)


def example_text(redacted: str) -> str:
    """A stored question as an example phrasing: placeholders removed, spacing tidied, lower case."""
    text = _PLACEHOLDER.sub(" ", redacted)
    text = re.sub(r"\s+", " ", text).strip(" ,.;:-")
    return text.casefold()


def _yaml(text: str) -> YAML:
    """A round-trip YAML set up with the file's own indentation."""
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=indent or 2, offset=offset or 0)
    return yaml


def _only_additions(before: str, after: str) -> bool:
    """True when `after` is `before` plus new lines, or items added at the end of a one-line [flow, list]."""
    a = before.rstrip("\n").splitlines()
    b = after.rstrip("\n").splitlines()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "delete":
            return False
        if op == "replace":
            if i2 - i1 != j2 - j1:
                return False
            for old, new in zip(a[i1:i2], b[j1:j2]):
                head = old.rstrip()
                if not (head.endswith("]") and new.rstrip().endswith("]") and new.startswith(head[:-1].rstrip()) and len(new) > len(head)):
                    return False
    return True


def _append(examples: CommentedSeq, new: list[str]) -> None:
    """Append to a YAML list, moving the blank line or comment after the old last item to the new last one."""
    last = len(examples) - 1
    trailing = examples.ca.items.pop(last, None) if last >= 0 else None
    examples.extend(new)
    if trailing is not None:
        examples.ca.items[len(examples) - 1] = trailing


def _errors(bot: Bot) -> set[str]:
    """The error lines `sendbot check` would print, to compare before and after."""
    return {str(p) for p in bot.problems if p.level == "error"}


def _dumped(original: str, change) -> str:
    """The file's text after `change(data)` edits its round-trip YAML, keeping a missing final newline missing."""
    yaml = _yaml(original)
    data = yaml.load(original)
    change(data)
    out = io.StringIO()
    yaml.dump(data, out)
    updated = out.getvalue()
    return updated if original.endswith("\n") else updated.rstrip("\n")


def _new_texts(questions: list[str], existing: set[str], outcome: Outcome) -> None:
    """Sort questions into outcome.added (new phrasings) and outcome.skipped (empty or already known)."""
    for question in questions:
        text = example_text(question)
        key = plain(text)
        if not key or key in existing:
            outcome.skipped.append(question)
            continue
        existing.add(key)
        outcome.added.append(text)


def add_examples(intent_id: str, questions: list[str], root: Path | None = None) -> Outcome:
    """Add questions as example phrasings of an intent; returns what was added. Raises LearnError."""
    return teach({intent_id: questions}, root=root)[0]


def teach(by_intent: dict[str, list[str]], not_for_us: list[str] | None = None,
          root: Path | None = None) -> list[Outcome]:
    """Add example phrasings to many intents, and messages to intents/out_of_scope.yaml, in one checked step.

    The bot is loaded once before and once after; if `sendbot check` finds a new error, every file is
    put back as it was. Raises LearnError.
    """
    root = data_root(root)
    bot = Bot.load(root, strict=False)
    outcomes: list[Outcome] = []
    edits: dict[str, list[tuple[str, list[str]]]] = {}
    for intent_id, questions in by_intent.items():
        located = bot.bundle.intents.get(intent_id)
        if located is None:
            if intent_id.startswith("term-"):
                raise LearnError(f"'{intent_id}' is a glossary term; add the wording as an alias in knowledge/glossary.yaml instead")
            known = ", ".join(sorted(bot.bundle.intents)[:8])
            raise LearnError(f"there is no intent '{intent_id}'; run `sendbot list` to see them (for example: {known})")
        outcome = Outcome(intent_id, located.path)
        _new_texts(questions, {plain(e) for e in located.model.examples}, outcome)
        outcomes.append(outcome)
        if outcome.added:
            edits.setdefault(located.path, []).append((intent_id, outcome.added))
    if not_for_us:
        outcome = Outcome(OUT_OF_SCOPE, OUT_OF_SCOPE_FILE)
        _new_texts(not_for_us, {plain(m) for m in bot.bundle.out_of_scope}, outcome)
        outcomes.append(outcome)
        if outcome.added:
            edits.setdefault(OUT_OF_SCOPE_FILE, []).append((OUT_OF_SCOPE, outcome.added))
    if not edits:
        return outcomes
    before_errors = _errors(bot)
    originals: dict[Path, str] = {}
    try:
        for rel, changes in edits.items():
            path = root / rel
            if not path.is_file():
                raise LearnError(f"{rel} is missing; create it with a 'messages:' list first")
            original = path.read_text(encoding="utf-8")

            def change(data, changes=changes, rel=rel) -> None:
                for intent_id, added in changes:
                    if intent_id == OUT_OF_SCOPE:
                        target = data.get("messages")
                    else:
                        intent = next((i for i in data.get("intents", []) if str(i.get("id")) == intent_id), None)
                        target = intent.get("examples") if intent is not None else None
                    if not isinstance(target, list):
                        raise LearnError(f"{rel}: could not find the examples of '{intent_id}'; add them by hand")
                    _append(target, added)

            updated = _dumped(original, change)
            if not _only_additions(original, updated):
                lines = "\n".join(f"  - {t}" for _, added in changes for t in added)
                raise LearnError(f"{rel}: adding the examples would also reformat other lines, so nothing was changed; "
                                 "add these lines by hand:\n" + lines)
            originals[path] = original
            path.write_text(updated, encoding="utf-8")
        new_errors = _errors(Bot.load(root, strict=False)) - before_errors
        if new_errors:
            raise LearnError("the change made `sendbot check` fail, so it was undone:\n" + "\n".join(sorted(new_errors)))
    except BaseException:
        for path, original in originals.items():
            path.write_text(original, encoding="utf-8")
        raise
    return outcomes
