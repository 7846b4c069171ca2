"""The contact numbers a reply shows: each given once, and a caveat beside any staff have not confirmed.

A number is found in a reply as it is written in knowledge/contacts.yaml (the only place numbers
live), as a whole number: "0113 378 5020", "999", "111, option 2". A contact whose details carry
`needs_confirmation` is unconfirmed until staff check it on the live site and remove the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .schema import Contact


@dataclass(frozen=True)
class Numbers:
    """Every contact's phone number, found in one scan of a reply."""

    pattern: re.Pattern[str] | None
    keys: Mapping[str, str]  # phone as written -> contact key
    unconfirmed: frozenset[str]  # keys of contacts with a needs_confirmation note

    @classmethod
    def of(cls, contacts: Mapping[str, Contact]) -> "Numbers":
        """Built once per loaded knowledge base."""
        keys = {c.phone: key for key, c in contacts.items() if c.phone}
        alternatives = "|".join(re.escape(p) for p in sorted(keys, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\d])(?:{alternatives})(?![\d])") if keys else None
        unconfirmed = frozenset(key for key, c in contacts.items() if c.phone and c.needs_confirmation)
        return cls(pattern, keys, unconfirmed)

    def counts(self, text: str) -> dict[str, int]:
        """How many times each contact's number appears in `text`, by contact key."""
        found: dict[str, int] = {}
        for match in self.pattern.finditer(text) if self.pattern else ():
            key = self.keys[match.group(0)]
            found[key] = found.get(key, 0) + 1
        return found

    def gives(self, text: str, key: str) -> bool:
        """Whether `text` already gives this contact's number."""
        return key in self.counts(text)

    def unconfirmed_in(self, text: str) -> tuple[str, ...]:
        """The unconfirmed contacts whose numbers `text` shows, in the order they first appear."""
        return tuple(key for key in self.counts(text) if key in self.unconfirmed)
