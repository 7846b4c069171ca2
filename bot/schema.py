"""Strict shapes of the YAML files staff edit, so a typo in a key is an error, not silence."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Strict(BaseModel):
    """Base for every file shape: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(Strict):
    """Where a fact came from: a web address, a section of the tracker, or both."""

    url: str | None = Field(None, description="Web address of the source page.")
    seed: str | None = Field(None, description="Seed file the entry was written from, e.g. leeds-send-issues-tracker.txt.")
    section: str | None = Field(None, description="Heading of the tracker section the entry was written from.")
    note: str | None = Field(None, description="Anything staff should know about this source.")


class Entry(Strict):
    """One answer a parent can be given."""

    id: str = Field(pattern=ID_PATTERN, description="Short unique name, lower case with dashes.")
    title: str = Field(min_length=3, description="A short question a parent would recognise.")
    answer: str = Field(min_length=10, description="Plain words, at most about 120 words. May use {{ contacts.x.phone }}.")
    details: str | None = Field(None, description="The longer version, shown behind 'Tell me more'.")
    sources: list[Source | str] = Field(min_length=1, description="Where the facts came from.")
    last_reviewed: dt.date = Field(description="Date a person last checked this entry (YYYY-MM-DD).")
    related: list[str] = Field(default_factory=list, description="Ids of related entries.")
    audience: Literal["parents", "young-people"] = Field("parents", description="Who the wording is written for.")
    needs_confirmation: str | None = Field(None, description="What staff must check before relying on this entry.")
    translations: dict[str, str] = Field(default_factory=dict, description="Answer in other languages, keyed by language code (pl, ur...).")


class KnowledgeFile(Strict):
    """A topic file in knowledge/."""

    topic: str = Field(min_length=2, description="Name of the topic shown in menus.")
    entries: list[Entry] = Field(min_length=1)


class Contact(Strict):
    """One service families can reach; every detail must come from the reference file."""

    name: str
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    hours: str | None = None
    text: str | None = Field(None, description="A text-message route, e.g. 'text SHOUT to 85258'.")
    note: str | None = None
    sources: list[Source | str] = Field(min_length=1)
    needs_confirmation: str | None = Field(None, description="What staff must check before go-live.")
    last_reviewed: dt.date


class ContactsFile(Strict):
    """knowledge/contacts.yaml: every phone number lives here and nowhere else."""

    contacts: dict[str, Contact]

    @field_validator("contacts")
    @classmethod
    def _keys_are_ids(cls, value: dict[str, Contact]) -> dict[str, Contact]:
        for key in value:
            if not re.match(r"^[a-z][a-z0-9_]*$", key):
                raise ValueError(f"contact key '{key}' must be lower case letters, digits and underscores")
        return value


class Term(Strict):
    """A word or acronym parents meet in letters and meetings."""

    term: str = Field(min_length=1, description="The acronym or word, e.g. EHCP.")
    title: str | None = Field(None, description="Heading of the answer; default 'What does EHCP mean?'.")
    expansion: str | None = Field(None, description="What the letters stand for.")
    explanation: str = Field(min_length=5, description="What it means, in plain words.")
    aliases: list[str] = Field(default_factory=list, description="Other spellings, e.g. SENCo, EHC plan.")
    sources: list[Source | str] = Field(min_length=1)
    last_reviewed: dt.date
    expand_in_replies: bool = Field(True, description="Add the expansion after the first use in a reply.")
    plural: str | None = Field(None, description="What the plural stands for, when it is not the expansion with an -s: "
                                                 "OTs are Occupational Therapists, not Therapies. Leave it out for EHCPs.")
    short: str | None = Field(None, description="A shorter explanation for replies, used where the full expansion would "
                                                "make a sentence or an answer too long, e.g. 'the SEND advice service'.")


class GlossaryFile(Strict):
    """knowledge/glossary.yaml."""

    terms: list[Term] = Field(min_length=1)


class Intent(Strict):
    """How parents ask for one answer."""

    id: str = Field(pattern=ID_PATTERN)
    answer: str | None = Field(None, description="Id of the knowledge entry this leads to.")
    glossary: str | None = Field(None, description="Glossary term this leads to, instead of an entry.")
    kind: Literal["answer", "smalltalk", "fallback"] = Field(
        "answer", description="answer: leads to a knowledge entry; smalltalk: chat; fallback: a known thing the bot cannot do, said kindly.")
    reply: str | None = Field(None, description="For smalltalk and fallback: what the bot says back.")
    examples: list[str] = Field(min_length=1, description="Phrasings as parents really type them.")
    negatives: list[str] = Field(default_factory=list, description="Messages that look like this intent but are not it; the bot learns to keep them apart.")


class IntentFile(Strict):
    """A file in intents/."""

    intents: list[Intent] = Field(min_length=1)


class CrisisRule(Strict):
    """A group of words that mean someone may be in danger now."""

    id: str = Field(pattern=ID_PATTERN)
    phrases: list[str] = Field(default_factory=list, description="Plain words; '...' allows a few words in between.")
    patterns: list[str] = Field(default_factory=list, description="Regular expressions over the normalised text.")


