"""The `sendbot` command: run the bot, chat, ask, check, list, eval and export schemas."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

import importlib

from . import schema as schema_mod
from .core import Bot, DataError


# Modules that add their own sub-commands with register(subparsers); missing ones are skipped.
EXTENSIONS = (".staff_cli",)


def _load(args: argparse.Namespace, strict: bool = True) -> Bot:
    return Bot.load(args.data, strict=strict)


def _fail_on_data(exc: DataError) -> int:
    print("The knowledge or intent files have errors, so the bot cannot start:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    print("Fix them (run `sendbot check` to see everything), then try again.", file=sys.stderr)
    return 1


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: Telegram when TELEGRAM_BOT_TOKEN is set (or --webhook is given), otherwise the terminal chat."""
    if args.webhook or os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        from .tg import main as telegram_main

        return telegram_main(args)
    return cmd_chat(args)


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import chat
    from .store import open_store

    bot = _load(args)
    store = open_store(warm=True)  # the terminal chat records like the bot does
    try:
        return chat(bot, sys.stdin, sys.stdout, on_reply=lambda reply: store.record(reply, None, "cli"))
    finally:
        store.close()


def cmd_ask(args: argparse.Namespace) -> int:
    from .events import NullRecorder, Recorder

    bot = _load(args)
    questions = args.question if args.question else (line.rstrip("\n") for line in sys.stdin)
    if getattr(args, "log", False):  # --log (added by staff_cli): record as the bot would; off for previews
        from .store import open_store

        recorder: Recorder = open_store()
    else:
        recorder = NullRecorder()
    try:
        for question in questions:
            reply = bot.handle(question)
            recorder.record(reply, None, "cli")
            if args.json:
                print(json.dumps(reply.as_json(), ensure_ascii=False), flush=True)
            else:
                print(reply.text)
                for number, option in enumerate(reply.options, 1):
                    print(f"  [{number}] {option.intent}")
                print("-" * 40, flush=True)
    finally:
        written = getattr(recorder, "close", lambda: True)()
    if not written:
        print("sendbot: the questions could not all be written to the store (the database is locked or "
              "unavailable); nothing was kept for the ones that failed.", file=sys.stderr)
        return 1
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every file, then measure each answer as parents receive it and list what staff must confirm."""
    from .readability import confirmations, limit_problems, repeated_numbers, sent_scores, summary

    bot = _load(args, strict=False)
    scores = sent_scores(bot) if bot.pages else []
    problems = bot.problems + limit_problems(bot, scores) + repeated_numbers(bot) if bot.pages else bot.problems
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level != "error"]
    for problem in errors + warnings:
        print(problem)
    _print_confirmations(confirmations(bot))
    if args.verbose:
        print(f"\nas sent: {'entry':40} {'flesch':>6} {'words':>5} {'w/sent':>6} {'longest':>7}")
        for s in sorted(scores, key=lambda s: s.flesch):
            print(f"         {s.id:40} {s.flesch:6.1f} {s.words:5d} {s.words_per_sentence:6.1f} {s.longest_sentence:7d}")
    figures = summary(scores)
    examples = sum(len(i.model.examples) for i in bot.bundle.intents.values())
    print(
        f"\n{len(bot.bundle.entries)} entries in {len(set(bot.bundle.topics.values()))} topics, "
        f"{len(bot.bundle.terms)} glossary terms, {len(bot.bundle.intents)} intents with {examples} examples, "
        f"{len(bot.bundle.contacts)} contacts"
    )
    print(
        f"readability as sent: median Flesch reading ease {figures['median_flesch']}, "
        f"median words per sentence {figures['median_words_per_sentence']}, longest sentence {figures['longest_sentence']} words"
        + ("" if args.verbose else " (--verbose lists every answer)")
    )
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


def _print_confirmations(notes: dict[str, list[tuple[str, str]]]) -> None:
    """The entries' needs_confirmation notes, file by file, for staff to check on the live sites."""
    count = sum(len(rows) for rows in notes.values())
    if not count:
        return
    print(f"\nTo confirm before anyone relies on them: {count} entries (needs_confirmation; remove the note once checked)")
    for path, rows in notes.items():
        print(f"  {path}")
        for entry_id, note in rows:
            print(f"    {entry_id}: {note}")


