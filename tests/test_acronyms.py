"""Plain words: a glossary acronym is expanded the first time it appears in a reply, automatically."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.acronyms import Expander, plural
from bot.core import Bot
from bot.schema import Term


def term(name: str, expansion: str | None, expand: bool = True, aliases: tuple[str, ...] = (),
         plural: str | None = None, short: str | None = None) -> Term:
    return Term(term=name, expansion=expansion, explanation="An explanation.", aliases=list(aliases),
                sources=["x"], last_reviewed=dt.date(2026, 1, 1), expand_in_replies=expand, plural=plural, short=short)


@pytest.fixture(scope="module")
def expander() -> Expander:
    return Expander([
        term("EHCP", "Education, Health and Care Plan", aliases=("EHC plan",)),
        term("SEND", "Special Educational Needs and Disabilities"),
        term("SENCO", "Special Educational Needs Co-ordinator", aliases=("SENCo",)),
        term("LA", "Local Authority"),
        term("VI", "Voice and Influence, or Visual Impairment", expand=False),
        term("Local Offer", None),
        term("SEND and AP Partnership Board", None),
    ])


@pytest.mark.parametrize("before, after", [
    ("Ask for an EHCP.", "Ask for an EHCP (Education, Health and Care Plan)."),
    ("An EHCP is a plan. The EHCP says...", "An EHCP (Education, Health and Care Plan) is a plan. The EHCP says..."),
    ("Two EHCPs.", "Two EHCPs (Education, Health and Care Plans)."),
    ("Ask the LAs.", "Ask the LAs (Local Authorities)."),
    ("Your SENCo can help.", "Your SENCo (Special Educational Needs Co-ordinator) can help."),
    ("SEND help", "SEND (Special Educational Needs and Disabilities) help"),
])
def test_first_use_is_expanded(expander: Expander, before: str, after: str) -> None:
    assert expander.expand(before) == after


@pytest.mark.parametrize("text", [
    "An Education, Health and Care Plan (EHCP) sets out help.",  # expansion already there
    "Your EHCP, or education health and care plan, ...",  # nearby, punctuation aside
    "Your EHCP (the plan) ...",  # already followed by brackets
    "See www.leedslocaloffer.org.uk/EHCP for more.",  # web address
    "Email EHCP@leeds.gov.uk today.",  # email
    "Phone {{ contacts.EHCP.phone }}.",  # placeholder
    "Leeds SENDIASS can help.",  # part of a longer word
    "VI means different things.",  # expand_in_replies: false
    "The Local Offer website.",  # no expansion
    "The SEND and AP Partnership Board met.",  # a name of several words
    "Send it to school.",  # not the acronym
])
def test_left_alone(expander: Expander, text: str) -> None:
    assert expander.expand(text) == text


def test_plural() -> None:
    assert plural("Education, Health and Care Plan") == "Education, Health and Care Plans"
    assert plural("Local Authority") == "Local Authorities"
    assert plural("Special Educational Needs and Disabilities") == "Special Educational Needs and Disabilities"


def test_replies_expand_but_staff_text_is_measured_as_written(bot: Bot) -> None:
    expanded = [p for p in bot.pages.values() if p.shown_answer != p.answer]
    assert expanded, "some answers use glossary acronyms"
    page = expanded[0]
    intent = next(i for i, t in bot.targets.items() if t.page == page.id)
    reply = bot.answer(intent)
    assert page.shown_answer in reply.body
    assert "(" in page.shown_answer and len(page.shown_answer) > len(page.answer)


def test_glossary_answers_do_not_repeat_their_own_expansion(bot: Bot) -> None:
    page = bot.pages["term-ehcp"]
    assert page.shown_answer.count("Education, Health and Care Plan") == 1


# -- the audit's misfires, and the limits (../shared/reviews/content-audit.md, section 3) ----------

@pytest.fixture(scope="module")
def glossary() -> Expander:
    """The terms of the audit's examples, as knowledge/glossary.yaml has them."""
    return Expander([
        term("EHCP", "Education, Health and Care Plan", aliases=("EHC plan",)),
        term("SEND", "Special Educational Needs and Disabilities"),
        term("SENCO", "Special Educational Needs Co-ordinator", aliases=("SENCo",)),
        term("OT", "Occupational Therapy", plural="Occupational Therapists"),
        term("SENIT", "Special Educational Needs and Inclusion Team"),
        term("CAMHS", "Child and Adolescent Mental Health Services"),
        term("SILC", "Specialist Inclusive Learning Centre"),
        term("SENSAP", "Special Educational Needs Statutory Assessment and Provision"),
        term("SENDIASS", "Special Educational Needs and Disabilities Information, Advice and Support Service",
             short="the SEND advice service"),
    ])


SIXTEEN = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"


