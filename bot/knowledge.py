"""Turn loaded files into ready-to-send wording: fill shared facts into answers once, at load time."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .acronyms import DETAILS, Expander
from .loader import Bundle, Problem, read_yaml
from .schema import Term, TranslationsFile

TEMPLATE_DIR = "knowledge/templates"
TRANSLATIONS = "knowledge/translations/fallback.yaml"
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\s*\}\}")  # {{ contacts.sendiass.phone }}


def slug(text: str) -> str:
    """A glossary term as an id: 'SEND & AP' -> 'send-ap'."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "term"


class _FileLoader(jinja2.FileSystemLoader):
    """Templates from knowledge/templates/, refusing anything that is not an ordinary file: opening a
    pipe named like a template would hang `check` and every reply."""

    def get_source(self, environment: jinja2.Environment, template: str):  # type: ignore[override]
        for folder in self.searchpath:
            path = Path(folder, *jinja2.loaders.split_template_path(template))
            if path.exists() and not path.is_file():
                raise jinja2.TemplateNotFound(f"{template} is not an ordinary file")
        return super().get_source(environment, template)


def environment(root: Path) -> jinja2.Environment:
    """Jinja2 for wording: strict, so an unknown {{ name }} is an error staff see, not a blank; and
    sandboxed, so whoever can edit a knowledge file cannot reach Python from a template (no
    attributes starting with "_", no changing objects, ranges capped), whatever they type."""
    return ImmutableSandboxedEnvironment(
        loader=_FileLoader(str(root / TEMPLATE_DIR)),
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
    answer: str  # as staff wrote it, placeholders filled: what `sendbot check` measures
    details: str | None
    related: tuple[str, ...]
    topic: str
    audience: str = "parents"
    shown_answer: str = ""  # as sent: acronyms expanded on first use (bot/acronyms.py)
    shown_details: str | None = None
    translations: dict[str, str] = field(default_factory=dict, compare=False)  # language code -> answer

    def __post_init__(self) -> None:
        if not self.shown_answer:
            object.__setattr__(self, "shown_answer", self.answer)
        if self.shown_details is None and self.details:
            object.__setattr__(self, "shown_details", self.details)


@functools.lru_cache(maxsize=512)
def _placeholder(env: jinja2.Environment, source: str) -> jinja2.Template:
    return env.from_string(source)


def _render(env: jinja2.Environment, text: str, ctx: dict[str, Any], where: str, line: int, problems: list[Problem]) -> str:
    if "{" not in text:  # most answers have no placeholder; compiling a template each costs ~2 ms
        return text.strip()
    try:
        if "{%" not in text and "{#" not in text and "{{" not in _PLACEHOLDER.sub("", text):
            # Only {{ contacts.x.y }} placeholders: each distinct one is compiled once and the text
            # around it kept as written, which is what Jinja would output (10,000 answers load in seconds).
            return _PLACEHOLDER.sub(lambda m: _placeholder(env, m.group(0)).render(ctx), text).strip()
        return env.from_string(text).render(ctx).strip()
    except jinja2.UndefinedError as exc:
        problems.append(Problem(where, line, f"unknown placeholder ({exc.message}); check the name against knowledge/contacts.yaml"))
    except jinja2.TemplateSyntaxError as exc:
        problems.append(Problem(where, line, f"placeholder syntax: {exc.message}; placeholders look like {{{{ contacts.sendiass.phone }}}}"))
    except SecurityError as exc:
        problems.append(Problem(where, line, f"this text tries to reach inside the bot ({exc}); "
                                             "only placeholders like {{ contacts.sendiass.phone }} are allowed"))
        return ""
    except (jinja2.TemplateError, TypeError, ValueError, OverflowError) as exc:
        problems.append(Problem(where, line, f"this text cannot be filled in ({type(exc).__name__}); "
                                             "only placeholders like {{ contacts.sendiass.phone }} are allowed"))
        return ""
    return text.strip()


def fallback_translations(bundle: Bundle, env: jinja2.Environment) -> tuple[dict[str, str], list[Problem]]:
    """knowledge/translations/fallback.yaml: the 'English only for now' reply per language, rendered."""
    rel = TRANSLATIONS
    path = bundle.root / TRANSLATIONS
    if not path.is_file():
        return {}, [Problem(rel, 0, "missing: messages in other languages will get the English fallback", "warning")]
    model, _, problems = read_yaml(path, rel, TranslationsFile)
    if model is None:
        return {}, problems
    ctx = context(bundle)
    replies = {code: _render(env, t.reply, ctx, rel, 0, problems) for code, t in model.languages.items()}
    unchecked = sorted(code for code, t in model.languages.items() if not t.reviewed)
    if unchecked:
        problems.append(Problem(rel, 0, f"not yet checked by a native speaker: {', '.join(unchecked)}", "warning"))
    return replies, problems


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
    plain_words = Expander(t.model for t in bundle.terms)
    pages: dict[str, Page] = {}
    for entry_id, located in bundle.entries.items():
        entry = located.model
        answer = _render(env, entry.answer, ctx, located.path, located.line, problems)
        details = _render(env, entry.details, ctx, located.path, located.line, problems) if entry.details else None
        translations = {code: _render(env, text, ctx, located.path, located.line, problems) for code, text in entry.translations.items()}
        pages[entry_id] = Page(entry_id, entry.title, answer, details, tuple(entry.related), bundle.topics[entry_id],
                               entry.audience, plain_words.expand(answer) or answer, plain_words.expand(details, DETAILS), translations)
    for located in bundle.terms:
        page = term_page(located.model)
        answer = _render(env, page.answer, ctx, located.path, located.line, problems)
        pages[page.id] = Page(page.id, page.title, answer, None, (), page.topic, shown_answer=plain_words.expand(answer) or answer)
    return pages, problems
