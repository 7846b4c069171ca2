"""Staff commands: unanswered, learn, tracker-diff, purge, and recording from `ask --log` and `chat`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.reply import Reply
from bot.staff.cluster import cluster
from bot.staff.tracker import DEFAULT_OLD, sections
from bot.staff_cli import parse_since, safe_cell
from bot.store import open_store
from store_support import use_backend


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_backend("sqlite", tmp_path, monkeypatch)
    return tmp_path / "db" / "sendbot.db"


def seed(questions: list[tuple[str, str, float]], kind: str = "fallback", days_ago: int = 1) -> None:
    """Record unanswered questions as the bot would: (text, nearest intent, score)."""
    store = open_store(close_at_exit=False)
    store.clock = lambda: dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)
    for text, intent, score in questions:
        store.record(Reply(text, kind, "?", candidates=((intent, score), ("other", score / 2))), 7, "telegram")
    assert store.close()


TRAVEL_FORM = [("where is the travel help form for my lad", "transport-apply", 0.31),
               ("where do i find the travel help form for my son", "transport-apply", 0.28),
               ("where's the travel help form for my daughter", "transport-apply", 0.3)]
BLUE_BADGE = [("how do i get a blue badge", "transport-apply", 0.31), ("blue badge for my autistic son", "transport-apply", 0.28),
              ("can my son get a blue badge", "transport-apply", 0.3)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_records_only_with_log(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "what is the weather like on the moon")
    assert code == 0 and out
    assert not db.exists()  # staff previews leave no trace
    code, _, _ = run(capsys, "ask", "--log", "what is the weather like on the moon", "how do i cancel school transport")
    assert code == 0
    store = open_store(close_at_exit=False)
    assert [q.text for q in store.questions()] == ["what is the weather like on the moon"]
    kinds = {c["kind"] for c in store.counts()}
    assert {"fallback", "answer"} <= kinds
    assert all(c["channel"] == "cli" for c in store.counts())


def test_chat_records_like_the_bot(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("my son Jack wants to learn the trombone\nhow do i cancel school transport\nquit\n"))
    code, out, _ = run(capsys, "chat")
    assert code == 0 and "Goodbye" in out
    store = open_store(close_at_exit=False)
    assert [q.text for q in store.questions()] == ["my son [NAME] wants to learn the trombone"]


def test_unanswered_groups_biggest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(BLUE_BADGE + [("respite care in leeds", "support-short-breaks", 0.2)])
    code, out, _ = run(capsys, "unanswered", "--since", "30d")
    assert code == 0
    first = out.index("blue badge")
    assert first < out.index("respite")
    assert re.search(r"c\d+\s+3 asked", out)
    assert "nearest: transport-apply (0.30)" in out
    code, out, _ = run(capsys, "unanswered", "--json")
    groups = json.loads(out)
    assert [g["count"] for g in groups] == [3, 1]
    assert set(groups[0]) >= {"id", "count", "first_seen", "last_seen", "examples", "nearest_intent", "nearest_score"}
    assert len(groups[0]["examples"]) == 3


def test_unanswered_since_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed([("an old question about horses", "x", 0.1)], days_ago=40)
    seed([("a new question about ponies", "x", 0.1)], days_ago=2)
    _, out, _ = run(capsys, "unanswered", "--json")
    assert [g["examples"] for g in json.loads(out)] == [["a new question about ponies"]]
    _, out, _ = run(capsys, "unanswered", "--json", "--since", "60d")
    assert len(json.loads(out)) == 2


def test_csv_is_safe_to_open_in_excel(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed([("=HYPERLINK(\"http://evil\",\"click\")", "x", 0.1), ("+44 is not a formula", "x", 0.1),
          ("-2+3 sessions", "x", 0.1), ("@SUM(A1:A9)", "x", 0.1), ("plain question about sleep", "x", 0.1)])
    target = tmp_path / "gaps.csv"
    code, out, _ = run(capsys, "unanswered", "--csv", str(target))
    assert code == 0 and "wrote" in out
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [r["example_1"] for r in rows]
    assert len(cells) == 5
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert "plain question about sleep" in cells
    assert safe_cell("=1+1") == "'=1+1" and safe_cell(3) == 3 and safe_cell("ok") == "ok"


def error_lines(out: str) -> list[str]:
    """The errors `sendbot check` printed (its warnings and listings aside)."""
    return [line for line in out.splitlines() if line.startswith(("knowledge/", "intents/")) and ": warning: " not in line]


def test_learn_a_group_keeps_the_file_and_check_passes(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(TRAVEL_FORM)
    path = data_copy / "intents" / "transport.yaml"
    before = path.read_text(encoding="utf-8")
    _, checked_before, _ = run(capsys, "check")
    store = open_store(close_at_exit=False)
    group = cluster(store.questions())[0]
    code, out, err = run(capsys, "learn", group.id, "--intent", "transport-apply")
    assert code == 0, err
    after = path.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert sorted(a.strip() for a in added) == sorted(f"- {t}" for t, _, _ in TRAVEL_FORM)
    # Comments and every original line survive, in order.
    old_lines = before.splitlines()
    remaining = [line for line in after.splitlines() if line in set(old_lines)]
    assert remaining == old_lines
    assert [l for l in old_lines if l.lstrip().startswith("#")] == [l for l in after.splitlines() if l.lstrip().startswith("#")]
    assert store.questions() == []  # resolved
    code, out, _ = run(capsys, "check")
    # Learning adds no error. (It asserted `code == 0` while check measured answers as written; as sent,
    # the shipped answers are still being rewritten to the limits, which is not learn's business.)
    assert error_lines(out) == error_lines(checked_before), out
    code, out, _ = run(capsys, "ask", "--json", "where do i find the travel help form for my son")
    assert json.loads(out)["intent"] == "transport-apply"


def test_learn_one_question_and_refusals(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(BLUE_BADGE)
    store = open_store(close_at_exit=False)
    first = store.questions()[0]
    path = data_copy / "intents" / "transport.yaml"
    before = path.read_text(encoding="utf-8")
    code, _, err = run(capsys, "learn", str(first.id), "--intent", "no-such-intent")
    assert code == 1 and "no intent 'no-such-intent'" in err
    code, _, err = run(capsys, "learn", "banana", "--intent", "transport-apply")
    assert code == 2
    code, _, err = run(capsys, "learn", "99999", "--intent", "transport-apply")
    assert code == 1 and "No unanswered question" in err
    assert path.read_text(encoding="utf-8") == before
    code, out, err = run(capsys, "learn", f"q{first.id}", "--intent", "transport-apply")
    assert code == 0, err
    assert "marked 1 question(s)" in out
    assert len(store.questions()) == 2


def test_learn_not_for_us_adds_out_of_scope_messages(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(BLUE_BADGE)
    store = open_store(close_at_exit=False)
    group = cluster(store.questions())[0]
    path = data_copy / "intents" / "out_of_scope.yaml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as refused:  # one or the other
        main(["learn", group.id, "--intent", "transport-apply", "--not-for-us"])
    assert refused.value.code == 2 and "not allowed with" in capsys.readouterr().err
    code, out, err = run(capsys, "learn", group.id, "--not-for-us")
    assert code == 0, err
    added = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line not in before.splitlines()]
    assert sorted(added) == sorted(f"- {t}" for t, _, _ in BLUE_BADGE)
    assert store.questions() == []
    code, out, _ = run(capsys, "ask", "--json", "can my son get a blue badge")
    assert json.loads(out)["kind"] == "fallback"


def test_tracker_diff_lists_entries_of_changed_sections(data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not DEFAULT_OLD.exists():
        pytest.skip("../shared/seeds tracker not present")
    old = DEFAULT_OLD.read_text(encoding="utf-8")
    assert "Health: hydrotherapy" in sections(old)
    new = old.replace("Many children will benefit from exercise in water", "Most children will benefit from exercise in water")
    new_path = tmp_path / "tracker-new.txt"
    new_path.write_text(new, encoding="utf-8")
    code, out, _ = run(capsys, "tracker-diff", str(new_path), "--json")
    assert code == 0
    changes = [c for c in json.loads(out) if c["status"] != "unknown"]  # "unknown": a citation to check, not a change
    assert [(c["section"], c["status"]) for c in changes] == [("Health: hydrotherapy", "changed")]
    ids = {x["id"] for x in changes[0]["cited_by"]}
    assert "hydro-pool-access" in ids
    assert any("Most children" in line for line in changes[0]["added"])
    code, out, _ = run(capsys, "tracker-diff", str(new_path))
    assert "hydro-pool-access" in out and "review" in out
    same = tmp_path / "same.txt"
    same.write_text(old, encoding="utf-8")
    _, out, _ = run(capsys, "tracker-diff", str(same), "--json")
    assert all(c["status"] == "unknown" for c in json.loads(out))


def test_tracker_diff_notices_a_renamed_section(data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not DEFAULT_OLD.exists():
        pytest.skip("../shared/seeds tracker not present")
    new = DEFAULT_OLD.read_text(encoding="utf-8").replace("Health: hydrotherapy\n", "Health: hydrotherapy and aquatic physiotherapy\n")
    new_path = tmp_path / "renamed.txt"
    new_path.write_text(new, encoding="utf-8")
    _, out, _ = run(capsys, "tracker-diff", str(new_path), "--json")
    [change] = [c for c in json.loads(out) if c["status"] != "unknown"]
    assert change["status"] == "missing" and change["section"] == "Health: hydrotherapy"


def test_purge_command(db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seed([("old one", "x", 0.1)], days_ago=100)
    seed([("newer one", "x", 0.1)], days_ago=20)
    code, out, _ = run(capsys, "purge")
    assert code == 0 and "deleted 2 row(s) older than 90 days" in out  # the question and its counter
    monkeypatch.setenv("SENDBOT_RETENTION_DAYS", "10")
    code, out, _ = run(capsys, "purge")
    assert "deleted 2 row(s) older than 10 days" in out
    assert open_store(close_at_exit=False).questions() == []


def test_unreachable_database_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SENDBOT_DB", str(blocker / "s.db"))
    monkeypatch.setenv("SENDBOT_SECRET", "s")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, _, err = run(capsys, "unanswered")
    assert code == 1 and "Cannot use the log database" in err


@pytest.mark.parametrize("text, days", [("30d", 30), ("2w", 14), ("48h", 2), ("7", 7)])
def test_parse_since(text: str, days: float) -> None:
    now = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)
    assert (now - parse_since(text, now)).total_seconds() == days * 86400
    assert parse_since("2026-10-01", now).date() == dt.date(2026, 10, 1)


def test_ask_log_says_so_and_exits_non_zero_when_the_write_fails(db: Path, data_copy: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from bot.store import writer

    monkeypatch.setattr(writer, "EXIT_WAIT", 1.0)
    store = open_store(close_at_exit=False)
    store.reader()  # the database exists, with its tables
    store.close()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = run(capsys, "ask", "--log", "what is the weather on mars")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 1 and out  # the parent-facing reply still came out
    assert "could not all be written" in err


def test_a_store_left_to_close_at_exit_never_crashes_the_process(tmp_path: Path) -> None:
    """A question still queued when the interpreter shuts down is kept without its words, and the process
    exits cleanly (spaCy called during shutdown crashed it with SIGSEGV)."""
    import sqlite3
    import subprocess

    db = tmp_path / "exit.db"
    script = ("from bot.store import open_store\nfrom bot.reply import Reply\n"
              "store = open_store(warm=True)\nstore.writer.flush(60)\n"
              "store.record(Reply('my son Jack Smith at Oakwood Primary cannot get a bus', 'fallback', '?'), 1, 'cli')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent, env={**__import__("os").environ, "SENDBOT_DB": str(db)})
    assert done.returncode == 0, done.stderr[-2000:]
    rows = sqlite3.connect(db).execute("SELECT kind, text FROM questions").fetchall()
    assert rows == [("fallback", "")]
    assert "Jack" not in done.stderr
