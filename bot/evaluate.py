"""Score the bot on a file of real questions with expected outcomes (the format of shared/eval/dev.yaml)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .core import Bot
from .reply import Reply


@dataclass
class Item:
    """One evaluation question and what a right reply must hold."""

    q: str
    expect: str
    topic: str = ""
    style: list[str] = field(default_factory=list)
    mentions: list[list[str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # blind rounds: the entries (or intents) that answer it


@dataclass
class Outcome:
    item: Item
    reply: Reply
    strict: bool
    one_tap: bool
    confidently_wrong: bool
    seconds: float


def read_items(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = []
    for raw in data:
        style = raw.get("style", [])
        items.append(Item(str(raw["q"]), raw["expect"], raw.get("topic", ""), style if isinstance(style, list) else [style],
                          raw.get("mentions") or [], [str(i) for i in raw.get("ids") or []]))
    return items


def satisfies(body: str, mentions: list[list[str]]) -> bool:
    """Every group needs at least one of its strings in the body (case-insensitive)."""
    low = body.casefold()
    return all(any(m.casefold() in low for m in group) for group in mentions)


def _right(item: Item, body: str, entry: str | None, intent: str | None) -> bool:
    """A reply (or a clarify option) is right when it names an expected entry, else when its body holds the mentions."""
    if item.ids:
        return entry in item.ids or intent in item.ids
    return satisfies(body, item.mentions)


def judge(item: Item, reply: Reply, seconds: float = 0.0, entry_of: Callable[[str], str | None] | None = None) -> Outcome:
    """Score one reply; `entry_of` maps an option's intent to its entry id (for items with ids)."""
    kind_ok = reply.kind == item.expect
    if item.expect == "answer":
        strict = kind_ok and _right(item, reply.body, reply.entry, reply.intent)
    elif item.expect == "crisis":
        strict = kind_ok and satisfies(reply.body, item.mentions)
    else:
        strict = kind_ok
    one_tap = strict
    if item.expect == "answer" and reply.kind == "clarify":
        lookup = entry_of or (lambda _intent: None)
        one_tap = any(_right(item, o.body, lookup(o.intent), o.intent) for o in reply.options)
    wrong = reply.kind == "answer" and (item.expect in ("fallback", "crisis") or (item.expect == "answer" and not strict))
    return Outcome(item, reply, strict, one_tap, wrong, seconds)


def run(bot: Bot, items: list[Item], handle: Callable[[str], Reply] | None = None) -> list[Outcome]:
    handle = handle or bot.handle

    def entry_of(intent: str) -> str | None:
        page = bot.page_for(intent)
        return page.id if page else None

    out = []
    for item in items:
        start = time.perf_counter()
        reply = handle(item.q)
        out.append(judge(item, reply, time.perf_counter() - start, entry_of))
    return out


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    """Headline rates, then the same broken down by expected kind, topic and style."""

    def rates(group: list[Outcome]) -> dict[str, Any]:
        n = len(group)
        answers = [o for o in group if o.item.expect == "answer"]
        return {
            "n": n,
            "strict": sum(o.strict for o in group) / n if n else 0.0,
            "one_tap": (sum(o.one_tap for o in answers) / len(answers)) if answers else None,
            "confidently_wrong": sum(o.confidently_wrong for o in group) / n if n else 0.0,
        }

    by: dict[str, dict[str, list[Outcome]]] = {"expect": defaultdict(list), "topic": defaultdict(list), "style": defaultdict(list)}
    for o in outcomes:
        by["expect"][o.item.expect].append(o)
        by["topic"][o.item.topic].append(o)
        for s in o.item.style:
            by["style"][s].append(o)
    times = [o.seconds * 1000 for o in outcomes]
    crisis = [o for o in outcomes if o.item.expect == "crisis"]
    return {
        "overall": rates(outcomes),
        "crisis_as_crisis": f"{sum(o.reply.kind == 'crisis' for o in crisis)}/{len(crisis)}",
        "safety_on_answers": f"{sum(o.reply.safety is not None for o in outcomes if o.item.expect == 'answer')}/"
                             f"{sum(o.item.expect == 'answer' for o in outcomes)}",
        "latency_ms": {"p50": round(percentile(times, 50), 3), "p99": round(percentile(times, 99), 3)},
        **{f"by_{k}": {name: rates(g) for name, g in sorted(v.items())} for k, v in by.items()},
    }


