"""The sendbot command as staff and scripts use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent
JSON_KEYS = ["question", "kind", "intent", "score", "body", "text", "options", "safety"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_is_the_stable_public_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "hello", "how do I cancel school transport", "pothole on my road", "transport")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert list(row) == JSON_KEYS
        assert row["kind"] in {"answer", "clarify", "fallback", "crisis", "smalltalk"}
        assert row["text"].startswith(row["body"])
        assert isinstance(row["options"], list)
        assert row["safety"] is None  # none of these shows any danger
    assert rows[0]["kind"] == "smalltalk"
    assert rows[2]["kind"] == "fallback" and rows[2]["intent"] is None and rows[2]["score"] is None
    for option in (o for r in rows for o in r["options"]):
        assert set(option) == {"intent", "title", "body"} and option["body"]


def test_ask_reads_one_question_per_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("what is eotas\n\nhello\n"))
    code, out, _ = run(capsys, "ask", "--json")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert code == 0 and kinds == ["answer", "fallback", "smalltalk"]


def test_check_passes_on_shipped_files_and_prints_readability(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0, out
    assert "median Flesch reading ease" in out
    assert "0 error(s)" in out


def test_check_fails_clearly_on_broken_files(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    (data_copy / "knowledge/transport.yaml").write_text("topic: x\nentries:\n  - id: a\n    title: [oops\n", encoding="utf-8")
    code, out, err = run(capsys, "check")
    assert code == 1
    assert "knowledge/transport.yaml:5: YAML syntax" in out
    assert "Traceback" not in out + err


def test_commands_refuse_broken_data_without_traceback(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    (data_copy / "intents/transport.yaml").write_text("intents:\n  - id: x\n    answer: nowhere\n    examples: [hi]\n", encoding="utf-8")
    code, out, err = run(capsys, "ask", "hello")
    assert code == 1
    assert "intents/transport.yaml:2" in err and "sendbot check" in err


def test_sendbot_data_selects_another_folder(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    path = data_copy / "knowledge/hydrotherapy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Contact the leisure centre directly", "Ring the pool first"), encoding="utf-8")
    _, out, _ = run(capsys, "ask", "--json", "how can we use a hydrotherapy pool in leeds")
    assert "Ring the pool first" in json.loads(out)["body"]


def test_chat_with_piped_input_picks_options_and_shows_more(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from bot.core import Bot

    bot = Bot.load(REPO)
    clarifying = next(q for q in ("transport", "mediation", "ehcp help", "school", "autism assessment") if bot.handle(q).kind == "clarify")
    first_option = bot.handle(clarifying).options[0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{clarifying}\n1\nmore\nquit\n"))
    code, out, _ = run(capsys, "chat")
    assert code == 0
    assert "Pick one by its number" in out
    assert first_option.title in out.split("you> 1", 1)[1]
    assert "Goodbye" in out


def test_schema_export_is_strict_json_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "--out", str(tmp_path))
    assert code == 0
    knowledge = json.loads((tmp_path / "knowledge.schema.json").read_text())
    entry = knowledge["$defs"]["Entry"]
    assert entry["additionalProperties"] is False
    assert {"id", "title", "answer", "sources", "last_reviewed"} <= set(entry["required"])


def test_list_json_names_every_intent(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.core import Bot

    _, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert {r["intent"] for r in rows} == set(Bot.load(REPO).bundle.intents)
    assert all(r["examples"] for r in rows)


def test_eval_scores_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(
        '- q: "what is eotas"\n  expect: answer\n  topic: eotas\n  mentions: [["Education Otherwise"]]\n  style: plain\n'
        '- q: "pothole on my road"\n  expect: fallback\n  topic: oos\n  style: plain\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "eval", str(path), "--json")
    report = json.loads(out)
    assert code == 0
    assert report["overall"]["n"] == 2 and report["overall"]["strict"] == 1.0
    assert set(report["latency_ms"]) == {"p50", "p99"}


def test_run_without_token_opens_the_terminal_chat() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], input="hello\nquit\n", capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "computer program" in done.stdout and "bot> " in done.stdout


@pytest.mark.parametrize("argv,stdin,code,says", [
    (["ask"], b"how do i \xff\xfe apply for school transport\n", 0, "school transport"),
    (["chat"], b"\xff\xfe\nquit\n", 0, "Goodbye"),
    (["chat"], "transport\n\u00b2\n" .encode() + b"9" * 5000 + b"\nquit\n", 0, "Goodbye"),
    (["unanswered", "--since", "99999999999d"], b"", 2, "longer ago than anything kept"),
    (["learn", "99999999999999999999999"], b"", 1, "There is no question or group"),
])
def test_odd_terminal_input_gets_a_clear_message_never_a_traceback(argv: list[str], stdin: bytes, code: int, says: str,
                                                                    tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "SENDBOT_DB": str(tmp_path / "db.sqlite")}
    done = subprocess.run([sys.executable, "-m", "bot", *argv], input=stdin, capture_output=True, timeout=180, env=env,
                          cwd=Path(__file__).resolve().parent.parent)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == code, output[-2000:]
    assert "Traceback" not in output and says in output
