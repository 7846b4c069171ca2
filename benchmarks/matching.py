"""Speed of the core per question, in-process: load, index build, and p50/p99 of handle().

Run with `make bench-speed`. Prints figures; it is not a test (timings on a shared machine are noisy).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Bot  # noqa: E402
from bot.evaluate import percentile  # noqa: E402


def questions() -> list[str]:
    """Realistic messages: the public dev set when present, the project's own corpora, and every example."""
    out: list[str] = []
    dev = ROOT.parent / "shared/eval/dev.yaml"
    if dev.exists():
        out += [str(item["q"]) for item in yaml.safe_load(dev.read_text(encoding="utf-8"))]
    out += yaml.safe_load((ROOT / "tests/data/out_of_scope.yaml").read_text(encoding="utf-8"))
    return out


def main() -> int:
    start = time.perf_counter()
    bot = Bot.load(ROOT)
    load_s = time.perf_counter() - start
    tracemalloc.start()  # measured on a second load: tracing makes loading several times slower
    Bot.load(ROOT)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    qs = questions() + bot.index.example_text[:500]
    for q in qs:  # warm caches, as a running bot would be
        bot.handle(q)
    print(f"knowledge: {len(bot.bundle.entries)} entries, {len(bot.index.intents)} intents, {len(bot.index.example_text)} examples")
    print(f"load + index build: {load_s:.2f} s, peak Python memory during load {peak / 1e6:.1f} MB")
    for label, step in (("matcher (Index.match)", bot.index.match), ("crisis check", bot.crisis.check), ("whole reply (handle)", bot.handle)):
        runs: list[float] = []
        for _ in range(5):
            for q in qs:
                t = time.perf_counter()
                step(q)
                runs.append((time.perf_counter() - t) * 1000)
        print(f"{label:22} {len(runs)} calls over {len(qs)} questions: mean {statistics.mean(runs):.3f} ms, "
              f"p50 {percentile(runs, 50):.3f} ms, p99 {percentile(runs, 99):.3f} ms, max {max(runs):.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
