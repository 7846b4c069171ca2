"""The staff report: one self-contained HTML page on what parents asked and which answers need work."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jinja2

from ..core import Bot
from ..limits import MAX_SENTENCE_WORDS, MIN_FLESCH
from ..readability import sent_scores
from ..store import Store
from ..store.recorder import UNHELPFUL
from ..validate import REVIEW_AFTER_DAYS
from .chart import stacked_bars
from .cluster import by_meaning

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOP_TOPICS = 6
MAX_CLUSTERS = 40
DUE_SOON_DAYS = 30
PLAIN_FLESCH = MIN_FLESCH  # Flesch reading ease at or above this is plain English
LONG_SENTENCE = MAX_SENTENCE_WORDS


def week_start(day: dt.date) -> dt.date:
    """The Monday of a date's week, so weeks line up on the chart."""
    return day - dt.timedelta(days=day.weekday())


def topic_of(bot: Bot, intent: str) -> str | None:
    """The knowledge topic an intent leads to, for grouping the chart."""
    page = bot.page_for(intent)
    return page.topic if page else None


def busiest_topics(bot: Bot, counts: list[dict[str, Any]], since: dt.date, today: dt.date) -> dict[str, Any]:
    """Answered questions per topic per week, plus those not answered, as chart series and a table."""
    weeks: list[dt.date] = []
    week = week_start(since)
    while week <= today:
        weeks.append(week)
        week += dt.timedelta(days=7)
    per_topic: dict[str, Counter[dt.date]] = defaultdict(Counter)
    unanswered: Counter[dt.date] = Counter()
    for row in counts:
        day = dt.date.fromisoformat(row["day"])
        if row["kind"] == "answer":
            per_topic[topic_of(bot, row["intent"]) or "Other"][week_start(day)] += int(row["n"])
        elif row["kind"] in ("fallback", "clarify"):
            unanswered[week_start(day)] += int(row["n"])
    ranked = sorted(per_topic, key=lambda t: (-sum(per_topic[t].values()), t))
    shown, rest = ranked[:TOP_TOPICS], ranked[TOP_TOPICS:]
    series: dict[str, list[int]] = {t: [per_topic[t][w] for w in weeks] for t in shown}
    if rest:
        series["Other topics"] = [sum(per_topic[t][w] for t in rest) for w in weeks]
    series["Not answered (asked to choose, or did not know)"] = [unanswered[w] for w in weeks]
    labels = [w.strftime("%d %b") for w in weeks]
    svg = stacked_bars(labels, series, "Questions per week by topic")
    table = [{"topic": t, "total": sum(per_topic[t].values())} for t in ranked]
    return {"svg": svg, "weeks": labels, "series": series, "table": table}


def unhelpful_answers(bot: Bot, store: Store, since: dt.datetime, counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answers parents said did not help, most complaints first, with how often each was given."""
    given: Counter[str] = Counter()
    for row in counts:
        if row["kind"] == "answer":
            given[row["intent"]] += int(row["n"])
    grouped: dict[str, list[Any]] = defaultdict(list)
    for q in store.questions(since, kinds=(UNHELPFUL,)):
        grouped[q.nearest[0] if q.nearest else "(unknown)"].append(q)
    out = []
    for intent, rows in grouped.items():
        examples = [t for t, _ in Counter(r.text for r in rows if r.text).most_common(3)]
        times = given.get(intent, 0)
        out.append({"intent": intent, "title": bot.title_for(intent), "no": len(rows), "given": times,
                    "share": round(100 * len(rows) / times) if times else None, "examples": examples})
    return sorted(out, key=lambda r: (-r["no"], r["intent"]))


def review_due(bot: Bot, today: dt.date) -> list[dict[str, Any]]:
    """Entries past their review date, or due within a month, oldest first."""
    out = []
    for entry_id, located in bot.bundle.entries.items():
        entry = located.model
        due = entry.last_reviewed + dt.timedelta(days=REVIEW_AFTER_DAYS)
        days_left = (due - today).days
        if days_left <= DUE_SOON_DAYS:
            out.append({"id": entry_id, "title": entry.title, "file": f"{located.path}:{located.line}",
                        "last_reviewed": entry.last_reviewed.isoformat(), "due": due.isoformat(),
                        "overdue": days_left < 0, "days": abs(days_left), "needs_confirmation": entry.needs_confirmation})
    return sorted(out, key=lambda r: r["due"])


def confirmations(bot: Bot) -> list[dict[str, Any]]:
    """Entries that staff flagged as needing a check before anyone relies on them."""
    return [{"id": i, "title": l.model.title, "file": f"{l.path}:{l.line}", "note": l.model.needs_confirmation}
            for i, l in sorted(bot.bundle.entries.items()) if l.model.needs_confirmation]


def readability_rows(bot: Bot) -> list[dict[str, Any]]:
    """Each answer's reading ease and sentence lengths as parents receive it (acronyms expanded), hardest first."""
    rows = []
    for s in sent_scores(bot):
        page = bot.pages[s.id]
        rows.append({"id": s.id, "topic": page.topic, "flesch": s.flesch, "words": s.words,
                     "per_sentence": s.words_per_sentence, "longest": s.longest_sentence,
                     "hard": s.flesch < PLAIN_FLESCH or s.longest_sentence > LONG_SENTENCE})
    return sorted(rows, key=lambda r: (r["flesch"], r["id"]))


def build(bot: Bot, store: Store, since: dt.datetime, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain data (also handy for tests)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    counts = store.counts(since)
    totals: Counter[str] = Counter()
    for row in counts:
        totals[row["kind"]] += int(row["n"])
    clusters = by_meaning(store.questions(since))
    unhelpful = unhelpful_answers(bot, store, since, counts)
    asked = sum(totals[k] for k in ("answer", "clarify", "fallback"))
    return {
        "generated": now.strftime("%d %B %Y, %H:%M UTC"),
        "since": since.date().strftime("%d %B %Y"),
        "days": max(1, (now - since).days),
        "retention_days": store.retention_days,
        "totals": {"answer": totals["answer"], "clarify": totals["clarify"], "fallback": totals["fallback"],
                   "smalltalk": totals["smalltalk"], "crisis": totals["crisis"], "unhelpful": sum(u["no"] for u in unhelpful),
                   "answered_share": round(100 * totals["answer"] / asked) if asked else None},
        "chart": busiest_topics(bot, counts, since.date(), now.date()),
        "clusters": [{**c.as_dict(), "title": bot.title_for(c.nearest[0]) if c.nearest[0] else None}
                     for c in clusters[:MAX_CLUSTERS]],
        "cluster_total": len(clusters),
        "question_total": sum(c.count for c in clusters),
        "unhelpful": unhelpful,
        "review": review_due(bot, now.date()),
        "review_after_days": REVIEW_AFTER_DAYS,
        "confirmations": confirmations(bot),
        "readability": readability_rows(bot),
        "plain_flesch": PLAIN_FLESCH,
        "long_sentence": LONG_SENTENCE,
    }


def render(context: dict[str, Any]) -> str:
    """The page as HTML text; all styling inline, no scripts or outside files."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**context)
