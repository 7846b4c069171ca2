"""Memory across staff /reloads: RSS after each of 50 reloads of the knowledge, as the bot does them.

Run with `make bench-reload`. Each reload is what /reload runs (bot/tg/state.Loaded.load, then the swap),
on a private copy of knowledge/ and intents/; with `--edit`, one answer changes before each reload, as
when staff fix a typo, so the knowledge is built again instead of read from the load cache. A few
questions are answered between reloads, so per-Bot caches fill as they would in use. Prints figures;
it is not a test. An old Bot that something still refers to after the swap shows as steady growth.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tg.state import Live, Loaded  # noqa: E402

QUESTIONS = ("how do i apply for school transport", "wot is a silc", "my son is 15 can he ask for an ehcp himself",
             "what is hydrotherapy", "can i bring my dog to the meeting")


def rss_mb() -> float:
    """Resident memory now, from /proc (Linux); 0 where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reloads", type=int, default=50)
    parser.add_argument("--edit", action="store_true", help="change one answer before each reload (no load cache)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        for folder in ("knowledge", "intents"):
            shutil.copytree(ROOT / folder, data / folder)
        os.environ["SENDBOT_DATA"] = str(data)
        target = data / "knowledge" / "hydrotherapy.yaml"
        original = target.read_text(encoding="utf-8")
        live = Live(Loaded.load(str(data)))
        for q in QUESTIONS:
            live.current.bot.handle(q)
        gc.collect()
        start = rss_mb()
        print(f"after the first load: RSS {start:.0f} MB ({'an answer edited before each reload' if args.edit else 'unchanged files'})")
        took, first = [], 0.0
        for n in range(1, args.reloads + 1):
            if args.edit:
                target.write_text(original.replace("hydrotherapy", "hydrotherapy" if n % 2 else "Hydrotherapy", 1), encoding="utf-8")
            began = time.perf_counter()
            live.swap(Loaded.load(str(data)))
            took.append(time.perf_counter() - began)
            for q in QUESTIONS:
                live.current.bot.handle(q)
            gc.collect()
            if n == 1:
                first = rss_mb()  # two knowledge sets were alive at once during the swap: the allocator keeps that
            if n in (1, 5, 10) or n % 10 == 0:
                print(f"after reload {n:3d}: RSS {rss_mb():.0f} MB")
        end = rss_mb()
        took.sort()
        print(f"{args.reloads} reloads: RSS {start:.0f} MB at start, {first:.0f} MB after the first reload, {end:.0f} MB "
              f"after the last ({end - first:+.0f} MB over reloads 2-{args.reloads}, "
              f"{(end - first) / max(1, args.reloads - 1):+.2f} MB a reload); reload p50 {took[len(took) // 2]:.2f} s")


if __name__ == "__main__":
    main()
