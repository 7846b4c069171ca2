"""Plain text and Telegram HTML from one reply; long replies split where a reader would pause."""

from __future__ import annotations

from bot.render import split_message, to_html, to_text
from bot.reply import Reply


def test_html_escapes_everything_and_bolds_the_title() -> None:
    reply = Reply("q", "answer", "Tom & Jerry <script>?\n\nUse <b>care</b> & 1 < 2", "Footer & co", title="Tom & Jerry <script>?")
    html = to_html(reply)
    assert html.startswith("<b>Tom &amp; Jerry &lt;script&gt;?</b>")
    assert "&lt;b&gt;care&lt;/b&gt; &amp; 1 &lt; 2" in html
    assert "<i>Footer &amp; co</i>" in html
    assert "<script>" not in html


def test_plain_text_is_body_then_footer() -> None:
    reply = Reply("q", "fallback", "Sorry.", "Call SENDIASS.")
    assert to_text(reply) == "Sorry.\n\nCall SENDIASS."
    assert to_text(Reply("q", "crisis", "Call 999.")) == "Call 999."


def test_split_prefers_paragraph_breaks() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 150 for i in range(12))
    parts = split_message(text, 4096)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_split_handles_text_without_breaks() -> None:
    text = "x" * 10000
    parts = split_message(text, 4096)
    assert [len(p) for p in parts] == [4096, 4096, 1808]
    assert split_message("short") == ["short"]