class CrisisFile(Strict):
    """intents/crisis.yaml: checked before anything else, never fuzzy."""

    groups: dict[str, list[str]] = Field(default_factory=dict, description="Named word lists, used in phrases as <name>, e.g. <self>.")
    typo_tolerant: list[str] = Field(default_factory=list, description="Distinctive words that still count with one typing slip, e.g. suicide.")
    rules: list[CrisisRule] = Field(min_length=1)
    not_crisis: list[str] = Field(default_factory=list, description="Phrases that cancel a match, e.g. 'not in danger'.")
    over: list[str] = Field(default_factory=list, description=(
        "Phrases that place an incident in the past or in a plan ('last year', 'years ago', 'his seizure plan says'). "
        "A rule that fires in such a message, when the learned detector sees no danger, gives the safety line."))
    topics: list[str] = Field(default_factory=list, description=(
        "Words that name a danger as a subject ('self harm', 'suicide'). When a rule fires on one of these alone "
        "and the learned detector sees no danger in the message, it gets the safety line instead of the crisis reply."))

    @field_validator("groups")
    @classmethod
    def _group_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, words in value.items():
            if not re.match(r"^[a-z][a-z0-9_-]*$", key):
                raise ValueError(f"group name '{key}' must be lower case letters, digits, '-' or '_'")
            if not words:
                raise ValueError(f"group '{key}' is empty")
        return value


class Translation(Strict):
    """The 'we only answer in English for now' reply in one language, until staff add more."""

    name: str = Field(min_length=2, description="The language's name in English, e.g. Polish.")
    native_name: str = Field(min_length=2, description="The language's name in itself, e.g. polski.")
    reply: str = Field(min_length=20, description="The reply. Use placeholders for numbers: {{ contacts.sendiass.phone }}.")
    reviewed: bool = Field(False, description="True only once a native speaker has checked the wording.")
    reviewed_by: str | None = Field(None, description="Who checked it, and when.")
    note: str | None = None


class TranslationsFile(Strict):
    """knowledge/translations/fallback.yaml: what the bot says to a message in another language."""

    languages: dict[str, Translation] = Field(min_length=1, description="Keyed by ISO 639-1 code: pl, ur, ar...")

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: dict[str, Translation]) -> dict[str, Translation]:
        for key in value:
            if not re.match(r"^[a-z]{2}$", key):
                raise ValueError(f"'{key}' must be a two-letter ISO 639-1 code, such as pl or ur")
        return value


class LexiconFile(Strict):
    """intents/lexicon.yaml: words that mean the same thing to the matcher."""

    synonyms: dict[str, list[str]] = Field(description="Canonical word -> other ways of saying it.")


class Thresholds(Strict):
    """intents/thresholds.yaml: every decision threshold of the matcher, in one place.

    The defaults here are the shipped file's values (tests/test_loader.py checks they agree), so a
    benchmark or tool that builds Thresholds() decides as the bot does.

    Scores are probabilities (0 to 1) that an intent is what the parent meant, from the learned
    blend in intents/calibration.yaml; `sendbot calibrate` prints the values it would choose.
    """

    answer: float = Field(0.5, ge=0, le=1, description="Lowest confidence answered outright.")
    margin: float = Field(0.4, ge=0, le=1, description="How far ahead of the next intent the best must be to answer without asking.")
    clarify: float = Field(0.2, ge=0, le=1, description="Lowest confidence in the best intent worth a 'Did you mean...?'.")
    option: float = Field(0.08, ge=0, le=1, description="Lowest confidence of any other option offered beside the best.")
    max_options: int = Field(3, ge=2, le=5)
    min_options: int = Field(1, ge=1, le=5, description="Fewest options worth a 'Did you mean...?'; 1 offers a single likely answer.")
    single_option_known: float = Field(0.7, ge=0, le=1, description="A single-option 'Did you mean' needs at least this share of known topic words.")
    about_someone_else: float = Field(0.8, ge=0, le=1, description="Scores of answers written for young people are multiplied by this when the message is about someone else ('my son', 'she').")
    min_known_words: float = Field(0.5, ge=0, le=1, description="Share of words the bot must recognise before it answers.")


class Blend(Strict):
    """intents/calibration.yaml: how the matcher weighs its evidence, learned by `sendbot calibrate`.

    Each intent gets a logit: lexical*word score + nearest*closest example + centroid*all examples +
    entry*its answer; 'none' is the logit of "nothing here fits". A softmax over them gives each
    intent the probability, on held-out examples, that it is what the parent meant.
    """

    lexical: float = 8.0
    nearest: float = 8.0
    centroid: float = 4.0
    entry: float = 2.0
    none: float = Field(11.0, description="Logit of 'nothing here fits': higher means more fallbacks.")
    measured: dict[str, float] = Field(default_factory=dict, description="What calibrate measured, for people to read.")


class OutOfScopeFile(Strict):
    """intents/out_of_scope.yaml: messages the bot must not answer from the knowledge base."""

    messages: list[str] = Field(min_length=1, description="What parents ask that no entry answers.")


SCHEMAS: dict[str, type[BaseModel]] = {
    "knowledge": KnowledgeFile,
    "contacts": ContactsFile,
    "glossary": GlossaryFile,
    "intents": IntentFile,
    "crisis": CrisisFile,
    "lexicon": LexiconFile,
    "thresholds": Thresholds,
    "calibration": Blend,
    "out_of_scope": OutOfScopeFile,
    "translations": TranslationsFile,
}
