"""Redaction: planted personal details never survive, and ordinary SEND wording is left exactly alone."""

from __future__ import annotations

import re

import pytest

from bot.store.redact import PLACEHOLDERS, _nhs_valid, redact
from redaction_corpus import ORDINARY, PLANTED


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def leaks(message: str, planted: list[str]) -> list[str]:
    """Every planted detail still readable after redaction (as words, or as its run of digits)."""
    out = redact(message)
    found = []
    for secret in planted:
        if any(ch.isdigit() for ch in secret) and len(_digits(secret)) >= 5:
            if _digits(secret) in _digits(out):
                found.append(secret)
        elif re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", out, re.IGNORECASE):
            found.append(secret)
    return found


def test_corpus_is_big_enough() -> None:
    assert len(PLANTED) >= 100
    assert sum(len(p) for _, p in PLANTED) >= 120


def test_zero_leaks_across_the_corpus() -> None:
    report = {message: leaks(message, planted) for message, planted in PLANTED}
    leaked = {m: found for m, found in report.items() if found}
    assert leaked == {}, f"{len(leaked)} of {len(PLANTED)} messages leaked: {leaked}"


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_send_wording_survives(message: str) -> None:
    assert redact(message) == message


def test_send_words_survive_inside_redacted_messages() -> None:
    out = redact("my son Jack is in Year 9, has ADHD, the SENCO says section F after 20 weeks; call 07912 345678")
    for word in ("Year 9", "ADHD", "SENCO", "section F", "20 weeks", "[NAME]", "[PHONE]"):
        assert word in out
    assert "Jack" not in out and "345678" not in out


@pytest.mark.parametrize("text, placeholder", [
    ("mail me: a.b@example.org", "[EMAIL]"),
    ("07912 345678", "[PHONE]"),
    ("LS6 2AB", "[POSTCODE]"),
    ("943 476 5919", "[NHS]"),
    ("12/03/2015", "[DATE]"),
    ("my son is called Jack", "[NAME]"),
    ("reference 99887766", "[NUMBER]"),
])
def test_each_kind_gets_its_placeholder(text: str, placeholder: str) -> None:
    assert placeholder in redact(text)
    assert placeholder in PLACEHOLDERS


def test_nhs_check_digit() -> None:
    assert _nhs_valid("9434765919")
    assert not _nhs_valid("9434765918")  # wrong check digit
    assert not _nhs_valid("1111111111")
    # A 10-digit run that fails the check is not called an NHS number, but is still removed.
    out = redact("number 9434765918 here")
    assert "[NHS]" not in out and "9434765918" not in out


def test_empty_and_odd_input() -> None:
    assert redact("") == ""
    assert redact(None) == ""
    assert redact("🙂🙂") == "🙂🙂"
    assert "0791" not in redact("０７９１２ ３４５６７８")  # full-width digits are folded first


def test_placeholders_are_not_repeated() -> None:
    assert redact("my son Jack Jack") .count("[NAME]") == 1


def test_real_parent_questions_are_left_alone() -> None:
    """The evaluation set's realistic messages hold no personal details, so redaction must not touch them."""
    import yaml

    from conftest import SHARED

    path = SHARED / "eval" / "dev.yaml"
    if not path.exists():
        pytest.skip("../shared/eval/dev.yaml not present")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else data.get("items", [])
    questions = [i["q"] if isinstance(i, dict) else str(i) for i in items]
    changed = {q: redact(q) for q in questions if redact(q) != q}
    assert changed == {}
