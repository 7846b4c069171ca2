"""How much danger a message shows, in three tiers: urgent (the crisis reply replaces the answer),
possible (a safety line above the answer) or none, and of what kind, so the reply fits the danger.

Two detectors: the exact rules of intents/crisis.yaml (bot/safety.py) for unmistakable phrases and
other languages, and the learned detector (bot/crisis_model.py) for danger said in words no rule
lists. A rule that fires is urgent, unless all it found was a word naming a danger as a subject
(crisis.yaml 'topics') or the message says the incident is over ('over'), and the detector sees
no danger in the message: then it is a safety line.
A message of common words only ("and", "her") tells the detector nothing. If the learned detector
cannot run, the rules alone decide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .crisis_model import CrisisModel
from .message import MAX_CHARS, Message
from .normalise import STOPWORDS
from .safety import CrisisDetector

log = logging.getLogger(__name__)

RULE_WINDOW = MAX_CHARS * 2  # the rules read this much at a time; the windows overlap by a sentence or two
RULE_OVERLAP = 400

URGENT, POSSIBLE = "urgent", "possible"
YOUNG = 0.5  # above this the writer is taken to be a young person writing about themselves

KINDS = ("medical", "missing", "violence", "domestic-violence", "abuse", "suicidal", "self-harm",
         "parent-may-harm", "general")  # each has its own wording in crisis.txt.j2 and safety_line.txt.j2

RULE_KINDS = {  # crisis.yaml rule id -> the kind of reply it needs
    "suicide": "suicidal", "self-harm": "self-harm", "overdose": "medical", "medical-emergency": "medical",
    "abuse": "abuse", "missing-child": "missing", "danger-to-others": "violence",
}


@dataclass(frozen=True)
class Assessment:
    """The verdict on one message; `tier` None means no sign of danger."""

    tier: str | None = None
    kind: str = "general"
    young: bool = False
    rule: str | None = None  # the crisis.yaml rule that fired, if one did
    danger: float = 0.0  # the learned detector's probability (0 when it did not run)

    @property
    def source(self) -> str | None:
        if self.tier is None:
            return None
        return "rule" if self.rule else "model"


class DangerCheck:
    """Rules first, then the learned detector on the message's shared embedding."""

    def __init__(self, rules: CrisisDetector, model: CrisisModel | None):
        self.rules = rules
        self.model = model

    def _rule_hit(self, text: str) -> tuple[str, str] | None:
        """The rules across the whole message, in overlapping windows (ask and chat take any length)."""
        start = 0
        while True:
            hit = self.rules.why(text[start:start + RULE_WINDOW])
            if hit is not None or start + RULE_WINDOW >= len(text):
                return hit
            start += RULE_WINDOW - RULE_OVERLAP

    def assess(self, message: Message) -> Assessment:
        hit = self._rule_hit(message.text)
        reading = None
        if self.model is not None and any(w not in STOPWORDS for w in message.words):
            try:
                reading = self.model.read(message.vectors, [message.clipped, *message.sentences])
            except Exception:  # the rules have run; a broken model must not stop the reply
                log.exception("the learned crisis detector failed; the rules alone decided")
        young = reading is not None and reading.young >= YOUNG
        if hit is not None:
            rule, words = hit
            # A topic word alone ("a lesson on self harm"), or an incident the message says is over, in a
            # message the detector reads as safe, gets the safety line with 999 and the answer; any other
            # rule match is the crisis reply.
            doubted = reading is not None and reading.danger < self.model.possible and self.rules.doubtable(message.text, words)
            kind = RULE_KINDS.get(rule)
            if kind is None:  # other languages and any new rule: the model may know the kind
                kind = reading.kind if reading is not None and reading.danger >= self.model.possible else "general"
            return Assessment(POSSIBLE if doubted else URGENT, kind, young, rule, reading.danger if reading else 0.0)
        if reading is None:
            return Assessment()
        tier = self.model.tier(reading)
        return Assessment(tier, reading.kind if tier else "general", young and tier is not None, None, reading.danger)