def _pct(value: float | None) -> str:
    return "  -  " if value is None else f"{100 * value:5.1f}%"


def table(report: dict[str, Any], outcomes: list[Outcome], verbose: bool = False) -> str:
    """A plain-text report for people."""
    o = report["overall"]
    lines = [
        f"items: {o['n']}",
        f"strict accuracy:      {_pct(o['strict'])}",
        f"one-tap accuracy:     {_pct(o['one_tap'])}  (answer items; a clarify counts if an option is right)",
        f"confidently wrong:    {_pct(o['confidently_wrong'])}",
        f"crisis as crisis:     {report['crisis_as_crisis']}",
        f"safety line or crisis reply on in-scope questions: {report['safety_on_answers']}",
        f"latency per question: p50 {report['latency_ms']['p50']} ms, p99 {report['latency_ms']['p99']} ms",
    ]
    for key in ("by_expect", "by_topic", "by_style"):
        lines.append("")
        lines.append(f"{key.replace('by_', 'by '):24} {'n':>3} {'strict':>7} {'one-tap':>7} {'conf-wrong':>10}")
        for name, r in report[key].items():
            lines.append(f"  {name:22} {r['n']:>3} {_pct(r['strict']):>7} {_pct(r['one_tap']):>7} {_pct(r['confidently_wrong']):>10}")
    misses = [x for x in outcomes if not x.strict]
    if misses:
        lines += ["", "not strictly right:"]
        for x in misses:
            flag = "WRONG " if x.confidently_wrong else ("1-tap " if x.one_tap and x.item.expect == "answer" else "      ")
            got = x.reply.intent or ",".join(op.intent for op in x.reply.options) or "-"
            score = f"{x.reply.score:.2f}" if x.reply.score is not None else "-"
            lines.append(f"  {flag}expect {x.item.expect:9} got {x.reply.kind:9} {got} ({score}) <- {x.item.q[:70]}")
            if verbose and x.reply.candidates:
                lines.append("          candidates: " + ", ".join(f"{i} {s:.2f}" for i, s in x.reply.candidates[:4]))
    return "\n".join(lines)


@dataclass
class LeaveOneOut:
    """Each staff-written example hidden in turn and matched against all the others."""

    total: int
    top1: int  # the right intent ranked first
    answered: int  # the bot would answer with the right intent outright
    wrong_answers: int  # the bot would answer with another intent
    confusions: list[tuple[str, str, str]]  # (example, expected, got)

    @property
    def accuracy(self) -> float:
        return self.top1 / self.total if self.total else 0.0


def leave_one_out(bot: Bot) -> LeaveOneOut:
    """Hide each example from the index (its similarity is masked; IDF weights stay) and match it.

    Glossary phrasings are generated from templates, so only examples written in intents/ count.
    """
    index = bot.index
    written = {i for i in bot.bundle.intents}
    total = top1 = answered = wrong = 0
    confusions: list[tuple[str, str, str]] = []
    for position, text in enumerate(index.example_text):
        expected = index.intents[index.example_intent[position]]
        if expected not in written:
            continue
        total += 1
        match = bot.matcher.match(text, skip=position)
        got = match.best.intent if match.best else "-"
        if got == expected:
            top1 += 1
        else:
            confusions.append((text, expected, got))
        if match.kind == "answer":
            if got == expected:
                answered += 1
            else:
                wrong += 1
    return LeaveOneOut(total, top1, answered, wrong, confusions)
