"""Scoring rules of `sendbot eval`, as the evaluation file's header defines them."""

from __future__ import annotations

import pytest

from bot.evaluate import Item, judge, percentile, satisfies
from bot.reply import Option, Reply

MENTIONS = [["transport"], ["council", "criteria"]]


@pytest.mark.parametrize(
    "body, ok",
    [("The council decides on Transport.", True), ("Transport help", False), ("criteria for TRANSPORT", True), ("", False)],
)
def test_every_group_needs_one_string(body: str, ok: bool) -> None:
    assert satisfies(body, MENTIONS) is ok


@pytest.mark.parametrize(
    "expect, reply, strict, one_tap, wrong",
    [
        ("answer", Reply("q", "answer", "council transport", "footer"), True, True, False),
        ("answer", Reply("q", "answer", "something else", "transport council"), False, False, True),  # footer cannot satisfy
        ("answer", Reply("q", "clarify", "Did you mean", options=(Option("a", "A", "no"), Option("b", "B", "council transport"))), False, True, False),
        ("answer", Reply("q", "fallback", "Sorry"), False, False, False),
        ("fallback", Reply("q", "answer", "council transport"), False, False, True),
        ("crisis", Reply("q", "answer", "council transport"), False, False, True),
        ("fallback", Reply("q", "fallback", "Sorry"), True, True, False),
    ],
)
def test_judge(expect: str, reply: Reply, strict: bool, one_tap: bool, wrong: bool) -> None:
    outcome = judge(Item("q", expect, mentions=MENTIONS if expect in ("answer", "crisis") else []), reply)
    assert (outcome.strict, outcome.one_tap, outcome.confidently_wrong) == (strict, one_tap, wrong)


def test_percentile() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) in (50, 51)
    assert percentile(values, 99) == 99
    assert percentile([], 50) == 0.0
