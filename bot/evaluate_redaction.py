"""Score the redaction on planted messages: is every identifying string gone, and every word staff need kept?

The file is a YAML list of {q, must_not_contain: [...], kinds: [...], must_keep: [...]} (the format of
tests/data/redaction/). A planted string leaks when it is still in what would be stored, compared
without regard to case; a must-keep word is kept when it is still there as typed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml


@dataclass
class Scored:
    q: str
    stored: str
    leaked: list[tuple[str, str]] = field(default_factory=list)  # (kind, string)
    caught: list[tuple[str, str]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # must-keep words that were removed
    kept: int = 0


def read(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def score(items: list[dict[str, Any]], redact: Callable[[str], str]) -> list[Scored]:
    out = []
    for item in items:
        q = str(item["q"])
        stored = redact(q)
        low = stored.casefold()
        s = Scored(q, stored)
        kinds = item.get("kinds") or ["unknown"] * len(item.get("must_not_contain") or [])
        for text, kind in zip(item.get("must_not_contain") or [], kinds):
            (s.leaked if str(text).casefold() in low else s.caught).append((kind, str(text)))
        for word in item.get("must_keep") or []:
            if str(word) in stored:
                s.kept += 1
            else:
                s.lost.append(str(word))
        out.append(s)
    return out


def summary(scored: list[Scored]) -> dict[str, Any]:
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scored:
        for kind, _ in s.caught:
            by_kind[kind][0] += 1
            by_kind[kind][1] += 1
        for kind, _ in s.leaked:
            by_kind[kind][1] += 1
    planted = sum(len(s.caught) + len(s.leaked) for s in scored)
    keep = sum(s.kept + len(s.lost) for s in scored)
    return {
        "messages": len(scored), "planted": planted, "removed": sum(len(s.caught) for s in scored),
        "messages_leaking": sum(bool(s.leaked) for s in scored),
        "must_keep": keep, "kept": sum(s.kept for s in scored),
        "by_kind": {k: tuple(v) for k, v in sorted(by_kind.items())},
    }


def table(report: dict[str, Any], scored: list[Scored], verbose: bool = False) -> str:
    def share(a: int, b: int) -> str:
        return f"{a}/{b} = {a / b:.1%}" if b else "0/0"

    lines = [
        f"messages: {report['messages']}; identifying strings planted: {report['planted']}",
        f"identifying strings removed: {share(report['removed'], report['planted'])} "
        f"({report['messages_leaking']} messages still hold one)",
        f"must-keep words kept:        {share(report['kept'], report['must_keep'])}",
        "",
        "by kind               removed   of",
    ]
    lines += [f"  {kind:18} {done:7} {n:4}" for kind, (done, n) in report["by_kind"].items()]
    if verbose:
        lines += ["", "left in what is stored:"]
        lines += [f"  [{kind}] {text!r} <- {s.stored}" for s in scored for kind, text in s.leaked]
        lines += ["", "must-keep words removed:"]
        lines += [f"  {word!r} <- {s.stored}" for s in scored for word in s.lost]
    return "\n".join(lines)
