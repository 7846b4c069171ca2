"""Staff commands on the unanswered-question log: unanswered, learn, report, tracker-diff and purge.

Registered into `sendbot` by bot/cli.py (see EXTENSIONS there). Also adds `--log` to `sendbot ask`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

from .core import Bot
from .loader import data_root

_SINCE = re.compile(r"^\s*(\d+)\s*([hdwm]?)\s*$", re.I)
_ITEM = re.compile(r"^\s*([cq]?)(\d+)\s*$", re.I)
_RISKY = ("=", "+", "-", "@", "\t", "\r")


MAX_SINCE_DAYS = 36_500  # longer ago than any row can be kept
MAX_ID = 2 ** 62  # SQLite's and PostgreSQL's largest row ids are below 2**63


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """'30d', '12w', '24h', '3m' (months of 30 days), a bare number of days, or a date YYYY-MM-DD."""
    now = now or dt.datetime.now(dt.timezone.utc)
    match = _SINCE.match(text)
    if match:
        number, unit = int(match.group(1)), (match.group(2) or "d").lower()
        hours = {"h": 1, "d": 24, "w": 24 * 7, "m": 24 * 30}[unit] * number
        if hours > MAX_SINCE_DAYS * 24:
            raise argparse.ArgumentTypeError(f"'{text}' is longer ago than anything kept; try 90d, or a date like 2026-10-01")
        return now - dt.timedelta(hours=hours)
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time(), dt.timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a period like 30d, 12w or a date like 2026-10-01") from None


def safe_cell(value: Any) -> Any:
    """A CSV cell Excel will not run as a formula: text starting with = + - @ (or a tab) gets a leading quote."""
    if isinstance(value, str) and value.startswith(_RISKY):
        return "'" + value
    return value


def _store() -> Any:
    """The configured store (imported late: commands that do not log never load it)."""
    from .store import open_store

    return open_store()


def _db_trouble(store: Any, exc: BaseException) -> int:
    """Tell staff the database cannot be used, naming where it is but no secrets."""
    print(f"Cannot use the log database ({store.backend.location}): {store.backend.describe(exc)}", file=sys.stderr)
    print("Check SENDBOT_DB or DATABASE_URL, and that the file or server is reachable.", file=sys.stderr)
    return 1


# -- unanswered -------------------------------------------------------------
def cmd_unanswered(args: argparse.Namespace) -> int:
    """List the gaps, grouped, as text, JSON or CSV."""
    from .staff.cluster import by_meaning

    store = _store()
    try:
        clusters = by_meaning(store.questions(args.since, include_resolved=args.all))
    except store.backend.errors as exc:
        return _db_trouble(store, exc)
    finally:
        store.close()
    if args.limit:
        clusters = clusters[: args.limit]
    if args.json:
        print(json.dumps([c.as_dict() for c in clusters], ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel then reads UTF-8
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
            writer.writerow(["group", "count", "first_seen", "last_seen", "example_1", "example_2", "example_3",
                             "nearest_intent", "nearest_score", "fallback", "clarify", "unhelpful"])
            for c in clusters:
                intent, score = c.nearest
                examples = (c.examples + ["", "", ""])[:3]
                writer.writerow([safe_cell(v) for v in [c.id, c.count, c.first_seen.date().isoformat(), c.last_seen.date().isoformat(),
                                                        *examples, intent or "", "" if score is None else score,
                                                        c.kinds.get("fallback", 0), c.kinds.get("clarify", 0), c.kinds.get("unhelpful", 0)]])
        print(f"wrote {len(clusters)} groups to {args.csv}")
        return 0
    total = sum(c.count for c in clusters)
    print(f"Unanswered questions since {args.since.date()}: {total} in {len(clusters)} groups, biggest first.\n")
    for c in clusters:
        intent, score = c.nearest
        near = f"{intent} ({score:.2f})" if intent and score is not None else (intent or "none")
        print(f"{c.id:>7}  {c.count:4d} asked   first {c.first_seen.date()}  last {c.last_seen.date()}   nearest: {near}")
        for example in c.examples:
            print(f"{'':9}- {example}")
    if clusters:
        print("\nTeach the bot a group:  sendbot learn GROUP --intent INTENT   (or one question: sendbot learn ID ...)")
        print("Question ids:           sendbot unanswered --json")
    return 0


# -- learn ------------------------------------------------------------------
SUGGESTED = 5


def suggestions(bot: Bot, texts: list[str], limit: int = SUGGESTED) -> list[tuple[str, float]]:
    """The intents the bot's own matcher finds nearest to these questions, by their mean confidence."""
    totals: dict[str, float] = {}
    for text in texts:
        ranked, _, _ = bot.matcher.rank(text)
        for cand in ranked:
            totals[cand.intent] = totals.get(cand.intent, 0.0) + cand.score / len(texts)
    written = {i for i, located in bot.bundle.intents.items() if located.model.kind == "answer"}
    ordered = sorted(((i, s) for i, s in totals.items() if i in written), key=lambda kv: (-kv[1], kv[0]))
    return ordered[:limit]


