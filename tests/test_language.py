"""Other languages: detected, answered in that language with SENDIASS and the Local Offer, never matched in English."""

from __future__ import annotations

import re
from pathlib import Path

import pydantic
import pytest
import yaml

from bot import language
from bot.core import Bot
from bot.reply import Who
from bot.schema import TranslationsFile

SAMPLES: dict[str, list[str]] = yaml.safe_load((Path(__file__).parent / "language_samples.yaml").read_text(encoding="utf-8"))
MIN_ACCURACY = 0.95
ALL = [(code, text) for code, texts in SAMPLES.items() for text in texts]
FOREIGN = [(code, text) for code, text in ALL if code != "en"]


def test_samples_cover_every_language() -> None:
    assert set(SAMPLES) == set(language.DETECTED)
    assert len(ALL) >= 60
    assert all(len(texts) >= 5 for texts in SAMPLES.values())


def test_detection_accuracy(bot: Bot, figures: list[str]) -> None:
    wrong = []
    for code, text in ALL:
        got = language.detect(text, known=bot.index.prepare(text)[1])
        if got != code:
            wrong.append(f"{text!r}: expected {code}, got {got}")
    accuracy = 1 - len(wrong) / len(ALL)
    figures.append(f"language detection: {len(ALL) - len(wrong)}/{len(ALL)} = {accuracy:.1%} right "
                   f"({len(SAMPLES)} languages; misses: {'; '.join(wrong) or 'none'})")
    assert accuracy >= MIN_ACCURACY, "\n".join(wrong)


@pytest.mark.parametrize("text", SAMPLES["en"])
def test_english_with_typos_stays_english(bot: Bot, text: str) -> None:
    assert language.detect(text, known=bot.index.prepare(text)[1]) == "en"
    assert language.detect(text) == "en"  # also without the matcher's help


@pytest.mark.parametrize("text", ["meri beti ki school ne kuch nahi bataya", "mujhe madad chahiye"])
def test_roman_urdu_is_not_english(text: str) -> None:
    assert language.detect(text) == "ur"


@pytest.mark.parametrize("text", ["", None, "?!", "12345", "a"])
def test_odd_input_is_english(text: str | None) -> None:
    assert language.detect(text) == "en"


# -- the reply ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, text", FOREIGN, ids=[f"{c}-{i}" for i, (c, _) in enumerate(FOREIGN)])
def test_never_an_english_answer_to_another_language(bot: Bot, code: str, text: str) -> None:
    reply = bot.handle(text)
    assert reply.kind in ("fallback", "crisis"), f"{text!r} got an English {reply.kind}: {reply.intent}"


def test_polish_message_gets_polish_reply(bot: Bot) -> None:
    reply = bot.handle("Dzień dobry, potrzebuję pomocy z EHCP dla syna")
    assert reply.kind == "fallback"
    assert reply.language == "pl" and reply.extra["reason"] == "language"
    assert "po angielsku" in reply.body
    assert bot.bundle.contacts["sendiass"].phone in reply.body
    assert bot.bundle.contacts["local_offer"].website in reply.body
    assert reply.intent is None and reply.entry is None


WESTERN = [(code, text) for code, text in ALL if code in language.WESTERN]


@pytest.mark.parametrize("code, text", WESTERN, ids=[f"{c}-{i}" for i, (c, _) in enumerate(WESTERN)])
def test_spanish_french_portuguese_italian_and_german_get_their_own_or_the_english_reply(bot: Bot, code: str, text: str) -> None:
    """Never another language's reply ("hola necesito ayuda con mi hijo" once got the Romanian one)."""
    reply = bot.handle(text)
    if reply.kind == "crisis":
        return
    others = {c: t for c, t in bot.translations.items() if c != code}
    assert reply.body not in others.values(), f"{text!r} got the {language.NAMES[reply.language]} reply"
    assert reply.kind == "fallback" and reply.language == code, (reply.kind, reply.language, reply.intent)
    assert reply.body == (bot.translations.get(code) or bot.fallback("", reason="language").body)
    assert reply.safety_line  # the crisis stage reads English only: the 999 line comes first


def test_the_english_reply_to_another_language_says_so(bot: Bot) -> None:
    body = bot.fallback("", reason="language").body
    assert "only answer in English" in body and bot.bundle.contacts["sendiass"].phone in body
    assert bot.bundle.contacts["local_offer"].website in body


def test_every_language_has_a_reviewable_translation(bot: Bot) -> None:
    data = yaml.safe_load((Path(bot.bundle.root) / "knowledge/translations/fallback.yaml").read_text(encoding="utf-8"))
    model = TranslationsFile.model_validate(data)
    assert set(model.languages) == set(language.SUPPORTED) - {"en"}
    contacts = bot.bundle.contacts
    known_text = " ".join(str(v) for c in contacts.values() for v in c.model_dump().values() if isinstance(v, str))
    for code, translation in model.languages.items():
        assert "{{ contacts.sendiass.phone }}" in translation.reply and "{{ contacts.local_offer.website }}" in translation.reply
        assert not re.search(r"\d", re.sub(r"\{\{.*?\}\}", "", translation.reply)), f"{code}: write numbers as placeholders"
        rendered = bot.translations[code]
        for number in re.findall(r"\d[\d ]{2,}\d", rendered):
            assert number in known_text


def test_translations_file_is_strict() -> None:
    good = {"name": "Polish", "native_name": "polski", "reply": "Przepraszam, tylko po angielsku {{ x }}"}
    TranslationsFile.model_validate({"languages": {"pl": good}})
    with pytest.raises(pydantic.ValidationError):
        TranslationsFile.model_validate({"languages": {"pl": {**good, "reveiwed": True}}})
    with pytest.raises(pydantic.ValidationError):
        TranslationsFile.model_validate({"languages": {"polish": good}})


def test_unreviewed_translations_are_listed_for_staff(bot: Bot) -> None:
    assert any("native speaker" in p.message for p in bot.problems if p.level == "warning")


# -- who is asking ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, 42, "42", Who(), Who(user=1, language="pl-PL", channel="telegram"),
                                 {"user": 1, "language": "ur"}])
def test_handle_accepts_any_who(bot: Bot, who: object) -> None:
    assert bot.handle("how do I cancel school transport", who).kind in ("answer", "clarify")


def test_who_normalises_language() -> None:
    assert Who(language="pl-PL").lang == "pl"
    assert Who(language="PL").lang == "pl"
    assert Who(language="zh_Hant").lang == "zh"
    assert Who(language="").lang is None and Who().lang is None
    assert Who.of(7) == Who(user=7)


def test_translated_answer_is_used_for_that_language(data_copy: Path) -> None:
    path = data_copy / "knowledge" / "transport.yaml"
    text = path.read_text(encoding="utf-8")
    entry = "  - id: transport-cancel\n"
    assert entry in text
    translated = entry + "    translations:\n      pl: 'Aby odwołać transport, napisz e-mail: {{ contacts.passenger_transport.email }}'\n"
    path.write_text(text.replace(entry, translated, 1), encoding="utf-8")
    bot = Bot.load(data_copy)
    question = "how do I cancel school transport"
    polish = bot.handle(question, Who(user=1, language="pl-PL"))
    assert polish.kind == "answer" and polish.entry == "transport-cancel"
    assert polish.language == "pl" and "Aby odwołać" in polish.body
    assert bot.bundle.contacts["passenger_transport"].email in polish.body
    english = bot.handle(question, Who(user=1, language="en-GB"))
    assert english.language == "en" and "Aby odwołać" not in english.body
    assert bot.handle(question, Who(language="ur")).language == "en"  # no Urdu translation: English
