"""Typo correction leaves real English words alone."""

from __future__ import annotations

import pytest

from bot.core import Bot
from bot.english import is_english


@pytest.mark.parametrize("word, english", [("rain", True), ("dog", True), ("freddie", True), ("apeal", False), ("skool", False)])
def test_word_list(word: str, english: bool) -> None:
    assert is_english(word) is english


@pytest.mark.parametrize("typed, fixed", [("rain", "rain"), ("tribnual", "tribunal"), ("transprot", "transport"), ("este", "este")])
def test_correction(bot: Bot, typed: str, fixed: str) -> None:
    assert bot.index.correct(typed) == fixed


@pytest.mark.parametrize("typed, fixed", [("camsh", "camhs"), ("doin", "doing")])
def test_a_swapped_pair_and_a_dropped_g_are_one_slip(bot: Bot, typed: str, fixed: str) -> None:
    assert bot.index.correct(typed) == fixed
