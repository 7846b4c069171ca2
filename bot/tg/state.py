"""What the running bot holds: the loaded knowledge (swapped whole on /reload) and a short memory of recent replies."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import jinja2

from .. import knowledge as kn
from ..core import Bot, DataError
from ..loader import Problem
from .catalogue import Catalogue
from .texts import Texts


def freeze_templates(bot: Bot) -> list[Problem]:
    """Compile every template now and stop re-reading the files, so edits on disk reach parents only through /reload."""
    problems: list[Problem] = []
    bot.env.auto_reload = False
    for name in bot.env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        try:
            bot.env.get_template(name)
        except jinja2.TemplateError as exc:
            problems.append(Problem(f"{kn.TEMPLATE_DIR}/{name}", getattr(exc, "lineno", 0) or 0,
                                    f"template broken ({exc}); fix or restore it"))
    return problems


@dataclass(frozen=True)
class Loaded:
    """One consistent set of knowledge, wording and lookups; handlers take one and use only it."""

    bot: Bot
    texts: Texts
    catalogue: Catalogue

    @classmethod
    def load(cls, root: str | None) -> "Loaded":
        """Load and validate everything, Telegram templates included; raise DataError listing every problem."""
        try:
            bot = Bot.load(root, strict=False)  # so file errors and template errors are reported together
        except DataError:
            raise
        except Exception:
            Bot.load(root)  # broken beyond building: the strict load names the file problems
            raise
        return cls.from_bot(bot, [p for p in bot.problems if p.level == "error"])

    @classmethod
    def from_bot(cls, bot: Bot, errors: list[Problem] | None = None) -> "Loaded":
        """Wrap a loaded Bot, checking and freezing every template (the Telegram ones included)."""
        problems = (errors or []) + freeze_templates(bot) + Texts.check(bot)
        if problems:
            raise DataError(problems)
        return cls(bot, Texts(bot), Catalogue(bot))


class Live:
    """The current Loaded; replaced in one assignment, so a reply never mixes old and new knowledge."""

    def __init__(self, loaded: Loaded):
        self.current = loaded

    def swap(self, loaded: Loaded) -> None:
        self.current = loaded


@dataclass
class Sent:
    """What the bot remembers about a reply it sent, for the buttons under it."""

    intent: str | None
    question: str
    feedback_given: bool = False


class Recent:
    """A bounded memory of recent replies by (chat, message id): the question behind a 'No', and one vote per reply."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self.items: OrderedDict[tuple[int, int], Sent] = OrderedDict()

    def remember(self, chat_id: int, message_id: int, intent: str | None, question: str) -> None:
        self.items[(chat_id, message_id)] = Sent(intent, question)
        self.items.move_to_end((chat_id, message_id))
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> Sent | None:
        return self.items.get((chat_id, message_id))

    def forget_chat(self, chat_id: int) -> None:
        """Drop every remembered question of one chat (/forgetme)."""
        for key in [k for k in self.items if k[0] == chat_id]:
            del self.items[key]
