"""What the core hands to every channel: one structured reply, rendered later as text or HTML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("answer", "clarify", "fallback", "crisis", "smalltalk")


@dataclass(frozen=True)
class Who:
    """Who is asking, as far as the channel knows. Every field may be empty.

    language: the person's preferred language code, e.g. Telegram's language_code ("pl", "pl-PL")
    or a /language choice; an answer with a translation in that language is sent in it.
    """

    user: str | int | None = None
    language: str | None = None
    channel: str | None = None

    @classmethod
    def of(cls, who: object) -> "Who":
        """Accept what channels pass: a Who, None, a mapping with these keys, or a bare user id."""
        if isinstance(who, Who):
            return who
        if who is None:
            return cls()
        if isinstance(who, Mapping):
            return cls(who.get("user"), who.get("language"), who.get("channel"))
        return cls(user=who)  # type: ignore[arg-type]

    @property
    def lang(self) -> str | None:
        """The language as a two-letter code: 'pl-PL' -> 'pl'; None if unusable."""
        if not self.language:
            return None
        short = str(self.language).strip().replace("_", "-").split("-")[0].casefold()
        return short if len(short) == 2 and short.isalpha() else None


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
    language: str = "en"  # the reply's language (an entry's translation, or the other-language fallback)
    message_language: str = "und"  # the message's, as the pipeline's language stage decided it; what the store keeps
    extra: dict[str, Any] = field(default_factory=dict)
    safety: str | None = None  # "urgent" (this is the crisis reply), "possible" (safety_line comes first) or None
    safety_line: str = ""  # shown above the body when someone may be at risk

    @property
    def text(self) -> str:
        """The whole plain-text reply, as a parent reads it."""
        text = f"{self.body}\n\n{self.footer}" if self.footer else self.body
        return f"{self.safety_line}\n\n{text}" if self.safety_line else text

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
            "safety": self.safety,
        }
