"""Scale: sendbot on synthetic knowledge bases at 1x, 10x and 100x today's size.

Why: Leeds is one of 153 English local authorities; a national deployment would hold all their
local answers. This measures whether loading and matching stay fast when the matcher scans ~100x
more examples. Nothing here changes the matcher: it reports what the current one does. Load is
timed twice: from the files, and through Bot.load with SENDBOT_CACHE (bot/cache.py), once to save
the cache and once to read it back.

How the data is made: a temporary SENDBOT_DATA folder holds today's knowledge/ and intents/ plus
N-1 copies of every topic and intent file, one per real local authority. A copy renames every
entry and intent id, writes the authority's name where Leeds was, and perturbs each example with
seeded word substitutions, typos and "in <place>" so the vocabulary grows as real data would.
Each size runs in its own process (`--one`), so memory is that size's alone; the table shows the
median of `--runs` runs. Run with `make bench-scale`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot import knowledge as kn  # noqa: E402
from bot.core import Bot, collector_paused  # noqa: E402
from bot.evaluate import percentile  # noqa: E402
from bot.loader import SPECIAL_INTENTS, SPECIAL_KNOWLEDGE, load  # noqa: E402
from bot.matcher import Index  # noqa: E402
from bot.validate import cross_check  # noqa: E402
from compare import exact_pairs, index_options  # noqa: E402

AUTHORITIES = """Bradford Calderdale Kirklees Wakefield Barnsley Doncaster Rotherham Sheffield York Hull
Manchester Salford Trafford Stockport Tameside Oldham Rochdale Bury Bolton Wigan Liverpool Sefton Knowsley
Wirral St-Helens Halton Warrington Cheshire-East Cheshire-West Lancashire Blackburn Blackpool Cumberland
Westmorland Northumberland Newcastle Gateshead Sunderland Durham Darlington Middlesbrough Stockton Hartlepool
Redcar North-Tyneside South-Tyneside Birmingham Coventry Dudley Sandwell Solihull Walsall Wolverhampton
Staffordshire Stoke Shropshire Telford Herefordshire Worcestershire Warwickshire Derby Derbyshire Nottingham
Nottinghamshire Leicester Leicestershire Rutland Lincolnshire Northamptonshire Norfolk Suffolk Essex Thurrock
Southend Cambridgeshire Peterborough Hertfordshire Bedford Luton Buckinghamshire Milton-Keynes Oxfordshire
Reading Slough Swindon Wiltshire Bristol Bath Somerset Devon Plymouth Torbay Cornwall Dorset Hampshire
Portsmouth Southampton Kent Medway Surrey Brighton Camden Hackney Lambeth Croydon""".split()
SUBSTITUTIONS = {"child": "kid", "son": "lad", "daughter": "girl", "school": "setting", "help": "support",
                 "get": "obtain", "need": "require", "council": "local authority", "taxi": "cab", "ask": "request",
                 "mum": "mam", "apply": "put in", "wait": "hang on", "long": "lengthy", "doctor": "gp"}
WORD = re.compile(r"[A-Za-z']+")


def perturb(text: str, place: str, rng: random.Random) -> str:
    """One parent's way of asking the same thing somewhere else: swaps, a typo, the place named."""
    out = []
    for w in text.replace("Leeds", place).replace("leeds", place.lower()).split():
        low = w.lower()
        if low in SUBSTITUTIONS and rng.random() < 0.3:
            w = SUBSTITUTIONS[low]
        elif len(w) > 4 and w.isalpha() and rng.random() < 0.08:
            i = rng.randrange(len(w) - 1)
            w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        out.append(w)
    if rng.random() < 0.3:
        out += ["in", place.replace("-", " ").lower()]
    return " ".join(out)


