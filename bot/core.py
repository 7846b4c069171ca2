"""The channel-independent bot: `handle(text, who) -> Reply`. Telegram, the terminal and `ask` all call this."""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jinja2

from . import cache
from . import knowledge as kn
from . import pipeline
from .message import Message
from .numbers import Numbers
from .loader import Bundle, Problem, data_root, load
from . import embed
from .hybrid import Matcher
from .matcher import Index, Match
from .reading import Reader
from .semantic import SemanticIndex
from .reply import Reply, Who
from .crisis_model import CrisisModel, CrisisModelError
from .danger import KINDS as DANGER_KINDS
from .danger import Assessment, DangerCheck
from .safety import CrisisDetector
from .validate import cross_check

TITLE_AS_EXAMPLE = True  # an entry's title is how a parent would ask too
TERM_FRAMES = ("what does it mean:", "what is")  # generated examples for every glossary name
OUT_OF_SCOPE = "out-of-scope"  # the intent of intents/out_of_scope.yaml and every intent's negatives


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while loading, then collect once.

    A load makes millions of objects that all live on; the collector kept scanning them as they
    piled up, about 4 s of a 22 s load at 100x today's size (make bench-scale). One full collection
    at the end frees the loading garbage and settles the rest, so no parent's message pays for it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


@functools.lru_cache(maxsize=1)
def crisis_model() -> tuple[CrisisModel | None, str | None]:
    """The learned crisis detector, loaded once, or why it could not be."""
    try:
        return CrisisModel.load(encoder=embed.shared().digest), None
    except (CrisisModelError, embed.ModelError) as exc:
        return None, f"the learned crisis detector cannot load: {exc}"


def crisis_template_problems(env: jinja2.Environment, context: dict) -> list[Problem]:
    """Render the crisis reply and the safety line for every kind of danger: they must never fail a parent."""
    found = []
    for name in ("crisis.txt.j2", "safety_line.txt.j2"):
        try:
            template = env.get_template(name)
            for kind in DANGER_KINDS:
                for young in (False, True):
                    if "999" not in template.render({**context, "kind": kind, "young": young}):
                        found.append(Problem(f"{kn.TEMPLATE_DIR}/{name}", 0, f"the reply for '{kind}' does not give 999; it must"))
                        break
        except Exception as exc:  # any failure here would crash the reply a family in danger gets
            found.append(Problem(f"{kn.TEMPLATE_DIR}/{name}", 0, f"cannot be rendered ({exc}); restore it from git"))
    return found


def crisis_rule_problems(bundle: Bundle) -> list[Problem]:
    """Every crisis phrase or pattern that will not compile or could stall the bot, at its line."""
    if bundle.crisis is None:
        return []
    rel = "intents/crisis.yaml"
    try:
        lines = (bundle.root / rel).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    found = []
    for where, text, message in CrisisDetector.findings(bundle.crisis):
        line = next((n for n, row in enumerate(lines, 1) if text in row and not row.lstrip().startswith("#")), 0)
        found.append(Problem(rel, line, f"{where}: '{text}': {message}"))
    return found


def footer_template_problems(env: jinja2.Environment, context: dict) -> list[Problem]:
    """Render every footer and the unconfirmed-number line once: every answer carries them."""
    samples = [("footer.txt.j2", {"audience": audience, "number_given": given})
               for audience in ("parents", "young-people") for given in (False, True)]
    samples += [("unconfirmed.txt.j2", {"names": names}) for names in (["Leeds SENDIASS"], ["Leeds SENDIASS", "SENSAP"])]
    for name, values in samples:
        try:
            env.get_template(name).render({**context, **values})
        except Exception as exc:  # a broken footer would break every reply
            return [Problem(f"{kn.TEMPLATE_DIR}/{name}", getattr(exc, "lineno", 0) or 0,
                            f"reply templates missing or broken ({exc}); restore knowledge/templates/")]
    return []