def _suggest(args: argparse.Namespace, texts: list[str]) -> int:
    bot = Bot.load(args.data)
    print("Which intent should these questions lead to? The nearest, by the bot's own matcher:")
    for intent, score in suggestions(bot, texts):
        print(f"  {intent:36} {score:.2f}   {bot.title_for(intent)}")
    print(f"Then: sendbot learn {args.item} --intent ID")
    return 2


def cmd_learn(args: argparse.Namespace) -> int:
    """Add a question or group as examples of an intent, then mark them taught."""
    from .staff.cluster import by_meaning, find
    from .staff.learn import LearnError, teach

    match = _ITEM.match(args.item)
    if not match:
        print(f"'{args.item}' is not a group like c12 or a question id like 45 (see `sendbot unanswered`)", file=sys.stderr)
        return 2
    whole_group, number = match.group(1).lower() == "c", int(match.group(2))
    if number > MAX_ID:
        print(f"There is no question or group {args.item} (see `sendbot unanswered`)", file=sys.stderr)
        return 1
    store = _store()
    try:
        if whole_group:
            group = find(by_meaning(store.questions(args.since)), number)
            rows = group.questions if group else []
        else:
            rows = store.questions(ids=[number])
        if not rows:
            print(f"No unanswered {'group containing question' if whole_group else 'question'} {number} "
                  f"(it may be taught already, older than --since, or purged).", file=sys.stderr)
            return 1
        if not args.intent and not args.not_for_us:
            return _suggest(args, [r.text for r in rows])
        texts = [r.text for r in rows]
        try:
            if args.not_for_us:
                outcome = teach({}, not_for_us=texts, root=data_root(args.data))[0]
            else:
                outcome = teach({args.intent: texts}, root=data_root(args.data))[0]
        except LearnError as exc:
            print(f"Nothing changed: {exc}", file=sys.stderr)
            return 1
        resolved = store.resolve([r.id for r in rows], outcome.intent)
    except store.backend.errors as exc:
        return _db_trouble(store, exc)
    finally:
        store.close()
    for text in outcome.added:
        print(f"added to {outcome.intent} in {outcome.path}: {text}")
    if outcome.skipped:
        print(f"{len(outcome.skipped)} already covered by existing examples")
    print(f"marked {resolved} question(s) as taught. `sendbot check` passes; /reload or restart the bot to use them.")
    return 0


# -- report -----------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    """Write the staff HTML report."""
    from .staff.report import build, render

    bot = Bot.load(args.data)
    store = _store()
    try:
        page = render(build(bot, store, args.since))
    except store.backend.errors as exc:
        return _db_trouble(store, exc)
    finally:
        store.close()
    Path(args.html).write_text(page, encoding="utf-8")
    print(f"wrote the report to {args.html}")
    return 0


