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


def test_real_parent_questions_keep_every_known_word() -> None:
    """The evaluation set's realistic messages hold no personal details: every English, SEND or Leeds word
    survives (a typo or a word of another language may become [WORD]: nothing unknown is kept)."""
    import yaml

    from conftest import SHARED
    from bot.store.redact import _WORD, _known_word

    path = SHARED / "eval" / "dev.yaml"
    if not path.exists():
        pytest.skip("../shared/eval/dev.yaml not present")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else data.get("items", [])
    lost = {}
    for q in (i["q"] if isinstance(i, dict) else str(i) for i in items):
        out = redact(q)
        gone = [w for w in _WORD.findall(q) if _known_word(w) and not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", out)]
        if gone:
            lost[q] = (gone, out)
    assert lost == {}


@pytest.mark.parametrize("text, kept, gone", [
    ("oliver has been refusing school since Mrs Khan left Oakwood Primary", ["refusing school", "since"], ["oliver", "Khan", "Oakwood"]),
    ("he goes to st marys c of e primary and the high school said no", ["the high school said no"], ["marys"]),
    ("we live at 14 Elm Grove LS6 2AB, she is in Year 6", ["Year 6"], ["Elm Grove", "LS6 2AB"]),
    ("email jo dot bloggs at example dot com, NI QQ 12 34 56 C", [], ["bloggs", "QQ 12 34 56 C"]),
    ("the social worker Tanya Briggs said the SENCO, mr okafor, would ring", ["social worker", "SENCO"], ["Tanya", "Briggs", "okafor"]),
    ("EHCP ref EHC/2024/0345 for Amira's review at Leeds General Infirmary", ["EHCP", "Leeds General Infirmary"], ["EHC/2024/0345", "Amira"]),
    ("shes layla, 9, and non-verbal with hypermobility, waiting 40 weeks in Armley", ["non-verbal", "hypermobility", "40 weeks", "Armley"], ["layla"]),
    ("a special school or our local primary, post-16", ["a special school", "our local primary", "post-16"], []),
    # a capitalised word inside a sentence that is neither everyday nor the bot's, and first names of many origins
    ("Can Grace get transport if she moves to a SILC?", ["transport", "SILC"], ["Grace"]),
    ("We are with the Deaf and Hearing Impaired Service and have a Special Guardianship Order",
     ["Deaf and Hearing Impaired Service", "Special Guardianship Order"], []),
    ("Can a GP refer for ADHD? Son Hamza, 8, NHS 943 476 5919", ["ADHD", "8"], ["Hamza"]),
    ("Will has just turned 18. Does he sign the EHC3 now?", ["18", "EHC3"], ["Will"]),
    ("Will the school still get funding for him?", ["Will the school"], []),
    ("Do I need to give the school his diagnosis letter? I don't want everyone seeing it. Grace", ["diagnosis"], ["Grace"]),
    ("Who enforces the plan? Hunter Year 2 at Oakwood Primary", ["Year 2"], ["Hunter", "Oakwood"]),
    ("He was in there 2 hours. Donna Feather 07700 900123", ["2 hours"], ["Donna", "Feather", "900123"]),
    ("Nobody believes us. Lily's mum", ["Nobody believes us"], ["Lily"]),
    ("Dad here. Mark Okafor. Son Year 3. Who decides?", ["Dad here", "Year 3"], ["Mark", "Okafor"]),
    ("my daughter willow is 7 and has PDA", ["PDA", "7"], ["willow"]),
    ("me and jack's dad are separated, i spoke to paula at the council", ["separated", "council"], ["jack", "paula"]),
    ("hi its lin, the ot assessment got cancelled again", ["ot assessment"], ["lin"]),
    ("her name summer holt, can she get travel training", ["travel training"], ["summer", "holt"]),
    ("harper and her twin sister skye both have autism", ["twin sister", "autism"], ["skye"]),
    ("we live at 14b Kirkstall Brow LS5", [], ["Kirkstall Brow"]),
    ("my son is autistic and non-verbal", ["non-verbal"], []),
    ("how long is the wait for an EHCP in Manchester, we moved from Bradford in the Summer term",
     ["Manchester", "Bradford", "Summer term"], []),
    # conditions named after people stay; a child's possessive does not
    ("he has Crohn's, she has Williams syndrome, he has Tourette's", ["Crohn's", "Williams syndrome", "Tourette's"], []),
    ("the SALT is in section F of Yusuf's EHCP", ["section F", "EHCP"], ["Yusuf"]),
    ("recommended Lego therapy and Zones of Regulation. School says no", ["Zones of Regulation", "Lego therapy"], []),
    ("We tried Adel Youth Crew and Burley Park Medical Practice", [], ["Youth Crew", "Medical Practice"]),
    ("Can Will keep his SILC place? Chelsea mum of Kai", ["SILC"], ["Will", "Chelsea", "Kai"]),
])
def test_layers_catch_what_no_phrase_announces(text: str, kept: list[str], gone: list[str]) -> None:
    out = redact(text)
    for word in kept:
        assert word in out, (word, out)
    for word in gone:
        assert word.casefold() not in out.casefold(), (word, out)


def test_found_spans_point_at_what_was_removed() -> None:
    from bot.store.redact import redact_found

    text = "my son Jack Smith goes to Oakwood Primary, call 07700 900123"
    stored, found = redact_found(text)
    assert stored == "my son [NAME] goes to [SCHOOL], call [PHONE]"
    assert [(f.kind, text[f.start:f.end]) for f in found] == [("name", "Jack Smith"), ("school", "Oakwood Primary"),
                                                               ("phone", "07700 900123")]


def test_the_blind_round_already_learned_from_stays_caught(figures: list[str]) -> None:
    """tests/data/redaction/round-1.yaml, written by someone who never saw the redactor; its first try
    is in benchmarks/RESULTS.md. Since it has been learned from, this is a regression test."""
    from pathlib import Path

    from bot import evaluate_redaction

    path = Path(__file__).parent / "data" / "redaction" / "round-1.yaml"
    report = evaluate_redaction.summary(evaluate_redaction.score(evaluate_redaction.read(path), redact))
    removed, kept = report["removed"] / report["planted"], report["kept"] / report["must_keep"]
    figures.append(f"redaction round 1 (learned from): {report['removed']}/{report['planted']} identifying strings removed, "
                   f"{report['kept']}/{report['must_keep']} must-keep words kept")
    assert removed >= 0.95 and kept >= 0.98
