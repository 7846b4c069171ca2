import pytest

from bot.normalise import clean, plain, stem, words


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("What\u2019s an EHCP?", "what is an ehcp"),
        ("  HYDRO   therapy!!! ", "hydro therapy"),
        ("can\u2019t get   transport", "can not get transport"),
        ("ＥＨＣＰ", "ehcp"),  # full-width letters fold to ASCII
        ("Gdzie mogę znaleźć", "gdzie mogę znaleźć"),
        ("", ""),
        ("🙂🙂", ""),
    ],
)
def test_plain(raw: str, expected: str) -> None:
    assert plain(raw) == expected


def test_clean_keeps_other_scripts() -> None:
    assert clean("مرحبا") == "مرحبا"
    assert words("ہیلو دنیا") == ["ہیلو", "دنیا"]


@pytest.mark.parametrize("a, b", [("cancelling", "cancel"), ("assessments", "assessment"), ("sessions", "session")])
def test_stem_folds_endings(a: str, b: str) -> None:
    assert stem(a) == stem(b)
