"""Turn loaded files into ready-to-send wording: fill shared facts into answers once, at load time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .loader import Bundle, Problem
from .schema import Term

TEMPLATE_DIR = "knowledge/templates"


def slug(text: str) -> str:
    """A glossary term as an id: 'SEND & AP' -> 'send-ap'."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "term"


def environment(root: Path) -> jinja2.Environment:
    """Jinja2 for wording: strict, so an unknown {{ name }} is an error staff see, not a blank."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def context(bundle: Bundle) -> dict[str, Any]:
    """Shared facts every answer may use: contacts.<key>.<field>."""
    return {"contacts": {k: c.model_dump() for k, c in bundle.contacts.items()}}


@dataclass(frozen=True)
class Page:
    """A knowledge entry or glossary term rendered for sending."""

    id: str
    title: str
    answer: str
    details: str | None
    related: tuple[str, ...]
    topic: str


def _render(env: jinja2.Environment, text: str, ctx: dict[str, Any], where: str, line: int, problems: list[Problem]) -> str:
    if "{" not in text:  # most answers have no placeholder; compiling a template each costs ~2 ms
        return text.strip()
    try:
        return env.from_string(text).render(ctx).strip()
    except jinja2.UndefinedError as exc:
        problems.append(Problem(where, line, f"unknown placeholder ({exc.message}); check the name against knowledge/contacts.yaml"))
    except jinja2.TemplateSyntaxError as exc:
        problems.append(Problem(where, line, f"placeholder syntax: {exc.message}; placeholders look like {{{{ contacts.sendiass.phone }}}}"))
    return text.strip()


def term_page(term: Term) -> Page:
    """A glossary term shown as an answer: the expansion, then the plain explanation."""
    head = f"{term.term} means {term.expansion}." if term.expansion else ""
    answer = f"{head} {term.explanation}".strip()
    title = term.title or f"What does {term.term} mean?"
    return Page(f"term-{slug(term.term)}", title, answer, None, (), "Words and acronyms")


def build_pages(bundle: Bundle, env: jinja2.Environment) -> tuple[dict[str, Page], list[Problem]]:
    """Render every entry and term; placeholders are resolved here, once."""
    problems: list[Problem] = []
    ctx = context(bundle)
    pages: dict[str, Page] = {}
    for entry_id, located in bundle.entries.items():
        entry = located.model
        answer = _render(env, entry.answer, ctx, located.path, located.line, problems)
        details = _render(env, entry.details, ctx, located.path, located.line, problems) if entry.details else None
        pages[entry_id] = Page(entry_id, entry.title, answer, details, tuple(entry.related), bundle.topics[entry_id])
    for located in bundle.terms:
        page = term_page(located.model)
        page = Page(page.id, page.title, _render(env, page.answer, ctx, located.path, located.line, problems), None, (), page.topic)
        pages[page.id] = page
    return pages, problems
