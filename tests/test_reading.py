"""What the embedding model reads: text-speak written out, glossary acronyms explained once."""

from __future__ import annotations

import pytest

from bot.matcher import questions, sentences
from bot.normalise import spelled_out
from bot.reading import Reader

READER = Reader([("EHCNA", "Education, Health and Care Needs Assessment"), ("SEND", "Special Educational Needs and Disabilities"),
                 ("SENCO", "Special Educational Needs Co-ordinator"), ("SENCo", "Special Educational Needs Co-ordinator")])


@pytest.mark.parametrize("typed, read", [
    ("hw do u get help", "how do you get help"),
    ("wot does the sch say?", "what does the school say?"),
    ("EHCNA refused", "EHCNA (Education, Health and Care Needs Assessment) refused"),
    ("ehcna or EHCNA", "ehcna (Education, Health and Care Needs Assessment) or EHCNA"),  # first use only
    ("send me the form", "send me the form"),  # an English word matches only as written
    ("is SEND support the same", "is SEND (Special Educational Needs and Disabilities) support the same"),
    ("our senco said", "our senco (Special Educational Needs Co-ordinator) said"),
    ("an EHCNA (Education, Health and Care Needs Assessment) was refused", "an EHCNA (Education, Health and Care Needs Assessment) was refused"),
])
def test_reading(typed: str, read: str) -> None:
    assert READER.read(typed) == read


def test_spelled_out_keeps_punctuation_and_other_words() -> None:
    assert spelled_out("Dd is 9, cant cope!") == "daughter is 9, can not cope!"


def test_questions_outweigh_background() -> None:
    text = "My son is in Year 5 and has autism. He melts down every night. Can I apply for the assessment myself?"
    assert questions(sentences(text)) == ["Can I apply for the assessment myself?"]
    story = "He has autism and melts down. School will not help at all."
    assert questions(sentences(story)) == sentences(story)  # nothing asked: every sentence counts
