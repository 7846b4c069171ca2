"""What the core hands to every channel: one structured reply, rendered later as text or HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("answer", "clarify", "fallback", "crisis", "smalltalk")


@dataclass(frozen=True)
class Option:
    """One 'Did you mean...?' choice and the answer it leads to."""

    intent: str
    title: str
    body: str


@dataclass(frozen=True)
class Reply:
    """A reply before it meets a channel. `body` excludes the footer every reply carries."""

    question: str
    kind: str
    body: str
    footer: str = ""
    intent: str | None = None
    score: float | None = None
    title: str | None = None
    entry: str | None = None
    details: str | None = None
    options: tuple[Option, ...] = ()
    related: tuple[tuple[str, str], ...] = ()  # (intent id, title)
    candidates: tuple[tuple[str, float], ...] = ()  # top intents with scores, for the unanswered log
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The whole plain-text reply, as a parent reads it."""
        return f"{self.body}\n\n{self.footer}" if self.footer else self.body

    def as_json(self) -> dict[str, Any]:
        """The stable public shape printed by `sendbot ask --json`."""
        return {
            "question": self.question,
            "kind": self.kind,
            "intent": self.intent,
            "score": self.score,
            "body": self.body,
            "text": self.text,
            "options": [{"intent": o.intent, "title": o.title, "body": o.body} for o in self.options],
        }
