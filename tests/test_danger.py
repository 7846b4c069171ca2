"""Crisis tiers: urgent replaces the answer, possible puts a safety line above it, and rules always win."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.core import Bot
from bot.crisis_model import CrisisModel, CrisisModelError, Reading
from bot.danger import DangerCheck
from bot.render import to_html


class Fixed:
    """A detector that reads every message as the same danger, to test what the tiers do with it."""

    urgent, possible = 0.9, 0.5

    def __init__(self, danger: float, kind: str = "suicidal", young: float = 0.0, fail: bool = False):
        self.reading, self.fail = Reading(danger, kind, young, 0), fail

    def read(self, vectors: np.ndarray, texts: list[str]) -> Reading:
        if self.fail:
            raise RuntimeError("broken")
        return self.reading

    tier = CrisisModel.tier


@pytest.fixture()
def with_model(bot: Bot, monkeypatch: pytest.MonkeyPatch):
    def use(model: object) -> Bot:
        monkeypatch.setattr(bot, "danger", DangerCheck(bot.crisis, model))
        return bot
    return use


QUESTION = "how do i cancel school transport"


@pytest.mark.parametrize("danger,tier", [(0.95, "urgent"), (0.6, "possible"), (0.2, None)])
def test_the_detector_sets_the_tier(with_model, danger: float, tier: str | None) -> None:
    bot = with_model(Fixed(danger))
    found = bot.danger.assess(bot.prepare(QUESTION))
    assert found.tier == tier
    assert found.source == (None if tier is None else "model")


def test_a_rule_is_always_urgent_whatever_the_model_says(with_model) -> None:
    bot = with_model(Fixed(0.0, kind="medical"))
    found = bot.danger.assess(bot.prepare("i want to kill myself"))
    assert (found.tier, found.kind, found.source) == ("urgent", "suicidal", "rule")


@pytest.mark.parametrize("at", [0, 8000, 20_000, 60_000])
def test_the_rules_read_the_whole_of_a_long_message(with_model, at: int) -> None:
    """`ask` and `chat` take text of any length: danger far into it is still found (once only the first
    8,192 characters were read)."""
    bot = with_model(Fixed(0.0))
    filler = "we have been waiting for the annual review for months and nobody rings back. "
    text = (filler * (at // len(filler) + 1))[:at] + " i want to kill myself " + filler * 20
    assert bot.danger.assess(bot.prepare(text)).tier == "urgent"


@pytest.mark.parametrize("text,tier", [
    ("last year my son took an overdose, he is doing well now. can CAMHS stay involved?", "possible"),
    ("his seizure plan says call 999 after 5 minutes, can school hold the rescue meds", "possible"),
    ("we had a lesson on self harm at school today", "possible"),
    ("she took an overdose an hour ago", "urgent"),
    ("my son says he wants to kill himself, how do i apply for an ehcp", "urgent"),
    ("his seizure has lasted 6 minutes", "urgent"),
])
def test_a_rule_is_doubted_only_for_a_topic_word_or_an_incident_that_is_over(with_model, text: str, tier: str) -> None:
    bot = with_model(Fixed(0.0))  # the detector reads no danger: only then may a rule hit be downgraded
    assert bot.danger.assess(bot.prepare(text)).tier == tier
    bot = with_model(Fixed(0.95, kind="medical"))
    assert bot.danger.assess(bot.prepare(text)).tier == "urgent"


def test_a_broken_model_leaves_the_rules_working(with_model) -> None:
    bot = with_model(Fixed(0.99, fail=True))
    assert bot.danger.assess(bot.prepare(QUESTION)).tier is None
    assert bot.handle("i want to kill myself").kind == "crisis"
    assert bot.handle(QUESTION).kind == "answer"


def test_possible_danger_puts_a_line_above_the_answer_and_keeps_it(with_model) -> None:
    plain = with_model(Fixed(0.0)).handle(QUESTION)
    bot = with_model(Fixed(0.6, kind="suicidal"))
    reply = bot.handle(QUESTION)
    assert reply.safety == "possible" and reply.kind == plain.kind == "answer"
    assert reply.body == plain.body and reply.intent == plain.intent  # the answer is not lost
    first = reply.text.splitlines()[0]
    assert "999" in first and "116 123" in first
    assert reply.text.endswith(plain.text)
    assert to_html(reply).startswith("<b>If you or anyone is in danger now, call 999.")


def test_possible_danger_on_a_fallback_and_a_young_writer(with_model) -> None:
    bot = with_model(Fixed(0.6, kind="abuse", young=0.9))
    reply = bot.handle("what is the weather on mars")
    assert reply.kind == "fallback" and reply.safety == "possible"
    assert "0800 1111" in reply.safety_line and "0113 222 4403" in reply.safety_line


def test_urgent_from_the_model_gets_the_reply_for_its_kind(with_model) -> None:
    bot = with_model(Fixed(0.95, kind="medical"))
    reply = bot.handle(QUESTION)  # no rule fires: the model alone decides
    assert reply.kind == "crisis" and reply.safety == "urgent"
    assert reply.extra == {"rule": None, "danger": "medical", "source": "model"}
    assert reply.body.startswith("Call 999 now.")


def test_ask_json_carries_the_tier(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "i want to kill myself", QUESTION]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["safety"] for r in rows] == ["urgent", None]


# The shipped detector on messages no rule lists (the issue's own examples).
@pytest.mark.parametrize("text,kind", [
    ("i'm going to hurt my child", "parent-may-harm"),
    ("he's gone floppy and his lips are blue", "medical"),
])
def test_the_shipped_detector_catches_what_no_rule_lists(bot: Bot, text: str, kind: str) -> None:
    reply = bot.handle(text)
    assert reply.kind == "crisis" and reply.extra["danger"] == kind


def test_a_missing_or_foreign_detector_refuses_to_load(tmp_path: Path) -> None:
    with pytest.raises(CrisisModelError, match="missing or damaged"):
        CrisisModel.load(tmp_path / "nope.npz")
    real = CrisisModel.load()
    saved = tmp_path / "other.npz"
    replace(real, encoder="another-model").save(saved)
    with pytest.raises(CrisisModelError, match="another embedding model"):
        CrisisModel.load(saved, encoder=real.encoder)
    again = CrisisModel.load(saved)  # without an encoder to match, it loads, and reads as the original does
    vectors = np.zeros((1, real.hidden_weights.shape[0]), np.float32)
    assert again.read(vectors, ["he is not breathing"]) == real.read(vectors, ["he is not breathing"])


def test_the_word_head_reads_as_scikit_learn_did() -> None:
    """A message with no word the head knows is no evidence of danger; known words count once each way."""
    words = CrisisModel.load().words
    assert words.danger("zzzz qqqq") == 0.0
    assert 0.0 <= words.danger("he is not breathing") <= 1.0
    assert words.danger("he is not breathing") == words.danger("He is NOT breathing!")  # lower case, punctuation off


def test_the_crisis_blind_rounds(bot: Bot, figures: list[str]) -> None:
    """Round 1 has been trained on (a regression test); round 2 is the latest, its first try in benchmarks/RESULTS.md."""
    from bot import evaluate_crisis

    folder = Path(__file__).parent / "data" / "blind" / "crisis"
    for path in sorted(folder.glob("round-*.yaml")):
        report = evaluate_crisis.summary(evaluate_crisis.run(bot, evaluate_crisis.read(path)))
        figures.append(f"crisis {path.stem}: urgent {report['urgent']}/{report['crisis']}, urgent or 999 line "
                       f"{report['helped']}/{report['crisis']}, urgent on safe {report['false_urgent']}/{report['safe']}")
        if path.stem == "round-1":
            assert report["urgent"] >= 0.95 * report["crisis"] and report["helped"] >= 0.97 * report["crisis"]
