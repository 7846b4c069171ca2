"""Crisis detection: every crisis message is caught, and ordinary distress rarely is.

The two corpora are in tests/crisis_corpus.yaml. Run with `-q` and the figures are printed under
'sendbot figures' at the end of the run.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from bot.core import Bot
from bot.danger import Assessment
from bot.loader import read_yaml
from bot.safety import CrisisDetector, prepare
from bot.schema import CrisisFile, CrisisRule

REPO = Path(__file__).resolve().parent.parent
CORPUS = yaml.safe_load((Path(__file__).parent / "crisis_corpus.yaml").read_text(encoding="utf-8"))
MAX_FALSE_ALARM_RATE = 0.05


@pytest.fixture(scope="module")
def crisis_file() -> CrisisFile:
    model, _, problems = read_yaml(REPO / "intents" / "crisis.yaml", "intents/crisis.yaml", CrisisFile)
    assert model is not None, problems
    assert not [p for p in problems if p.level == "error"], problems
    return model


@pytest.fixture(scope="module")
def detector(crisis_file: CrisisFile) -> CrisisDetector:
    return CrisisDetector.from_file(crisis_file)


def small(phrases: list[str], not_crisis: list[str] = (), groups: dict | None = None, typo: list[str] = ()) -> CrisisDetector:
    """A detector with one rule, for testing the phrase syntax."""
    crisis = CrisisFile(rules=[CrisisRule(id="t", phrases=phrases)], not_crisis=list(not_crisis),
                        groups=groups or {}, typo_tolerant=list(typo))
    return CrisisDetector.from_file(crisis)


# -- the two corpora --------------------------------------------------------------------------

def test_corpora_are_large_and_separate() -> None:
    crisis, calm = CORPUS["crisis"], CORPUS["not_crisis"]
    assert len(crisis) >= 80 and len(calm) >= 80
    assert len(set(crisis)) == len(crisis), "a crisis message is listed twice"
    assert len(set(calm)) == len(calm), "a not_crisis message is listed twice"
    assert not set(crisis) & set(calm)


def test_crisis_rules_compile(crisis_file: CrisisFile) -> None:
    assert CrisisDetector.problems(crisis_file) == []


def test_every_crisis_message_is_caught(detector: CrisisDetector, figures: list[str]) -> None:
    messages = CORPUS["crisis"]
    missed = [m for m in messages if detector.check(m) is None]
    caught = len(messages) - len(missed)
    figures.append(f"crisis recall: {caught}/{len(messages)} = {caught / len(messages):.1%} (must be 100%)")
    assert not missed, "these crisis messages were not caught:\n" + "\n".join(f"  - {m}" for m in missed)


def test_false_alarms_are_rare(detector: CrisisDetector, figures: list[str]) -> None:
    messages = CORPUS["not_crisis"]
    alarms = [(m, detector.why(m)) for m in messages if detector.check(m)]
    rate = len(alarms) / len(messages)
    figures.append(f"crisis false alarms: {len(alarms)}/{len(messages)} = {rate:.1%} (at most {MAX_FALSE_ALARM_RATE:.0%})")
    assert rate <= MAX_FALSE_ALARM_RATE, "false alarms:\n" + "\n".join(f"  - {m} -> {why}" for m, why in alarms)


def test_parents_questions_rarely_trip_the_rules(bot: Bot, figures: list[str]) -> None:
    """Every example phrasing in intents/ is a real kind of question; few should get the crisis reply."""
    tripped = [(intent, text, bot.crisis.why(text)) for intent, text in bot.examples if bot.crisis.check(text)]
    figures.append(f"intent examples given the crisis reply: {len(tripped)}/{len(bot.examples)}")
    assert len(tripped) <= MAX_FALSE_ALARM_RATE * len(bot.examples), tripped


def test_long_messages_are_checked_quickly(detector: CrisisDetector) -> None:
    filler = "We applied for an EHCP last year and the school keeps cancelling meetings. " * 60
    text = filler + "Last night she took a whole packet of paracetamol. " + filler
    assert len(text) > 8000
    start = time.perf_counter()
    assert detector.check(text) == "overdose"
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("text", ["", "   ", "🙂", "12 kms to school", "EHCP?"])
def test_odd_input_is_not_crisis(detector: CrisisDetector, text: str) -> None:
    assert detector.check(text) is None


# -- the phrase syntax (what staff write in intents/crisis.yaml) ----------------------------------

@pytest.mark.parametrize("text", ["kill myself", "kil myself", "killll myself", "killmyself", "kill my self", "k1ll mys3lf"])
def test_typing_variants_meet_a_phrase(text: str) -> None:
    assert small(["kill <self>"], groups={"self": ["myself"]}).check(text) == "t"


def test_typo_tolerance_is_for_listed_words_only() -> None:
    d = small(["suicide", "missing"], typo=["suicide"])
    assert d.check("sucide") == d.check("suicdie") == "t"
    assert d.check("kissing") is None  # 'missing' is not listed, so one letter off does not count


def test_not_followed_by() -> None:
    d = small(["is missing !school|out"])
    assert d.check("he is missing") == "t"
    assert d.check("he is missing, please help") == "t"
    assert d.check("he is missing school") is None
    assert d.check("he is missing out") is None


def test_gaps() -> None:
    d = small(["going to ... jump", "left .. alone"])
    assert d.check("going to go and jump") == "t"
    assert d.check("going to one two three four jump") == "t"
    assert d.check("going to one two three four five jump") is None
    assert d.check("left him alone") == "t"
    assert d.check("left him home alone") == "t"
    assert d.check("left him at home alone") is None


def test_masks_remove_only_their_words() -> None:
    d = small(["killing", "want* to die"], not_crisis=["is killing me"])
    assert d.check("school is killing me") is None
    assert d.check("school is killing me and my son wants to die") == "t"


def test_contractions_and_possessives_are_spelled_out() -> None:
    assert prepare("he hasn't come home") == "he has not come home"
    assert prepare("my son's missing") == "my son s missing"
    assert prepare("she's self-harming") == "she is self harming"


def test_problems_name_the_broken_phrase() -> None:
    crisis = CrisisFile(rules=[CrisisRule(id="t", phrases=["kill <nobody>"], patterns=["took ... tablets", "(unclosed"])])
    problems = CrisisDetector.problems(crisis)
    assert any("<nobody>" in p for p in problems)
    assert any("(unclosed" in p for p in problems)
    assert any("looks like a phrase" in p for p in problems)


# -- the reply ----------------------------------------------------------------------------------

CRISIS_SAMPLES = [
    "i want to kill myself",
    "my son is missing and he is non verbal",
    "his seizure has lasted 6 minutes",
    "How long does an EHCP take? Also my daughter says she wants to die.",
    "the taxi escort hit my son",
    "chcę się zabić",  # Polish: crisis comes before the language check
]


@pytest.mark.parametrize("text", CRISIS_SAMPLES)
def test_bot_gives_the_crisis_reply_first(bot: Bot, text: str) -> None:
    reply = bot.handle(text)
    assert reply.kind == "crisis"
    assert reply.intent == "crisis" and reply.extra.get("rule")
    assert "999" in reply.body.splitlines()[0], "the crisis reply must lead with 999"
    assert not reply.options and not reply.related


# kind of danger, a young person writing?, the contacts the reply must give, in this order
REPLY_ORDER = [
    ("suicidal", False, ["emergency", "nhs111", "samaritans", "shout", "papyrus"]),
    ("suicidal", True, ["emergency", "childline", "nhs111", "samaritans", "shout"]),
    ("self-harm", True, ["emergency", "childline", "nhs111", "samaritans"]),
    ("medical", False, ["emergency"]),
    ("missing", False, ["emergency"]),
    ("violence", False, ["emergency"]),
    ("abuse", False, ["emergency", "duty_and_advice", "childline"]),
    ("abuse", True, ["emergency", "childline", "duty_and_advice"]),
    ("domestic-violence", False, ["emergency", "duty_and_advice", "samaritans"]),
    ("parent-may-harm", False, ["emergency", "samaritans", "duty_and_advice"]),
    ("general", False, ["emergency", "nhs111", "samaritans", "childline", "duty_and_advice"]),
]


@pytest.mark.parametrize("kind,young,order", REPLY_ORDER)
def test_crisis_reply_fits_the_danger(bot: Bot, kind: str, young: bool, order: list[str]) -> None:
    body = bot.crisis_reply("x", Assessment("urgent", kind, young)).body
    contacts = bot.bundle.contacts
    positions = [body.find(contacts[k].phone or contacts[k].text) for k in order]
    assert all(p >= 0 for p in positions), (kind, young, positions)
    assert positions == sorted(positions), f"{kind}: numbers out of order"
    assert "999" in body.splitlines()[0], "999 in the first line"
    assert len(body.split()) < 90, f"{kind}: {len(body.split())} words"
    if kind in ("medical", "missing", "violence"):
        assert body.count("\n- ") == 0, "a medical emergency or a missing child gets 999 and nothing to choose between"


def test_crisis_reply_numbers_all_come_from_contacts(bot: Bot) -> None:
    known = " ".join(str(v) for c in bot.bundle.contacts.values() for v in c.model_dump().values() if isinstance(v, str))
    for kind, young, _ in REPLY_ORDER:
        for body in (bot.crisis_reply("x", Assessment("urgent", kind, young)).body,
                     bot.safety_line(Assessment("possible", kind, young))):
            for number in re.findall(r"\d[\d ]{2,}\d", body):
                assert number in known, f"{number} in the reply for {kind} is not in knowledge/contacts.yaml"


def test_a_real_word_two_slips_from_a_danger_word_stays_itself() -> None:
    """'struggling' is two slips from 'strangling'; a parent who writes "i'm struggling myself" is not
    strangling anyone. A misspelt danger word that is no English word is still read as it."""
    from bot.core import Bot

    bot = Bot.load()
    assert bot.handle("i'm struggling myself").safety != "urgent"
    assert bot.handle("he is strangeling me").safety == "urgent"
