"""`sendbot check` measures each answer as parents receive it, on a small knowledge base of the tests' own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from small_kb import build, entry

PLAIN = "You can ask the school for help. Write down what you see at home. Take it to the meeting."
HARD = ("Educational psychologists' statutory contributions necessitate comprehensive multidisciplinary "
        "documentation, facilitating individualised provision and considerable organisational accountability.")


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv])
    return code, capsys.readouterr().out


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Build a small knowledge base from the entries given, and point SENDBOT_DATA at it."""
    def make(*entries: dict, unconfirmed: tuple[str, ...] = ("sendiass",)) -> Path:
        root = build(tmp_path / "data", list(entries), unconfirmed)
        monkeypatch.setenv("SENDBOT_DATA", str(root))
        return root
    return make


def errors(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("knowledge/") and "warning:" not in line]


def test_plain_answers_pass(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    small(entry("plain", PLAIN), entry("uses-sendiass", "SENDIASS can help you get ready: {{ contacts.sendiass.phone }}."))
    code, out = check(capsys)
    assert code == 0, out
    assert "0 error(s)" in out and "readability as sent: median Flesch reading ease" in out


@pytest.mark.parametrize("answer, audience, expected", [
    (HARD, "parents", "as sent: Flesch reading ease"),
    # plain enough for parents (Flesch 64), not for young people (70)
    ("Your college must consider your views. The council then decides whether your support continues.", "young-people",
     "(at least 70)"),
    # 121 words as written passes the load check (which allows 130): as sent, it is over 120
    (" ".join(["Ask the school for help."] * 24) + " Then wait.", "parents", "as sent: the answer has 122 words (most 120)"),
])
def test_over_a_limit_is_an_error(small, capsys: pytest.CaptureFixture[str], answer: str, audience: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    small(entry("plain", PLAIN), entry("over", answer, audience=audience))
    code, out = check(capsys)
    assert code == 1
    found = [e for e in errors(out) if "'over'" in e]
    assert found and expected in found[0], out
    assert not [e for e in errors(out) if "'plain'" in e]


def test_expansions_are_measured_but_never_break_a_limit(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """A 22-word sentence with SENSAP: the expansion (7 words) is left out rather than make it 29."""
    long = "Its plans also include more staff time, more SENSAP officers, and a transformation programme to speed up assessments and reviews for families."
    root = small(entry("waits", long + " Ask SENSAP for news."))
    _, out = check(capsys, "-v")
    assert "a sentence has" not in out and "longest sentence 22 words" in out, out
    from bot.core import Bot

    shown = Bot.load(root).pages["waits"].shown_answer
    assert "more SENSAP officers" in shown and "Ask SENSAP (Special Educational Needs Statutory Assessment and Provision)" in shown


def test_a_long_sentence_is_reported_once(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    small(entry("long", " ".join(["word"] * 30) + "."))
    code, out = check(capsys)
    assert code == 1
    long = [e for e in errors(out) if "a sentence has 30 words" in e]
    assert len(long) == 1, out  # by the load check; the as-sent check does not say it again


def test_a_number_twice_in_one_reply_is_an_error(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    twice = "Ring the team: {{ contacts.send_assessment_team.phone }}. If no one answers, ring {{ contacts.send_assessment_team.phone }} again."
    small(entry("twice", twice), entry("sendiass-in-body", "Ring SENDIASS: {{ contacts.sendiass.phone }}. They are free."))
    code, out = check(capsys)
    assert code == 1
    found = [e for e in errors(out) if "number 2 times" in e]
    assert len(found) == 1 and "'twice'" in found[0] and "SEND Assessment Team number" in found[0], out


def test_every_needs_confirmation_note_is_listed_by_file(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    small(entry("first", PLAIN, needs_confirmation="check the opening hours"),
          entry("second", PLAIN, needs_confirmation="check the form still exists"), entry("third", PLAIN))
    code, out = check(capsys)
    assert code == 0, out
    listing = out.split("To confirm before anyone relies on them: 2 entries", 1)[1]
    assert "  knowledge/small.yaml\n    first: check the opening hours\n    second: check the form still exists\n" in listing
    assert "third:" not in listing


def test_verbose_lists_every_answer_as_sent(small, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    small(entry("plain", PLAIN), entry("hard", HARD))
    _, out = check(capsys, "--verbose")
    table = out.split("as sent:", 1)[1]
    assert table.index("hard") < table.index("plain")  # hardest first