def cmd_list(args: argparse.Namespace) -> int:
    bot = _load(args)
    rows = []
    for intent_id, located in sorted(bot.bundle.intents.items()):
        intent = located.model
        page = bot.page_for(intent_id)
        rows.append({"intent": intent_id, "kind": intent.kind, "entry": page.id if page else None,
                     "title": page.title if page else None, "file": located.path, "examples": intent.examples})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        target = f"-> {row['entry']}" if row["entry"] else f"({row['kind']})"
        print(f"{row['intent']} {target}  [{row['file']}]")
        for example in row["examples"]:
            print(f"    - {example}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate

    bot = _load(args)
    items = evaluate.read_items(Path(args.file))
    outcomes = evaluate.run(bot, items)
    report = evaluate.summary(outcomes)
    if args.json:
        report["items"] = [{"q": o.item.q, "expect": o.item.expect, "got": o.reply.kind, "intent": o.reply.intent,
                            "strict": o.strict, "one_tap": o.one_tap, "confidently_wrong": o.confidently_wrong}
                           for o in outcomes]
        print(json.dumps(report, indent=2))
    else:
        print(evaluate.table(report, outcomes, verbose=args.verbose))
    return 0


def cmd_eval_crisis(args: argparse.Namespace) -> int:
    """Score the crisis tiers on labelled messages: recall by kind of danger, and false alarms."""
    from . import evaluate_crisis

    bot = _load(args)
    scored = evaluate_crisis.run(bot, evaluate_crisis.read(Path(args.file)))
    report = evaluate_crisis.summary(scored)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(evaluate_crisis.table(report, scored, verbose=args.verbose))
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    """What the unanswered-question log would keep of each message: staff check the redaction with it."""
    from .store.redact import redact_found

    texts = args.text or [line.rstrip("\n") for line in sys.stdin]
    for text in texts:
        stored, found = redact_found(text)
        if args.json:
            print(json.dumps({"text": stored, "found": [{"kind": f.kind, "start": f.start, "end": f.end} for f in found]},
                             ensure_ascii=False), flush=True)
        else:
            print(stored, flush=True)
    return 0


def cmd_eval_redaction(args: argparse.Namespace) -> int:
    """Score the redaction on planted messages: identifying strings removed, by kind, and must-keep words kept."""
    from . import evaluate_redaction
    from .store.redact import redact

    scored = evaluate_redaction.score(evaluate_redaction.read(Path(args.file)), redact)
    report = evaluate_redaction.summary(scored)
    print(json.dumps(report, indent=2) if args.json else evaluate_redaction.table(report, scored, verbose=args.verbose))
    return 0


def cmd_loo(args: argparse.Namespace) -> int:
    """Leave-one-out: which intents' examples do not find their way home, and where they go instead."""
    from collections import Counter

    from .evaluate import leave_one_out

    bot = _load(args)
    result = leave_one_out(bot)
    totals = Counter(bot.index.intents[i] for i in bot.index.example_intent if bot.index.intents[i] in bot.bundle.intents)
    missed = Counter(expected for _, expected, _ in result.confusions)
    if args.json:
        print(json.dumps({"total": result.total, "right": result.top1, "accuracy": result.accuracy,
                          "answered_right": result.answered, "answered_wrong": result.wrong_answers,
                          "confusions": [{"example": e, "expected": x, "got": g} for e, x, g in result.confusions]}, indent=2))
        return 0
    print(f"leave-one-out: {result.top1}/{result.total} examples find their own intent ({100 * result.accuracy:.1f}%); "
          f"the bot would answer {result.answered} of them outright and {result.wrong_answers} with a wrong intent")
    if args.intent:
        for example, expected, got in result.confusions:
            if args.intent in (expected, got):
                print(f"  {expected} -> {got}: {example}")
        return 0
    print("\nintents whose examples most often go elsewhere:")
    for intent, n in sorted(missed.items(), key=lambda kv: (-kv[1] / totals[kv[0]], kv[0]))[: args.top]:
        print(f"  {intent:36} {n:3d}/{totals[intent]:<3d} lost")
    pairs = Counter(tuple(sorted((x, g))) for _, x, g in result.confusions)
    print("\npairs most often confused (consider sharper examples, or merging the entries):")
    for (a, b), n in pairs.most_common(args.top):
        print(f"  {n:3d}  {a} <-> {b}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    schemas = {name: model.model_json_schema() for name, model in schema_mod.SCHEMAS.items()}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, body in schemas.items():
            (out / f"{name}.schema.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {len(schemas)} schemas to {out}")
    else:
        print(json.dumps(schemas if not args.name else schemas[args.name], indent=2))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Learn the matcher's blend from held-out examples; write intents/calibration.yaml, print thresholds."""
    from . import calibrate

    bot = _load(args)
    blend, thresholds, figures = calibrate.run(bot, [Path(p) for p in args.rounds])
    target = bot.bundle.root / "intents" / "calibration.yaml"
    if args.write:
        calibrate.write(target, blend, [Path(p).name for p in args.rounds])
        print(f"wrote {target}")
    else:
        print(f"(not written: add --write to save the blend to {target})")
    print("weights: " + ", ".join(f"{f} {getattr(blend, f):.3f}" for f in calibrate.FEATURES) + f", none {blend.none:.3f}")
    print("thresholds it would choose for intents/thresholds.yaml: "
          + ", ".join(f"{k} {getattr(thresholds, k)}" for k in ("answer", "margin", "clarify", "option")))
    print("held out: " + ", ".join(f"{k} {100 * v:.1f}%" if k != "utility" else f"{k} {v:.3f}" for k, v in figures.items()))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sendbot", description="A chatbot answering questions about SEND in Leeds.")
    p.add_argument("--data", metavar="DIR", help="folder holding knowledge/ and intents/ (default: SENDBOT_DATA, then the repository)")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the bot: Telegram if TELEGRAM_BOT_TOKEN is set, else the terminal chat")
    r.add_argument("--webhook", action="store_true", help="receive Telegram updates by webhook (PORT, WEBHOOK_URL, WEBHOOK_SECRET) instead of long polling")
    r.set_defaults(func=cmd_run)
    sub.add_parser("chat", help="talk to the bot in the terminal (works with piped input)").set_defaults(func=cmd_chat)
    a = sub.add_parser("ask", help="answer questions given as arguments, or one per line on stdin")
    a.add_argument("question", nargs="*")
    a.add_argument("--json", action="store_true", help="one JSON object per line")
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("check", help="validate every knowledge and intent file, and print readability")
    c.add_argument("--verbose", "-v", action="store_true", help="readability of every answer")
    c.set_defaults(func=cmd_check)
    li = sub.add_parser("list", help="every intent with its examples and knowledge entry")
    li.add_argument("--json", action="store_true")
    li.set_defaults(func=cmd_list)
    scorers = (  # each scores a file of labelled messages, as a table or --json, -v for what went wrong
        ("eval", "score the bot on an evaluation file", "show candidate intents for each miss", cmd_eval),
        ("eval-crisis", "score the crisis tiers on labelled messages (text, label: crisis|safe, kind)",
         "list what was missed and every false alarm", cmd_eval_crisis),
        ("eval-redaction", "score the redaction on planted messages (q, must_not_contain, kinds, must_keep)",
         "list every string left in and every must-keep word removed", cmd_eval_redaction),
    )
    for name, what, verbose, func in scorers:
        e = sub.add_parser(name, help=what)
        e.add_argument("file")
        e.add_argument("--json", action="store_true")
        e.add_argument("--verbose", "-v", action="store_true", help=verbose)
        e.set_defaults(func=func)
    rd = sub.add_parser("redact", help="print what the log would keep of each message (no TEXT: one per line on stdin)")
    rd.add_argument("text", nargs="*")
    rd.add_argument("--json", action="store_true", help='one object per line: {"text", "found": [{"kind", "start", "end"}]}')
    rd.set_defaults(func=cmd_redact)
    lo = sub.add_parser("loo", help="leave-one-out: which intents' examples get confused with which")
    lo.add_argument("--intent", help="list the lost examples of one intent")
    lo.add_argument("--top", type=int, default=20)
    lo.add_argument("--json", action="store_true")
    lo.set_defaults(func=cmd_loo)
    ca = sub.add_parser("calibrate", help="learn how the matcher weighs words and meaning, from held-out examples")
    ca.add_argument("--write", action="store_true", help="save the learned weights to intents/calibration.yaml")
    ca.add_argument("rounds", nargs="*", metavar="ROUND",
                    help="blind rounds already scored (tests/data/blind/round-N.yaml) to learn from as well; never the round you will report")
    ca.set_defaults(func=cmd_calibrate)
    s = sub.add_parser("schema", help="print the JSON Schemas of the data files (for editors)")
    s.add_argument("name", nargs="?", choices=sorted(schema_mod.SCHEMAS))
    s.add_argument("--out", metavar="DIR", help="write one NAME.schema.json per file kind")
    s.set_defaults(func=cmd_schema)
    for module in EXTENSIONS:
        try:
            register = importlib.import_module(module, __package__).register
        except ModuleNotFoundError:
            continue
        register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if hasattr(sys.stdin, "reconfigure"):  # bytes that are not UTF-8 become U+FFFD instead of a traceback
        sys.stdin.reconfigure(errors="replace")
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        return _fail_on_data(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