class DataError(Exception):
    """The knowledge or intent files have errors; the bot refuses to start on them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} error(s) in the data files")


@dataclass(frozen=True)
class Target:
    """Where an intent leads: a page to show, or a smalltalk line."""

    kind: str  # answer | smalltalk | fallback
    page: str | None = None
    reply: str | None = None  # smalltalk, or a fallback with its own words ("I can't see records")
    reason: str = "unknown"  # a fallback without its own words: which fallback.txt.j2 wording to use


class Bot:
    """Everything needed to answer, loaded once; `handle` is pure and fast."""

    def __init__(self, bundle: Bundle, pages: dict[str, kn.Page], env: jinja2.Environment, problems: list[Problem],
                 translations: dict[str, str] | None = None, matcher: Matcher | None = None):
        """`matcher` is one already built from this same data (see bot/cache.py)."""
        self.bundle = bundle
        self.pages = pages
        self.env = env
        self.problems = problems
        self.translations = translations or {}  # language code -> "English only for now" reply
        self.targets: dict[str, Target] = {}
        examples: list[tuple[str, str]] = []
        exact: list[tuple[str, str]] = []
        self.glossary: list[str] = []  # the intents of glossary terms
        for located in bundle.terms:
            term = located.model
            intent_id = f"term-{kn.slug(term.term)}"
            self.glossary.append(intent_id)
            self.targets[intent_id] = Target("answer", page=intent_id)
            names = (term.term, *term.aliases, *([term.expansion] if term.expansion else []))
            exact += [(intent_id, name) for name in names]
            # How parents ask what a word means, so a term is also found by meaning, inside a longer message
            examples += [(intent_id, f"{frame} {name}") for name in names for frame in TERM_FRAMES]
        for intent_id, located in bundle.intents.items():
            intent = located.model
            if intent.kind in ("smalltalk", "fallback"):
                self.targets[intent_id] = Target(intent.kind, reply=intent.reply)
            elif intent.glossary:
                page = f"term-{kn.slug(intent.glossary)}"
                self.targets[intent_id] = Target("answer", page=page)
            else:
                self.targets[intent_id] = Target("answer", page=intent.answer)
            examples += [(intent_id, e) for e in intent.examples]
            if TITLE_AS_EXAMPLE and intent.kind != "smalltalk":
                page = self.pages.get(self.targets[intent_id].page or "")
                if page is not None:
                    examples.append((intent_id, page.title))
        negatives = [n for located in bundle.intents.values() for n in located.model.negatives]
        if bundle.out_of_scope or negatives:
            self.targets[OUT_OF_SCOPE] = Target("fallback", reason="out-of-scope")
            examples += [(OUT_OF_SCOPE, m) for m in (*bundle.out_of_scope, *negatives)]
        self.examples = examples
        chat = [i for i, t in self.targets.items() if t.kind in ("smalltalk", "fallback")]
        own = [i for i, t in self.targets.items() if t.page in pages and pages[t.page].audience == "young-people"]
        if matcher is None:
            index = Index(examples, bundle.lexicon, bundle.thresholds, exact, whole_only=chat, first_person=own)
            matcher = self._matcher(index)
        self.matcher = matcher
        self.index = matcher.index
        self.stages = pipeline.standard(self)
        self.crisis = CrisisDetector.from_file(bundle.crisis) if bundle.crisis else CrisisDetector((), ())
        self.danger = DangerCheck(self.crisis, crisis_model()[0])
        self.context = kn.context(bundle)  # shared facts, built once: rebuilding them per reply cost ~1 ms
        self.numbers = Numbers.of(bundle.contacts)
        self._footers: dict[tuple[str, bool], str] = {}  # (audience, number given): a few, each rendered once
        self._caveats: dict[tuple[str, ...], str] = {}

    def _matcher(self, index: Index) -> Matcher:
        """The lexical index joined with the meaning of every example and of every entry as sent."""
        encoder = embed.shared()
        reader = Reader((name, term.model.expansion) for term in self.bundle.terms if term.model.expansion
                        for name in (term.model.term, *term.model.aliases))
        pages = [self.page_for(intent_id) for intent_id in index.intents]
        entry_text = [f"{page.title}. {self._as_read(page.shown_answer)}" if page else "" for page in pages]
        semantic = SemanticIndex.build(encoder, [reader.read(t) for t in index.example_text], index.example_intent,
                                       index.starts, entry_text)
        return Matcher(index, semantic, encoder, self.bundle.blend, self.bundle.thresholds, reader, self.glossary)

    def _as_read(self, answer: str) -> str:
        """An answer as the matcher reads it: a term's short explanation in replies ("SENDIASS (the SEND
        advice service)") written out in full, as bot/reading.py writes out the acronyms of messages."""
        for located in self.bundle.terms:
            term = located.model
            if term.short and term.expansion:
                answer = answer.replace(f"{term.term} ({term.short})", f"{term.term} ({term.expansion})")
        return answer

    @classmethod
    def load(cls, root: str | Path | None = None, strict: bool = True) -> "Bot":
        """Load and validate; with strict, any error raises DataError listing every problem.

        With SENDBOT_CACHE set, a load of unchanged files is read back from the cache instead.
        """
        with collector_paused():
            return cls._load(root, strict)

    @classmethod
    def _load(cls, root: str | Path | None, strict: bool) -> "Bot":
        folder = data_root(root)
        where = cache.folder()
        if where is not None:
            digest = cache.key(folder)
            saved = cache.read(where, digest)
            if saved is not None:
                bundle, pages, translations, problems, matcher = saved
                return cls(bundle, pages, kn.environment(bundle.root), problems, translations, matcher)
        bundle = load(folder)
        env = kn.environment(bundle.root)
        pages, render_problems = kn.build_pages(bundle, env)
        translations, translation_problems = kn.fallback_translations(bundle, env)
        problems = bundle.problems + render_problems + translation_problems + cross_check(bundle, pages)
        problems += footer_template_problems(env, kn.context(bundle))
        problems += crisis_template_problems(env, kn.context(bundle))
        problems += crisis_rule_problems(bundle)
        _, model_problem = crisis_model()
        if model_problem:
            problems.append(Problem("bot/model/crisis.npz", 0, model_problem))
        errors = [p for p in problems if p.level == "error"]
        if strict and errors:
            raise DataError(errors)
        bot = cls(bundle, pages, env, problems, translations)
        if where is not None and not errors:
            cache.write(where, digest, (bundle, pages, translations, problems, bot.matcher))
        return bot

    # -- wording ----------------------------------------------------------
    def _smalltalk(self, reply: str) -> str:
        """A small-talk reply, rendered once per Bot (a cache on the instance, so an old Bot and its index
        are freed after /reload: a functools cache on the method kept every one alive)."""
        cache: dict[str, str] = self.__dict__.setdefault("_smalltalk_cache", {})
        if reply not in cache:
            cache[reply] = self.env.from_string(reply).render(self.context).strip()
        return cache[reply]

    def _template(self, name: str, **values: object) -> str:
        ctx = {**self.context, **values}
        return self.env.get_template(name).render(ctx).strip()

    def footer_for(self, body: str, audience: str = "parents") -> str:
        """The footer under `body`: SENDIASS's number only if the body does not give it already, then one
        line asking parents to check any number staff have not confirmed (knowledge/templates/unconfirmed.txt.j2)."""
        key = (audience, self.numbers.gives(body, "sendiass"))
        if key not in self._footers:
            self._footers[key] = self._template("footer.txt.j2", audience=audience, number_given=key[1])
        footer = self._footers[key]
        caveat = self.caveat(f"{body}\n{footer}")
        return f"{footer}\n{caveat}" if caveat else footer

    def caveat(self, text: str) -> str:
        """The one line for the unconfirmed numbers `text` shows ("" if none), rendered once per set of them.
        Every reply but the crisis reply and the safety line carries it; so do the Telegram texts."""
        unconfirmed = self.numbers.unconfirmed_in(text)
        if not unconfirmed:
            return ""
        if unconfirmed not in self._caveats:
            names = [self.bundle.contacts[k].name.split(" (")[0] for k in unconfirmed]
            self._caveats[unconfirmed] = self._template("unconfirmed.txt.j2", names=names)
        return self._caveats[unconfirmed]

    def page_for(self, intent_id: str) -> kn.Page | None:
        target = self.targets.get(intent_id)
        return self.pages.get(target.page) if target and target.page else None

    def title_for(self, intent_id: str) -> str:
        page = self.page_for(intent_id)
        return page.title if page else intent_id

    def entries_for(self, audience: str) -> list[tuple[str, str]]:
        """(intent id, title) of every entry written for an audience, e.g. "young-people" for /young;
        pass the intent id to `answer`."""
        intents = {t.page: i for i, t in reversed(self.targets.items()) if t.kind == "answer"}
        return [(intents[p.id], p.title) for p in self.pages.values() if p.audience == audience and p.id in intents]

    def answer(self, intent_id: str, question: str = "", score: float | None = None, match: Match | None = None,
               language: str | None = None) -> Reply:
        """The reply an intent leads to; also used when a parent taps a clarify option.
        With `language`, an entry's translation in that language is used when it has one."""
        target = self.targets.get(intent_id)
        candidates = tuple((c.intent, c.score) for c in match.candidates) if match else ()
        if target is None or (target.kind == "fallback" and target.reply is None):
            return self.fallback(question, match, reason=target.reason if target else "unknown")
        if target.kind == "smalltalk":
            body = self._smalltalk(target.reply or "")
            return Reply(question, "smalltalk", body, intent=intent_id, score=score, candidates=candidates)
        if target.kind == "fallback":  # something people ask that the bot knows it cannot do
            body = self._smalltalk(target.reply or "")
            return Reply(question, "fallback", body, self.footer_for(body), intent=intent_id, score=score, candidates=candidates)
        page = self.pages[target.page] if target.page in self.pages else None
        if page is None:
            return self.fallback(question, match)
        return self.page_reply(page, question, intent_id, score, candidates, language)

    def page_reply(self, page: kn.Page, question: str = "", intent_id: str | None = None, score: float | None = None,
                   candidates: tuple[tuple[str, float], ...] = (), language: str | None = None) -> Reply:
        """An entry or glossary term as sent, whichever intent led to it: `sendbot check` measures this."""
        related = tuple((r, self.pages[r].title) for r in page.related if r in self.pages)
        translated = page.translations.get(language) if language else None
        body = self._template("answer.txt.j2", title=page.title, answer=translated or page.shown_answer, has_details=bool(page.details))
        footer = self.footer_for(body, page.audience)
        return Reply(question, "answer", body, footer, intent=intent_id, score=score, title=page.title,
                     entry=page.id, details=page.shown_details, related=related, candidates=candidates,
                     language=language if translated else "en")

    def fallback(self, question: str, match: Match | None = None, reason: str = "unknown") -> Reply:
        candidates = tuple((c.intent, c.score) for c in match.candidates) if match else ()
        body = self._template("fallback.txt.j2", reason=reason)
        extra = {"reason": reason, **({"decision": match.reason} if match is not None and match.reason else {})}
        return Reply(question, "fallback", body, self.footer_for(body), candidates=candidates, extra=extra)

    def crisis_reply(self, question: str, found: Assessment) -> Reply:
        """The urgent reply, worded for the kind of danger."""
        body = self._template("crisis.txt.j2", kind=found.kind, young=found.young, rule=found.rule)
        extra = {"rule": found.rule, "danger": found.kind, "source": found.source}
        return Reply(question, "crisis", body, intent="crisis", extra=extra, safety="urgent")

    def safety_line(self, found: Assessment) -> str:
        """The line above an ordinary reply when someone may be at risk."""
        return self._template("safety_line.txt.j2", kind=found.kind, young=found.young)

    # -- the one entry point ----------------------------------------------
    def prepare(self, text: str | None, who: Who | object | None = None) -> Message:
        """A message as every stage reads it, worked out once."""
        return self.matcher.prepare((text or "").strip(), Who.of(who))

    def handle(self, text: str | None, who: Who | object | None = None) -> Reply:
        """Answer one message through the stages (bot/pipeline.py): crisis first, always; then odd input,
        other languages, the matcher and its decision. Never raises on odd input.
        `who` is a Who (user, language, channel), a bare user id, or None."""
        return pipeline.run(self.stages, self.prepare(text, who))
