"""Telegram wording from knowledge/templates/telegram/, so staff change what the bot says without touching Python."""

from __future__ import annotations

import html
from typing import Any

import jinja2

from .. import knowledge as kn
from ..core import Bot
from ..loader import Problem

FOLDER = "telegram"
LABELS = ("tell_me_more", "helpful_question", "helpful_yes", "helpful_no", "feedback_thanks", "feedback_already",
          "browse_topics", "back_to_topics", "chat_privately", "cmd_start", "cmd_help", "cmd_topics", "cmd_young", "cmd_contact",
          "cmd_glossary", "cmd_privacy", "cmd_forgetme")
# Every template, with the values it is given; used to check them at start-up and on /reload.
SAMPLES: dict[str, dict[str, Any]] = {
    "start": {"topics": ["School transport"], "private": True},
    "help": {"staff": True},
    "topics": {"topic": "School transport"},
    "contact": {},
    "glossary": {"query": "EHC", "suggestion": "EHCP", "terms": ["EHCP"]},
    "privacy": {"retention_days": 90},
    "forgetme": {"deleted": 2, "failed": False},
    "non_text": {},
    "group_hint": {"bot_username": "example_bot"},
    "flood": {"window_seconds": 10},
    "unknown_command": {},
    "stale_button": {},
    "feedback_no": {},
    "details": {"title": "A title", "details": "Some details."},
    "reload_ok": {"entries": 1, "intents": 1, "terms": 1, "warnings": 1, "seconds": 0.5},
    "reload_failed": {"errors": ["knowledge/x.yaml:1: an error"], "more": 1},
    "stats": {"rows": [{"day": "2026-01-01", "answer": 1, "clarify": 1, "fallback": 1, "crisis": 0}], "days": 7},
}


class Texts:
    """Renders the Telegram templates of one loaded Bot (its contacts, its template folder)."""

    def __init__(self, bot: Bot):
        self.bot = bot
        self.context = kn.context(bot.bundle)
        module = bot.env.get_template(f"{FOLDER}/labels.txt.j2").module
        self.labels = {name: str(getattr(module, name)) for name in LABELS if hasattr(module, name)}

    def text(self, name: str, **values: Any) -> str:
        """A template as plain text, with the caveat line if it shows a number staff have not confirmed (/contact)."""
        template = self.bot.env.get_template(f"{FOLDER}/{name}.txt.j2")
        text = template.render({**self.context, **values}).strip()
        caveat = self.bot.caveat(text)
        return f"{text}\n\n{caveat}" if caveat else text

    def html(self, name: str, **values: Any) -> str:
        """A template as Telegram HTML (escaped: staff write plain text)."""
        return html.escape(self.text(name, **values), quote=False)

    def label(self, name: str) -> str:
        return self.labels[name]

    @staticmethod
    def check(bot: Bot) -> list[Problem]:
        """Render every Telegram template once; a missing or broken one is an error, as in `sendbot check`."""
        where = f"{kn.TEMPLATE_DIR}/{FOLDER}"
        try:
            texts = Texts(bot)
        except (jinja2.TemplateError, OSError) as exc:
            return [Problem(f"{where}/labels.txt.j2", getattr(exc, "lineno", 0) or 0, f"Telegram labels missing or broken ({exc})")]
        problems = [Problem(f"{where}/labels.txt.j2", 0, f"'{name}' is not set; add {{% set {name} = \"...\" %}}")
                    for name in LABELS if not texts.labels.get(name, "").strip()]
        for name, sample in SAMPLES.items():
            try:
                if not texts.text(name, **sample):
                    problems.append(Problem(f"{where}/{name}.txt.j2", 0, "the template renders to nothing; add some words"))
            except jinja2.TemplateError as exc:
                line = getattr(exc, "lineno", 0) or 0
                problems.append(Problem(f"{where}/{name}.txt.j2", line, f"template missing or broken ({exc}); restore it"))
        return problems
