"""Lookups built once per loaded Bot: topics for /topics, short stable keys for buttons, glossary terms."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..core import Bot
from ..knowledge import slug

KEY_LENGTH = 10  # hex characters; buttons carry keys, not ids, so any id fits Telegram's 64 bytes


def key_of(text: str) -> str:
    """A short key that stays the same for the same id across reloads and restarts."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_LENGTH // 2).hexdigest()


@dataclass(frozen=True)
class Topic:
    """One topic of the knowledge base and the questions (intent id, title) it answers."""

    key: str
    name: str
    questions: tuple[tuple[str, str], ...]


class Catalogue:
    """Everything the Telegram side needs to find by key or by name in one Bot."""

    def __init__(self, bot: Bot):
        self.bot = bot
        self.intents = {key_of(intent): intent for intent in bot.targets}
        self.entry_intent: dict[str, str] = {}
        for intent, target in bot.targets.items():
            if target.kind == "answer" and target.page:
                self.entry_intent.setdefault(target.page, intent)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for entry_id, topic in bot.bundle.topics.items():
            intent = self.entry_intent.get(entry_id)
            page = bot.pages.get(entry_id)
            if intent and page:
                grouped.setdefault(topic, []).append((intent, page.title))
        self.topics = [Topic(key_of(name), name, tuple(questions)) for name, questions in grouped.items()]
        self.topic_keys = {t.key: t for t in self.topics}
        # /young: the answers written for young people themselves, as one browsable topic.
        young = tuple(bot.entries_for("young-people"))
        self.young = Topic(key_of("audience:young-people"), "For young people", young) if young else None
        if self.young:
            self.topic_keys[self.young.key] = self.young
        self.terms: dict[str, str] = {}  # any spelling, case-folded -> intent id
        self.term_names: list[str] = []
        for located in bot.bundle.terms:
            term = located.model
            intent = f"term-{slug(term.term)}"
            if intent not in bot.targets:
                continue
            self.term_names.append(term.term)
            for name in (term.term, *term.aliases, term.expansion or ""):
                if name:
                    self.terms.setdefault(name.casefold(), intent)

    def intent(self, key: str) -> str | None:
        """The intent a button key stands for in this Bot, or None if it is stale or forged."""
        return self.intents.get(key)

    def topic(self, key: str) -> Topic | None:
        return self.topic_keys.get(key)

    def term(self, query: str) -> tuple[str | None, str | None]:
        """(intent id of the glossary term, None) on a hit; (None, a close term's name or None) on a miss."""
        wanted = " ".join(query.split()).strip(" ?.!").casefold()
        if wanted in self.terms:
            return self.terms[wanted], None
        if not self.terms or not wanted:
            return None, None
        best = process.extractOne(wanted, list(self.terms), scorer=fuzz.WRatio, score_cutoff=85)
        if best is None:
            return None, None
        intent = self.terms[best[0]]
        name = next((n for n in self.term_names if f"term-{slug(n)}" == intent), best[0])
        return None, name
