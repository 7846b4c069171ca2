"""Redaction cost: p50 and p99 per message, and how much the bot's memory grows when spaCy loads.

The issue's targets: redaction p99 <= 25 ms a message; the bot's peak RSS grows by at most 80 MB.
Messages: every planted and blind-round question in tests/data. Run: .venv/bin/python benchmarks/redaction.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    from bot.core import Bot

    texts = [str(i["q"]) for path in sorted((ROOT / "tests/data").glob("*/*.yaml"))
             for i in (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if isinstance(i, dict) and "q" in i]
    bot = Bot.load()
    for text in texts[:200]:
        bot.handle(text)
    before, peak_before = rss_mb(), peak_mb()
    from bot.store.redact import redact

    start = time.perf_counter()
    redact("warm up: my son Jack goes to Oakwood Primary")
    load = time.perf_counter() - start
    times = []
    for text in texts:
        start = time.perf_counter()
        redact(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(f"{len(texts)} messages; spaCy load {load:.2f} s; redaction p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 <= 25 ms)")
    print(f"RSS after the bot had answered: {before:.0f} MB; after redacting every message: {rss_mb():.0f} MB "
          f"(+{rss_mb() - before:.0f} MB; peak {peak_before:.0f} -> {peak_mb():.0f} MB; target growth <= 80 MB)")
    print("torch loaded:", "torch" in sys.modules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
