"""The staff report: right content, self-contained, and it really renders (headless Chromium) with its chart."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.reply import Reply
from bot.staff.chart import stacked_bars
from bot.staff.report import build, render
from bot.store import open_store
from store_support import CHROMIUM_FLAGS, chromium, use_backend


@pytest.fixture()
def filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bot: Any) -> Any:
    """A store with four weeks of answers, unanswered questions and a 'No'."""
    use_backend("sqlite", tmp_path, monkeypatch)
    store = open_store(close_at_exit=False)
    now = dt.datetime.now(dt.timezone.utc)
    plan = [(3, "how do i cancel school transport"), (10, "how do I apply for SEND transport"),
            (17, "hydrotherapy pool access"), (24, "what is eotas")]
    for days, question in plan:
        store.clock = lambda d=days: now - dt.timedelta(days=d)
        for _ in range(days // 3):
            store.record(bot.handle(question), 1, "telegram")
        store.record(Reply("can my son get a blue badge", "fallback", "?", candidates=(("transport-apply", 0.31),)), 2, "telegram")
        store.record(Reply("<script>alert('x')</script> blue badge", "fallback", "?", candidates=(("transport-apply", 0.2),)), 2, "telegram")
    store.clock = lambda: now
    store.feedback("transport-cancel", False, "how do i stop the taxi for good", 3)
    assert store.flush()
    yield store
    store.close()


def test_report_content(filled: Any, bot: Any) -> None:
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=90)
    context = build(bot, filled, since)
    assert context["totals"]["answer"] > 0 and context["totals"]["fallback"] == 8
    assert context["clusters"][0]["count"] == 8  # the blue badge questions, grouped
    assert context["unhelpful"][0]["intent"] == "transport-cancel"
    assert context["chart"]["svg"].startswith("<svg")
    assert {"School transport"} <= {row["topic"] for row in context["chart"]["table"]}
    assert len(context["readability"]) == len(bot.bundle.entries)
    page = render(context)
    for section in ("summary", "topics", "unanswered", "unhelpful", "review", "readability"):
        assert f'id="{section}"' in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # parents' words are escaped
    # Self-contained: no scripts, stylesheets, images or fonts from anywhere.
    assert not re.search(r"<script|<link|<img|@import|url\(", page, re.I)
    assert not re.search(r"(?:src|href)=", page, re.I)


def test_report_lists_overdue_entries(filled: Any, bot: Any) -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    context = build(bot, filled, later - dt.timedelta(days=90), now=later)
    assert context["review"] and all(r["overdue"] for r in context["review"])


def test_empty_report_still_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bot: Any) -> None:
    use_backend("sqlite", tmp_path, monkeypatch)
    store = open_store(close_at_exit=False)
    page = render(build(bot, store, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)))
    assert "No questions have been recorded" in page and "<svg" in page


def test_chart_shape() -> None:
    svg = stacked_bars(["03 Nov", "10 Nov"], {"Transport": [3, 0], "EHCPs": [1, 5]}, "Questions <by> week")
    assert svg.count('class="bar"') == 3  # zero values draw nothing
    assert "Questions &lt;by&gt; week" in svg


def test_report_renders_in_headless_chromium(filled: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    browser = chromium()
    target = tmp_path / "report.html"
    assert main(["report", "--html", str(target), "--since", "60d"]) == 0
    assert "wrote the report" in capsys.readouterr().out
    profile = tmp_path / "chromium-profile"
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=2000", "--dump-dom", target.as_uri()]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail("headless Chromium did not finish within 90 seconds")
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<h1>What parents asked the bot</h1>" in dom
    assert re.search(r"<svg[^>]*class=\"chart\"", dom)
    assert len(re.findall(r'<rect class="bar"', dom)) >= 4  # bars for the weeks with answers
    assert 'id="unanswered"' in dom and "blue badge" in dom
