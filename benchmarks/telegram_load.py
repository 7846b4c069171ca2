"""Load benchmark (not a test): the real `sendbot run` against the fake Bot API server on 127.0.0.1.

Sends 1,000 messages from 100 chats and prints throughput, p50/p99 reply latency (from the moment a message
is queued at the server to the moment the reply arrives there), and lost and duplicated counts (both must
be 0; the exit code is 1 otherwise). Three scenarios, each with a fresh bot process:

  paced        messages arrive at --rate per second (default 25, under Telegram's ~30/s), production settings
  burst        all messages at once; AIORateLimiter holds replies to 30/s, as Telegram requires
  unthrottled  all at once with the rate limiter off: what the bot itself can do

Run: make bench-telegram   (or .venv/bin/python benchmarks/telegram_load.py --help)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fake_bot_api import FakeBotAPI  # noqa: E402
from tg_data import build_data  # noqa: E402
from tg_support import TOKEN, BotProcess  # noqa: E402

SCENARIOS = ("paced", "burst", "unthrottled")


def questions(data: Path) -> list[str]:
    """Example phrasings of the answerable intents in the data, so replies exercise the real matcher."""
    out: list[str] = []
    for path in sorted((data / "intents").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in doc.get("intents", []) if isinstance(doc, dict) else []:
            if intent.get("kind", "answer") == "answer":
                out += [str(e) for e in intent.get("examples", [])]
    return out or ["how do I apply for school transport"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(scenario: str, args: argparse.Namespace, data: Path, tmp: Path) -> dict[str, float]:
    env = {"SENDBOT_LOG_LEVEL": "WARNING"}
    if scenario != "paced":
        env["SENDBOT_FLOOD_LIMIT"] = str(args.messages)  # a burst is the point here, not a flood to refuse
    if scenario == "unthrottled":
        env["SENDBOT_MAX_RATE"] = "0"
    pool = questions(data)
    rng = random.Random(7)
    with FakeBotAPI(TOKEN) as fake:
        bot = BotProcess(fake, data, tmp, webhook=args.webhook, env=env, name=scenario).start()
        try:
            bot.wait_ready(60)
            asked: dict[tuple[int, int], int] = {}  # (chat, message id) -> update id
            start = time.monotonic()
            for n in range(args.messages):
                if scenario == "paced":
                    time.sleep(max(0.0, start + n / args.rate - time.monotonic()))
                chat = 1_000_000 + n % args.chats
                update = fake.send_text(chat, rng.choice(pool))
                asked[(chat, update["message"]["message_id"])] = update["update_id"]
            try:
                fake.wait(lambda: len({(s.chat_id, s.reply_to) for s in fake.sent} & asked.keys()) >= len(asked),
                          args.timeout, "every reply")
            except AssertionError as exc:
                print(f"  {exc}", file=sys.stderr)
            time.sleep(1.0)  # late duplicates would show up now
        finally:
            code = bot.stop()
        replies = Counter((s.chat_id, s.reply_to) for s in fake.sent if (s.chat_id, s.reply_to) in asked)
        first_reply: dict[tuple[int, int], float] = {}
        for s in fake.sent:
            first_reply.setdefault((s.chat_id, s.reply_to), s.t)
        latencies = [first_reply[k] - fake.injected_at[u] for k, u in asked.items() if k in first_reply]
        began = min(fake.injected_at[u] for u in asked.values())
        ended = max(first_reply[k] for k in asked if k in first_reply) if latencies else began
        return {
            "messages": len(asked),
            "answered": len(replies),
            "lost": len(asked) - len(replies),
            "duplicated": sum(n - 1 for n in replies.values()),
            "seconds": ended - began,
            "throughput": len(replies) / max(ended - began, 1e-9),
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": percentile(latencies, 0.99) if latencies else float("nan"),
            "exit": code,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rate", type=float, default=25.0, help="messages per second in the paced scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from {', '.join(SCENARIOS)}")
    parser.add_argument("--webhook", action="store_true", help="run the bot by webhook instead of long polling")
    parser.add_argument("--data", type=Path, help="a folder with knowledge/ and intents/ (default: the tests' fixed data)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for replies in each scenario")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if unknown := [s for s in chosen if s not in SCENARIOS]:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="sendbot-bench-") as folder:
        tmp = Path(folder)
        data = args.data.resolve() if args.data else build_data(tmp / "data")
        mode = "webhook" if args.webhook else "long polling"
        print(f"sendbot Telegram load: {args.messages} messages from {args.chats} chats, {mode}, fake Bot API on 127.0.0.1")
        print(f"{'scenario':12} {'msgs':>5} {'answered':>8} {'lost':>5} {'dup':>4} {'secs':>7} {'msg/s':>7} "
              f"{'p50 ms':>8} {'p99 ms':>8} {'exit':>4}")
        failed = False
        for scenario in chosen:
            r = run(scenario, args, data, tmp)
            failed |= bool(r["lost"] or r["duplicated"] or r["exit"])
            print(f"{scenario:12} {r['messages']:5d} {r['answered']:8d} {r['lost']:5d} {r['duplicated']:4d} "
                  f"{r['seconds']:7.1f} {r['throughput']:7.1f} {r['p50'] * 1000:8.1f} {r['p99'] * 1000:8.1f} {r['exit']:4d}",
                  flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
