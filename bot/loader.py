"""Read knowledge/ and intents/ into one validated bundle, turning every mistake into a file:line message."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import schema

REPO_ROOT = Path(__file__).resolve().parent.parent
SPECIAL_KNOWLEDGE = {"contacts.yaml": "contacts", "glossary.yaml": "glossary"}
SPECIAL_INTENTS = {"lexicon.yaml": "lexicon", "crisis.yaml": "crisis", "thresholds.yaml": "thresholds", "calibration.yaml": "calibration",
                   "out_of_scope.yaml": "out_of_scope"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a data file."""

    path: str
    line: int
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "" if self.level == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"


@dataclass
class Located:
    """A validated model with the file and line it came from, for later messages."""

    model: Any
    path: str
    line: int


@dataclass
class Bundle:
    """Everything the bot knows, exactly as staff wrote it (before any rendering)."""

    root: Path
    topics: dict[str, str] = field(default_factory=dict)  # entry id -> topic name
    entries: dict[str, Located] = field(default_factory=dict)
    contacts: dict[str, schema.Contact] = field(default_factory=dict)
    terms: list[Located] = field(default_factory=list)
    intents: dict[str, Located] = field(default_factory=dict)
    crisis: schema.CrisisFile | None = None
    lexicon: dict[str, list[str]] = field(default_factory=dict)
    thresholds: schema.Thresholds = field(default_factory=schema.Thresholds)
    blend: schema.Blend = field(default_factory=schema.Blend)
    out_of_scope: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


def data_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding knowledge/ and intents/: --data, then SENDBOT_DATA, then the repository."""
    chosen = explicit or os.environ.get("SENDBOT_DATA")
    return Path(chosen).resolve() if chosen else REPO_ROOT


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """Walk a composed YAML node along a pydantic error location; return the deepest line found (1-based)."""
    if node is None:
        return 0
    line = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


MAX_FILE_BYTES = 5_000_000  # the largest knowledge file today is ~0.2 MB; a bigger one is a mistake or an attack
MAX_ITEMS = 200_000  # values in one file once every alias (*name) is expanded: far above any real file


def _expanded_size(node: yaml.Node | None) -> int:
    """How many values the file holds with every alias expanded, worked out once per distinct node, so a
    'billion laughs' file (aliases of aliases) is measured in microseconds instead of being walked."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key not in sizes:
            sizes[key] = 0  # a node that contains itself counts once
            if isinstance(n, yaml.MappingNode):
                total = 1 + sum(size(k) + size(v) for k, v in n.value)
            elif isinstance(n, yaml.SequenceNode):
                total = 1 + sum(size(v) for v in n.value)
            else:
                total = 1
            sizes[key] = min(total, MAX_ITEMS + 1)
        return sizes[key]

    return size(node) if node is not None else 0


def _duplicate_keys(node: yaml.Node | None, rel: str) -> list[Problem]:
    """YAML quietly keeps the last of two equal keys; staff deserve to hear about it."""
    found: list[Problem] = []
    stack = [node] if node is not None else []
    visited: set[int] = set()  # an alias points at a node already seen: check each mapping once
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                name = getattr(key, "value", None)
                if isinstance(name, str) and name in seen:
                    found.append(Problem(rel, key.start_mark.line + 1, f"the key '{name}' appears twice here; keep one"))
                seen.add(str(name))
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _friendly(err: dict[str, Any]) -> str:
    """Turn one pydantic error into a sentence a non-programmer can act on."""
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    key = loc[-1] if loc else "file"
    kind = err["type"]
    if kind == "missing":
        return f"'{key}' is missing; add it"
    if kind == "extra_forbidden":
        return f"'{key}' is not a known key; check the spelling or remove it"
    if kind.startswith("date"):
        return f"'{key}' must be a date written as YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return f"'{key}' must use lower-case letters, digits and dashes only"
    if kind == "string_type":
        return f"'{key}' must be text; put the value in quotes (yes, no, on and off need quotes)"
    if kind == "too_short":
        return f"'{key}' is empty or too short; fill it in"
    return f"'{key}': {err['msg']}"


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same safety, ~10x faster


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Compose once (for line numbers) and build plain data from the same nodes, safe tags only."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def read_yaml(path: Path, rel: str, model: type[BaseModel]) -> tuple[BaseModel | None, yaml.Node | None, list[Problem]]:
    """Parse one file safely and validate it; never raises for bad content."""
    try:
        if not path.is_file():  # a pipe or a device would hang the read; a folder named *.yaml cannot be read
            return None, None, [Problem(rel, 0, "is not an ordinary file (a folder, pipe or device?); remove it or replace it with a text file")]
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, None, [Problem(rel, 0, f"is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it into smaller files")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(rel, 0, f"cannot read the file ({exc.__class__.__name__}); save it as UTF-8 text")]
    try:
        node, data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, None, [Problem(rel, line, f"YAML syntax: {what}; check indentation, colons and quotes on this line or the one above")]
    except RecursionError:
        return None, None, [Problem(rel, 0, "is nested too deeply to read; write it flatter")]
    if _expanded_size(node) > MAX_ITEMS:
        return None, node, [Problem(rel, 0, f"expands to more than {MAX_ITEMS:,} values through anchors (&name) and aliases "
                                             "(*name); write the values out instead of repeating aliases")]
    problems = _duplicate_keys(node, rel)
    if data is None:
        return None, node, problems + [Problem(rel, 1, "the file is empty")]
    try:
        return model.model_validate(data), node, problems
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(Problem(rel, _line_of(node, tuple(err["loc"])), _friendly(err)))
        return None, node, problems