@pytest.mark.parametrize("before, after", [
    # never inside an existing bracket
    ("It is written into section F of an EHC plan (EHCP), the part that lists the help.",
     "It is written into section F of an EHC plan (EHCP), the part that lists the help."),
    ("The NHS CYPMHS team (once called CAMHS) assesses for autism.",
     "The NHS CYPMHS team (once called CAMHS) assesses for autism."),
    ("The team (once called CAMHS) assesses. Ask CAMHS for a date.",
     "The team (once called CAMHS) assesses. Ask CAMHS (Child and Adolescent Mental Health Services) for a date."),
    # the plural of what the letters stand for, never of another word
    ("Plans include three more occupational therapists (OTs), to cut waits.",
     "Plans include three more occupational therapists (OTs), to cut waits."),
    ("Ask the OTs.", "Ask the OTs (Occupational Therapists)."),
    ("Ask the OT.", "Ask the OT (Occupational Therapy)."),
    ("Two EHCPs.", "Two EHCPs (Education, Health and Care Plans)."),
    # never part of a longer name
    ("Work with the council's SENIT team.", "Work with the council's SENIT team."),
    ("Appeal to the SEND Tribunal. Help for children with SEND.",
     "Appeal to the SEND Tribunal. Help for children with SEND (Special Educational Needs and Disabilities)."),
    ("Contact the SEND Assessment Team.", "Contact the SEND Assessment Team."),
    # never a possessive: the next use takes it
    ("On a SILC's roll. A SILC is a school.", "On a SILC's roll. A SILC (Specialist Inclusive Learning Centre) is a school."),
    # once per reply
    ("Ask the SENCO. The SENCO will reply.", "Ask the SENCO (Special Educational Needs Co-ordinator). The SENCO will reply."),
    # a long expansion never pushes a sentence over 25 words: the next use that fits takes it
    (f"{SIXTEEN} more SENSAP staff were hired. Call SENSAP.",
     f"{SIXTEEN} more SENSAP staff were hired. Call SENSAP (Special Educational Needs Statutory Assessment and Provision)."),
    (f"{SIXTEEN} seventeen eighteen nineteen twenty twenty-one EHCP.", f"{SIXTEEN} seventeen eighteen nineteen twenty twenty-one EHCP."),
    # SENDIASS: its short form, or nothing when the sentence says what it is
    ("Call SENDIASS today.", "Call SENDIASS (the SEND advice service) today."),
    ("SENDIASS, a free advice service, can help.", "SENDIASS, a free advice service, can help."),
    ("Leeds SENDIASS (a free advice service) helps young people.", "Leeds SENDIASS (a free advice service) helps young people."),
])
def test_the_audits_examples(glossary: Expander, before: str, after: str) -> None:
    assert glossary.expand(before) == after


def test_no_expansion_pushes_an_answer_over_120_words(glossary: Expander) -> None:
    text = " ".join(["Words here."] * 58) + " Ask for an EHCP."  # 120 words; the expansion would add 5
    assert glossary.expand(text) == text
    assert "(Education" in glossary.expand(" ".join(["Words here."] * 40) + " Ask for an EHCP.")


def test_details_have_no_word_limit_only_the_sentence_one(glossary: Expander) -> None:
    from bot.acronyms import DETAILS

    text = " ".join(["Words here."] * 70) + " Ask for an EHCP."
    assert glossary.expand(text, DETAILS).endswith("EHCP (Education, Health and Care Plan).")


def test_no_reply_nests_or_misnames_an_expansion(bot: Bot) -> None:
    """Across the shipped answers and details as sent: no expansion inside brackets, none of a plural it does not mean."""
    expansions = {t.model.expansion for t in bot.bundle.terms if t.model.expansion} | {t.model.short for t in bot.bundle.terms if t.model.short}
    nested = []
    for page in bot.pages.values():
        for text in (page.shown_answer, page.shown_details or ""):
            if text == (page.answer if text is page.shown_answer else page.details):
                continue
            for expansion in expansions:
                at = text.find(f"({expansion})")
                while at >= 0:
                    line = text[text.rfind("\n", 0, at) + 1:at]
                    if line.count("(") > line.count(")"):
                        nested.append((page.id, expansion))
                    at = text.find(f"({expansion})", at + 1)
        assert "Occupational Therapies" not in page.shown_answer + (page.shown_details or ""), page.id
        assert " team (Special Educational Needs and Inclusion Team) team" not in page.shown_answer, page.id
    assert not nested


def test_sendiass_is_explained_briefly_in_replies_and_fully_when_asked(bot: Bot) -> None:
    full = "Special Educational Needs and Disabilities Information, Advice and Support Service"
    assert not [p.id for p in bot.pages.values() if p.id != "term-sendiass" and full in p.shown_answer]
    assert any("SENDIASS (the SEND advice service)" in p.shown_answer for p in bot.pages.values())
    assert full in bot.pages["term-sendiass"].shown_answer
    # the matcher reads answers as it reads messages (bot/reading.py): the acronym written out in full
    assert bot._as_read("Call SENDIASS (the SEND advice service) today.") == f"Call SENDIASS ({full}) today."
