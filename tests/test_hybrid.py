"""The matcher parents meet: words and meaning weighed together, on failures parents actually hit."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core import OUT_OF_SCOPE, Bot
from bot.hybrid import FEATURES


def test_rain_is_not_a_typo_for_train(bot: Bot) -> None:
    reply = bot.handle("will it rain in leeds tomorrow")
    assert reply.kind == "fallback"
    assert all(intent != "train-leeds-work" for intent, _ in reply.candidates[:1])


def test_a_dog_at_a_meeting_is_not_answered_with_a_young_persons_review(bot: Bot) -> None:
    reply = bot.handle("can i bring my dog to the meeting")
    assert not (reply.kind == "answer" and reply.intent == "yp-my-review")


def test_an_ehcp_wait_is_not_answered_with_the_autism_wait(bot: Bot) -> None:
    reply = bot.handle("ehcp assessment waiting time")
    assert reply.intent != "wait-nd-assessment"
    assert reply.candidates[0][0] in ("ehcp-timescales", "ehcp-leeds-waits")


def test_a_minibus_no_show_is_a_transport_problem(bot: Bot) -> None:
    reply = bot.handle("minibus was a no show, who can i complain to about it")
    assert reply.candidates[0][0].startswith("transport-")


def test_confidences_are_probabilities(bot: Bot) -> None:
    ranked, _, _ = bot.matcher.rank("how do i apply for school transport")
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert 0 < sum(scores) <= 1.0001
    assert ranked[0].intent == "transport-apply"


def test_meaning_finds_what_no_word_shares(bot: Bot) -> None:
    """By meaning alone, a cab that never came is a transport question."""
    found = bot.matcher.evidence("the cab for school never came this morning")
    assert found is not None
    nearest = found.features[:, FEATURES.index("nearest")]
    assert bot.matcher.intents[int(np.argmax(nearest))].startswith("transport-")


def test_out_of_scope_examples_make_a_kind_fallback(bot: Bot) -> None:
    assert OUT_OF_SCOPE in bot.matcher.intents
    reply = bot.handle("how do i claim carers allowance")
    assert reply.kind == "fallback"


def test_negative_examples_join_out_of_scope(data_copy, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = data_copy / "intents" / "transport.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "  - id: transport-apply\n"
    assert marker in text
    head, tail = text.split(marker, 1)
    path.write_text(head + marker + "    negatives: [how do i apply for a bus pass for myself]\n" + tail, encoding="utf-8")
    bot = Bot.load(data_copy)
    position = bot.index.example_text.index("how do i apply for a bus pass for myself")
    assert bot.index.intents[bot.index.example_intent[position]] == OUT_OF_SCOPE


def test_a_term_asked_at_the_end_of_a_longer_message(bot: Bot) -> None:
    reply = bot.handle("the letter from school keeps saying SEMH, what does SEMH mean")
    assert (reply.kind, reply.entry) == ("answer", "term-semh")


def test_leave_one_out_hides_the_meaning_too(bot: Bot) -> None:
    """With skip, an example cannot find itself: not by its words and not by its embedding."""
    position = 0
    text = bot.index.example_text[position]
    found = bot.matcher.evidence(text, skip=position, vectors=bot.matcher.semantic.examples[position:position + 1])
    assert found is not None
    own = int(bot.index.example_intent[position])
    assert found.features[own, FEATURES.index("nearest")] < 0.9999


def test_a_term_named_in_passing_does_not_take_over(bot: Bot) -> None:
    """'the SENCO' in a longer question about something else is not a question about what SENCO means."""
    ranked, _, _ = bot.matcher.rank("our senco keeps saying she will put in for an assessment but nothing ever happens")
    assert not ranked[0].intent.startswith("term-")
    ranked, _, _ = bot.matcher.rank("what does senco mean")
    assert ranked[0].intent == "term-senco"


def test_a_question_about_what_a_term_is_keeps_the_glossary_in_play(bot: Bot) -> None:
    ranked, _, _ = bot.matcher.rank("what's the SPA in the MindMate SPA letter we got")
    assert "term-spa" in [c.intent for c in ranked[:3]]