def _entry_line(node: yaml.Node | None, index: int) -> int:
    return _line_of(node, ("entries", index))


def load(root: Path | None = None) -> Bundle:
    """Load every data file under root; problems are collected, not raised."""
    root = data_root(root)
    bundle = Bundle(root=root)
    kdir, idir = root / "knowledge", root / "intents"
    for folder in (kdir, idir):
        if not folder.is_dir():
            bundle.problems.append(Problem(str(folder), 0, "folder not found; point --data or SENDBOT_DATA at a folder holding knowledge/ and intents/"))
    for path in sorted(kdir.glob("*.yaml")) if kdir.is_dir() else []:
        rel = f"knowledge/{path.name}"
        kind = SPECIAL_KNOWLEDGE.get(path.name, "knowledge")
        model, node, problems = read_yaml(path, rel, schema.SCHEMAS[kind])
        bundle.problems += problems
        if model is None:
            continue
        if isinstance(model, schema.ContactsFile):
            bundle.contacts.update(model.contacts)
        elif isinstance(model, schema.GlossaryFile):
            for i, term in enumerate(model.terms):
                bundle.terms.append(Located(term, rel, _line_of(node, ("terms", i))))
        else:
            assert isinstance(model, schema.KnowledgeFile)
            for i, entry in enumerate(model.entries):
                line = _entry_line(node, i)
                if entry.id in bundle.entries:
                    first = bundle.entries[entry.id]
                    bundle.problems.append(Problem(rel, line, f"entry id '{entry.id}' is already used at {first.path}:{first.line}; give one of them a new id"))
                    continue
                bundle.entries[entry.id] = Located(entry, rel, line)
                bundle.topics[entry.id] = model.topic
    for path in sorted(idir.glob("*.yaml")) if idir.is_dir() else []:
        rel = f"intents/{path.name}"
        kind = SPECIAL_INTENTS.get(path.name, "intents")
        model, node, problems = read_yaml(path, rel, schema.SCHEMAS[kind])
        bundle.problems += problems
        if model is None:
            continue
        if isinstance(model, schema.LexiconFile):
            bundle.lexicon = model.synonyms
        elif isinstance(model, schema.CrisisFile):
            bundle.crisis = model
        elif isinstance(model, schema.Thresholds):
            bundle.thresholds = model
        elif isinstance(model, schema.Blend):
            bundle.blend = model
        elif isinstance(model, schema.OutOfScopeFile):
            bundle.out_of_scope = model.messages
        else:
            assert isinstance(model, schema.IntentFile)
            for i, intent in enumerate(model.intents):
                line = _line_of(node, ("intents", i))
                if intent.id in bundle.intents:
                    first = bundle.intents[intent.id]
                    bundle.problems.append(Problem(rel, line, f"intent id '{intent.id}' is already used at {first.path}:{first.line}; give one of them a new id"))
                    continue
                bundle.intents[intent.id] = Located(intent, rel, line)
    if bundle.crisis is None and idir.is_dir():
        bundle.problems.append(Problem("intents/crisis.yaml", 0, "the crisis rules are missing; the bot must not run without them"))
    return bundle