def build_data(factor: int, target: Path, seed: int = 7) -> None:
    """Today's data plus factor-1 renamed, perturbed copies of every topic and intent file."""
    shutil.copytree(ROOT / "knowledge", target / "knowledge")
    shutil.copytree(ROOT / "intents", target / "intents")
    rng = random.Random(seed)
    places = [AUTHORITIES[i % len(AUTHORITIES)] + ("" if i < len(AUTHORITIES) else f"-{i}") for i in range(factor - 1)]
    topics = [p for p in sorted((ROOT / "knowledge").glob("*.yaml")) if p.name not in SPECIAL_KNOWLEDGE]
    intent_files = [p for p in sorted((ROOT / "intents").glob("*.yaml")) if p.name not in SPECIAL_INTENTS]
    loaded_topics = [(p, yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)) for p in topics]
    loaded_intents = [(p, yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)) for p in intent_files]
    for place in places:
        tag = place.lower()
        for path, data in loaded_topics:
            entries = []
            for e in data.get("entries", []):
                e = dict(e, id=f"{e['id']}-{tag}", related=[f"{r}-{tag}" for r in e.get("related", [])])
                for key in ("title", "answer", "details"):
                    if isinstance(e.get(key), str):
                        e[key] = e[key].replace("Leeds", place)  # one word, so sentence-length checks still pass
                entries.append(e)
            out = {**data, "entries": entries}
            (target / "knowledge" / f"{path.stem}--{tag}.yaml").write_text(yaml.dump(out, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
        for path, data in loaded_intents:
            intents = []
            for it in data.get("intents", []):
                if it.get("kind") == "smalltalk":
                    continue  # one "hello" is enough for the whole country
                it = dict(it, id=f"{it['id']}-{tag}", examples=[perturb(x, place, rng) for x in it.get("examples", [])])
                if it.get("answer"):
                    it["answer"] = f"{it['answer']}-{tag}"
                intents.append(it)
            if intents:
                out = {**data, "intents": intents}
                (target / "intents" / f"{path.stem}--{tag}.yaml").write_text(yaml.dump(out, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")


def queries(bot: Bot, n: int = 400, seed: int = 11) -> list[str]:
    """Unseen messages: the public dev set, out-of-scope lines, and freshly perturbed examples."""
    out: list[str] = []
    dev = ROOT.parent / "shared/eval/dev.yaml"
    if dev.exists():
        out += [str(i["q"]) for i in yaml.safe_load(dev.read_text(encoding="utf-8"))]
    out += [str(x) for x in yaml.safe_load((ROOT / "tests/data/out_of_scope.yaml").read_text(encoding="utf-8"))]
    rng = random.Random(seed)
    texts = bot.index.example_text
    out += [perturb(rng.choice(texts), rng.choice(AUTHORITIES), rng) for _ in range(n)]
    return out


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(factor: int) -> dict[str, Any]:
    """Generate, load (timed in its stages), rebuild the index alone, then time Index.match."""
    with tempfile.TemporaryDirectory(prefix=f"sendbot-scale-{factor}x-") as tmp:
        root = Path(tmp)
        build_data(factor, root)
        c0, t0 = time.process_time(), time.perf_counter()
        with collector_paused():  # as Bot.load does; the last column includes its one collection
            bundle = load(root)
            t1 = time.perf_counter()
            env = kn.environment(bundle.root)
            pages, render_problems = kn.build_pages(bundle, env)
            t2 = time.perf_counter()
            problems = bundle.problems + render_problems + cross_check(bundle, pages)
            t3 = time.perf_counter()
            bot = Bot(bundle, pages, env, problems)
        t4, c4 = time.perf_counter(), time.process_time()
        load_mb = rss_peak_mb()
        start, cstart = time.perf_counter(), time.process_time()
        with collector_paused():
            Index(bot.examples, bundle.lexicon, bundle.thresholds, exact_pairs(bot), **index_options(bot))
        index_s, index_cpu = time.perf_counter() - start, time.process_time() - cstart
        # The same data through Bot.load with SENDBOT_CACHE: the first load saves, the second reads it back.
        os.environ["SENDBOT_CACHE"] = str(root / "cache")
        start = time.perf_counter()
        Bot.load(root, strict=False)
        save_s = time.perf_counter() - start
        start = time.perf_counter()
        warm = Bot.load(root, strict=False)
        warm_s = time.perf_counter() - start
        del os.environ["SENDBOT_CACHE"]
        assert warm.index.match("how do I apply for an EHCP") == bot.index.match("how do I apply for an EHCP")
        del warm
        errors = [p for p in problems if p.level == "error"]
        qs = queries(bot)
        times, cpu = [], []
        for q in qs:
            t, c = time.perf_counter(), time.thread_time()
            bot.index.match(q)
            cpu.append((time.thread_time() - c) * 1000)
            times.append((time.perf_counter() - t) * 1000)
        return {"factor": factor, "intents": len(bot.index.intents), "examples": len(bot.index.example_text),
                "entries": len(bundle.entries), "errors": len(errors), "parse_s": t1 - t0, "pages_s": t2 - t1,
                "check_s": t3 - t2, "bot_s": t4 - t3, "load_s": t4 - t0, "save_s": save_s, "warm_s": warm_s, "load_cpu": c4 - c0, "index_s": index_s,
                "index_cpu": index_cpu, "p99_cpu": percentile(cpu, 99),
                "load_mb": load_mb, "peak_mb": rss_peak_mb(), "p50": percentile(times, 50), "p99": percentile(times, 99), "queries": len(qs),
                "vocabulary": len(bot.index.vocabulary)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one", type=int, help="measure one size in this process and print JSON (used internally)")
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    print("| size | intents | examples | vocabulary | load s (parse / pages / checks / Bot+index) | load CPU s | "
          "first load with SENDBOT_CACHE (saves) s | load from cache s | index build s (CPU) | peak RSS MB | p50 ms | p99 ms | p99 CPU ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        runs = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=False)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], float)}
        r = runs[0]
        note = f" ({r['errors']} data errors)" if r["errors"] else ""
        print(f"| {size}x | {r['intents']} | {r['examples']} | {r['vocabulary']} | {m['load_s']:.2f} ({m['parse_s']:.2f} / "
              f"{m['pages_s']:.2f} / {m['check_s']:.2f} / {m['bot_s']:.2f}){note} | {m['load_cpu']:.2f} | {m['save_s']:.2f} | {m['warm_s']:.2f} | "
              f"{m['index_s']:.2f} ({m['index_cpu']:.2f}) | {m['peak_mb']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['p99_cpu']:.2f} |",
              flush=True)
    print(f"# median of {args.runs} runs, each size in a fresh process; latency: Index.match on {runs[0]['queries']} unseen "
          "messages (dev.yaml, out_of_scope.yaml, perturbed examples), each once, typo cache cold; "
          "CPU columns are this process's CPU time, which other load on the machine does not inflate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
