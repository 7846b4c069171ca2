"""What the sentence-embedding model reads: the message written out, with the trade's acronyms explained.

The model learned from written English, not from Leeds SEND jargon or text-speak. So before a text is
embedded, text-speak is written out ("hw do u" -> "how do you") and the first use of each glossary
acronym is followed by its expansion ("EHCNA" -> "EHCNA (Education, Health and Care Needs
Assessment)"). Examples and messages are read the same way, so they meet on equal terms.
"""

from __future__ import annotations

import re
from typing import Iterable

from .english import is_english
from .normalise import spelled_out


class Reader:
    """Built once from the glossary's (name, expansion) pairs; `read(text)` is then one regex pass."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        self.expansions: dict[str, str] = {}
        exact: list[str] = []  # names that are also English words match only as written: "SEND", not "send"
        loose: list[str] = []
        for name, expansion in names:
            key = name.strip()
            if not key or not expansion or key.casefold() == expansion.casefold():
                continue
            self.expansions.setdefault(key.casefold(), expansion)
            (exact if is_english(key.casefold()) else loose).append(key)
        parts = []
        if loose:
            parts.append("(?i:" + "|".join(sorted(map(re.escape, set(loose)), key=len, reverse=True)) + ")")
        if exact:
            parts.append("|".join(sorted(map(re.escape, set(exact)), key=len, reverse=True)))
        self._names = re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])") if parts else None

    def read(self, text: str) -> str:
        out = spelled_out(text)
        if self._names is None:
            return out
        seen: set[str] = set()
        low = out.casefold()

        def explain(match: re.Match[str]) -> str:
            name = match.group(1)
            expansion = self.expansions.get(name.casefold())
            if expansion is None or name.casefold() in seen or expansion.casefold() in low:
                return name
            seen.add(name.casefold())
            return f"{name} ({expansion})"

        return self._names.sub(explain, out)