# -- tracker-diff -----------------------------------------------------------
def cmd_tracker_diff(args: argparse.Namespace) -> int:
    """Name the entries whose cited tracker section changed."""
    from .loader import load
    from .staff.tracker import DEFAULT_OLD, citations, compare

    old_path, new_path = Path(args.old or DEFAULT_OLD), Path(args.new)
    for path in (old_path, new_path):
        if not path.is_file():
            print(f"cannot read {path}", file=sys.stderr)
            return 1
    bundle = load(data_root(args.data))
    cited = citations(bundle)
    changes = compare(old_path.read_text(encoding="utf-8"), new_path.read_text(encoding="utf-8"), cited)
    if args.json:
        print(json.dumps([{"section": c.section, "status": c.status, "added": c.added, "removed": c.removed,
                           "cited_by": [{"kind": x.kind, "id": x.id, "file": x.path, "line": x.line} for x in c.citations]}
                          for c in changes], ensure_ascii=False, indent=2))
        return 0
    sections = len({c.section for c in cited})
    if not changes:
        print(f"No change in the {sections} tracker sections the knowledge base cites.")
        return 0
    words = {"changed": "changed", "missing": "is gone from the new copy (renamed or removed)",
             "unknown": "is cited but is not a section of the old copy either (check the spelling)"}
    for c in changes:
        print(f'Section "{c.section}" {words[c.status]}:')
        for line in c.removed:
            print(f"    - {line}")
        for line in c.added:
            print(f"    + {line}")
        print("  review:")
        for x in c.citations:
            where = f"{x.path}:{x.line}" if x.line else x.path
            print(f"    {x.kind} {x.id}  ({where})")
        print()
    real = [c for c in changes if c.status != "unknown"]
    entries = {x.id for c in real for x in c.citations if x.kind == "entry"}
    if real:
        print(f"{len(entries)} entries to review in {len(real)} changed section(s). After checking each, update its last_reviewed.")
    else:
        print(f"No change in the {sections} tracker sections the knowledge base cites; fix the citations above.")
    return 0


# -- purge ------------------------------------------------------------------
def cmd_purge(args: argparse.Namespace) -> int:
    """Delete rows past the retention period now."""
    store = _store()
    try:
        days = args.days or store.retention_days
        gone = store.purge(days)
    except Exception as exc:  # noqa: BLE001 - the writer reports database trouble as a failed job
        print(f"Purge failed ({type(exc).__name__}); see the log above.", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"deleted {gone} row(s) older than {days} days")
    return 0


def _days(text: str) -> int:
    """A whole number of days, 1 or more."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the staff commands to `sendbot`, and `--log` to `sendbot ask`."""
    ask = sub.choices.get("ask")
    if ask is not None:
        ask.add_argument("--log", action="store_true", help="record the replies as the bot would (off by default, so previews stay out of the log)")
    u = sub.add_parser("unanswered", help="questions the bot could not answer, grouped by similar wording")
    u.add_argument("--since", type=parse_since, default=parse_since("30d"), metavar="PERIOD", help="e.g. 30d (default), 12w, 2026-10-01")
    out = u.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the groups as JSON, with question ids")
    out.add_argument("--csv", metavar="FILE", help="write the groups to a CSV file (safe to open in Excel)")
    u.add_argument("--all", action="store_true", help="include questions already taught")
    u.add_argument("--limit", type=int, default=0, help="show only the biggest N groups")
    u.set_defaults(func=cmd_unanswered)
    le = sub.add_parser("learn", help="add an unanswered question (or a whole group) as examples of an intent")
    le.add_argument("item", help="a group from `sendbot unanswered` (c12) or one question id (45)")
    aim = le.add_mutually_exclusive_group()
    aim.add_argument("--intent", metavar="ID", help="the intent it should lead to; leave it out to see the nearest intents")
    aim.add_argument("--not-for-us", action="store_true",
                     help="nothing here should answer it: add it to intents/out_of_scope.yaml so the bot falls back kindly")
    le.add_argument("--since", type=parse_since, default=parse_since("30d"), metavar="PERIOD", help="the period the group was listed for (default 30d)")
    le.set_defaults(func=cmd_learn)
    r = sub.add_parser("report", help="write the staff report as one HTML page")
    r.add_argument("--html", required=True, metavar="FILE")
    r.add_argument("--since", type=parse_since, default=parse_since("90d"), metavar="PERIOD", help="default 90d")
    r.set_defaults(func=cmd_report)
    t = sub.add_parser("tracker-diff", help="list entries whose issues-tracker section changed in a new copy")
    t.add_argument("new", metavar="NEW_TRACKER.txt")
    t.add_argument("--old", metavar="FILE", help="the copy the entries were written from (default ../shared/seeds/leeds-send-issues-tracker.txt)")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_tracker_diff)
    p = sub.add_parser("purge", help="delete logged rows older than SENDBOT_RETENTION_DAYS (default 90) now")
    p.add_argument("--days", type=_days, help="keep this many days instead")
    p.set_defaults(func=cmd_purge)
