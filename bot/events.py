"""What the channels report after each reply; the store implements it, tests and previews use the null one."""

from __future__ import annotations

from typing import Any, Protocol

from .reply import Reply


class Recorder(Protocol):
    """Where replies and feedback go. Implementations must never raise into a channel."""

    def record(self, reply: Reply, user: str | int | None, channel: str) -> None:
        """Count an answered reply; keep a redacted copy of fallbacks and clarifies."""

    def feedback(self, reply_intent: str | None, helpful: bool, question: str | None, user: str | int | None) -> None:
        """A 'Was this helpful?' press; a 'No' is kept like an unanswered question."""

    def forget(self, user: str | int) -> int | None:
        """Delete everything kept for one user; return how many rows went, or None if it is queued, not yet done."""

    def stats(self, days: int = 7) -> list[dict[str, Any]]:
        """Counts of answers, clarifies and fallbacks per day, newest first."""


class NullRecorder:
    """Records nothing: staff previews (`sendbot ask`) and tests that do not look at the log."""

    def record(self, reply: Reply, user: str | int | None, channel: str) -> None:
        return None

    def feedback(self, reply_intent: str | None, helpful: bool, question: str | None, user: str | int | None) -> None:
        return None

    def forget(self, user: str | int) -> int:
        return 0

    def stats(self, days: int = 7) -> list[dict[str, Any]]:
        return []
