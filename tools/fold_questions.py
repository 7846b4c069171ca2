"""Teach the bot from labelled parents' questions (a scored blind round, or questions written for training).

Each question that expects exactly one entry becomes an example of that entry's intent; each question
that expects the fallback becomes an out-of-scope message. Questions with several right entries (two
questions in one), crisis items and glossary terms are left out: they teach nothing unambiguous.
Everything goes through the same checked step as `sendbot learn`, so a failing `sendbot check` undoes it.

    python tools/fold_questions.py tests/data/blind/round-1.yaml ...

Never fold a round before its first try has been scored and recorded: after folding, figures on it are
no longer measurements.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bot.core import Bot
from bot.loader import data_root
from bot.staff.learn import LearnError, teach


def intents_by_entry(bot: Bot) -> dict[str, str]:
    """Each entry id's intent: the intent of the same id when there is one, else the first that answers it."""
    found: dict[str, str] = {}
    for intent_id, located in sorted(bot.bundle.intents.items()):
        entry = located.model.answer
        if entry and (entry not in found or intent_id == entry):
            found[entry] = intent_id
    return found


def sort_questions(items: list[dict], by_entry: dict[str, str]) -> tuple[dict[str, list[str]], list[str], int]:
    """(questions by intent, out-of-scope questions, how many were left out)."""
    by_intent: dict[str, list[str]] = {}
    not_for_us: list[str] = []
    left_out = 0
    for item in items:
        ids = item.get("ids") or []
        if item.get("expect") == "answer" and len(ids) == 1 and ids[0] in by_entry:
            by_intent.setdefault(by_entry[ids[0]], []).append(str(item["q"]))
        elif item.get("expect") == "fallback":
            not_for_us.append(str(item["q"]))
        else:
            left_out += 1
    return by_intent, not_for_us, left_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--data", help="the folder holding knowledge/ and intents/ (default: SENDBOT_DATA or the repository)")
    args = parser.parse_args(argv)
    root = data_root(args.data)
    items = [item for path in args.files for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or [])]
    by_intent, not_for_us, left_out = sort_questions(items, intents_by_entry(Bot.load(root, strict=False)))
    try:
        outcomes = teach(by_intent, not_for_us=not_for_us, root=root)
    except LearnError as exc:
        print(f"Nothing changed: {exc}", file=sys.stderr)
        return 1
    added = sum(len(o.added) for o in outcomes)
    skipped = sum(len(o.skipped) for o in outcomes)
    print(f"{added} questions added ({sum(len(o.added) for o in outcomes if o.intent == 'out-of-scope')} out of scope), "
          f"{skipped} already known, {left_out} left out (several entries, crisis or glossary terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
